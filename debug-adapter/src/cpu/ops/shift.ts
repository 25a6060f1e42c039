// Shifts and rotates: SHL/SAL SHR SAR ROL ROR RCL RCR (by 1, CL or imm8) and SHLD/SHRD.
//
// The count is masked to 5 bits; a masked count of 0 changes nothing, not even the flags.
// Flags the SDM leaves undefined are computed as QEMU's TCG (and so unicorn) computes them, so
// that whole-guest runs can be compared with QEMU:
//   - SHL/SAL: CF = last bit shifted out; OF = MSB(result) XOR CF for every count (the SDM
//     defines it for count 1 only); AF = 0; ZF SF PF from the result. For counts larger than the
//     operand (8- and 16-bit operands) CF is bit (size − count) of the operand, i.e. 0.
//   - SHR: CF = last bit shifted out; OF = MSB of the original operand for count 1, else 0;
//     AF = 0. SAR: CF likewise (the sign bit once the count reaches the operand size); OF = 0;
//     AF = 0.
//   - ROL/ROR: only CF and OF change, for every non-zero masked count (also when the rotation is
//     a multiple of the operand size): ROL CF = LSB(result), OF = MSB(result) XOR CF; ROR CF =
//     MSB(result), OF = the two top bits of the result XORed.
//   - RCL/RCR: the count is taken modulo 9 (8-bit) or 17 (16-bit) after masking; when that is 0
//     nothing changes. Only CF and OF change; OF = MSB(original XOR result) for every count.
//   - SHLD/SHRD: CF = last bit shifted out, OF = MSB(result) XOR MSB(the operand shifted by
//     count − 1) for every count, AF = 0, ZF SF PF from the result. 16-bit operands with a count
//     of 17–31 shift the 48-bit pattern dest:src:dest (SHLD) or its mirror (SHRD) — Intel's
//     observed behaviour, which QEMU implements too.
import { Mnemonic } from 'iced-x86';
import type { Cpu } from '../cpu.js';
import type { Exec } from '../op.js';
import { OperandKind, type Insn } from '../insn.js';
import { operandSize, reader0, writer0 } from '../operands.js';
import { FLAG_AF, FLAG_CF, FLAG_OF } from '../constants.js';
import type { OpTable } from './table.js';

const SHL = 0;
const SHR = 1;
const SAR = 2;
const ROL = 3;
const ROR = 4;
const RCL = 5;
const RCR = 6;

/** CF and OF materialized, AF cleared, ZF SF PF left lazy on the result. */
function shiftFlags(c: Cpu, cf: number, of: number, r: number, w: number): void {
  c.flagBits = (c.flagBits & ~(FLAG_CF | FLAG_OF | FLAG_AF)) | cf | (of << 11);
  c.flagsResult(r, w);
}

/** Only CF and OF change (rotates): the other flags may stay lazy. */
function rotateFlags(c: Cpu, cf: number, of: number): void {
  c.lazyMask &= ~(FLAG_CF | FLAG_OF);
  c.flagBits = (c.flagBits & ~(FLAG_CF | FLAG_OF)) | cf | (of << 11);
}

/**
 * Shifts or rotates `v` (a `w`-bit operand) by the masked count `n` (1–31), sets the flags and
 * returns the result (not necessarily normalized above `w` bits; callers store `w` bits).
 */
export function shift(c: Cpu, kind: number, v: number, n: number, w: number): number {
  const mask = w === 32 ? -1 : (1 << w) - 1;
  const top = w - 1;
  v &= mask;
  switch (kind) {
    case SHL: {
      const s = v << (n - 1);
      const r = (s << 1) & mask;
      const cf = (s >>> top) & 1;
      shiftFlags(c, cf, cf ^ ((r >>> top) & 1), r, w);
      return r;
    }
    case SHR: {
      const s = v >>> (n - 1);
      const r = s >>> 1;
      shiftFlags(c, s & 1, ((s ^ r) >>> top) & 1, r, w);
      return r;
    }
    case SAR: {
      const s = ((v << (32 - w)) >> (32 - w)) >> (n - 1);
      const r = (s >> 1) & mask;
      shiftFlags(c, s & 1, 0, r, w);
      return r;
    }
    case ROL: {
      const k = n & top;
      const r = k === 0 ? v : ((v << k) | (v >>> (w - k))) & mask;
      const cf = r & 1;
      rotateFlags(c, cf, cf ^ ((r >>> top) & 1));
      return r;
    }
    case ROR: {
      const k = n & top;
      const r = k === 0 ? v : ((v >>> k) | (v << (w - k))) & mask;
      const cf = (r >>> top) & 1;
      rotateFlags(c, cf, cf ^ ((r >>> (top - 1)) & 1));
      return r;
    }
    case RCL: {
      const k = w === 32 ? n : n % (w + 1);
      if (k === 0) return v;
      let r = (v << k) | (c.cf() << (k - 1));
      if (k > 1) r |= v >>> (w + 1 - k);
      r &= mask;
      rotateFlags(c, (v >>> (w - k)) & 1, ((v ^ r) >>> top) & 1);
      return r;
    }
    default: {
      // RCR
      const k = w === 32 ? n : n % (w + 1);
      if (k === 0) return v;
      let r = (v >>> k) | (c.cf() << (w - k));
      if (k > 1) r |= v << (w + 1 - k);
      r &= mask;
      rotateFlags(c, (v >>> (k - 1)) & 1, ((v ^ r) >>> top) & 1);
      return r;
    }
  }
}

/** Bit `i` (0–63) of the 64-bit value hi:lo. */
function bitOf(hi: number, lo: number, i: number): number {
  return i >= 32 ? (hi >>> (i - 32)) & 1 : (lo >>> i) & 1;
}

/**
 * SHLD (left) / SHRD: shifts `d` by `n` (1–31) filling from `s`; sets the flags, returns the result.
 * The operands form a 64-bit value hi:lo — d:s for SHLD and s:d for SHRD at 32 bits; for 16 bits
 * QEMU's d:s:d (SHLD) and d:s:d read the other way (SHRD), which gives the A:B:A behaviour for
 * counts above 16.
 */
export function shiftDouble(c: Cpu, left: boolean, d: number, s: number, n: number, w: number): number {
  let hi: number;
  let lo: number;
  let mask: number;
  if (w === 32) {
    hi = left ? d : s;
    lo = left ? s : d;
    mask = -1;
  } else {
    hi = d & 0xffff;
    lo = ((s & 0xffff) << 16) | hi;
    mask = 0xffff;
  }
  let r: number;
  let cf: number;
  let of: number;
  if (left) {
    r = ((hi << n) | (lo >>> (32 - n))) & mask;
    cf = bitOf(hi, lo, 32 + w - n);
    of = cf ^ ((r >>> (w - 1)) & 1);
  } else {
    r = ((lo >>> n) | (hi << (32 - n))) & mask;
    cf = bitOf(hi, lo, n - 1);
    of = bitOf(hi, lo, w - 2 + n) ^ bitOf(hi, lo, w - 1 + n);
  }
  shiftFlags(c, cf, of, r, w);
  return r;
}

function shiftInsn(kind: number) {
  return (insn: Insn): Exec | undefined => {
    const k0 = insn.operands[0];
    const k1 = insn.operands[1];
    const w = operandSize(insn, 0) * 8;
    if (k1 === OperandKind.Imm) {
      const n = insn.imm & 0x1f;
      if (n === 0) {
        // Nothing changes; a memory operand is still read (and can fault), as QEMU does.
        if (k0 !== OperandKind.Mem) return () => undefined;
        const rd = reader0(insn);
        return (c, o) => {
          rd(c, o);
        };
      }
      if (k0 === OperandKind.Reg32) {
        return (c, o) => {
          c.r32[o.r0] = shift(c, kind, c.r32[o.r0], n, 32);
        };
      }
      const rd0 = reader0(insn, true);
      const wr0 = writer0(insn, true);
      return (c, o) => wr0(c, o, shift(c, kind, rd0(c, o), n, w));
    }
    if (k1 !== OperandKind.Reg8) return undefined;
    // Count in CL. A zero count still performs the operand's read-modify-write access check.
    if (k0 === OperandKind.Reg32) {
      return (c, o) => {
        const n = c.r8[4] & 0x1f;
        if (n !== 0) c.r32[o.r0] = shift(c, kind, c.r32[o.r0], n, 32);
      };
    }
    const rd0 = reader0(insn, true);
    const wr0 = writer0(insn, true);
    return (c, o) => {
      const n = c.r8[4] & 0x1f;
      const v = rd0(c, o);
      if (n !== 0) wr0(c, o, shift(c, kind, v, n, w));
    };
  };
}

function shiftDoubleInsn(left: boolean) {
  return (insn: Insn): Exec | undefined => {
    const [k0, k1, k2] = insn.operands;
    const w = operandSize(insn, 0) * 8;
    if (w !== 16 && w !== 32) return undefined;
    if (k1 !== OperandKind.Reg16 && k1 !== OperandKind.Reg32) return undefined;
    const src = w === 32 ? (c: Cpu, r: number) => c.r32[r] : (c: Cpu, r: number) => c.r16[r];
    if (k2 === OperandKind.Imm) {
      const n = insn.imm & 0x1f;
      if (n === 0) {
        if (k0 !== OperandKind.Mem) return () => undefined;
        const rd = reader0(insn);
        return (c, o) => {
          rd(c, o);
        };
      }
      if (k0 === OperandKind.Reg32) {
        return (c, o) => {
          c.r32[o.r0] = shiftDouble(c, left, c.r32[o.r0], c.r32[o.r1], n, 32);
        };
      }
      const rd0 = reader0(insn, true);
      const wr0 = writer0(insn, true);
      return (c, o) => wr0(c, o, shiftDouble(c, left, rd0(c, o), src(c, o.r1), n, w));
    }
    if (k2 !== OperandKind.Reg8) return undefined;
    const rd0 = reader0(insn, true);
    const wr0 = writer0(insn, true);
    return (c, o) => {
      const n = c.r8[4] & 0x1f;
      const v = rd0(c, o);
      if (n !== 0) wr0(c, o, shiftDouble(c, left, v, src(c, o.r1), n, w));
    };
  };
}

export const shiftOps: OpTable = {
  [Mnemonic.Shl]: shiftInsn(SHL),
  [Mnemonic.Sal]: shiftInsn(SHL),
  [Mnemonic.Shr]: shiftInsn(SHR),
  [Mnemonic.Sar]: shiftInsn(SAR),
  [Mnemonic.Rol]: shiftInsn(ROL),
  [Mnemonic.Ror]: shiftInsn(ROR),
  [Mnemonic.Rcl]: shiftInsn(RCL),
  [Mnemonic.Rcr]: shiftInsn(RCR),
  [Mnemonic.Shld]: shiftDoubleInsn(true),
  [Mnemonic.Shrd]: shiftDoubleInsn(false),
};
