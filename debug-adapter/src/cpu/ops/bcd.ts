// Decimal adjustments: DAA, DAS, AAA, AAS, AAM imm8, AAD imm8.
//
// Defined flags follow the SDM. Undefined ones are computed as QEMU (and so unicorn) does:
//   - DAA/DAS: OF = 0 (SF ZF PF from AL, CF AF as defined).
//   - AAA/AAS: OF SF ZF PF are left unchanged (only CF and AF are written). AAA adds 0x106 to
//     AX (AH also receives the carry out of AL + 6) and AAS subtracts 0x106, as on Intel parts
//     since the 486.
//   - AAM/AAD: CF = OF = AF = 0 (SF ZF PF from AL). AAM with an immediate of 0 raises #DE.
import { Mnemonic } from 'iced-x86';
import type { Cpu } from '../cpu.js';
import type { Exec } from '../op.js';
import type { Insn } from '../insn.js';
import { ARITH_FLAGS, FLAG_AF, FLAG_CF, VEC_DE } from '../constants.js';
import { CpuFault } from '../fault.js';
import type { OpTable } from './table.js';

/** Writes AL and sets CF and AF; OF = 0; ZF SF PF lazily from AL. */
function decimalFlags(c: Cpu, al: number, cf: boolean, af: boolean): void {
  c.r8[0] = al;
  c.flagBits = (c.flagBits & ~ARITH_FLAGS) | (cf ? FLAG_CF : 0) | (af ? FLAG_AF : 0);
  c.flagsResult(al, 8);
}

/** Only CF and AF change (AAA, AAS). */
function carryFlags(c: Cpu, on: boolean): void {
  c.lazyMask &= ~(FLAG_CF | FLAG_AF);
  if (on) c.flagBits |= FLAG_CF | FLAG_AF;
  else c.flagBits &= ~(FLAG_CF | FLAG_AF);
}

const daa: Exec = (c) => {
  const oldAl = c.r8[0];
  const oldCf = c.cf() !== 0;
  let al = oldAl;
  let af = false;
  let cf = false;
  if ((al & 0x0f) > 9 || c.flag(FLAG_AF) !== 0) {
    al = (al + 6) & 0xff;
    af = true;
  }
  if (oldAl > 0x99 || oldCf) {
    al = (al + 0x60) & 0xff;
    cf = true;
  }
  decimalFlags(c, al, cf, af);
};

const das: Exec = (c) => {
  const oldAl = c.r8[0];
  const oldCf = c.cf() !== 0;
  let al = oldAl;
  let af = false;
  let cf = false;
  if ((al & 0x0f) > 9 || c.flag(FLAG_AF) !== 0) {
    cf = oldCf || al < 6;
    al = (al - 6) & 0xff;
    af = true;
  }
  if (oldAl > 0x99 || oldCf) {
    al = (al - 0x60) & 0xff;
    cf = true;
  }
  decimalFlags(c, al, cf, af);
};

const aaa: Exec = (c) => {
  const al = c.r8[0];
  if ((al & 0x0f) > 9 || c.flag(FLAG_AF) !== 0) {
    c.r16[0] = (c.r16[0] + 0x106) & 0xff0f;
    carryFlags(c, true);
  } else {
    c.r8[0] = al & 0x0f;
    carryFlags(c, false);
  }
};

const aas: Exec = (c) => {
  const al = c.r8[0];
  if ((al & 0x0f) > 9 || c.flag(FLAG_AF) !== 0) {
    c.r16[0] = (c.r16[0] - 0x106) & 0xff0f;
    carryFlags(c, true);
  } else {
    c.r8[0] = al & 0x0f;
    carryFlags(c, false);
  }
};

function aam(insn: Insn): Exec {
  const base = insn.imm & 0xff;
  if (base === 0) {
    return () => {
      throw new CpuFault(VEC_DE);
    };
  }
  return (c) => {
    const al = c.r8[0];
    const r = al % base;
    c.r16[0] = (Math.floor(al / base) << 8) | r;
    c.flagsLogic(r, 8);
  };
}

function aad(insn: Insn): Exec {
  const base = insn.imm & 0xff;
  return (c) => {
    const al = (c.r8[1] * base + c.r8[0]) & 0xff;
    c.r16[0] = al;
    c.flagsLogic(al, 8);
  };
}

export const bcdOps: OpTable = {
  [Mnemonic.Daa]: () => daa,
  [Mnemonic.Das]: () => das,
  [Mnemonic.Aaa]: () => aaa,
  [Mnemonic.Aas]: () => aas,
  [Mnemonic.Aam]: aam,
  [Mnemonic.Aad]: aad,
};
