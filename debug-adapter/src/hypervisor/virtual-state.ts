// What the guest believes about its CPU, kept by a VMM next to the physical state the CPU model
// really runs (the debugger shows both).

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
