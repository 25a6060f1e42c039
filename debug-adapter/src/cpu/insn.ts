// What the compilers in ./ops see of one instruction: iced-x86's decoding, flattened into plain
// numbers (so compilers never touch the wasm-backed Instruction object).
import { OpKind, Register } from 'iced-x86';

export const enum OperandKind {
  None = 0,
  Reg8,
  Reg16,
  Reg32,
  SegReg,
  ControlReg,
  DebugReg,
  TestReg,
  Mem,
  Imm,
  NearBranch,
  FarBranch,
  /** Implicit string operands ([esi], [edi]), handled by the string compilers. */
  StringMem,
  Other,
}

export interface Insn {
  code: number;
  mnemonic: number;
  length: number;
  /** Bitness of the code segment it was decoded for (16 or 32). */
  bitness: 16 | 32;
  operands: OperandKind[];
  /** Per operand: register index in the view of its size (Reg8/16/32), segment number, CR/DR number. */
  regs: number[];
  /** Operand size in bytes of the operation (from the operands or the operand-size attribute). */
  osz: 1 | 2 | 4;
  /** Operand size from the code segment and a 0x66 prefix (push imm, branches, iret ...). */
  attrOsz: 2 | 4;
  /** Address size in bytes. */
  asz: 2 | 4;
  /** Memory operand size in bytes (0 without one). */
  memSize: number;
  memSeg: number;
  /** Effective-address parts: register numbers (32- or 16-bit view indices), -1 for none. */
  memBase: number;
  memIndex: number;
  memScale: number;
  memDisp: number;
  /** Immediates, sign-extended to int32 where the encoding sign-extends. */
  imm: number;
  imm2: number;
  /** Relative displacement of a near branch (target = next EIP + rel, masked). */
  branchRel: number;
  /** JMP/CALL through a far pointer in memory (m16:16 or m16:32). */
  farIndirect: boolean;
  farSelector: number;
  farOffset: number;
  rep: 0 | 1 | 2;
  lock: boolean;
  hasSegmentPrefix: boolean;
  /** NASM-syntax text, for messages. */
  text: string;
}

export { OpKind, Register };
