// The one error the loader throws for an image it cannot run; the message is a single line that
// says what is wrong with the image (and, where QEMU refuses the same image, QEMU's words).
export class LoadError extends Error {
  override name = 'LoadError';
}
