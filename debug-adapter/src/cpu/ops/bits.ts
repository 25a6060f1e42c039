// Bit operations and conditional moves: BT BTS BTR BTC, BSF BSR, BSWAP, SETcc, CMOVcc, and the
// exchanging ALU operations XADD, CMPXCHG, CMPXCHG8B.
//
// Flags the SDM leaves undefined (QEMU's, and so unicorn's, behaviour where that is stable):
//   - BT/BTS/BTR/BTC: only CF is written; OF SF AF PF (undefined) and ZF keep their values.
//     (QEMU clears AF and recomputes OF when the previous instruction of the same translation
//     block left lazy arithmetic flags; that depends on its block boundaries and is not copied.)
//   - BSF/BSR: CF = OF = AF = 0, ZF = (source = 0), SF and PF from the source operand, as QEMU
//     does. A zero source leaves the destination unchanged (what Intel and AMD parts do).
//   - BSWAP with a 16-bit operand (undefined): swaps the whole 32-bit register, as QEMU does.
//   - CMPXCHG: flags as CMP accumulator, destination. CMPXCHG8B: only ZF changes.
// A memory destination of CMPXCHG/CMPXCHG8B is always written (the old value when the compare
// fails), as the processor's locked read-modify-write does.
import { Mnemonic } from 'iced-x86';
import type { Cpu } from '../cpu.js';
import type { Exec } from '../op.js';
import { OperandKind, type Insn } from '../insn.js';
import { operandSize, reader0, readerN, writer0 } from '../operands.js';
import { FLAG_CF, FLAG_ZF } from '../constants.js';
import { condition, conditionOfMnemonic } from './conditions.js';
import type { OpTable } from './table.js';

// ---- BT BTS BTR BTC ------------------------------------------------------------------------------

const BT = 0;
const BTS = 1;
const BTR = 2;
const BTC = 3;

function setCarry(c: Cpu, bit: number): void {
  c.lazyMask &= ~FLAG_CF;
  c.flagBits = (c.flagBits & ~FLAG_CF) | bit;
}

function modifyBit(kind: number, v: number, bit: number): number {
  const m = 1 << bit;
  return kind === BTS ? v | m : kind === BTR ? v & ~m : v ^ m;
}

function bitTest(kind: number) {
  return (insn: Insn): Exec | undefined => {
    const [k0, k1] = insn.operands;
    const size = operandSize(insn, 0);
    if (size !== 2 && size !== 4) return undefined;
    const w = size * 8;
    const test = kind === BT;
    if (k0 === OperandKind.Reg32 || k0 === OperandKind.Reg16) {
      const regs32 = k0 === OperandKind.Reg32;
      if (k1 === OperandKind.Imm) {
        const bit = insn.imm & (w - 1);
        if (regs32) {
          return (c, o) => {
            const v = c.r32[o.r0];
            setCarry(c, (v >>> bit) & 1);
            if (!test) c.r32[o.r0] = modifyBit(kind, v, bit);
          };
        }
        return (c, o) => {
          const v = c.r16[o.r0];
          setCarry(c, (v >>> bit) & 1);
          if (!test) c.r16[o.r0] = modifyBit(kind, v, bit);
        };
      }
      if (regs32) {
        return (c, o) => {
          const bit = c.r32[o.r1] & 31;
          const v = c.r32[o.r0];
          setCarry(c, (v >>> bit) & 1);
          if (!test) c.r32[o.r0] = modifyBit(kind, v, bit);
        };
      }
      return (c, o) => {
        const bit = c.r16[o.r1] & 15;
        const v = c.r16[o.r0];
        setCarry(c, (v >>> bit) & 1);
        if (!test) c.r16[o.r0] = modifyBit(kind, v, bit);
      };
    }
    if (k0 !== OperandKind.Mem) return undefined;
    if (k1 === OperandKind.Imm) {
      const bit = insn.imm & (w - 1);
      return (c, o) => {
        const off = o.ea(c, o);
        if (test) {
          setCarry(c, (c.readSized(o.seg, off, size) >>> bit) & 1);
          return;
        }
        const v = c.rmwRead(o.seg, off, size);
        setCarry(c, (v >>> bit) & 1);
        c.rmwWrite(size, modifyBit(kind, v, bit));
      };
    }
    // A register bit offset is signed and selects the word or dword at any distance from the
    // operand's address (the effective address wraps at the address size).
    const sizeShift = size === 2 ? 1 : 2;
    const addrMask = insn.asz === 2 ? 0xffff : -1;
    const offsetOf = size === 2 ? (c: Cpu, r: number) => (c.r16[r] << 16) >> 16 : (c: Cpu, r: number) => c.r32[r];
    return (c, o) => {
      const bitOffset = offsetOf(c, o.r1);
      const off = ((o.ea(c, o) + ((bitOffset >> (3 + sizeShift)) << sizeShift)) & addrMask) >>> 0;
      const bit = bitOffset & (w - 1);
      if (test) {
        setCarry(c, (c.readSized(o.seg, off, size) >>> bit) & 1);
        return;
      }
      const v = c.rmwRead(o.seg, off, size);
      setCarry(c, (v >>> bit) & 1);
      c.rmwWrite(size, modifyBit(kind, v, bit));
    };
  };
}

// ---- BSF BSR BSWAP -------------------------------------------------------------------------------

function bitScan(reverse: boolean) {
  return (insn: Insn): Exec | undefined => {
    const size = operandSize(insn, 0);
    if (size !== 2 && size !== 4) return undefined;
    const w = size * 8;
    const mask = size === 2 ? 0xffff : -1;
    const rd1 = readerN(insn, 1);
    const wr0 = writer0(insn);
    return (c, o) => {
      const v = rd1(c, o) & mask;
      c.flagsLogic(v, w);
      if (v === 0) return;
      wr0(c, o, reverse ? 31 - Math.clz32(v) : 31 - Math.clz32(v & -v));
    };
  };
}

function bswap(insn: Insn): Exec | undefined {
  const k0 = insn.operands[0];
  // A 16-bit BSWAP (undefined) swaps the whole 32-bit register, as QEMU does.
  if (k0 !== OperandKind.Reg32 && k0 !== OperandKind.Reg16) return undefined;
  const reg32 = k0 === OperandKind.Reg32 ? insn.regs[0] : insn.regs[0] >> 1;
  return (c) => {
    const v = c.r32[reg32];
    c.r32[reg32] = (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
  };
}

// ---- SETcc CMOVcc ---------------------------------------------------------------------------------

function setcc(insn: Insn): Exec | undefined {
  const cc = conditionOfMnemonic(insn.mnemonic);
  if (cc < 0) return undefined;
  if (insn.operands[0] === OperandKind.Reg8) {
    return (c, o) => {
      c.r8[o.r0] = condition(c, cc) ? 1 : 0;
    };
  }
  const wr0 = writer0(insn);
  return (c, o) => wr0(c, o, condition(c, cc) ? 1 : 0);
}

/** The source is read (and can fault) whatever the condition; a false one writes nothing. */
function cmovcc(insn: Insn): Exec | undefined {
  const cc = conditionOfMnemonic(insn.mnemonic);
  if (cc < 0) return undefined;
  const [k0, k1] = insn.operands;
  if (k0 === OperandKind.Reg32 && k1 === OperandKind.Reg32) {
    return (c, o) => {
      if (condition(c, cc)) c.r32[o.r0] = c.r32[o.r1];
    };
  }
  const rd1 = readerN(insn, 1);
  const wr0 = writer0(insn);
  return (c, o) => {
    const v = rd1(c, o);
    if (condition(c, cc)) wr0(c, o, v);
  };
}

// ---- XADD CMPXCHG CMPXCHG8B -------------------------------------------------------------------------

function regReader(size: number): (c: Cpu, r: number) => number {
  return size === 1 ? (c, r) => c.r8[r] : size === 2 ? (c, r) => c.r16[r] : (c, r) => c.r32[r];
}

function regWriter(size: number): (c: Cpu, r: number, v: number) => void {
  if (size === 1) {
    return (c, r, v) => {
      c.r8[r] = v;
    };
  }
  if (size === 2) {
    return (c, r, v) => {
      c.r16[r] = v;
    };
  }
  return (c, r, v) => {
    c.r32[r] = v;
  };
}

function xadd(insn: Insn): Exec | undefined {
  const [k0, k1] = insn.operands;
  const size = operandSize(insn, 0);
  const w = size * 8;
  if (k1 !== OperandKind.Reg8 && k1 !== OperandKind.Reg16 && k1 !== OperandKind.Reg32) return undefined;
  const getSrc = regReader(size);
  const setSrc = regWriter(size);
  const rd0 = reader0(insn, true);
  const wr0 = writer0(insn, true);
  if (k0 === OperandKind.Mem) {
    return (c, o) => {
      const b = getSrc(c, o.r1);
      const a = rd0(c, o);
      const r = (a + b) | 0;
      wr0(c, o, r);
      setSrc(c, o.r1, a);
      c.flagsAdd(a, b, r, w);
    };
  }
  // Register destination: the source register receives the old destination first, so
  // XADD r, r (the same register) leaves the sum.
  return (c, o) => {
    const a = rd0(c, o);
    const b = getSrc(c, o.r1);
    const r = (a + b) | 0;
    setSrc(c, o.r1, a);
    wr0(c, o, r);
    c.flagsAdd(a, b, r, w);
  };
}

function cmpxchg(insn: Insn): Exec | undefined {
  const [k0, k1] = insn.operands;
  const size = operandSize(insn, 0);
  const w = size * 8;
  if (k1 !== OperandKind.Reg8 && k1 !== OperandKind.Reg16 && k1 !== OperandKind.Reg32) return undefined;
  const getReg = regReader(size);
  const setReg = regWriter(size);
  const rd0 = reader0(insn, true);
  const wr0 = writer0(insn, true);
  const mem = k0 === OperandKind.Mem;
  return (c, o) => {
    const t = rd0(c, o);
    const a = getReg(c, 0);
    c.flagsSub(a, t, (a - t) | 0, w);
    if (a === t) {
      wr0(c, o, getReg(c, o.r1));
    } else {
      if (mem) wr0(c, o, t); // the write cycle happens anyway
      setReg(c, 0, t);
    }
  };
}

function cmpxchg8b(insn: Insn): Exec | undefined {
  if (insn.operands[0] !== OperandKind.Mem) return undefined;
  return (c, o) => {
    const lin = c.linear(o.seg, o.ea(c, o), 8, true);
    const hiLin = (lin + 4) >>> 0;
    // Both pages must be writable before anything is read or written.
    c.phys(lin, true);
    c.phys((lin + 7) >>> 0, true);
    const lo = c.readLin32(lin);
    const hi = c.readLin32(hiLin);
    if (lo === c.r32[0] && hi === c.r32[2]) {
      c.writeLin32(lin, c.r32[3]);
      c.writeLin32(hiLin, c.r32[1]);
      c.setFlag(FLAG_ZF, true);
    } else {
      c.writeLin32(lin, lo);
      c.writeLin32(hiLin, hi);
      c.r32[0] = lo;
      c.r32[2] = hi;
      c.setFlag(FLAG_ZF, false);
    }
  };
}

// ---- table -------------------------------------------------------------------------------------------

const SUFFIXES = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

function conditional(prefix: string, compiler: (insn: Insn) => Exec | undefined): OpTable {
  const table: OpTable = {};
  const names = Mnemonic as unknown as Record<string, number>;
  for (const suffix of SUFFIXES) table[names[prefix + suffix]] = compiler;
  return table;
}

export const bitsOps: OpTable = {
  [Mnemonic.Bt]: bitTest(BT),
  [Mnemonic.Bts]: bitTest(BTS),
  [Mnemonic.Btr]: bitTest(BTR),
  [Mnemonic.Btc]: bitTest(BTC),
  [Mnemonic.Bsf]: bitScan(false),
  [Mnemonic.Bsr]: bitScan(true),
  [Mnemonic.Bswap]: bswap,
  [Mnemonic.Xadd]: xadd,
  [Mnemonic.Cmpxchg]: cmpxchg,
  [Mnemonic.Cmpxchg8b]: cmpxchg8b,
  ...conditional('Set', setcc),
  ...conditional('Cmov', cmovcc),
};
