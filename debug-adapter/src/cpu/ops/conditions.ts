// The sixteen x86 condition codes evaluated from the (lazy) arithmetic flags, shared by Jcc,
// SETcc and CMOVcc. A condition is numbered as the low nibble of its Jcc opcode (0x70 + cc):
// 0 O, 1 NO, 2 B, 3 AE, 4 E, 5 NE, 6 BE, 7 A, 8 S, 9 NS, 10 P, 11 NP, 12 L, 13 GE, 14 LE, 15 G.
import { Mnemonic } from 'iced-x86';
import type { Cpu } from '../cpu.js';
import { FLAG_PF } from '../constants.js';

export const CC_O = 0;
export const CC_NO = 1;
export const CC_B = 2;
export const CC_AE = 3;
export const CC_E = 4;
export const CC_NE = 5;
export const CC_BE = 6;
export const CC_A = 7;
export const CC_S = 8;
export const CC_NS = 9;
export const CC_P = 10;
export const CC_NP = 11;
export const CC_L = 12;
export const CC_GE = 13;
export const CC_LE = 14;
export const CC_G = 15;

/** Evaluates condition `cc` (0–15) on the current flags. Odd codes are the negations. */
export function condition(cpu: Cpu, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0: // O
      r = cpu.of() !== 0;
      break;
    case 1: // B
      r = cpu.cf() !== 0;
      break;
    case 2: // E
      r = cpu.zf();
      break;
    case 3: // BE
      r = cpu.cf() !== 0 || cpu.zf();
      break;
    case 4: // S
      r = cpu.sf() !== 0;
      break;
    case 5: // P
      r = cpu.flag(FLAG_PF) !== 0;
      break;
    case 6: // L
      r = cpu.sf() !== cpu.of();
      break;
    default: // LE
      r = cpu.zf() || cpu.sf() !== cpu.of();
      break;
  }
  return (cc & 1) !== 0 ? !r : r;
}

const SUFFIXES = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

const CC_OF_MNEMONIC = (() => {
  const map = new Map<number, number>();
  const names = Mnemonic as unknown as Record<string, number>;
  for (const prefix of ['J', 'Set', 'Cmov']) {
    SUFFIXES.forEach((suffix, cc) => {
      const value = names[prefix + suffix];
      if (typeof value !== 'number') throw new Error(`iced-x86 has no mnemonic ${prefix}${suffix}`);
      map.set(value, cc);
    });
  }
  return map;
})();

/** The condition code of a Jcc, SETcc or CMOVcc mnemonic (iced-x86 Mnemonic), or -1. */
export function conditionOfMnemonic(mnemonic: number): number {
  return CC_OF_MNEMONIC.get(mnemonic) ?? -1;
}
