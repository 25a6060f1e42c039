// What the guest believes about its CPU, kept by a VMM next to the physical state the CPU model
// really runs (the debugger shows both).
import type { Cpu } from '../cpu/cpu.js';
import { FLAG_IF } from '../cpu/constants.js';

export interface TableRegister {
  base: number;
  limit: number;
}

export interface SystemSegment {
  selector: number;
  base: number;
  limit: number;
}

export interface VirtualCpuState {
  /** The privilege level the guest thinks it runs at. */
  cpl: number;
  /** The guest's interrupt flag (physical IF may differ). */
  interruptFlag: boolean;
  iopl: number;
  cr0: number;
  cr2: number;
  cr3: number;
  cr4: number;
  gdtr: TableRegister;
  idtr: TableRegister;
  ldtr: SystemSegment;
  tr: SystemSegment;
  /** Vectors the VMM holds for the guest until it can take them (virtual IF=0, interrupt shadow). */
  pendingInterrupts: number[];
}

export function emptyVirtualState(): VirtualCpuState {
  return {
    cpl: 0,
    interruptFlag: false,
    iopl: 0,
    cr0: 0,
    cr2: 0,
    cr3: 0,
    cr4: 0,
    gdtr: { base: 0, limit: 0 },
    idtr: { base: 0, limit: 0x3ff },
    ldtr: { selector: 0, base: 0, limit: 0 },
    tr: { selector: 0, base: 0, limit: 0 },
    pendingInterrupts: [],
  };
}

/** The CPU's own state seen as a guest's (where the guest runs with its real privileges). */
export function virtualStateOf(cpu: Cpu): VirtualCpuState {
  const fl = cpu.getEflags();
  return {
    cpl: cpu.cpl,
    interruptFlag: (fl & FLAG_IF) !== 0,
    iopl: (fl >>> 12) & 3,
    cr0: cpu.cr0,
    cr2: cpu.cr2,
    cr3: cpu.cr3,
    cr4: cpu.cr4,
    gdtr: { base: cpu.gdtrBase >>> 0, limit: cpu.gdtrLimit },
    idtr: { base: cpu.idtrBase >>> 0, limit: cpu.idtrLimit },
    ldtr: { selector: cpu.ldtrSel, base: cpu.ldtrBase >>> 0, limit: cpu.ldtrLimit },
    tr: { selector: cpu.trSel, base: cpu.trBase >>> 0, limit: cpu.trLimit },
    pendingInterrupts: [],
  };
}
