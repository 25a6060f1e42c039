// Shapes for running one short code snippet on the CPU from a known state (used by the
// differential tests against unicorn and by the benchmarks). 32-bit flat protected mode, ring 0,
// paging off.
import type { GeneralRegisters } from '../machine/entry-state.js';

export const SNIPPET_CODE_BASE = 0x1000;
export const SNIPPET_DATA_BASE = 0x10000;
export const SNIPPET_DATA_SIZE = 0x10000;
export const SNIPPET_STACK_TOP = 0x40000;

/** The eight general registers by name (the loader's entry state uses the same shape). */
export type SnippetRegisters = GeneralRegisters;

export interface SnippetCase {
  /** Machine code placed at SNIPPET_CODE_BASE; execution stops when EIP reaches its end. */
  code: Uint8Array;
  regs: SnippetRegisters;
  eflags: number;
  /** Initial contents of the data window at SNIPPET_DATA_BASE (zero-filled if shorter). */
  data?: Uint8Array;
  /** Instruction budget (default 10,000), a guard against runaway snippets. */
  maxInstructions?: number;
}

export interface SnippetOutcome {
  regs: SnippetRegisters;
  eflags: number;
  /** EIP when the run stopped (the end of the code, or the faulting instruction). */
  eip: number;
  /** The whole data window after the run. */
  data: Uint8Array;
  /** Exception vector if the snippet faulted (the run stops at the fault, before delivery). */
  fault?: number;
}
