// Recognizes a guest image and loads it, in QEMU's order for `-kernel`: a Linux kernel ("HdrS"
// at 0x202) is refused, then the Multiboot header decides; without one, an ELF32 file still
// boots as a Multiboot kernel would (QEMU wants a PVH note for those and refuses them), and a
// 512-byte boot sector starts in real mode as from a disk.
import { startMultibootKernel } from './boot-info.js';
import { isBootSector, startBootSector } from './boot-sector.js';
import { isElf } from './elf.js';
import type { EntryState } from './entry-state.js';
import { LoadError } from './load-error.js';
import type { PhysicalMemory } from './memory.js';
import { findMultibootHeader, readMultibootKernel, readPlainElfKernel } from './multiboot.js';

export interface LoadOptions {
  /**
   * The kernel's file name as QEMU's -kernel would be given it: the Multiboot command line is
   * "<kernelName> <cmdline>". Default "kernel".
   */
  kernelName?: string;
  /** The kernel command line (QEMU's -append). Default empty. */
  cmdline?: string;
}

const LINUX_HEADER_MAGIC = 0x53726448; // "HdrS"

export function loadImage(memory: PhysicalMemory, image: Uint8Array, options: LoadOptions = {}): EntryState {
  const command = { kernelName: options.kernelName ?? 'kernel', cmdline: options.cmdline ?? '' };
  if (image.length === 0) throw new LoadError('the image is empty');
  if (image.length >= 0x206 && new DataView(image.buffer, image.byteOffset + 0x202, 4).getUint32(0, true) === LINUX_HEADER_MAGIC) {
    throw new LoadError('Linux boot-protocol kernels (HdrS at 0x202) are not supported; build a Multiboot or ELF image');
  }
  const header = findMultibootHeader(image);
  if (header) return startMultibootKernel(memory, readMultibootKernel(image, header), command);
  if (isElf(image)) return startMultibootKernel(memory, readPlainElfKernel(image), command);
  if (isBootSector(image)) return startBootSector(memory, image);
  throw new LoadError('not a Multiboot or ELF image: no Multiboot header in the first 8192 bytes');
}
