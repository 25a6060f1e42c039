// ELF32 i386 executables as QEMU 7.2's load_elf() reads them for a Multiboot kernel: the PT_LOAD
// program headers are loaded at p_paddr (file bytes, then zeros up to p_memsz), and the entry is
// e_entry, moved into physical space when it lies in the file part of an executable segment whose
// p_vaddr differs from its p_paddr (a kernel linked to run in the upper half).
import { LoadError } from './load-error.js';

export interface ElfSegment {
  /** Index of the program header. */
  index: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number;
}

export interface Elf32Image {
  /** Physical entry point. */
  entry: number;
  /** The PT_LOAD segments, in program header order. */
  segments: ElfSegment[];
}

const ELF_HEADER_SIZE = 52;
// QEMU reads e_phnum headers of this size, whatever e_phentsize says.
const PROGRAM_HEADER_SIZE = 32;
const PT_LOAD = 1;
const PF_X = 1;
const EM_386 = 3;
const EM_X86_64 = 62;

export function isElf(image: Uint8Array): boolean {
  return image.length >= 4 && image[0] === 0x7f && image[1] === 0x45 && image[2] === 0x4c && image[3] === 0x46;
}

const hex = (n: number) => `0x${n.toString(16)}`;

export function parseElf32(image: Uint8Array): Elf32Image {
  if (!isElf(image)) throw new LoadError('not an ELF file (no \\x7fELF signature)');
  if (image.length < ELF_HEADER_SIZE) throw new LoadError(`truncated ELF header (${image.length} bytes, need ${ELF_HEADER_SIZE})`);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const machine = view.getUint16(18, true);
  if (machine === EM_X86_64) throw new LoadError('Cannot load x86-64 image, give a 32bit one (ELF machine EM_X86_64)');
  if (image[4] !== 1) throw new LoadError(`ELF class ${image[4]} is not ELFCLASS32`);
  if (image[5] !== 1) throw new LoadError('big-endian ELF files cannot be loaded on i386');
  if (machine !== EM_386) throw new LoadError(`ELF machine ${machine} is not i386 (EM_386 = 3)`);
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phnum = view.getUint16(44, true);
  if (phoff + phnum * PROGRAM_HEADER_SIZE > image.length) {
    throw new LoadError(`truncated ELF file: ${phnum} program headers at offset ${hex(phoff)} run past its ${image.length} bytes`);
  }
  const segments: ElfSegment[] = [];
  let physicalEntry = entry;
  for (let index = 0; index < phnum; index++) {
    const at = phoff + index * PROGRAM_HEADER_SIZE;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const segment: ElfSegment = {
      index,
      offset: view.getUint32(at + 4, true),
      vaddr: view.getUint32(at + 8, true),
      paddr: view.getUint32(at + 12, true),
      filesz: view.getUint32(at + 16, true),
      memsz: view.getUint32(at + 20, true),
      flags: view.getUint32(at + 24, true),
    };
    if (segment.filesz > 0 && segment.offset + segment.filesz > image.length) {
      throw new LoadError(
        `truncated ELF file: segment ${index} needs bytes ${hex(segment.offset)}-${hex(segment.offset + segment.filesz)} of a ${image.length}-byte file`,
      );
    }
    if (segment.filesz > segment.memsz) {
      throw new LoadError(`ELF segment ${index} has p_filesz ${hex(segment.filesz)} larger than p_memsz ${hex(segment.memsz)}`);
    }
    if (
      segment.vaddr !== segment.paddr &&
      entry >= segment.vaddr &&
      entry < segment.vaddr + segment.filesz &&
      segment.flags & PF_X
    ) {
      physicalEntry = (entry - segment.vaddr + segment.paddr) >>> 0;
    }
    segments.push(segment);
  }
  if (segments.length === 0) throw new LoadError('ELF file has no loadable (PT_LOAD) segments');
  return { entry: physicalEntry, segments };
}
