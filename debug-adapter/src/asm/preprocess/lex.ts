// Token lists the preprocessor works on: the lexer's tokens plus explicit whitespace, never throwing
// (text the lexer rejects becomes an 'other' token and is left for the assembler to report).
import { Buffer } from 'node:buffer';
import { LexError, tokenize, type Token } from '../lexer.js';

export type TokKind = 'id' | 'num' | 'str' | 'op' | 'pp' | 'ws' | 'other' | 'param' | 'end';

export interface Busy {
  busy: number;
}

export interface Tok {
  k: TokKind;
  /** Text exactly as written (for ids: including a leading `$`). */
  s: string;
  /** Offset in the line it was lexed from (absent for synthesized tokens). */
  o?: number;
  /** 'param': index of the single-line macro parameter. */
  p?: number;
  /** 'end': the macro whose expansion ends here. */
  ref?: Busy;
}

export interface LexProblem {
  message: string;
  start: number;
  end: number;
}

const PP = { preprocessor: true } as const;

/** Tokenizes a line with whitespace tokens; stops at a `;` comment. Never throws. */
export function lexLine(line: string): { toks: Tok[]; problem?: LexProblem } {
  const toks: Tok[] = [];
  let problem: LexProblem | undefined;
  let pos = 0;
  while (pos < line.length) {
    const sub = pos === 0 ? line : line.slice(pos);
    let list: Token[];
    let err: LexError | undefined;
    try {
      list = tokenize(sub, PP);
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      err = e;
      list = safeTokenize(sub.slice(0, e.start));
    }
    let last = 0;
    for (const t of list) {
      if (t.start > last) toks.push({ k: 'ws', s: sub.slice(last, t.start), o: pos + last });
      const prev = toks[toks.length - 1];
      if (t.kind === 'num' && t.start === last && prev?.k === 'pp' && prev.s === '%+' && isDigit(sub.charCodeAt(t.start))) {
        // `%+1`: a macro parameter used as a condition code, one token as in nasm (digits only).
        let d = t.start;
        while (d < t.end && isDigit(sub.charCodeAt(d))) d++;
        prev.s += sub.slice(t.start, d);
        if (d < t.end) for (const r of lexLine(sub.slice(d, t.end)).toks) toks.push({ ...r, o: pos + d + (r.o ?? 0) });
      } else toks.push({ k: t.kind, s: sub.slice(t.start, t.end), o: pos + t.start });
      last = t.end;
    }
    if (!err) break;
    const prev = toks[toks.length - 1];
    if (last === err.start && prev?.k === 'pp' && prev.s === '%+' && isDigit(sub.charCodeAt(err.start))) {
      // `%+1abc`: the digits belong to the %+ token even when the lexer rejects the whole number.
      let d = err.start;
      while (d < sub.length && isDigit(sub.charCodeAt(d))) d++;
      prev.s += sub.slice(err.start, d);
      pos += d;
      continue;
    }
    if (err.start > last) toks.push({ k: 'ws', s: sub.slice(last, err.start), o: pos + last });
    const end = Math.max(err.end, err.start + 1);
    toks.push({ k: 'other', s: sub.slice(err.start, end), o: pos + err.start });
    problem ??= { message: err.message, start: pos + err.start, end: pos + end };
    pos += end;
  }
  return problem ? { toks, problem } : { toks };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function safeTokenize(text: string): Token[] {
  try {
    return tokenize(text, PP);
  } catch {
    return [];
  }
}

export function detok(toks: readonly Tok[], from = 0, to = toks.length): string {
  let s = '';
  for (let i = from; i < to; i++) if (toks[i].k !== 'end') s += toks[i].s;
  return s;
}

export function isWs(t: Tok | undefined): boolean {
  return t !== undefined && (t.k === 'ws' || t.k === 'end');
}

export function isOp(t: Tok | undefined, s: string): boolean {
  return t !== undefined && t.k === 'op' && t.s === s;
}

export function skipWs(toks: readonly Tok[], i: number): number {
  while (i < toks.length && (toks[i].k === 'ws' || toks[i].k === 'end')) i++;
  return i;
}

/** Removes leading and trailing whitespace tokens. */
export function trimToks(toks: Tok[]): Tok[] {
  let a = 0;
  let b = toks.length;
  while (a < b && isWs(toks[a])) a++;
  while (b > a && isWs(toks[b - 1])) b--;
  return a === 0 && b === toks.length ? toks : toks.slice(a, b);
}

/** Whitespace runs collapsed to one space, ends trimmed (how nasm turns tokens back into text). */
export function normalizedText(toks: readonly Tok[]): string {
  let s = '';
  let pendingWs = false;
  for (const t of toks) {
    if (t.k === 'end') continue;
    if (t.k === 'ws') {
      pendingWs = s.length > 0;
      continue;
    }
    if (pendingWs) s += ' ';
    pendingWs = false;
    s += t.s;
  }
  return s;
}

// ---- quick character classes (mirroring the lexer) ----

export const CH_IDSTART = 1;
export const CH_IDPART = 2;
export const CH_DIGIT = 4;
export const CH_WS = 8;

export const CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  let v = 0;
  if (/[A-Za-z_.?@]/.test(ch)) v |= CH_IDSTART;
  if (/[A-Za-z0-9_$#@~.?]/.test(ch)) v |= CH_IDPART;
  if (/[0-9]/.test(ch)) v |= CH_DIGIT;
  if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') v |= CH_WS;
  CHARS[c] = v;
}

export function charClass(code: number): number {
  return code < 128 ? CHARS[code] : 0;
}

/** Case-folded two-character prefix key of a name (a cheap pre-filter before slicing identifiers). */
export function prefixKey(text: string, i: number, end: number): number {
  return ((text.charCodeAt(i) & 31) << 5) | (i + 1 < end ? text.charCodeAt(i + 1) & 31 : 0);
}

/** Counts of names per prefix key. */
export class PrefixSet {
  readonly counts = new Uint16Array(1024);
  add(name: string, d: number): void {
    this.counts[prefixKey(name, 0, name.length)] += d;
  }
  mayHave(text: string, i: number, end: number): boolean {
    return this.counts[prefixKey(text, i, end)] !== 0;
  }
}

/** End of the identifier-part run starting at i. */
export function identEnd(line: string, i: number): number {
  const n = line.length;
  while (i < n && (charClass(line.charCodeAt(i)) & CH_IDPART) !== 0) i++;
  return i;
}

/** End of the string literal opening at i (the whole rest of the line if unterminated). */
export function stringEnd(line: string, i: number): number {
  const q = line.charCodeAt(i);
  const n = line.length;
  let j = i + 1;
  while (j < n) {
    const c = line.charCodeAt(j);
    if (c === q) return j + 1;
    if (q === 96 && c === 92) j++; // backquote strings: skip the escaped character
    j++;
  }
  return n;
}

// ---- strings ----

/** The bytes a string token stands for. */
export function stringBytes(tokText: string): number[] {
  try {
    const t = tokenize(tokText)[0];
    return t?.bytes ?? [];
  } catch {
    return [];
  }
}

export function bytesToString(bytes: number[]): string {
  return Buffer.from(bytes).toString('utf8');
}

export function stringToBytes(s: string): number[] {
  return [...Buffer.from(s, 'utf8')];
}

/** Quotes bytes as nasm does: '...' when possible, else "...", else `...` with escapes. */
export function quoteBytes(bytes: number[]): string {
  let printable = true;
  let sq = false;
  let dq = false;
  for (const b of bytes) {
    if (b < 32 || b > 126) printable = false;
    else if (b === 39) sq = true;
    else if (b === 34) dq = true;
  }
  if (printable && !sq) return `'${String.fromCharCode(...bytes)}'`;
  if (printable && !dq) return `"${String.fromCharCode(...bytes)}"`;
  let s = '`';
  for (const b of bytes) {
    if (b === 96) s += '\\`';
    else if (b === 92) s += '\\\\';
    else if (b === 10) s += '\\n';
    else if (b === 9) s += '\\t';
    else if (b === 13) s += '\\r';
    else if (b >= 32 && b <= 126) s += String.fromCharCode(b);
    else s += '\\x' + b.toString(16).padStart(2, '0');
  }
  return s + '`';
}

export function quoteText(text: string): string {
  return quoteBytes(stringToBytes(text));
}
