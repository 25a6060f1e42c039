// NASM expressions: parsing tokens into a tree, and evaluating a tree to a value that remembers what
// nasm needs to choose encodings — whether it refers to a label (relocatable) or is a plain number,
// whether every symbol in it was known, and which registers (with scales) an effective address holds.
import type { Token } from './lexer.js';
import { registerByName, type RegisterInfo } from './registers.js';

export type Expr =
  | { t: 'num'; v: bigint }
  | { t: 'sym'; name: string; start: number; end: number }
  | { t: 'here' }
  | { t: 'start' }
  | { t: 'reg'; reg: RegisterInfo }
  | { t: 'un'; op: string; a: Expr }
  | { t: 'bin'; op: string; a: Expr; b: Expr }
  | { t: 'cond'; c: Expr; a: Expr; b: Expr };

export class ExprError extends Error {
  constructor(
    message: string,
    readonly start = -1,
    readonly end = -1,
  ) {
    super(message);
  }
}

/** A cursor over a token list, shared by the expression and statement parsers. */
export class TokenStream {
  pos = 0;
  constructor(
    readonly tokens: Token[],
    readonly lineLength: number,
  ) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  next(): Token | undefined {
    return this.tokens[this.pos++];
  }
  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }
  isOp(text: string, offset = 0): boolean {
    const t = this.tokens[this.pos + offset];
    return t !== undefined && t.kind === 'op' && t.text === text;
  }
  isWord(word: string, offset = 0): boolean {
    const t = this.tokens[this.pos + offset];
    return t !== undefined && t.kind === 'id' && t.text.toLowerCase() === word;
  }
  eatOp(text: string): boolean {
    if (this.isOp(text)) {
      this.pos++;
      return true;
    }
    return false;
  }
  expectOp(text: string): void {
    if (!this.eatOp(text)) {
      const t = this.peek();
      throw new ExprError(`expected '${text}'${t ? ` before '${t.text}'` : ' at end of line'}`, t?.start ?? this.lineLength, t?.end ?? this.lineLength);
    }
  }
  /** Start offset of the current token (or end of line). */
  here(): number {
    return this.peek()?.start ?? this.lineLength;
  }
}

const BINARY_LEVELS: string[][] = [
  ['||'],
  ['^^'],
  ['&&'],
  ['=', '==', '!=', '<>', '<', '<=', '>', '>=', '<=>'],
  ['|'],
  ['^'],
  ['&'],
  ['<<', '>>', '<<<', '>>>'],
  ['+', '-'],
  ['*', '/', '//', '%', '%%'],
];

/** Words that end an expression (size and jump keywords are read by the statement parser). */
export function parseExpr(ts: TokenStream): Expr {
  const c = parseBinary(ts, 0);
  if (ts.eatOp('?')) {
    const a = parseExpr(ts);
    ts.expectOp(':');
    const b = parseExpr(ts);
    return { t: 'cond', c, a, b };
  }
  return c;
}

function parseBinary(ts: TokenStream, level: number): Expr {
  if (level >= BINARY_LEVELS.length) return parseUnary(ts);
  let left = parseBinary(ts, level + 1);
  const ops = BINARY_LEVELS[level];
  while (true) {
    const t = ts.peek();
    if (!t || t.kind !== 'op' || !ops.includes(t.text)) return left;
    ts.next();
    const right = parseBinary(ts, level + 1);
    left = { t: 'bin', op: t.text, a: left, b: right };
  }
}

function parseUnary(ts: TokenStream): Expr {
  const t = ts.peek();
  if (t && t.kind === 'op' && (t.text === '-' || t.text === '+' || t.text === '~' || t.text === '!')) {
    ts.next();
    return { t: 'un', op: t.text, a: parseUnary(ts) };
  }
  return parsePrimary(ts);
}

function parsePrimary(ts: TokenStream): Expr {
  const t = ts.next();
  if (!t) throw new ExprError('expression expected at end of line', ts.lineLength, ts.lineLength);
  switch (t.kind) {
    case 'num':
      return { t: 'num', v: t.value! };
    case 'str':
      return { t: 'num', v: charConstant(t) };
    case 'id': {
      if (t.text === '$') return { t: 'here' };
      if (t.text === '$$') return { t: 'start' };
      const reg = registerByName(t.text);
      if (reg) return { t: 'reg', reg };
      return { t: 'sym', name: t.text, start: t.start, end: t.end };
    }
    case 'op':
      if (t.text === '(') {
        const e = parseExpr(ts);
        ts.expectOp(')');
        return e;
      }
      throw new ExprError(`expression syntax error at '${t.text}'`, t.start, t.end);
    default:
      throw new ExprError(`expression syntax error at '${t.text}'`, t.start, t.end);
  }
}

/** A string used as a number: its bytes, little-endian (nasm allows up to 8). */
function charConstant(t: Token): bigint {
  const bytes = t.bytes!;
  if (bytes.length > 8) throw new ExprError('character constant too long', t.start, t.end);
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

export interface Value {
  n: bigint;
  /** Net count of label references: 0 for plain numbers and label differences. */
  rel: number;
  /** The section of the label part, when rel is not 0. */
  section?: string;
  /**
   * A difference of labels in different sections: rel is 0 but nasm still counts it as
   * relocatable for the operators that need scalars.
   */
  mixed?: boolean;
  /** False when a symbol was not (yet) defined. */
  known: boolean;
  /** Registers of an effective address, with their scales. */
  regs?: EaRegister[];
}

/** A register term of an effective address, in source order; `mul` when it was written with `*`. */
export interface EaRegister {
  reg: RegisterInfo;
  scale: bigint;
  mul: boolean;
}

export interface SymbolValue {
  value: bigint;
  /** 1 for labels in a section (relocatable in nasm's sense), 0 for equ constants and absolute labels. */
  rel: number;
  /** The label's section (labels, and equ of a label). */
  section?: string;
}

export interface EvalContext {
  /** Returns undefined for a symbol not defined (yet). */
  lookup(name: string): SymbolValue | undefined;
  /** `$` and `$$`; rel is 1 inside a section and 0 in absolute space (struc). */
  here?: { value: bigint; sectionStart: bigint; rel: number; section?: string };
  /** Called for every unknown symbol (the final pass turns these into errors). */
  onUnknown?(name: string, start: number, end: number): void;
}

const I64 = (v: bigint) => BigInt.asIntN(64, v);
const U64 = (v: bigint) => BigInt.asUintN(64, v);

export function evaluate(e: Expr, ctx: EvalContext): Value {
  switch (e.t) {
    case 'num':
      return { n: e.v, rel: 0, known: true };
    case 'here':
    case 'start': {
      if (!ctx.here) throw new ExprError(`'${e.t === 'here' ? '$' : '$$'}' is not allowed here`);
      return { n: e.t === 'here' ? ctx.here.value : ctx.here.sectionStart, rel: ctx.here.rel, section: ctx.here.section, known: true };
    }
    case 'sym': {
      const s = ctx.lookup(e.name);
      if (!s) {
        ctx.onUnknown?.(e.name, e.start, e.end);
        return { n: 0n, rel: 0, known: false };
      }
      return { n: s.value, rel: s.rel, section: s.rel !== 0 ? s.section : undefined, known: true };
    }
    case 'reg':
      return { n: 0n, rel: 0, known: true, regs: [{ reg: e.reg, scale: 1n, mul: false }] };
    case 'un': {
      const a = evaluate(e.a, ctx);
      if (e.op === '+') return a;
      if (e.op === '-') return { n: I64(-a.n), rel: -a.rel, section: a.section, mixed: a.mixed, known: a.known, regs: a.regs?.map((r) => ({ ...r, scale: -r.scale })) };
      requireScalar(a, e.op);
      requireNonRelocatable(e.op, a);
      return { n: e.op === '~' ? I64(~a.n) : a.n === 0n ? 1n : 0n, rel: 0, known: a.known };
    }
    case 'cond': {
      const c = evaluate(e.c, ctx);
      requireScalar(c, '?');
      const pick = evaluate(c.n !== 0n ? e.a : e.b, ctx);
      return { ...pick, known: pick.known && c.known };
    }
    case 'bin':
      return binary(e.op, evaluate(e.a, ctx), evaluate(e.b, ctx));
  }
}

function requireScalar(v: Value, op: string): void {
  if (v.regs?.length) throw new ExprError(`invalid use of a register with operator '${op}'`);
}

/**
 * nasm refuses bitwise, logical, shift and division operators on a label's address (a relocatable
 * value, even in bin output) with these messages; `%`, `*` and comparisons are left to the caller,
 * as nasm lets them through here.
 */
function requireNonRelocatable(op: string, ...values: Value[]): void {
  if (values.every((v) => v.rel === 0 && v.mixed !== true)) return;
  if (op === '<<' || op === '>>' || op === '<<<' || op === '>>>') throw new ExprError('shift operator may only be applied to scalar values');
  if (op === '/' || op === '//') throw new ExprError('division operator may only be applied to scalar values');
  if (['&', '|', '^', '&&', '||', '^^', '~', '!'].includes(op)) throw new ExprError(`\`${op[0]}' operator may only be applied to scalar values`);
}

function mergeRegs(a: Value, b: Value, sign: bigint): Value['regs'] {
  if (!a.regs && !b.regs) return undefined;
  return [...(a.regs ?? []), ...(b.regs ?? []).map((r) => ({ ...r, scale: r.scale * sign }))];
}

function binary(op: string, a: Value, b: Value): Value {
  const known = a.known && b.known;
  if (op === '+' || op === '-') {
    const sign = op === '+' ? 1n : -1n;
    const rel = op === '+' ? a.rel + b.rel : a.rel - b.rel;
    // Labels of two sections that cancel out leave a number nasm still treats as relocatable.
    const crossing = a.rel !== 0 && b.rel !== 0 && rel === 0 && a.section !== b.section;
    const v: Value = { n: I64(op === '+' ? a.n + b.n : a.n - b.n), rel, known, regs: mergeRegs(a, b, sign) };
    if (rel !== 0) v.section = a.rel !== 0 ? a.section : b.section;
    if (crossing || a.mixed === true || b.mixed === true) v.mixed = true;
    return v;
  }
  if (op === '*' && (a.regs || b.regs)) {
    if (a.regs && b.regs) throw new ExprError('invalid effective address: register multiplied by register');
    const [r, k] = a.regs ? [a, b] : [b, a];
    return { n: I64(r.n * k.n), rel: 0, known, regs: r.regs!.map((x) => ({ reg: x.reg, scale: x.scale * k.n, mul: true })) };
  }
  requireScalar(a, op);
  requireScalar(b, op);
  requireNonRelocatable(op, a, b);
  // Arithmetic beyond + and - on a label yields a plain number in nasm's eyes only for bin output.
  const rel = 0;
  const x = a.n;
  const y = b.n;
  const bool = (c: boolean) => ({ n: c ? 1n : 0n, rel, known });
  switch (op) {
    case '*':
      return { n: I64(x * y), rel, known };
    case '/':
    case '//':
    case '%':
    case '%%': {
      if (y === 0n) {
        if (!known) return { n: 0n, rel, known };
        throw new ExprError('division by zero');
      }
      if (op === '/') return { n: I64(U64(x) / U64(y)), rel, known };
      if (op === '%') return { n: I64(U64(x) % U64(y)), rel, known };
      if (op === '//') return { n: I64(x / y), rel, known };
      return { n: I64(x % y), rel, known };
    }
    case '<<':
    case '<<<':
      return { n: y >= 64n || y < 0n ? 0n : I64(x << y), rel, known };
    case '>>':
      return { n: y >= 64n || y < 0n ? 0n : I64(U64(x) >> y), rel, known };
    case '>>>':
      return { n: y >= 64n || y < 0n ? (x < 0n ? -1n : 0n) : x >> y, rel, known };
    case '&':
      return { n: I64(x & y), rel, known };
    case '|':
      return { n: I64(x | y), rel, known };
    case '^':
      return { n: I64(x ^ y), rel, known };
    case '&&':
      return bool(x !== 0n && y !== 0n);
    case '||':
      return bool(x !== 0n || y !== 0n);
    case '^^':
      return bool(x !== 0n !== (y !== 0n));
    case '=':
    case '==':
      return bool(x === y);
    case '!=':
    case '<>':
      return bool(x !== y);
    case '<':
      return bool(x < y);
    case '<=':
      return bool(x <= y);
    case '>':
      return bool(x > y);
    case '>=':
      return bool(x >= y);
    case '<=>':
      return { n: x < y ? -1n : x > y ? 1n : 0n, rel, known };
  }
  throw new ExprError(`unknown operator '${op}'`);
}

/** True when the value is a plain number nasm may shrink an encoding for (known, not a label). */
export function isSimple(v: Value): boolean {
  return v.known && v.rel === 0 && !v.regs?.length;
}
