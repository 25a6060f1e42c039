// Splits a source file into lines of the assembler's own tokens, tolerating what the assembler
// rejects (a bad character, an unterminated string): the editor needs tokens for every line,
// broken ones included. Macro definitions are collected here too, because the outline needs
// them (from every file) before it can tell a macro call from a label.
import { LexError, tokenize, type Token } from '../asm/lexer.js';

export type { Token };

export interface ScannedLine {
  text: string;
  tokens: Token[];
  /** The comment (from its `;` to the end of the line), if any. */
  comment?: { start: number; end: number };
}

export interface MacroDefinition {
  name: string;
  /** Case-insensitive (%imacro, %idefine, ...). */
  ci: boolean;
  multi: boolean;
  /** Multi-line: the parameter count spec (`0`, `1-3`, `2+`); single-line: `(a, b)` or ''. */
  params: string;
  line: number;
  start: number;
  end: number;
  /** Multi-line: the %endmacro line (or the last line when missing); single-line: the same line. */
  endLine: number;
}

export interface ScannedFile {
  lines: ScannedLine[];
  macros: MacroDefinition[];
}

export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

export function scanLine(text: string): ScannedLine {
  const tokens: Token[] = [];
  let unterminated = false;
  let from = 0;
  while (from < text.length) {
    try {
      for (const t of tokenize(text.slice(from), { preprocessor: true })) tokens.push(shift(t, from));
      break;
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      const at = from + e.start;
      for (const t of tokenize(text.slice(from, at), { preprocessor: true })) tokens.push(shift(t, from));
      if (e.message === 'unterminated string') {
        tokens.push({ kind: 'str', text: text.slice(at), start: at, end: text.length });
        unterminated = true;
        from = text.length;
      } else {
        from = Math.max(from + e.end, at + 1);
      }
    }
  }
  const last = tokens.length > 0 ? tokens[tokens.length - 1].end : 0;
  const semi = text.indexOf(';', last);
  const line: ScannedLine = { text, tokens };
  if (semi >= 0 && !unterminated) line.comment = { start: semi, end: text.length };
  return line;
}

function shift(t: Token, by: number): Token {
  return by === 0 ? t : { ...t, start: t.start + by, end: t.end + by };
}

const MULTI = new Set(['macro', 'imacro', 'rmacro', 'irmacro']);
const SINGLE = new Set(['define', 'idefine', 'xdefine', 'ixdefine', 'assign', 'iassign', 'defstr', 'idefstr', 'strlen', 'substr', 'strcat', 'deftok', 'ideftok']);

/** The preprocessor directive a line starts with (`%macro` → 'macro'), lowercase, or undefined. */
export function directiveOf(line: ScannedLine): string | undefined {
  const first = line.tokens[0];
  if (first?.kind !== 'pp' || !/^%[A-Za-z]/.test(first.text)) return undefined;
  return first.text.slice(1).toLowerCase();
}

const lineCache = new Map<string, ScannedLine>();
const LINE_CACHE_LIMIT = 100_000;

/** scanLine, remembered: between two versions of a document almost every line is the same. */
function scanLineCached(text: string): ScannedLine {
  let line = lineCache.get(text);
  if (!line) {
    if (lineCache.size >= LINE_CACHE_LIMIT) lineCache.clear();
    line = scanLine(text);
    lineCache.set(text, line);
  }
  return line;
}

export function scanText(text: string): ScannedFile {
  const lines = splitLines(text).map(scanLineCached);
  const macros: MacroDefinition[] = [];
  let open: MacroDefinition | undefined;
  lines.forEach((line, n) => {
    const d = directiveOf(line);
    if (d === undefined) return;
    const name = line.tokens[1];
    if (MULTI.has(d) && name?.kind === 'id') {
      const params = line.text.slice(name.end, line.comment?.start ?? line.text.length).trim();
      open = { name: name.text, ci: d.startsWith('i') || d === 'irmacro', multi: true, params, line: n, start: name.start, end: name.end, endLine: lines.length - 1 };
      macros.push(open);
    } else if ((d === 'endmacro' || d === 'endm') && open) {
      open.endLine = n;
      open = undefined;
    } else if (SINGLE.has(d) && name?.kind === 'id') {
      const paren = line.tokens[2];
      const params = paren?.kind === 'op' && paren.text === '(' && paren.start === name.end ? line.text.slice(paren.start, line.text.indexOf(')', paren.start) + 1 || undefined) : '';
      macros.push({ name: name.text, ci: d.startsWith('i'), multi: false, params, line: n, start: name.start, end: name.end, endLine: n });
    }
  });
  return { lines, macros };
}

export interface OperandTokens {
  start: number;
  end: number;
  tokens: Token[];
}

/** Splits operand tokens at top-level commas (commas inside (), [] or {} do not split). */
export function splitOperands(tokens: readonly Token[]): OperandTokens[] {
  const out: OperandTokens[] = [];
  let depth = 0;
  let cur: Token[] = [];
  const flush = () => {
    if (cur.length > 0) out.push({ start: cur[0].start, end: cur[cur.length - 1].end, tokens: cur });
    cur = [];
  };
  for (const t of tokens) {
    if (t.kind === 'op') {
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      else if (t.text === ')' || t.text === ']' || t.text === '}') depth = Math.max(0, depth - 1);
      else if (t.text === ',' && depth === 0) {
        flush();
        continue;
      }
    }
    cur.push(t);
  }
  flush();
  return out;
}
