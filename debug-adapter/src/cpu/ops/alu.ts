// Two-operand arithmetic and logic (ADD OR ADC SBB AND SUB XOR CMP TEST) and the one-operand
// INC DEC NEG NOT. Flags are left lazy (see Cpu.flagsAdd/flagsSub/flagsLogic).
import { Mnemonic } from 'iced-x86';
import type { Cpu } from '../cpu.js';
import type { Exec } from '../op.js';
import { OperandKind, type Insn } from '../insn.js';
import { operandSize, reader0, readerN, writer0 } from '../operands.js';
import { FLAG_AF, FLAG_CF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_ZF } from '../constants.js';
import type { OpTable } from './table.js';

const ADD = 0;
const OR = 1;
const ADC = 2;
const SBB = 3;
const AND = 4;
const SUB = 5;
const XOR = 6;
const CMP = 7;
const TEST = 8;

/** Computes a two-operand ALU result and sets the flags; the caller stores it (not for CMP/TEST). */
export function alu(c: Cpu, kind: number, a: number, b: number, w: number): number {
  let r: number;
  switch (kind) {
    case ADD:
      r = (a + b) | 0;
      c.flagsAdd(a, b, r, w);
      return r;
    case OR:
      r = a | b;
      c.flagsLogic(r, w);
      return r;
    case ADC:
      r = (a + b + c.cf()) | 0;
      c.flagsAdd(a, b, r, w);
      return r;
    case SBB:
      r = (a - b - c.cf()) | 0;
      c.flagsSub(a, b, r, w);
      return r;
    case AND:
    case TEST:
      r = a & b;
      c.flagsLogic(r, w);
      return r;
    case XOR:
      r = a ^ b;
      c.flagsLogic(r, w);
      return r;
    default: // SUB, CMP
      r = (a - b) | 0;
      c.flagsSub(a, b, r, w);
      return r;
  }
}

function binary(kind: number) {
  const writes = kind !== CMP && kind !== TEST;
  return (insn: Insn): Exec | undefined => {
    const w = operandSize(insn, 0) * 8;
    const [k0, k1] = insn.operands;
    // Fast shapes: 32-bit register destination with a register or immediate source.
    if (k0 === OperandKind.Reg32 && (k1 === OperandKind.Reg32 || k1 === OperandKind.Imm)) {
      const fast = fast32(kind, k1 === OperandKind.Imm);
      if (fast !== undefined) return fast;
    }
    const rd0 = reader0(insn, writes);
    const rd1 = readerN(insn, 1);
    if (!writes) {
      return (c, o) => {
        alu(c, kind, rd0(c, o), rd1(c, o), w);
      };
    }
    const wr0 = writer0(insn, true);
    if (k0 === OperandKind.Mem) {
      // Read the source first: it may be a register; the destination access stages the address.
      return (c, o) => {
        const b = rd1(c, o);
        wr0(c, o, alu(c, kind, rd0(c, o), b, w));
      };
    }
    return (c, o) => {
      wr0(c, o, alu(c, kind, rd0(c, o), rd1(c, o), w));
    };
  };
}

const ARITH = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF;
const RESULT_FLAGS = FLAG_PF | FLAG_ZF | FLAG_SF;
const CLEARED_BY_LOGIC = ~(FLAG_CF | FLAG_OF | FLAG_AF);

/**
 * The hottest shapes written out one per operation, with the lazy-flag fields set inline: the
 * run loop's throughput on ordinary code depends on these.
 */
function fast32(kind: number, imm: boolean): Exec | undefined {
  switch (kind) {
    case ADD:
      return imm
        ? (c, o) => {
            const a = c.r32[o.r0];
            const r = (a + o.imm) | 0;
            c.r32[o.r0] = r;
            c.lzOp = 0; c.lzA = a; c.lzB = o.imm; c.lzR = r; c.lzW = 32; c.lazyMask = ARITH;
          }
        : (c, o) => {
            const a = c.r32[o.r0];
            const b = c.r32[o.r1];
            const r = (a + b) | 0;
            c.r32[o.r0] = r;
            c.lzOp = 0; c.lzA = a; c.lzB = b; c.lzR = r; c.lzW = 32; c.lazyMask = ARITH;
          };
    case SUB:
      return imm
        ? (c, o) => {
            const a = c.r32[o.r0];
            const r = (a - o.imm) | 0;
            c.r32[o.r0] = r;
            c.lzOp = 1; c.lzA = a; c.lzB = o.imm; c.lzR = r; c.lzW = 32; c.lazyMask = ARITH;
          }
        : (c, o) => {
            const a = c.r32[o.r0];
            const b = c.r32[o.r1];
            const r = (a - b) | 0;
            c.r32[o.r0] = r;
            c.lzOp = 1; c.lzA = a; c.lzB = b; c.lzR = r; c.lzW = 32; c.lazyMask = ARITH;
          };
    case CMP:
      return imm
        ? (c, o) => {
            const a = c.r32[o.r0];
            c.lzOp = 1; c.lzA = a; c.lzB = o.imm; c.lzR = (a - o.imm) | 0; c.lzW = 32; c.lazyMask = ARITH;
          }
        : (c, o) => {
            const a = c.r32[o.r0];
            const b = c.r32[o.r1];
            c.lzOp = 1; c.lzA = a; c.lzB = b; c.lzR = (a - b) | 0; c.lzW = 32; c.lazyMask = ARITH;
          };
    case AND:
    case OR:
    case XOR:
    case TEST: {
      const writes = kind !== TEST;
      const op = kind === OR ? 1 : kind === XOR ? 2 : 0;
      if (imm) {
        return (c, o) => {
          const a = c.r32[o.r0];
          const r = op === 0 ? a & o.imm : op === 1 ? a | o.imm : a ^ o.imm;
          if (writes) c.r32[o.r0] = r;
          c.flagBits &= CLEARED_BY_LOGIC;
          c.lzOp = 2; c.lzR = r; c.lzW = 32; c.lazyMask = RESULT_FLAGS;
        };
      }
      return (c, o) => {
        const a = c.r32[o.r0];
        const b = c.r32[o.r1];
        const r = op === 0 ? a & b : op === 1 ? a | b : a ^ b;
        if (writes) c.r32[o.r0] = r;
        c.flagBits &= CLEARED_BY_LOGIC;
        c.lzOp = 2; c.lzR = r; c.lzW = 32; c.lazyMask = RESULT_FLAGS;
      };
    }
    default:
      return undefined;
  }
}

function incDec(add: boolean) {
  return (insn: Insn): Exec => {
    const w = operandSize(insn, 0) * 8;
    if (insn.operands[0] === OperandKind.Reg32) {
      // CF is kept: materialize it before the lazy fields are overwritten.
      return (c, o) => {
        const cf = c.cf();
        const a = c.r32[o.r0];
        const r = add ? (a + 1) | 0 : (a - 1) | 0;
        c.r32[o.r0] = r;
        c.flagBits = cf !== 0 ? c.flagBits | FLAG_CF : c.flagBits & ~FLAG_CF;
        c.lzOp = add ? 0 : 1; c.lzA = a; c.lzB = 1; c.lzR = r; c.lzW = 32; c.lazyMask = ARITH & ~FLAG_CF;
      };
    }
    const rd0 = reader0(insn, true);
    const wr0 = writer0(insn, true);
    return (c, o) => {
      const a = rd0(c, o);
      const cf = c.cf();
      const r = add ? (a + 1) | 0 : (a - 1) | 0;
      if (add) c.flagsAdd(a, 1, r, w);
      else c.flagsSub(a, 1, r, w);
      c.lazyMask &= ~FLAG_CF;
      c.flagBits = cf !== 0 ? c.flagBits | FLAG_CF : c.flagBits & ~FLAG_CF;
      wr0(c, o, r);
    };
  };
}

function neg(insn: Insn): Exec {
  const w = operandSize(insn, 0) * 8;
  const rd0 = reader0(insn, true);
  const wr0 = writer0(insn, true);
  return (c, o) => {
    const a = rd0(c, o);
    const r = (0 - a) | 0;
    c.flagsSub(0, a, r, w);
    wr0(c, o, r);
  };
}

function not(insn: Insn): Exec {
  const rd0 = reader0(insn, true);
  const wr0 = writer0(insn, true);
  return (c, o) => wr0(c, o, ~rd0(c, o));
}

export const aluOps: OpTable = {
  [Mnemonic.Add]: binary(ADD),
  [Mnemonic.Or]: binary(OR),
  [Mnemonic.Adc]: binary(ADC),
  [Mnemonic.Sbb]: binary(SBB),
  [Mnemonic.And]: binary(AND),
  [Mnemonic.Sub]: binary(SUB),
  [Mnemonic.Xor]: binary(XOR),
  [Mnemonic.Cmp]: binary(CMP),
  [Mnemonic.Test]: binary(TEST),
  [Mnemonic.Inc]: incDec(true),
  [Mnemonic.Dec]: incDec(false),
  [Mnemonic.Neg]: neg,
  [Mnemonic.Not]: not,
};
