// VT-x basic exit reasons (reference §1.2, Linux EXIT_REASON_* spellings) and the SDM's layouts
// of the exit-information fields (reference §1.8; SDM vol. 3C tables 28-1 ... 28-5).

export const EXIT_REASON_NAMES: Readonly<Record<number, string>> = {
  0: 'EXCEPTION_NMI', 1: 'EXTERNAL_INTERRUPT', 2: 'TRIPLE_FAULT', 3: 'INIT_SIGNAL', 4: 'SIPI',
  5: 'IO_SMI', 6: 'OTHER_SMI', 7: 'INTERRUPT_WINDOW', 8: 'NMI_WINDOW', 9: 'TASK_SWITCH',
  10: 'CPUID', 11: 'GETSEC', 12: 'HLT', 13: 'INVD', 14: 'INVLPG', 15: 'RDPMC', 16: 'RDTSC',
  17: 'RSM', 18: 'VMCALL', 19: 'VMCLEAR', 20: 'VMLAUNCH', 21: 'VMPTRLD', 22: 'VMPTRST',
  23: 'VMREAD', 24: 'VMRESUME', 25: 'VMWRITE', 26: 'VMXOFF', 27: 'VMXON', 28: 'CR_ACCESS',
  29: 'DR_ACCESS', 30: 'IO_INSTRUCTION', 31: 'MSR_READ', 32: 'MSR_WRITE', 33: 'INVALID_GUEST_STATE',
  34: 'MSR_LOAD_FAIL', 36: 'MWAIT_INSTRUCTION', 37: 'MONITOR_TRAP_FLAG', 39: 'MONITOR_INSTRUCTION',
  40: 'PAUSE_INSTRUCTION', 41: 'MCE_DURING_VMENTRY', 43: 'TPR_BELOW_THRESHOLD', 44: 'APIC_ACCESS',
  45: 'EOI_INDUCED', 46: 'GDTR_IDTR', 47: 'LDTR_TR', 48: 'EPT_VIOLATION', 49: 'EPT_MISCONFIG',
  50: 'INVEPT', 51: 'RDTSCP', 52: 'PREEMPTION_TIMER', 53: 'INVVPID', 54: 'WBINVD', 55: 'XSETBV',
  56: 'APIC_WRITE', 57: 'RDRAND', 58: 'INVPCID', 59: 'VMFUNC', 60: 'ENCLS', 61: 'RDSEED',
  62: 'PML_FULL', 63: 'XSAVES', 64: 'XRSTORS',
};

export const EXIT = {
  EXCEPTION_NMI: 0,
  EXTERNAL_INTERRUPT: 1,
  TRIPLE_FAULT: 2,
  INTERRUPT_WINDOW: 7,
  CPUID: 10,
  HLT: 12,
  INVD: 13,
  INVLPG: 14,
  RDPMC: 15,
  RDTSC: 16,
  VMCALL: 18,
  VMCLEAR: 19,
  VMLAUNCH: 20,
  VMPTRLD: 21,
  VMPTRST: 22,
  VMREAD: 23,
  VMRESUME: 24,
  VMWRITE: 25,
  VMXOFF: 26,
  VMXON: 27,
  CR_ACCESS: 28,
  DR_ACCESS: 29,
  IO_INSTRUCTION: 30,
  MSR_READ: 31,
  MSR_WRITE: 32,
  MWAIT_INSTRUCTION: 36,
  MONITOR_INSTRUCTION: 39,
  PAUSE_INSTRUCTION: 40,
  INVEPT: 50,
  INVVPID: 53,
} as const;

// ---- control-register access (exit 28) --------------------------------------------------------

export const CR_ACCESS_MOV_TO = 0;
export const CR_ACCESS_MOV_FROM = 1;
export const CR_ACCESS_CLTS = 2;
export const CR_ACCESS_LMSW = 3;

/** Bits 3:0 CR number, 5:4 access type, 6 LMSW operand (1 = memory), 11:8 GPR, 31:16 LMSW data. */
export function crQualification(cr: number, access: number, gpr: number, lmswMemory = false, lmswData = 0): number {
  return ((cr & 0xf) | ((access & 3) << 4) | (lmswMemory ? 1 << 6 : 0) | ((gpr & 0xf) << 8) | ((lmswData & 0xffff) << 16)) >>> 0;
}

// ---- MOV DR (exit 29) -------------------------------------------------------------------------

/** Bits 2:0 DR number, bit 4 direction (1 = MOV from DR), 11:8 GPR. */
export function drQualification(dr: number, fromDr: boolean, gpr: number): number {
  return ((dr & 7) | (fromDr ? 1 << 4 : 0) | ((gpr & 0xf) << 8)) >>> 0;
}

// ---- I/O instruction (exit 30) ----------------------------------------------------------------

/** Bits 2:0 size − 1, 3 direction (1 = IN), 4 string, 5 REP, 6 immediate operand, 31:16 port. */
export function ioQualification(size: number, isIn: boolean, string: boolean, rep: boolean, immediate: boolean, port: number): number {
  return (((size - 1) & 7) | (isIn ? 1 << 3 : 0) | (string ? 1 << 4 : 0) | (rep ? 1 << 5 : 0) | (immediate ? 1 << 6 : 0) | ((port & 0xffff) << 16)) >>> 0;
}

// ---- interruption information (VM_EXIT_INTR_INFO, IDT-vectoring, VM-entry injection) ---------

export const INTR_TYPE_EXTERNAL = 0;
export const INTR_TYPE_NMI = 2;
export const INTR_TYPE_HARD_EXCEPTION = 3;
export const INTR_TYPE_SOFT_INTERRUPT = 4;
export const INTR_TYPE_PRIV_SOFT_EXCEPTION = 5;
export const INTR_TYPE_SOFT_EXCEPTION = 6;
export const INTR_INFO_VALID = 0x80000000;
export const INTR_INFO_ERROR_CODE_VALID = 1 << 11;

/** Bits 7:0 vector, 10:8 type, 11 error code valid, 31 valid. */
export function interruptionInfo(vector: number, type: number, errorCodeValid: boolean): number {
  return ((vector & 0xff) | ((type & 7) << 8) | (errorCodeValid ? INTR_INFO_ERROR_CODE_VALID : 0) | INTR_INFO_VALID) >>> 0;
}

// ---- VM-exit instruction information (SDM table 28-8 ff.) ---------------------------------------

/**
 * Instruction information for instructions with a memory or register operand (VMX instructions,
 * INVEPT/INVVPID, LIDT ...): bits 1:0 scaling, 9:7 address size (0 16-bit, 1 32-bit),
 * 10 register (1) or memory (0) operand, 14:12 operand register, 17:15 segment, 21:18 index
 * register, 22 index invalid, 26:23 base register, 27 base invalid, 31:28 second register.
 */
export function memoryInstructionInfo(o: {
  scale: number;
  asz: number;
  register: boolean;
  reg1: number;
  seg: number;
  index: number;
  base: number;
  reg2?: number;
}): number {
  let v = (o.scale & 3) | ((o.asz === 4 ? 1 : 0) << 7) | ((o.seg & 7) << 15);
  if (o.register) v |= (1 << 10) | ((o.reg1 & 0xf) << 3);
  else v |= (o.index < 0 ? 1 << 22 : (o.index & 0xf) << 18) | (o.base < 0 ? 1 << 27 : (o.base & 0xf) << 23);
  if (o.reg2 !== undefined) v |= (o.reg2 & 0xf) << 28;
  return v >>> 0;
}

/** INS/OUTS instruction information: bits 9:7 address size, 17:15 segment (OUTS's source). */
export function stringIoInstructionInfo(asz: number, seg: number): number {
  return (((asz === 4 ? 1 : 0) << 7) | ((seg & 7) << 15)) >>> 0;
}

export const GPR_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
