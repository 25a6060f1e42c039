// Public data shapes of the assembler: what the CLI, the debugger and the language server consume.

/** 1-based line and column, as editors and nasm count them. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface SourceRange extends SourceLocation {
  endLine: number;
  endColumn: number;
}

export type Severity = 'error' | 'warning';

export interface AsmDiagnostic {
  severity: Severity;
  message: string;
  range: SourceRange;
}

export interface AssembleOptions {
  /** Name used in diagnostics and the source map; also the base for relative %include. */
  fileName: string;
  /** Extra directories searched by %include (like nasm -I). */
  includePaths?: string[];
  /** File access for %include; defaults to node:fs. Returns undefined when the file cannot be read. */
  readFile?: (path: string) => string | undefined;
  /** Predefined single-line macros (like nasm -D). */
  defines?: Record<string, string>;
}

export type EmitKind = 'instruction' | 'data' | 'reserve' | 'padding';

/** One emitted item (instruction, data, times repetition) and where it came from. */
export interface SourceMapEntry {
  /** Address as the program sees it (org + section offset). */
  address: number;
  /** Offset in the output file, or -1 for items that occupy no file bytes (resb, .bss). */
  fileOffset: number;
  size: number;
  kind: EmitKind;
  location: SourceLocation;
  /** Source text of the line after macro expansion. */
  text: string;
  /** Names of the macros being expanded, outermost first (empty for plain source lines). */
  macroStack: string[];
  /** Where the outermost macro was invoked, for lines produced by macro expansion. */
  invocation?: SourceLocation;
}

export type SymbolKind = 'label' | 'local-label' | 'equ' | 'macro-label';

export interface SymbolInfo {
  name: string;
  /** Address (labels) or value (equ), as a plain number (may exceed 32 bits for equ). */
  value: number;
  /** Bytes up to the next label in the same section, or 0. */
  size: number;
  kind: SymbolKind;
  section: string;
  location: SourceLocation;
}

export interface AssembleResult {
  /** True when there are no errors (warnings allowed). */
  ok: boolean;
  /** The flat binary, as `nasm -f bin` writes it. Empty when !ok. */
  bytes: Uint8Array;
  diagnostics: AsmDiagnostic[];
  symbols: SymbolInfo[];
  sourceMap: SourceMapEntry[];
  /** A listing in the manner of `nasm -l`. */
  listing: string;
}
