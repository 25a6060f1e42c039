// Flag instructions: CLC STC CMC CLD STD, and CLI/STI with their IOPL check and STI's
// one-instruction interrupt shadow.
import { Mnemonic } from 'iced-x86';
import type { Cpu } from '../cpu.js';
import type { Exec } from '../op.js';
import { FLAG_CF, FLAG_DF, FLAG_IF, VEC_GP } from '../constants.js';
import { CpuFault } from '../fault.js';
import type { OpTable } from './table.js';

function checkIopl(c: Cpu): void {
  if (c.protectedMode && c.cpl > c.iopl) throw new CpuFault(VEC_GP, 0);
}

const clc: Exec = (c) => c.setFlag(FLAG_CF, false);
const stc: Exec = (c) => c.setFlag(FLAG_CF, true);
const cmc: Exec = (c) => c.setFlag(FLAG_CF, c.cf() === 0);
const cld: Exec = (c) => {
  c.flagBits &= ~FLAG_DF;
};
const std: Exec = (c) => {
  c.flagBits |= FLAG_DF;
};
const cli: Exec = (c) => {
  checkIopl(c);
  c.flagBits &= ~FLAG_IF;
};
const sti: Exec = (c) => {
  checkIopl(c);
  if ((c.flagBits & FLAG_IF) === 0) {
    c.flagBits |= FLAG_IF;
    c.interruptShadow = true;
    c.attention = true;
  }
};

export const flagOps: OpTable = {
  [Mnemonic.Clc]: () => clc,
  [Mnemonic.Stc]: () => stc,
  [Mnemonic.Cmc]: () => cmc,
  [Mnemonic.Cld]: () => cld,
  [Mnemonic.Std]: () => std,
  [Mnemonic.Cli]: () => cli,
  [Mnemonic.Sti]: () => sti,
};
