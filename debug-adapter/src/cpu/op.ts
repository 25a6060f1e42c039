// The engine's compact form of one decoded instruction. Built once per physical code address
// (see block-cache.ts) from iced-x86's decoding; `exec` is the instruction's semantics with the
// operand shape already resolved, so the run loop does no decoding.
import type { Cpu } from './cpu.js';

export type Exec = (cpu: Cpu, op: Op) => void;
export type EaFn = (cpu: Cpu, op: Op) => number;
export type Reader = (cpu: Cpu, op: Op) => number;
export type Writer = (cpu: Cpu, op: Op, value: number) => void;

/** REP prefix kinds. */
export const REP_NONE = 0;
export const REP_E = 1;
export const REP_NE = 2;

export class Op {
  exec: Exec = notCompiled;
  /** Length in bytes. */
  len = 0;
  /** Operand size in bytes (1, 2, 4) of the instruction's main operand. */
  osz = 4;
  /** Address size in bytes (2 or 4). */
  asz = 4;
  /** Register index (into the view of the operand's size) of operand 0 and operand 1. */
  r0 = 0;
  r1 = 0;
  /** First and second immediate (sign-extended int32), or the relative branch displacement. */
  imm = 0;
  imm2 = 0;
  /** Memory operand: segment register, effective-address function and its parts. */
  seg = 3;
  ea: EaFn = noEa;
  base = 0;
  index = 0;
  scale = 0;
  disp = 0;
  /** Generic accessors for operand 0 (read, write) and operand 1 (read). */
  rd0: Reader = noRead;
  wr0: Writer = noWrite;
  rd1: Reader = noRead;
  /** iced-x86 Code and Mnemonic values (for intercepts, statistics and the debugger). */
  code = 0;
  mnemonic = 0;
  rep = REP_NONE;
  /** Index into the knowledge base's virtualization class (0 ordinary; see decode.ts). */
  virtClass = 0;
  /** Guest linear address the op was decoded at (for messages; blocks are keyed physically). */
  linear = 0;
  /** A breakpoint is set at this instruction's linear address (the run loop stops before it). */
  breakpoint = false;
  /** NASM text (branch targets as EIP values), for exit records, the debugger and messages. */
  text = '';
  /** iced-x86 FlowControl: how the instruction transfers control (call, return, interrupt ...). */
  flow = 0;
  /** Raw bytes, for the debugger and for binary translation. */
  bytes: Uint8Array = EMPTY;
}

const EMPTY = new Uint8Array(0);

function notCompiled(): void {
  throw new Error('instruction executed before it was compiled');
}

function noEa(): number {
  throw new Error('instruction has no memory operand');
}

function noRead(): number {
  throw new Error('operand is not readable');
}

function noWrite(): void {
  throw new Error('operand is not writable');
}
