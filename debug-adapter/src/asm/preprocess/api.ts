import type { AssembleOptions } from '../types.js';

// Public shapes of the preprocessor (re-exported by ../preprocess.ts, which the assembler imports).

export interface PreprocessedLine {
  /** The line after preprocessing (comments may remain; the assembler strips them). */
  text: string;
  /** File and 1-based line the text came from (for macro expansions: the line in the macro body's file). */
  file: string;
  line: number;
  /** Names of the multi-line macros being expanded, outermost first; [] for plain lines. */
  macroStack: string[];
  /** Outermost macro call site, for lines produced by macro expansion. */
  invocation?: { file: string; line: number };
  /** True when text equals the original source line (so columns map 1:1 for diagnostics). */
  verbatim: boolean;
}

export interface MacroInfo {
  name: string;
  kind: 'single' | 'multi';
  /** Single-line: the parameter list in parentheses, e.g. `(x, y)`, or '' when object-like. Multi-line: the count spec, e.g. `1-3`, `2+`. */
  params: string;
  file: string;
  line: number;
}

/** The assembler's options (file name, include paths, file access, -D defines), plus the evaluator. */
export interface PreprocessOptions extends AssembleOptions {
  /** Evaluates a numeric expression after macro expansion (for %if, %elif, %assign, %rep counts). Throws Error with a message on failure. */
  evaluate: (expr: string) => bigint;
}
