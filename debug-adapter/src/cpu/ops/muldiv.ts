// MUL, IMUL (one-, two- and three-operand forms), DIV and IDIV at 8, 16 and 32 bits.
//
// Flags. MUL/IMUL: CF = OF = "the upper half is significant" as the SDM defines it. SF, ZF, AF
// and PF are undefined; they are computed as QEMU's TCG (and so unicorn) does (its CC_OP_MUL*):
// ZF, SF and PF from the low half of the product at the operand size (AL, AX, EAX, or the
// truncated destination of the two- and three-operand forms), AF = 0.
// DIV/IDIV: every arithmetic flag is undefined; like QEMU they are left unchanged.
// #DE on a zero divisor and on a quotient that does not fit (IDIV accepts the most negative
// quotient, e.g. -128 at 8 bits, as QEMU does; -2^31 / -1 at 32 bits overflows).
import { Mnemonic } from 'iced-x86';
import type { Cpu } from '../cpu.js';
import type { Exec, Reader } from '../op.js';
import { OperandKind, type Insn } from '../insn.js';
import { operandSize, reader0, readerN } from '../operands.js';
import { FLAG_AF, FLAG_CF, FLAG_OF, VEC_DE } from '../constants.js';
import { CpuFault } from '../fault.js';
import type { Compiler, OpTable } from './table.js';

function mulFlags(c: Cpu, overflow: boolean, low: number, w: number): void {
  c.flagBits = (c.flagBits & ~(FLAG_CF | FLAG_OF | FLAG_AF)) | (overflow ? FLAG_CF | FLAG_OF : 0);
  c.flagsResult(low, w);
}

/** High 32 bits of the last mulU32/mulS32 product (the low half is the return value). */
let mulHigh = 0;

/** Unsigned 32×32→64 multiply from 16-bit halves (exact in doubles). Returns the low half. */
export function mulU32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  mulHigh = (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
  return Math.imul(a, b);
}

/** Signed 32×32→64 multiply; the high half goes to mulHigh. */
export function mulS32(a: number, b: number): number {
  const lo = mulU32(a, b);
  let hi = mulHigh;
  if (a < 0) hi -= b;
  if (b < 0) hi -= a;
  mulHigh = hi | 0;
  return lo;
}

/** Remainder of the last divU64 call. */
let divRem = 0;

/**
 * Unsigned (hi:lo) / d for hi < d (so the quotient fits 32 bits), in two 16-bit long-division
 * steps whose partial dividends stay below 2^48 (exact in doubles). Remainder to divRem.
 */
function divU64(hi: number, lo: number, d: number): number {
  if (hi === 0) {
    const q = Math.floor(lo / d);
    divRem = lo - q * d;
    return q;
  }
  let n = hi * 65536 + (lo >>> 16);
  const q1 = Math.floor(n / d);
  n = (n - q1 * d) * 65536 + (lo & 0xffff);
  const q2 = Math.floor(n / d);
  divRem = n - q2 * d;
  return q1 * 65536 + q2;
}

function divideError(): never {
  throw new CpuFault(VEC_DE);
}

// ---- one-operand forms: the accumulator is implied ----------------------------------------------

function mul8(c: Cpu, src: number): void {
  const p = c.r8[0] * (src & 0xff);
  c.r16[0] = p;
  mulFlags(c, p > 0xff, p & 0xff, 8);
}

function mul16(c: Cpu, src: number): void {
  const p = c.r16[0] * (src & 0xffff);
  c.r16[0] = p & 0xffff;
  c.r16[4] = p >>> 16;
  mulFlags(c, p > 0xffff, p & 0xffff, 16);
}

function mul32(c: Cpu, src: number): void {
  const lo = mulU32(c.r32[0], src);
  c.r32[0] = lo;
  c.r32[2] = mulHigh;
  mulFlags(c, mulHigh !== 0, lo, 32);
}

function imul8(c: Cpu, src: number): void {
  const p = ((c.r8[0] << 24) >> 24) * ((src << 24) >> 24);
  c.r16[0] = p & 0xffff;
  mulFlags(c, p !== (p << 24) >> 24, p & 0xff, 8);
}

function imul16(c: Cpu, src: number): void {
  const p = ((c.r16[0] << 16) >> 16) * ((src << 16) >> 16);
  c.r16[0] = p & 0xffff;
  c.r16[4] = (p >> 16) & 0xffff;
  mulFlags(c, p !== (p << 16) >> 16, p & 0xffff, 16);
}

function imul32(c: Cpu, src: number): void {
  const lo = mulS32(c.r32[0], src | 0);
  c.r32[0] = lo;
  c.r32[2] = mulHigh;
  mulFlags(c, mulHigh !== lo >> 31, lo, 32);
}

function div8(c: Cpu, src: number): void {
  const d = src & 0xff;
  if (d === 0) divideError();
  const n = c.r16[0];
  const q = Math.floor(n / d);
  if (q > 0xff) divideError();
  c.r16[0] = ((n - q * d) << 8) | q;
}

function div16(c: Cpu, src: number): void {
  const d = src & 0xffff;
  if (d === 0) divideError();
  const n = ((c.r16[4] << 16) | c.r16[0]) >>> 0;
  const q = Math.floor(n / d);
  if (q > 0xffff) divideError();
  c.r16[0] = q;
  c.r16[4] = n - q * d;
}

function div32(c: Cpu, src: number): void {
  const d = src >>> 0;
  if (d === 0) divideError();
  const hi = c.r32[2] >>> 0;
  if (hi >= d) divideError();
  const q = divU64(hi, c.r32[0] >>> 0, d);
  c.r32[0] = q;
  c.r32[2] = divRem;
}

function idiv8(c: Cpu, src: number): void {
  const d = (src << 24) >> 24;
  if (d === 0) divideError();
  const n = (c.r16[0] << 16) >> 16;
  const q = Math.trunc(n / d);
  if (q > 0x7f || q < -0x80) divideError();
  c.r16[0] = ((n % d & 0xff) << 8) | (q & 0xff);
}

function idiv16(c: Cpu, src: number): void {
  const d = (src << 16) >> 16;
  if (d === 0) divideError();
  const n = (c.r16[4] << 16) | c.r16[0];
  const q = Math.trunc(n / d);
  if (q > 0x7fff || q < -0x8000) divideError();
  c.r16[0] = q & 0xffff;
  c.r16[4] = n % d & 0xffff;
}

function idiv32(c: Cpu, src: number): void {
  const d = src | 0;
  if (d === 0) divideError();
  let hi = c.r32[2];
  let lo = c.r32[0] >>> 0;
  const negative = hi < 0;
  if (negative) {
    // Two's-complement negation of the 64-bit dividend.
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  } else {
    hi >>>= 0;
  }
  const ud = Math.abs(d);
  if (hi >= ud) divideError(); // quotient of 2^32 or more
  const uq = divU64(hi, lo, ud);
  const q = negative !== d < 0 ? -uq : uq;
  if (q > 0x7fffffff || q < -0x80000000) divideError();
  c.r32[0] = q;
  c.r32[2] = negative ? -divRem : divRem;
}

type Unary = (c: Cpu, src: number) => void;

function unary(b: Unary, w: Unary, d: Unary): Compiler {
  return (insn: Insn): Exec | undefined => {
    if (insn.operands.length !== 1) return undefined;
    const size = operandSize(insn, 0);
    const f = size === 1 ? b : size === 2 ? w : d;
    const k0 = insn.operands[0];
    if (k0 === OperandKind.Reg32) return (c, o) => f(c, c.r32[o.r0]);
    const rd: Reader = reader0(insn);
    return (c, o) => f(c, rd(c, o));
  };
}

/** IMUL r, r/m and IMUL r, r/m, imm: the product truncated to the destination. */
function imulMulti(insn: Insn): Exec | undefined {
  const k0 = insn.operands[0];
  const rd1 = readerN(insn, 1);
  const three = insn.operands.length === 3;
  if (k0 === OperandKind.Reg32) {
    if (three) {
      const imm = insn.imm | 0;
      return (c, o) => {
        const a = rd1(c, o) | 0;
        const lo = Math.imul(a, imm);
        c.r32[o.r0] = lo;
        mulFlags(c, a * imm !== lo, lo, 32);
      };
    }
    return (c, o) => {
      const a = c.r32[o.r0];
      const b = rd1(c, o) | 0;
      const lo = Math.imul(a, b);
      c.r32[o.r0] = lo;
      // The double product is exact below 2^53; beyond that it certainly differs from lo.
      mulFlags(c, a * b !== lo, lo, 32);
    };
  }
  if (k0 !== OperandKind.Reg16) return undefined;
  const imm = (insn.imm << 16) >> 16;
  return (c, o) => {
    const a = (rd1(c, o) << 16) >> 16;
    const b = three ? imm : (c.r16[o.r0] << 16) >> 16;
    const p = a * b;
    c.r16[o.r0] = p & 0xffff;
    mulFlags(c, p !== (p << 16) >> 16, p & 0xffff, 16);
  };
}

const imulOne = unary(imul8, imul16, imul32);

export const muldivOps: OpTable = {
  [Mnemonic.Mul]: unary(mul8, mul16, mul32),
  [Mnemonic.Imul]: (insn, op) => (insn.operands.length === 1 ? imulOne(insn, op) : imulMulti(insn)),
  [Mnemonic.Div]: unary(div8, div16, div32),
  [Mnemonic.Idiv]: unary(idiv8, idiv16, idiv32),
};
