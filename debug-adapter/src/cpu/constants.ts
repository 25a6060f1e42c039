// Architectural constants of the IA-32 CPU model (bit positions from the Intel SDM vol. 3A).

export const FLAG_CF = 1 << 0;
export const FLAG_PF = 1 << 2;
export const FLAG_AF = 1 << 4;
export const FLAG_ZF = 1 << 6;
export const FLAG_SF = 1 << 7;
export const FLAG_TF = 1 << 8;
export const FLAG_IF = 1 << 9;
export const FLAG_DF = 1 << 10;
export const FLAG_OF = 1 << 11;
export const FLAG_IOPL = 3 << 12;
export const FLAG_NT = 1 << 14;
export const FLAG_RF = 1 << 16;
export const FLAG_VM = 1 << 17;
export const FLAG_AC = 1 << 18;
export const FLAG_VIF = 1 << 19;
export const FLAG_VIP = 1 << 20;
export const FLAG_ID = 1 << 21;
/** Bit 1 always reads as 1. */
export const FLAG_FIXED1 = 1 << 1;
export const ARITH_FLAGS = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF;
/** Flags software can change on this CPU model (no VM86: VM, VIF, VIP stay 0). */
export const WRITABLE_FLAGS =
  ARITH_FLAGS | FLAG_TF | FLAG_IF | FLAG_DF | FLAG_IOPL | FLAG_NT | FLAG_RF | FLAG_AC | FLAG_ID;

export const CR0_PE = 1 << 0;
export const CR0_MP = 1 << 1;
export const CR0_EM = 1 << 2;
export const CR0_TS = 1 << 3;
export const CR0_ET = 1 << 4;
export const CR0_NE = 1 << 5;
export const CR0_WP = 1 << 16;
export const CR0_AM = 1 << 18;
export const CR0_NW = 1 << 29;
export const CR0_CD = 1 << 30;
export const CR0_PG = 1 << 31;

export const CR4_VME = 1 << 0;
export const CR4_PVI = 1 << 1;
export const CR4_TSD = 1 << 2;
export const CR4_DE = 1 << 3;
export const CR4_PSE = 1 << 4;
export const CR4_PGE = 1 << 7;
export const CR4_PCE = 1 << 8;
/** CR4 bits this CPU supports; setting any other bit raises #GP(0). */
export const CR4_SUPPORTED = CR4_TSD | CR4_DE | CR4_PSE | CR4_PGE | CR4_PCE;

/** Segment register numbers in the x86 encoding order. */
export const ES = 0;
export const CS = 1;
export const SS = 2;
export const DS = 3;
export const FS = 4;
export const GS = 5;
export const SEGMENT_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

/** Exception vectors. */
export const VEC_DE = 0;
export const VEC_DB = 1;
export const VEC_NMI = 2;
export const VEC_BP = 3;
export const VEC_OF = 4;
export const VEC_BR = 5;
export const VEC_UD = 6;
export const VEC_NM = 7;
export const VEC_DF = 8;
export const VEC_TS = 10;
export const VEC_NP = 11;
export const VEC_SS = 12;
export const VEC_GP = 13;
export const VEC_PF = 14;
export const VEC_MF = 16;
export const VEC_AC = 17;
export const VEC_MC = 18;

export const EXCEPTION_MNEMONICS: Readonly<Record<number, string>> = {
  0: '#DE', 1: '#DB', 2: 'NMI', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF',
  9: 'coprocessor segment overrun', 10: '#TS', 11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF',
  16: '#MF', 17: '#AC', 18: '#MC', 19: '#XM',
};

export function exceptionName(vector: number): string {
  return EXCEPTION_MNEMONICS[vector] ?? `vector ${vector}`;
}

/** Vectors whose exceptions push an error code (SDM 6.13). */
export function pushesErrorCode(vector: number): boolean {
  return vector === VEC_DF || (vector >= VEC_TS && vector <= VEC_PF) || vector === VEC_AC;
}

/** Contributory exceptions for the double-fault rules (SDM table 6-4). */
export function isContributory(vector: number): boolean {
  return vector === VEC_DE || (vector >= VEC_TS && vector <= VEC_GP);
}

/** #PF error-code bits. */
export const PF_P = 1;
export const PF_W = 2;
export const PF_U = 4;
export const PF_RSVD = 8;
