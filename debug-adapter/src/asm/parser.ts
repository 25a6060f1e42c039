// Turns one preprocessed line into a statement: an optional label and one body (instruction,
// data, reservation, times, equ or directive). Parsing does not depend on symbol values, so each
// line is parsed once and the passes only evaluate.
import { tokenize, type Token } from './lexer.js';
import { ExprError, parseExpr, TokenStream, type Expr } from './expr.js';
import { registerByName, type RegisterInfo } from './registers.js';
import { isMnemonic } from './instruction-set.js';
import { lookupPrefix } from '../isa/index.js';

export type JumpKind = 'short' | 'near' | 'far';

export type Operand =
  | { k: 'reg'; reg: RegisterInfo; start: number; end: number }
  | { k: 'imm'; expr: Expr; size?: number; strict: boolean; jump?: JumpKind; start: number; end: number }
  | {
      k: 'mem';
      expr: Expr;
      size?: number;
      strict: boolean;
      far: boolean;
      seg?: RegisterInfo;
      nosplit: boolean;
      dispSize?: number;
      start: number;
      end: number;
    }
  | { k: 'farptr'; seg: Expr; off: Expr; size?: number; start: number; end: number };

export type DataItem = { k: 'bytes'; bytes: number[] } | { k: 'expr'; expr: Expr; start: number; end: number };

export interface SectionAttrs {
  align?: Expr;
  nobits?: boolean;
  progbits?: boolean;
  vstart?: Expr;
  start?: Expr;
  follows?: string;
  vfollows?: string;
}

export type Body =
  | { k: 'insn'; mnemonic: string; prefixes: string[]; operands: Operand[]; start: number; end: number; missingOperand?: boolean }
  | { k: 'data'; unit: number; items: DataItem[] }
  | { k: 'res'; unit: number; count: Expr }
  | { k: 'times'; count: Expr; body: Body }
  | { k: 'equ'; expr: Expr }
  | { k: 'section'; name: string; attrs: SectionAttrs }
  | { k: 'absolute'; expr: Expr }
  | { k: 'bits'; bits: number }
  | { k: 'org'; expr: Expr }
  | { k: 'align'; boundary: Expr; fill?: Body; nobits: boolean }
  | { k: 'none' };

export interface Label {
  /** Fully qualified name (local labels prefixed with their parent). */
  name: string;
  local: boolean;
  colon: boolean;
  start: number;
  end: number;
}

export interface Statement {
  label?: Label;
  body: Body;
}

export class ParseError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
    readonly severity: 'error' | 'warning' = 'error',
  ) {
    super(message);
  }
}

const SIZE_KEYWORDS: Record<string, number> = { byte: 8, word: 16, dword: 32, qword: 64, tword: 80, oword: 128 };
const DATA_UNITS: Record<string, number> = { db: 1, dw: 2, dd: 4, dq: 8, dt: 10 };
const RES_UNITS: Record<string, number> = { resb: 1, resw: 2, resd: 4, resq: 8, rest: 10 };
const IGNORED_DIRECTIVES = new Set(['global', 'extern', 'common', 'cpu', 'default', 'warning', 'list', 'map', 'static']);
const DIRECTIVES = new Set([
  'bits', 'use16', 'use32', 'org', 'section', 'segment', 'absolute', 'align', 'alignb', 'times', 'equ',
  ...Object.keys(DATA_UNITS), ...Object.keys(RES_UNITS), ...IGNORED_DIRECTIVES, 'incbin',
]);

export function isSizeKeyword(word: string): boolean {
  return SIZE_KEYWORDS[word.toLowerCase()] !== undefined;
}

export interface ParseContext {
  /** The most recent non-local label, for qualifying `.local` names. */
  parentLabel: string;
}

/** Qualifies a label reference: `.x` → `parent.x`; `..@x` and `..start` stay as they are. */
export function qualify(name: string, parent: string): string {
  if (name.startsWith('.') && !name.startsWith('..')) return parent + name;
  return name;
}

export function parseLine(text: string, ctx: ParseContext): { stmt: Statement; warnings: ParseError[] } {
  const warnings: ParseError[] = [];
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (e) {
    const le = e as { message: string; start: number; end: number };
    throw new ParseError(le.message, le.start ?? 0, le.end ?? text.length);
  }
  qualifyLocalSymbols(tokens, ctx);
  const ts = new TokenStream(tokens, text.length);
  try {
    return { stmt: parseStatement(ts, ctx, warnings), warnings };
  } catch (e) {
    if (e instanceof ExprError) throw new ParseError(e.message, e.start >= 0 ? e.start : 0, e.end >= 0 ? e.end : text.length);
    throw e;
  }
}

/** Rewrites `.local` identifiers in operands to their full names (the label token itself is handled separately). */
function qualifyLocalSymbols(tokens: Token[], ctx: ParseContext): void {
  const head = lower(tokens[0]) || lower(tokens[1]);
  if (head === 'section' || head === 'segment') return;
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'id' && t.text.startsWith('.') && !t.text.startsWith('..')) t.text = ctx.parentLabel + t.text;
  }
}

function lower(t: Token | undefined): string {
  return t && t.kind === 'id' ? t.text.toLowerCase() : '';
}

function parseStatement(ts: TokenStream, ctx: ParseContext, warnings: ParseError[]): Statement {
  // `[bits 32]`-style directives.
  if (ts.isOp('[') && ts.peek(1)?.kind === 'id' && DIRECTIVES.has(lower(ts.peek(1)))) {
    const close = ts.tokens.findIndex((t) => t.kind === 'op' && t.text === ']');
    const inner = new TokenStream(ts.tokens.slice(1, close < 0 ? undefined : close), ts.lineLength);
    return { body: parseBody(inner, warnings) };
  }
  const first = ts.peek();
  if (!first) return { body: { k: 'none' } };
  let label: Label | undefined;
  const previousParent = ctx.parentLabel;
  const word = lower(first);
  const startsLabel =
    first.kind === 'id' &&
    (ts.isOp(':', 1) ||
      (!isMnemonic(word) && !DIRECTIVES.has(word) && !lookupPrefix(word) && !registerByName(word) && !isSizeKeyword(word)));
  if (startsLabel) {
    ts.next();
    const colon = ts.eatOp(':');
    const local = first.text.startsWith('.') && !first.text.startsWith('..');
    const name = local ? ctx.parentLabel + first.text : first.text;
    label = { name, local, colon, start: first.start, end: first.end };
    if (!local && !first.text.startsWith('..@')) ctx.parentLabel = first.text;
    if (ts.atEnd()) {
      if (!colon) warnings.push(new ParseError('label alone on a line without a colon might be in error', first.start, first.end, 'warning'));
      return { label, body: { k: 'none' } };
    }
    if (!colon && ts.peek()?.kind === 'op' && !ts.isOp('[')) {
      const t = ts.peek()!;
      throw new ParseError(`parser: instruction expected`, t.start, t.end);
    }
  }
  const body = parseBody(ts, warnings);
  // An EQU constant is not a label to nasm: `.x` after it still belongs to the label before.
  if (body.k === 'equ') ctx.parentLabel = previousParent;
  return { label, body };
}

function parseBody(ts: TokenStream, warnings: ParseError[]): Body {
  const t = ts.peek();
  if (!t) return { k: 'none' };
  if (t.kind !== 'id') throw new ParseError('parser: instruction expected', t.start, t.end);
  const word = t.text.toLowerCase();
  if (DIRECTIVES.has(word)) {
    ts.next();
    return parseDirective(word, ts, warnings);
  }
  return parseInstruction(ts);
}

function expectEnd(ts: TokenStream): void {
  const t = ts.peek();
  if (t) throw new ParseError(`comma, colon, decorator or end of line expected after operand, got '${t.text}'`, t.start, t.end);
}

function parseDirective(word: string, ts: TokenStream, warnings: ParseError[]): Body {
  switch (word) {
    case 'bits': {
      const n = ts.next();
      const bits = n?.kind === 'num' ? Number(n.value) : NaN;
      if (bits !== 16 && bits !== 32) {
        if (bits === 64) throw new ParseError('64-bit code is not supported (IA-32 only)', n!.start, n!.end);
        throw new ParseError('`bits\' directive expects 16 or 32', n?.start ?? ts.lineLength, n?.end ?? ts.lineLength);
      }
      expectEnd(ts);
      return { k: 'bits', bits };
    }
    case 'use16':
    case 'use32':
      return { k: 'bits', bits: word === 'use16' ? 16 : 32 };
    case 'org': {
      const expr = parseExpr(ts);
      expectEnd(ts);
      return { k: 'org', expr };
    }
    case 'section':
    case 'segment':
      return parseSection(ts);
    case 'absolute': {
      const expr = parseExpr(ts);
      expectEnd(ts);
      return { k: 'absolute', expr };
    }
    case 'align':
    case 'alignb': {
      const boundary = parseExpr(ts);
      let fill: Body | undefined;
      if (ts.eatOp(',')) fill = parseBody(ts, warnings);
      else expectEnd(ts);
      return { k: 'align', boundary, fill, nobits: word === 'alignb' };
    }
    case 'times': {
      const count = parseExpr(ts);
      const body = parseBody(ts, warnings);
      return { k: 'times', count, body };
    }
    case 'equ': {
      const expr = parseExpr(ts);
      expectEnd(ts);
      return { k: 'equ', expr };
    }
    case 'incbin':
      throw new ParseError('incbin is not supported', 0, ts.lineLength);
    default:
      break;
  }
  if (DATA_UNITS[word]) return parseData(DATA_UNITS[word], ts);
  if (RES_UNITS[word]) {
    const count = parseExpr(ts);
    expectEnd(ts);
    return { k: 'res', unit: RES_UNITS[word], count };
  }
  // global/extern/cpu/... have no effect on a flat binary.
  ts.pos = ts.tokens.length;
  return { k: 'none' };
}

function parseSection(ts: TokenStream): Body {
  const nameTok = ts.next();
  if (!nameTok) throw new ParseError('section name expected', ts.lineLength, ts.lineLength);
  const name = nameTok.text;
  const attrs: SectionAttrs = {};
  while (!ts.atEnd()) {
    const a = ts.next()!;
    const key = a.text.toLowerCase();
    if (key === 'nobits') attrs.nobits = true;
    else if (key === 'progbits') attrs.progbits = true;
    else if (['align', 'vstart', 'start', 'follows', 'vfollows'].includes(key)) {
      ts.expectOp('=');
      if (key === 'follows' || key === 'vfollows') attrs[key] = ts.next()?.text;
      else attrs[key as 'align' | 'vstart' | 'start'] = parseExpr(ts);
    } else if (['exec', 'noexec', 'alloc', 'noalloc', 'write', 'nowrite', 'private', 'public', 'code', 'data', 'text', 'bss'].includes(key)) {
      // Attributes meaningful only to object formats.
    } else throw new ParseError(`unknown section attribute '${a.text}'`, a.start, a.end);
  }
  return { k: 'section', name, attrs };
}

function parseData(unit: number, ts: TokenStream): Body {
  const items: DataItem[] = [];
  if (ts.atEnd()) throw new ParseError('no operand for data declaration', ts.lineLength, ts.lineLength);
  do {
    const t = ts.peek();
    if (t?.kind === 'str' && (ts.isOp(',', 1) || ts.peek(1) === undefined)) {
      ts.next();
      const bytes = [...t.bytes!];
      if (unit > 1) while (bytes.length % unit) bytes.push(0);
      items.push({ k: 'bytes', bytes });
    } else {
      const start = ts.here();
      const expr = parseExpr(ts);
      items.push({ k: 'expr', expr, start, end: ts.tokens[ts.pos - 1]?.end ?? start });
    }
  } while (ts.eatOp(','));
  expectEnd(ts);
  return { k: 'data', unit, items };
}

function parseInstruction(ts: TokenStream): Body {
  const prefixes: string[] = [];
  const start = ts.here();
  while (true) {
    const w = lower(ts.peek());
    // WAIT is an instruction of its own, but written before another one it acts as a prefix.
    if (lookupPrefix(w) || (w === 'wait' && ts.peek(1) !== undefined)) {
      prefixes.push(w);
      ts.next();
      continue;
    }
    const reg = registerByName(w);
    if (reg?.cls === 'sreg' && (ts.peek(1)?.kind === 'id' || ts.peek(1) === undefined)) {
      prefixes.push(w);
      ts.next();
      continue;
    }
    break;
  }
  const mt = ts.next();
  if (!mt) {
    if (prefixes.length) return { k: 'insn', mnemonic: '', prefixes, operands: [], start, end: ts.lineLength };
    return { k: 'none' };
  }
  const mnemonic = mt.text.toLowerCase();
  if (mt.kind !== 'id' || !isMnemonic(mnemonic)) {
    throw new ParseError(`parser: instruction expected`, mt.start, mt.end);
  }
  const operands: Operand[] = [];
  let missingOperand = false;
  if (!ts.atEnd()) {
    do {
      // `add eax,`: nasm takes the empty operand as a bad operand combination, not a syntax error.
      if (ts.atEnd()) {
        missingOperand = true;
        break;
      }
      operands.push(parseOperand(ts));
    } while (ts.eatOp(','));
  }
  expectEnd(ts);
  return { k: 'insn', mnemonic, prefixes, operands, start, end: ts.lineLength, missingOperand };
}

function parseOperand(ts: TokenStream): Operand {
  const start = ts.here();
  let size: number | undefined;
  let strict = false;
  let jump: JumpKind | undefined;
  while (true) {
    const w = lower(ts.peek());
    if (w === 'strict') strict = true;
    else if (w === 'short' || w === 'near' || w === 'far') jump = w;
    else if (SIZE_KEYWORDS[w] !== undefined && !ts.isOp(':', 1)) size = SIZE_KEYWORDS[w];
    else break;
    ts.next();
  }
  let seg: RegisterInfo | undefined;
  const maybeSeg = registerByName(lower(ts.peek()));
  if (maybeSeg?.cls === 'sreg' && ts.isOp(':', 1) && ts.isOp('[', 2)) {
    seg = maybeSeg;
    ts.pos += 2;
  }
  if (ts.eatOp('[')) return parseMemory(ts, start, size, strict, jump === 'far', seg);
  const expr = parseExpr(ts);
  if (ts.eatOp(':')) {
    const off = parseExpr(ts);
    return { k: 'farptr', seg: expr, off, size, start, end: lastEnd(ts, start) };
  }
  if (expr.t === 'reg' && size === undefined && !jump) return { k: 'reg', reg: expr.reg, start, end: lastEnd(ts, start) };
  if (expr.t === 'reg') throw new ParseError(`invalid size or jump keyword on register operand`, start, lastEnd(ts, start));
  return { k: 'imm', expr, size, strict, jump, start, end: lastEnd(ts, start) };
}

function lastEnd(ts: TokenStream, fallback: number): number {
  return ts.tokens[ts.pos - 1]?.end ?? fallback;
}

function parseMemory(ts: TokenStream, start: number, size: number | undefined, strict: boolean, far: boolean, outerSeg?: RegisterInfo): Operand {
  let seg = outerSeg;
  let nosplit = false;
  let dispSize: number | undefined;
  while (true) {
    const w = lower(ts.peek());
    if (w === 'nosplit') nosplit = true;
    else if (w === 'rel' || w === 'abs') {
      // 64-bit addressing modifiers: meaningless in 16/32-bit code.
    } else if (SIZE_KEYWORDS[w] !== undefined) dispSize = SIZE_KEYWORDS[w];
    else {
      const reg = registerByName(w);
      if (reg?.cls === 'sreg' && ts.isOp(':', 1)) {
        seg = reg;
        ts.pos++;
      } else break;
    }
    ts.next();
  }
  const expr = parseExpr(ts);
  ts.expectOp(']');
  return { k: 'mem', expr, size, strict, far, seg, nosplit, dispSize, start, end: lastEnd(ts, start) };
}
