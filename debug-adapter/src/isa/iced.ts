// The decoder side of the table: from an iced-x86 Mnemonic to our entry, and from a decoded
// iced Instruction to the operand shapes `classify` takes. Kept apart from index.ts because
// importing iced-x86 instantiates its wasm module.
import { MemorySize, Mnemonic, OpKind, Register, type Instruction } from 'iced-x86';
import { INSTRUCTIONS } from './instructions.js';
import type { InstructionEntry, OperandShape } from './types.js';

const byIced = new Map<Mnemonic, InstructionEntry>();
for (const entry of INSTRUCTIONS) {
  for (const name of entry.icedMnemonics) {
    const m = Mnemonic[name];
    if (m !== undefined && !byIced.has(m)) byIced.set(m, entry);
  }
}

/** The entry covering an iced Mnemonic, or undefined for instructions this project does not support. */
export function entryForIcedMnemonic(mnemonic: Mnemonic): InstructionEntry | undefined {
  return byIced.get(mnemonic);
}

/**
 * The entry for a decoded instruction. iced gives the SSE2 scalar MOVSD/CMPSD the same Mnemonic as
 * the string instructions; those forms (explicit xmm operands) are not in the table.
 */
export function entryForInstruction(instr: Instruction): InstructionEntry | undefined {
  const entry = byIced.get(instr.mnemonic);
  if (entry?.group === 'string' && instr.opCount > 0 && !hasImplicitStringOperand(instr)) return undefined;
  return entry;
}

function hasImplicitStringOperand(instr: Instruction): boolean {
  for (let i = 0; i < instr.opCount; i++) if (IMPLICIT_STRING.has(instr.opKind(i))) return true;
  return false;
}

const SIGN_EXTENDED = new Set<OpKind>([
  OpKind.Immediate8to16,
  OpKind.Immediate8to32,
  OpKind.Immediate8to64,
  OpKind.Immediate32to64,
]);

const IMPLICIT_STRING = new Set<OpKind>([
  OpKind.MemorySegSI,
  OpKind.MemorySegESI,
  OpKind.MemorySegRSI,
  OpKind.MemorySegDI,
  OpKind.MemorySegEDI,
  OpKind.MemorySegRDI,
  OpKind.MemoryESDI,
  OpKind.MemoryESEDI,
  OpKind.MemoryESRDI,
]);

/**
 * The operands of a decoded instruction as NASM source writes them: string instructions and XLATB
 * have none; a far pointer (`jmp 0x08:x`, `call far [ebx]`) is `far`; sign-extended immediates are
 * negative numbers; near branch targets are `imm` with the target address.
 */
export function operandShapes(instr: Instruction): OperandShape[] {
  const kinds: OpKind[] = [];
  for (let i = 0; i < instr.opCount; i++) kinds.push(instr.opKind(i));
  if (instr.mnemonic === Mnemonic.Xlatb || kinds.some((k) => IMPLICIT_STRING.has(k))) return [];
  return kinds.map((kind, i): OperandShape => {
    switch (kind) {
      case OpKind.Register:
        return { kind: 'reg', name: Register[instr.opRegister(i)]!.toLowerCase() };
      case OpKind.NearBranch16:
      case OpKind.NearBranch32:
      case OpKind.NearBranch64:
        return { kind: 'imm', value: Number(instr.nearBranchTarget) };
      case OpKind.FarBranch16:
      case OpKind.FarBranch32:
        return { kind: 'far' };
      case OpKind.Memory: {
        const farPointer = instr.memorySize === MemorySize.SegPtr16 || instr.memorySize === MemorySize.SegPtr32;
        const branch = instr.mnemonic === Mnemonic.Jmp || instr.mnemonic === Mnemonic.Call;
        return farPointer && branch ? { kind: 'far' } : { kind: 'mem' };
      }
      default: {
        const raw = instr.immediate(i);
        const value = SIGN_EXTENDED.has(kind) ? BigInt.asIntN(32, raw) : BigInt.asUintN(32, raw);
        return { kind: 'imm', value: Number(value) };
      }
    }
  });
}
