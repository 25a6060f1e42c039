// Compilers turn one decoded instruction into its Exec. Each ops module exports a table keyed by
// iced-x86 Mnemonic; returning undefined means the form is not supported (#UD).
import type { Exec, Op } from '../op.js';
import type { Insn } from '../insn.js';

export type Compiler = (insn: Insn, op: Op) => Exec | undefined;
export type OpTable = Partial<Record<number, Compiler>>;
