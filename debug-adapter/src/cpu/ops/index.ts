// The instruction compilers of every group, merged into one lookup by iced-x86 Mnemonic.
import type { Compiler, OpTable } from './table.js';
import { aluOps } from './alu.js';
import { moveOps } from './move.js';
import { stackOps } from './stack.js';
import { controlOps } from './control.js';
import { flagOps } from './flag-ops.js';
import { ioOps } from './io.js';
import { shiftOps } from './shift.js';
import { muldivOps } from './muldiv.js';
import { bcdOps } from './bcd.js';
import { bitsOps } from './bits.js';
import { stringOps } from './string.js';
import { systemOps } from './system.js';

const tables: OpTable[] = [aluOps, moveOps, stackOps, controlOps, flagOps, ioOps, shiftOps, muldivOps, bcdOps, bitsOps, stringOps, systemOps];
// A mnemonic may have compilers in several groups (MOV: general registers in move.ts, control
// and debug registers in system.ts); the first one that accepts the form wins.
const merged = new Map<number, Compiler[]>();
for (const table of tables) {
  for (const [key, compiler] of Object.entries(table)) {
    if (compiler === undefined) continue;
    const list = merged.get(Number(key)) ?? [];
    list.push(compiler);
    merged.set(Number(key), list);
  }
}

export const compile: Compiler = (insn, op) => {
  for (const compiler of merged.get(insn.mnemonic) ?? []) {
    const exec = compiler(insn, op);
    if (exec !== undefined) return exec;
  }
  return undefined;
};

export type { Compiler, OpTable };
