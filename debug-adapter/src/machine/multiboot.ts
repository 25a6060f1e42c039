// Multiboot v1 kernels as QEMU 7.2 reads them for `-kernel` (hw/i386/multiboot.c): the header is
// the first 4-byte aligned magic 0x1BADB002 in the first 8192 bytes (at offsets below 8144) whose
// checksum adds up to zero. With flag bit 16 (the a.out kludge) the header's addresses say what
// to load: file bytes from the header's offset minus (header_addr - load_addr), up to
// load_end_addr (0: to the end of the file), then zeros up to bss_end_addr (0: no bss). Without
// it the file must be an ELF32 i386 executable, loaded by its program headers. QEMU accepts any
// other flag bits; for bit 2 (video mode) it only warns.
import { isElf, parseElf32 } from './elf.js';
import { LoadError } from './load-error.js';

export const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
const SEARCH_LIMIT = 8192 - 48;
const FLAG_VIDEO_MODE = 1 << 2;
const FLAG_AOUT_KLUDGE = 1 << 16;

export interface MultibootHeader {
  /** File offset of the magic. */
  offset: number;
  flags: number;
}

/** The kernel as it will sit in memory, before the boot information is added. */
export interface KernelImage {
  format: 'multiboot-aout' | 'multiboot-elf' | 'elf';
  /** Physical address of the first byte. */
  loadAddr: number;
  /** Bytes the kernel occupies from loadAddr on; whatever `pieces` leave out is zero (bss, gaps). */
  size: number;
  /**
   * File bytes and where they go, as offsets from loadAddr, in load order (later ones win); a
   * piece's `size` beyond its data is zeros.
   */
  pieces: { offset: number; data: Uint8Array; size: number }[];
  /** Size of the part loaded from the file (the rest up to `size` is bss). */
  loadedSize: number;
  entry: number;
  warnings: string[];
}

const hex = (n: number) => `0x${n.toString(16)}`;

function read32(image: Uint8Array, at: number): number {
  return (image[at] | (image[at + 1] << 8) | (image[at + 2] << 16) | (image[at + 3] << 24)) >>> 0;
}

export function findMultibootHeader(image: Uint8Array): MultibootHeader | undefined {
  for (let offset = 0; offset < SEARCH_LIMIT && offset + 12 <= image.length; offset += 4) {
    if (read32(image, offset) !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = read32(image, offset + 4);
    if (((MULTIBOOT_HEADER_MAGIC + flags + read32(image, offset + 8)) & 0xffffffff) === 0) return { offset, flags };
  }
  return undefined;
}

export function readMultibootKernel(image: Uint8Array, header: MultibootHeader): KernelImage {
  const warnings: string[] = [];
  // QEMU's words.
  if (header.flags & FLAG_VIDEO_MODE) warnings.push("multiboot knows VBE. we don't");
  if (!(header.flags & FLAG_AOUT_KLUDGE)) {
    if (!isElf(image)) {
      throw new LoadError(
        `the Multiboot header (flags ${hex(header.flags)}) has no a.out kludge (bit 16), so the image must be ELF, and it is not (QEMU: "Error while loading elf kernel")`,
      );
    }
    return { ...elfKernel(image, 'multiboot-elf'), warnings };
  }
  return { ...aoutKernel(image, header), warnings };
}

/** An ELF32 kernel without a Multiboot header (QEMU refuses these; Hyperstep boots them the same way). */
export function readPlainElfKernel(image: Uint8Array): KernelImage {
  return { ...elfKernel(image, 'elf'), warnings: [] };
}

function aoutKernel(image: Uint8Array, header: MultibootHeader): Omit<KernelImage, 'warnings'> {
  const at = header.offset;
  if (at + 32 > image.length) {
    throw new LoadError(`truncated Multiboot header at offset ${hex(at)}: the a.out kludge fields need ${at + 32} bytes, the image has ${image.length}`);
  }
  const headerAddr = read32(image, at + 12);
  const loadAddr = read32(image, at + 16);
  const loadEndAddr = read32(image, at + 20);
  const bssEndAddr = read32(image, at + 24);
  const entry = read32(image, at + 28);
  const bad = (what: string, qemu: string) => new LoadError(`invalid Multiboot a.out header at offset ${hex(at)}: ${what} (QEMU: "${qemu}")`);
  if (headerAddr < loadAddr) throw bad(`header_addr ${hex(headerAddr)} is below load_addr ${hex(loadAddr)}`, 'invalid load_addr address');
  if (headerAddr - loadAddr > at) {
    throw bad(`header_addr - load_addr = ${hex(headerAddr - loadAddr)} puts load_addr before the start of the file`, 'invalid header_addr address');
  }
  const textOffset = at - (headerAddr - loadAddr);
  let loadSize: number;
  if (loadEndAddr !== 0) {
    if (loadEndAddr < loadAddr) throw bad(`load_end_addr ${hex(loadEndAddr)} is below load_addr ${hex(loadAddr)}`, 'invalid load_end_addr address');
    loadSize = loadEndAddr - loadAddr;
  } else {
    loadSize = image.length - textOffset;
  }
  if (loadSize > 0xffffffff - loadAddr) throw bad(`${hex(loadSize)} bytes at ${hex(loadAddr)} run past 4 GiB`, 'kernel does not fit in address space');
  let kernelSize = loadSize;
  if (bssEndAddr !== 0) {
    if (bssEndAddr < loadAddr + loadSize) {
      throw bad(`bss_end_addr ${hex(bssEndAddr)} is below load_end_addr ${hex(loadAddr + loadSize)}`, 'invalid bss_end_addr address');
    }
    kernelSize = bssEndAddr - loadAddr;
  }
  if (textOffset + loadSize > image.length) {
    throw new LoadError(
      `truncated image: the Multiboot header asks for ${hex(loadSize)} bytes from file offset ${hex(textOffset)}, the file has ${image.length} bytes (QEMU: "fread() failed")`,
    );
  }
  checkSize(loadAddr, kernelSize);
  const pieces = [{ offset: 0, data: image.subarray(textOffset, textOffset + loadSize), size: loadSize }];
  return { format: 'multiboot-aout', loadAddr, size: kernelSize, pieces, loadedSize: loadSize, entry };
}

function elfKernel(image: Uint8Array, format: 'multiboot-elf' | 'elf'): Omit<KernelImage, 'warnings'> {
  const elf = parseElf32(image);
  let low = Infinity;
  let high = 0;
  for (const s of elf.segments) {
    low = Math.min(low, s.paddr);
    high = Math.max(high, s.paddr + s.memsz);
  }
  checkSize(low, high - low);
  const pieces = elf.segments.map((s) => ({ offset: s.paddr - low, data: image.subarray(s.offset, s.offset + s.filesz), size: s.memsz }));
  const loadedSize = Math.max(...elf.segments.map((s) => s.paddr - low + s.filesz));
  return { format, loadAddr: low, size: high - low, pieces, loadedSize, entry: elf.entry };
}

function checkSize(loadAddr: number, size: number): void {
  if (loadAddr + size > 0x100000000) {
    throw new LoadError(`the kernel (${hex(loadAddr)}-${hex(loadAddr + size)}) runs past the 4 GiB physical address space`);
  }
}
