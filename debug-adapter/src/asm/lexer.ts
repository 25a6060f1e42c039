// Splits one source line into NASM tokens: identifiers, numbers in every NASM form, strings in the
// three quote styles, operators, and (for the preprocessor) %-tokens. A `;` outside a string ends the line.

export type TokenKind = 'id' | 'num' | 'str' | 'op' | 'pp';

export interface Token {
  kind: TokenKind;
  /** The token's text exactly as written. */
  text: string;
  /** 0-based offsets into the line. */
  start: number;
  end: number;
  /** Numbers: the value. */
  value?: bigint;
  /** Strings: the bytes the string stands for (escapes processed, UTF-8 encoded). */
  bytes?: number[];
}

export class LexError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

export interface LexOptions {
  /** Produce 'pp' tokens for %name, %1, %%name, %$name, %+, %{...}; otherwise % is an operator. */
  preprocessor?: boolean;
}

const IDENT_START = /[A-Za-z_.?@]/;
const IDENT_PART = /[A-Za-z0-9_$#@~.?]/;
const DIGIT = /[0-9]/;

/** Operators, longest first so that a greedy match picks `<<<` before `<<` before `<`. */
const OPERATORS = [
  '<=>', '<<<', '>>>',
  '||', '&&', '^^', '==', '!=', '<>', '<=', '>=', '<<', '>>', '//', '%%',
  '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '(', ')', '[', ']', ',', ':', '=', '<', '>', '?', '{', '}',
];

export function tokenize(line: string, options: LexOptions = {}): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === ';') break;
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      const { bytes, end } = readString(line, i);
      tokens.push({ kind: 'str', text: line.slice(start, end), start, end, bytes });
      i = end;
      continue;
    }
    if (DIGIT.test(c) || (c === '$' && i + 1 < n && DIGIT.test(line[i + 1]))) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_$]/.test(line[j])) j++;
      // A '.' inside a number means a floating-point constant, which this integer assembler does not take.
      if (j < n && line[j] === '.' && j + 1 < n && DIGIT.test(line[j + 1])) {
        while (j < n && /[0-9A-Za-z_.]/.test(line[j])) j++;
        throw new LexError(`floating-point constant '${line.slice(start, j)}' is not supported`, start, j);
      }
      const text = line.slice(start, j);
      tokens.push({ kind: 'num', text, start, end: j, value: parseNumber(text, start) });
      i = j;
      continue;
    }
    if (c === '$') {
      if (line[i + 1] === '$') {
        tokens.push({ kind: 'id', text: '$$', start, end: i + 2 });
        i += 2;
        continue;
      }
      // `$name` escapes a name that would otherwise be a keyword or register.
      if (i + 1 < n && IDENT_START.test(line[i + 1])) {
        let j = i + 2;
        while (j < n && IDENT_PART.test(line[j])) j++;
        tokens.push({ kind: 'id', text: line.slice(i + 1, j), start, end: j });
        i = j;
        continue;
      }
      tokens.push({ kind: 'id', text: '$', start, end: i + 1 });
      i++;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(line[j])) j++;
      tokens.push({ kind: 'id', text: line.slice(start, j), start, end: j });
      i = j;
      continue;
    }
    if (c === '%' && options.preprocessor) {
      const end = scanPreprocessorToken(line, i);
      if (end > i + 1) {
        tokens.push({ kind: 'pp', text: line.slice(start, end), start, end });
        i = end;
        continue;
      }
    }
    const op = OPERATORS.find((o) => line.startsWith(o, i));
    if (!op) throw new LexError(`unexpected character '${c}'`, start, start + 1);
    tokens.push({ kind: 'op', text: op, start, end: i + op.length });
    i += op.length;
  }
  return tokens;
}

/** Length of a %-token at `i` (returns i+1 when `%` stands alone, i.e. is the modulo operator). */
function scanPreprocessorToken(line: string, i: number): number {
  const n = line.length;
  let j = i + 1;
  if (line[j] === '{') {
    const close = line.indexOf('}', j);
    return close < 0 ? n : close + 1;
  }
  if (line[j] === '+') return j + 1;
  if (line[j] === '%' || line[j] === '$') {
    j++;
    if (line[j] === '$') j++;
    if (j < n && IDENT_START.test(line[j])) {
      while (j < n && IDENT_PART.test(line[j])) j++;
      return j;
    }
    return i + 1;
  }
  if (line[j] === '-' && DIGIT.test(line[j + 1] ?? '')) j++;
  if (DIGIT.test(line[j] ?? '')) {
    while (j < n && DIGIT.test(line[j])) j++;
    return j;
  }
  if (j < n && /[A-Za-z_?]/.test(line[j])) {
    while (j < n && IDENT_PART.test(line[j])) j++;
    return j;
  }
  return i + 1;
}

const RADIX_OF: Record<string, number> = {
  x: 16, h: 16, d: 10, t: 10, o: 8, q: 8, b: 2, y: 2,
};

/** Parses any NASM integer form: 0x1F 1Fh 0h1F $1F 0o17 17o 17q 0q17 0b101 101b 101y 0y101 0d99 99d 0t99, with `_`. */
export function parseNumber(text: string, at = 0): bigint {
  const bad = () => new LexError(`invalid number '${text}'`, at, at + text.length);
  const t = text.toLowerCase();
  if (t.startsWith('$')) return digitsToBigInt(t.slice(1), 16) ?? throwErr(bad());
  if (t.length > 2 && t[0] === '0' && RADIX_OF[t[1]] !== undefined) {
    const v = digitsToBigInt(t.slice(2), RADIX_OF[t[1]]);
    if (v !== undefined) return v;
  }
  const suffixRadix = RADIX_OF[t[t.length - 1]];
  if (suffixRadix !== undefined && t.length > 1) {
    const v = digitsToBigInt(t.slice(0, -1), suffixRadix);
    if (v !== undefined) return v;
  }
  return digitsToBigInt(t, 10) ?? throwErr(bad());
}

function throwErr(e: Error): never {
  throw e;
}

function digitsToBigInt(digits: string, radix: number): bigint | undefined {
  let value = 0n;
  let seen = false;
  const r = BigInt(radix);
  for (const ch of digits) {
    if (ch === '_') continue;
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= radix) return undefined;
    value = value * r + BigInt(d);
    seen = true;
  }
  return seen ? value : undefined;
}

function readString(line: string, start: number): { bytes: number[]; end: number } {
  const quote = line[start];
  const bytes: number[] = [];
  let i = start + 1;
  const n = line.length;
  while (i < n && line[i] !== quote) {
    if (quote === '`' && line[i] === '\\') {
      i = readEscape(line, i + 1, bytes);
      continue;
    }
    const cp = line.codePointAt(i)!;
    pushUtf8(cp, bytes);
    i += cp > 0xffff ? 2 : 1;
  }
  if (i >= n) throw new LexError('unterminated string', start, n);
  return { bytes, end: i + 1 };
}

const SIMPLE_ESCAPES: Record<string, number> = {
  "'": 0x27, '"': 0x22, '`': 0x60, '\\': 0x5c, '?': 0x3f,
  a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, e: 27,
};

function readEscape(line: string, i: number, out: number[]): number {
  const c = line[i];
  if (c === undefined) return i;
  if (SIMPLE_ESCAPES[c] !== undefined) {
    out.push(SIMPLE_ESCAPES[c]);
    return i + 1;
  }
  if (/[0-7]/.test(c)) {
    let j = i;
    let v = 0;
    while (j < i + 3 && /[0-7]/.test(line[j] ?? '')) v = v * 8 + Number(line[j++]);
    out.push(v & 0xff);
    return j;
  }
  if (c === 'x') {
    let j = i + 1;
    let v = 0;
    while (j < i + 3 && /[0-9a-fA-F]/.test(line[j] ?? '')) v = v * 16 + parseInt(line[j++], 16);
    out.push(v & 0xff);
    return j;
  }
  if (c === 'u' || c === 'U') {
    const len = c === 'u' ? 4 : 8;
    let j = i + 1;
    let v = 0;
    while (j < i + 1 + len && /[0-9a-fA-F]/.test(line[j] ?? '')) v = v * 16 + parseInt(line[j++], 16);
    pushUtf8(v, out);
    return j;
  }
  // Unknown escapes stand for the character itself, as in nasm.
  pushUtf8(line.codePointAt(i)!, out);
  return i + 1;
}

function pushUtf8(cp: number, out: number[]): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}
