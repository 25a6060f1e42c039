// Named access to the CPU's registers for the debugger and the command line: general registers
// (32/16/8-bit), EIP, EFLAGS, segment selectors with their descriptor caches, control, debug and
// descriptor-table registers.
import type { Cpu } from '../cpu/cpu.js';
import { CR0_PE, SEGMENT_NAMES } from '../cpu/constants.js';

const GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
const GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
const GPR8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;

export interface SegmentView {
  selector: number;
  base: number;
  limit: number;
  /** Descriptor bits 40–55 (type, S, DPL, P, AVL, D/B, G). */
  attributes: number;
}

export interface RegisterSnapshot {
  general: Record<(typeof GPR32)[number], number>;
  eip: number;
  eflags: number;
  segments: Record<(typeof SEGMENT_NAMES)[number], SegmentView>;
  cr0: number;
  cr2: number;
  cr3: number;
  cr4: number;
  dr: number[];
  gdtr: { base: number; limit: number };
  idtr: { base: number; limit: number };
  ldtr: SegmentView;
  tr: SegmentView;
  cpl: number;
  mode: 'real' | 'protected16' | 'protected32';
}

export function snapshotRegisters(cpu: Cpu): RegisterSnapshot {
  const general = {} as RegisterSnapshot['general'];
  GPR32.forEach((name, i) => {
    general[name] = cpu.r32[i] >>> 0;
  });
  const segments = {} as RegisterSnapshot['segments'];
  SEGMENT_NAMES.forEach((name, i) => {
    segments[name] = {
      selector: cpu.segSel[i],
      base: cpu.segBase[i] >>> 0,
      limit: cpu.segLimit[i] >>> 0,
      attributes: cpu.segAttr[i],
    };
  });
  return {
    general,
    eip: cpu.eip >>> 0,
    eflags: cpu.getEflags(),
    segments,
    cr0: cpu.cr0 >>> 0,
    cr2: cpu.cr2 >>> 0,
    cr3: cpu.cr3 >>> 0,
    cr4: cpu.cr4 >>> 0,
    dr: Array.from(cpu.dr, (v) => v >>> 0),
    gdtr: { base: cpu.gdtrBase >>> 0, limit: cpu.gdtrLimit },
    idtr: { base: cpu.idtrBase >>> 0, limit: cpu.idtrLimit },
    ldtr: { selector: cpu.ldtrSel, base: cpu.ldtrBase >>> 0, limit: cpu.ldtrLimit >>> 0, attributes: cpu.ldtrAttr },
    tr: { selector: cpu.trSel, base: cpu.trBase >>> 0, limit: cpu.trLimit >>> 0, attributes: cpu.trAttr },
    cpl: cpu.cpl,
    mode: (cpu.cr0 & CR0_PE) === 0 ? 'real' : cpu.code32 ? 'protected32' : 'protected16',
  };
}

/** Reads a register by name (eax, ax, al, eip, eflags, cr0..cr4, dr0..dr7, cs..gs selectors). */
export function readRegister(cpu: Cpu, name: string): number | undefined {
  const n = name.toLowerCase();
  let i = GPR32.indexOf(n as never);
  if (i >= 0) return cpu.r32[i] >>> 0;
  i = GPR16.indexOf(n as never);
  if (i >= 0) return cpu.r16[i * 2];
  i = GPR8.indexOf(n as never);
  if (i >= 0) return cpu.r8[i < 4 ? i * 4 : (i - 4) * 4 + 1];
  i = SEGMENT_NAMES.indexOf(n as never);
  if (i >= 0) return cpu.segSel[i];
  switch (n) {
    case 'eip':
      return cpu.eip >>> 0;
    case 'eflags':
      return cpu.getEflags();
    case 'cr0':
      return cpu.cr0 >>> 0;
    case 'cr2':
      return cpu.cr2 >>> 0;
    case 'cr3':
      return cpu.cr3 >>> 0;
    case 'cr4':
      return cpu.cr4 >>> 0;
  }
  const dr = /^dr([0-7])$/.exec(n);
  if (dr) return cpu.dr[Number(dr[1])] >>> 0;
  return undefined;
}

/**
 * Writes a general register, EIP or EFLAGS (what a debugger may change without breaking the
 * descriptor caches). Returns false for an unknown or read-only name.
 */
export function writeRegister(cpu: Cpu, name: string, value: number): boolean {
  const n = name.toLowerCase();
  let i = GPR32.indexOf(n as never);
  if (i >= 0) {
    cpu.r32[i] = value;
    return true;
  }
  i = GPR16.indexOf(n as never);
  if (i >= 0) {
    cpu.r16[i * 2] = value;
    return true;
  }
  i = GPR8.indexOf(n as never);
  if (i >= 0) {
    cpu.r8[i < 4 ? i * 4 : (i - 4) * 4 + 1] = value;
    return true;
  }
  if (n === 'eip') {
    cpu.eip = (value & cpu.ipMask) >>> 0;
    return true;
  }
  if (n === 'eflags') {
    cpu.setEflags(value);
    return true;
  }
  return false;
}
