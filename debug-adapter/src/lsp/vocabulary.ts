// The words of NASM source other than labels: mnemonics and prefixes (from the isa knowledge
// base), registers, assembler directives, size and expression keywords, preprocessor directives
// (from the preprocessor's own table), with one-line docs for hovers and completion.
import { buildDirectives } from '../asm/preprocess/directives.js';
import { lookupMnemonic, lookupPrefix, registerClass, type RegisterClass } from '../isa/index.js';

/** Assembler directives (as the assembler's parser knows them), with what each does. */
export const DIRECTIVE_DOCS: Readonly<Record<string, string>> = {
  bits: 'Selects 16- or 32-bit code: `bits 32`.',
  use16: 'Same as `bits 16`.',
  use32: 'Same as `bits 32`.',
  org: 'The address the flat binary is loaded at: labels count from it (`org 0x100000`).',
  section: 'Switches to (or creates) a section: `.text`, `.data`, `.bss`, ... laid out in that order in a flat binary.',
  segment: 'Same as `section`.',
  absolute: 'Defines labels at absolute addresses without emitting bytes (`absolute 0x1000`).',
  align: 'Pads with NOPs (or the given fill) up to a multiple of the boundary: `align 16`.',
  alignb: 'Reserves space up to a multiple of the boundary (for .bss): `alignb 4`.',
  times: 'Repeats an instruction or data: `times 510-($-$$) db 0`.',
  equ: 'Defines a constant: `NAME equ expression` (not a label: local labels after it still belong to the label before).',
  db: 'Emits bytes (numbers or strings).',
  dw: 'Emits 16-bit words.',
  dd: 'Emits 32-bit doublewords.',
  dq: 'Emits 64-bit quadwords.',
  dt: 'Emits 80-bit ten-byte values.',
  resb: 'Reserves bytes (uninitialized; in .bss they take no file space).',
  resw: 'Reserves 16-bit words.',
  resd: 'Reserves 32-bit doublewords.',
  resq: 'Reserves 64-bit quadwords.',
  rest: 'Reserves 80-bit ten-byte values.',
  incbin: 'Includes a binary file (not supported by this assembler).',
  global: 'Exports a symbol (no effect on a flat binary).',
  extern: 'Imports a symbol (no effect on a flat binary).',
  common: 'Declares a common symbol (no effect on a flat binary).',
  static: 'Declares a file-local symbol (no effect on a flat binary).',
  cpu: 'Restricts the instruction set (accepted and ignored).',
  default: 'Sets defaults such as `rel` (accepted and ignored).',
  warning: 'Controls warnings (accepted and ignored).',
  list: 'Controls the listing (accepted and ignored).',
  map: 'Requests a map file (accepted and ignored).',
};

/** nasm's standard macros (macros/standard.mac) that read like directives. */
export const STANDARD_MACRO_DOCS: Readonly<Record<string, string>> = {
  struc: 'Starts a structure definition: `struc NAME` ... `endstruc` defines NAME.field offsets and NAME_size.',
  endstruc: 'Ends a `struc` definition and defines NAME_size.',
  istruc: 'Starts an instance of a structure in data: `istruc NAME` ... `at NAME.field, dd 0` ... `iend`.',
  at: 'Places a field of an `istruc` instance: `at NAME.field, dd value`.',
  iend: 'Ends an `istruc` instance.',
  sectalign: 'Sets the alignment of the current section.',
};

export const SIZE_KEYWORDS = new Set(['byte', 'word', 'dword', 'qword', 'tword', 'oword']);

/** Words with a meaning inside operands and expressions. */
export const OPERAND_KEYWORD_DOCS: Readonly<Record<string, string>> = {
  byte: 'Operand size: 8 bits.',
  word: 'Operand size: 16 bits.',
  dword: 'Operand size: 32 bits.',
  qword: 'Operand size: 64 bits.',
  tword: 'Operand size: 80 bits.',
  oword: 'Operand size: 128 bits.',
  far: 'A far (segment:offset) transfer or pointer: `jmp far [ptr]`.',
  near: 'A near (same-segment) transfer.',
  short: 'A short jump (8-bit displacement).',
  strict: 'Keeps the written operand size even when a smaller encoding exists.',
  nosplit: 'Keeps `[eax*2]` as a scaled index instead of `[eax+eax]`.',
  seg: 'The segment part of a symbol (0 in a flat binary).',
  wrt: 'Relative to a segment (`sym wrt seg`).',
  rel: 'RIP-relative addressing (64-bit only; ignored).',
  abs: 'Absolute addressing (the default).',
  $: 'The address of the start of the current line.',
  $$: 'The address of the start of the current section.',
};

const ASSEMBLER_WORDS = new Set(Object.keys(DIRECTIVE_DOCS));
const DATA_WORDS = new Set(['db', 'dw', 'dd', 'dq', 'dt', 'resb', 'resw', 'resd', 'resq', 'rest', 'incbin']);

export const PREPROCESSOR_DIRECTIVES: readonly string[] = [...buildDirectives().keys()].sort();

export const PREPROCESSOR_DOCS: Readonly<Record<string, string>> = {
  include: 'Includes a source file: `%include "file.inc"` (searched beside the including file, then in its include/ and the include paths).',
  define: 'Defines a single-line macro: `%define NAME body` or `%define NAME(a, b) body`.',
  xdefine: 'Like %define, but the body is expanded now.',
  idefine: 'Case-insensitive %define.',
  undef: 'Removes a single-line macro.',
  assign: 'Defines a single-line macro with a numeric value evaluated now: `%assign i i+1`.',
  macro: 'Starts a multi-line macro: `%macro NAME NPARAMS` ... `%endmacro`; parameters are %1, %2, ...; %%label is local to each expansion.',
  imacro: 'Case-insensitive %macro.',
  endmacro: 'Ends a multi-line macro.',
  rep: 'Repeats the lines up to %endrep: `%rep COUNT`.',
  endrep: 'Ends a %rep block.',
  if: 'Assembles the lines up to %elif/%else/%endif when the expression is non-zero.',
  ifdef: 'Assembles the lines up to %elif/%else/%endif when the single-line macro is defined (e.g. `%ifdef XEN`).',
  ifndef: 'Assembles the lines up to %elif/%else/%endif when the single-line macro is not defined.',
  ifmacro: 'Assembles the lines when the multi-line macro exists.',
  elif: 'Else-if branch of %if.',
  else: 'Else branch of %if.',
  endif: 'Ends a conditional block.',
  error: 'Reports an error while assembling.',
  warning: 'Reports a warning while assembling.',
  push: 'Pushes a new macro context (for %$local names).',
  pop: 'Pops the macro context.',
  rotate: 'Rotates the parameters of a multi-line macro.',
};

export type WordClass = 'mnemonic' | 'prefix' | 'directive' | 'register' | 'size';

const classes = new Map<string, WordClass | null>();

/** What a word is to the assembler, apart from macros and labels (case-insensitive). */
export function wordClass(word: string): WordClass | undefined {
  let cls = classes.get(word);
  if (cls === undefined) {
    const w = word.toLowerCase();
    cls = ASSEMBLER_WORDS.has(w) ? 'directive' : lookupMnemonic(w) ? 'mnemonic' : lookupPrefix(w) ? 'prefix' : registerClass(w) ? 'register' : SIZE_KEYWORDS.has(w) ? 'size' : null;
    // Labels are words too: keep the table from growing without bound in a long session.
    if (classes.size > 50_000) classes.clear();
    classes.set(word, cls);
  }
  return cls ?? undefined;
}

export function isDataDirective(word: string): boolean {
  return DATA_WORDS.has(word.toLowerCase());
}

export function isOperandKeyword(word: string): boolean {
  return OPERAND_KEYWORD_DOCS[word.toLowerCase()] !== undefined;
}

export function isRegister(word: string): boolean {
  return registerClass(word) !== undefined;
}

const REGISTER_CLASS_TEXT: Readonly<Record<RegisterClass, string>> = {
  gpr8: '8-bit general-purpose register',
  gpr16: '16-bit general-purpose register',
  gpr32: '32-bit general-purpose register',
  sreg: 'segment register',
  cr: 'control register',
  dr: 'debug register',
  tr: 'test register (386/486)',
};

export function registerClassText(cls: RegisterClass): string {
  return REGISTER_CLASS_TEXT[cls];
}
