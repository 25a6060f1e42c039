// The CPU state a loaded image starts in: everything the CPU needs to begin at the entry point,
// including the hidden parts of the segment registers (their descriptor caches).

/** A segment register (or LDTR/TR) with its descriptor cache. */
export interface SegmentRegister {
  selector: number;
  base: number;
  /** Effective byte limit (0xFFFFFFFF for a 4 GiB page-granular segment). */
  limit: number;
  /** Descriptor byte 5: type (bits 0-3), S (4), DPL (5-6), P (7). */
  access: number;
  /** Descriptor byte 6 bits 4-7 shifted down: AVL (bit 0), L (1), D/B (2), G (3). */
  flags: number;
}

export interface TableRegister {
  base: number;
  limit: number;
}

export interface GeneralRegisters {
  eax: number;
  ecx: number;
  edx: number;
  ebx: number;
  esp: number;
  ebp: number;
  esi: number;
  edi: number;
}

export type ImageFormat = 'multiboot-aout' | 'multiboot-elf' | 'elf' | 'boot-sector';

/** A range of guest-physical memory the loader wrote. */
export interface LoadedRegion {
  start: number;
  /** Exclusive. */
  end: number;
  what: string;
}

export interface EntryState {
  format: ImageFormat;
  /** 'protected': 32-bit flat protected mode, paging off; 'real': real mode. */
  mode: 'protected' | 'real';
  regs: GeneralRegisters;
  eip: number;
  eflags: number;
  cs: SegmentRegister;
  ds: SegmentRegister;
  es: SegmentRegister;
  fs: SegmentRegister;
  gs: SegmentRegister;
  ss: SegmentRegister;
  ldtr: SegmentRegister;
  tr: SegmentRegister;
  gdtr: TableRegister;
  idtr: TableRegister;
  cr0: number;
  cr2: number;
  cr3: number;
  cr4: number;
  dr6: number;
  dr7: number;
  /** Physical address of the Multiboot information structure (EBX), when there is one. */
  multibootInfo?: number;
  /** What the loader put where (kernel, bss, MBI, memory map, strings, firmware tables). */
  regions: LoadedRegion[];
  /** Non-fatal remarks, e.g. QEMU's "multiboot knows VBE. we don't". */
  warnings: string[];
}

/** LDTR and TR as QEMU's CPU reset leaves them (and nothing on the way to the entry changes). */
export const RESET_LDTR: SegmentRegister = { selector: 0, base: 0, limit: 0xffff, access: 0x82, flags: 0 };
export const RESET_TR: SegmentRegister = { selector: 0, base: 0, limit: 0xffff, access: 0x8b, flags: 0 };
export const RESET_DR6 = 0xffff0ff0;
export const RESET_DR7 = 0x00000400;
