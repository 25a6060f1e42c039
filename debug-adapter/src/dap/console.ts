// Debug Console commands (evaluate with context 'repl'): what a Bochs or GDB user reaches for.
// A line that is not a command returns undefined, and the session evaluates it as an expression.
import type { Engine } from '../engine/engine.js';
import type { ProgramIndex } from './program-index.js';

export interface ConsoleContext {
  engine: Engine;
  index: ProgramIndex;
  /** Feeds bytes to the guest's serial port (the `serial` command). */
  sendSerial(bytes: Uint8Array): void;
}

/** The command's output text, or undefined when `line` is not a console command. */
export function runConsoleCommand(_context: ConsoleContext, _line: string): string | undefined {
  return undefined;
}
