// The debugger's own expression language (conditions, logpoints, watch, hover, console): numbers,
// strings, names (registers, flags, labels — resolved by the context), arithmetic, bitwise,
// comparison and logical operators, and memory reads `byte/word/dword [expr]`, `[phys: expr]`
// for physical addresses. Parsed once into closures; never JavaScript eval.

export type Value = number | string;

/** What an expression can see: names and guest memory. */
export interface EvalContext {
  /** A register, flag, label or record field by name (undefined: unknown). */
  lookup(name: string): Value | undefined;
  /** Reads `size` bytes little-endian at a linear (or physical) address; undefined when unmapped. */
  readMemory(address: number, size: 1 | 2 | 4, physical: boolean): number | undefined;
}

export class ExpressionError extends Error {
  constructor(message: string, readonly column?: number) {
    super(column === undefined ? message : `${message} (at column ${column + 1})`);
  }
}

export type Compiled = (ctx: EvalContext) => Value;

type TokenKind = 'num' | 'str' | 'name' | 'op' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  value?: Value;
  pos: number;
}

const OPERATORS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')', '[', ']', ':'];
const NAME_START = /[A-Za-z_.$?@]/;
const NAME_PART = /[A-Za-z0-9_.$?@]/;

function parseNumber(text: string, pos: number): number {
  const t = text.replace(/_/g, '').toLowerCase();
  let v: number;
  if (/^0x[0-9a-f]+$/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^0b[01]+$/.test(t)) v = parseInt(t.slice(2), 2);
  else if (/^0o[0-7]+$/.test(t)) v = parseInt(t.slice(2), 8);
  else if (/^[0-9][0-9a-f]*h$/.test(t)) v = parseInt(t.slice(0, -1), 16);
  else if (/^[0-9]+$/.test(t)) v = parseInt(t, 10);
  else throw new ExpressionError(`bad number '${text}'`, pos);
  if (!Number.isSafeInteger(v) || v > 0xffffffff) throw new ExpressionError(`number '${text}' does not fit in 32 bits`, pos);
  return v;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[0-9A-Za-z_]/.test(src[j])) j++;
      const text = src.slice(i, j);
      out.push({ kind: 'num', text, value: parseNumber(text, i), pos: i });
      i = j;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ExpressionError('unterminated string', i);
      out.push({ kind: 'str', text: src.slice(i, end + 1), value: src.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < src.length && NAME_PART.test(src[j])) j++;
      out.push({ kind: 'name', text: src.slice(i, j), pos: i });
      i = j;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new ExpressionError(`unexpected character '${c}'`, i);
    out.push({ kind: 'op', text: op, pos: i });
    i += op.length;
  }
  out.push({ kind: 'end', text: '', pos: src.length });
  return out;
}

const u32 = (v: number): number => v >>> 0;

function num(v: Value, what: string): number {
  if (typeof v !== 'number') throw new ExpressionError(`${what} needs a number, got the string "${v}"`);
  return v;
}

const BINARY: Record<string, { prec: number; fn: (a: Value, b: Value) => Value }> = {
  '||': { prec: 1, fn: (a, b) => (truthy(a) || truthy(b) ? 1 : 0) },
  '&&': { prec: 2, fn: (a, b) => (truthy(a) && truthy(b) ? 1 : 0) },
  '|': { prec: 3, fn: (a, b) => u32(num(a, '|') | num(b, '|')) },
  '^': { prec: 4, fn: (a, b) => u32(num(a, '^') ^ num(b, '^')) },
  '&': { prec: 5, fn: (a, b) => u32(num(a, '&') & num(b, '&')) },
  '==': { prec: 6, fn: (a, b) => (equal(a, b) ? 1 : 0) },
  '!=': { prec: 6, fn: (a, b) => (equal(a, b) ? 0 : 1) },
  '<': { prec: 7, fn: (a, b) => (num(a, '<') < num(b, '<') ? 1 : 0) },
  '>': { prec: 7, fn: (a, b) => (num(a, '>') > num(b, '>') ? 1 : 0) },
  '<=': { prec: 7, fn: (a, b) => (num(a, '<=') <= num(b, '<=') ? 1 : 0) },
  '>=': { prec: 7, fn: (a, b) => (num(a, '>=') >= num(b, '>=') ? 1 : 0) },
  '<<': { prec: 8, fn: (a, b) => u32(num(a, '<<') << (num(b, '<<') & 31)) },
  '>>': { prec: 8, fn: (a, b) => num(a, '>>') >>> (num(b, '>>') & 31) },
  '+': { prec: 9, fn: (a, b) => u32(num(a, '+') + num(b, '+')) },
  '-': { prec: 9, fn: (a, b) => u32(num(a, '-') - num(b, '-')) },
  '*': { prec: 10, fn: (a, b) => u32(Number((BigInt(num(a, '*')) * BigInt(num(b, '*'))) & 0xffffffffn)) },
  '/': { prec: 10, fn: (a, b) => u32(Math.floor(num(a, '/') / nonZero(num(b, '/')))) },
  '%': { prec: 10, fn: (a, b) => u32(num(a, '%') % nonZero(num(b, '%'))) },
};

function nonZero(v: number): number {
  if (v === 0) throw new ExpressionError('division by zero');
  return v;
}

function equal(a: Value, b: Value): boolean {
  if (typeof a !== typeof b) throw new ExpressionError(`cannot compare ${typeof a === 'string' ? 'a string' : 'a number'} with ${typeof b === 'string' ? 'a string' : 'a number'}`);
  return typeof a === 'string' ? a.toLowerCase() === (b as string).toLowerCase() : a === b;
}

export function truthy(v: Value): boolean {
  return typeof v === 'number' ? v !== 0 : v.length > 0;
}

const SIZES: Record<string, 1 | 2 | 4> = { byte: 1, word: 2, dword: 4 };

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  private expect(text: string): void {
    const t = this.next();
    if (t.text !== text) throw new ExpressionError(t.kind === 'end' ? `expected '${text}' at the end` : `expected '${text}', found '${t.text}'`, t.pos);
  }

  parseAll(): Compiled {
    const e = this.binary(1);
    const t = this.peek();
    if (t.kind !== 'end') throw new ExpressionError(`unexpected '${t.text}'`, t.pos);
    return e;
  }

  private binary(minPrec: number): Compiled {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'op' ? BINARY[t.text] : undefined;
      if (op === undefined || op.prec < minPrec) return left;
      this.next();
      const right = this.binary(op.prec + 1);
      const l = left;
      const fn = op.fn;
      if (t.text === '&&') left = (ctx) => (truthy(l(ctx)) && truthy(right(ctx)) ? 1 : 0);
      else if (t.text === '||') left = (ctx) => (truthy(l(ctx)) || truthy(right(ctx)) ? 1 : 0);
      else left = (ctx) => fn(l(ctx), right(ctx));
    }
  }

  private unary(): Compiled {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+' || t.text === '!' || t.text === '~')) {
      this.next();
      const operand = this.unary();
      switch (t.text) {
        case '-':
          return (ctx) => u32(-num(operand(ctx), '-'));
        case '+':
          return (ctx) => num(operand(ctx), '+');
        case '!':
          return (ctx) => (truthy(operand(ctx)) ? 0 : 1);
        default:
          return (ctx) => u32(~num(operand(ctx), '~'));
      }
    }
    return this.primary();
  }

  private primary(): Compiled {
    const t = this.next();
    if (t.kind === 'num' || t.kind === 'str') {
      const v = t.value as Value;
      return () => v;
    }
    if (t.kind === 'op' && t.text === '(') {
      const e = this.binary(1);
      this.expect(')');
      return e;
    }
    if (t.kind === 'op' && t.text === '[') return this.memory(4, t);
    if (t.kind === 'name') {
      const size = SIZES[t.text.toLowerCase()];
      if (size !== undefined && this.peek().text === '[') {
        this.next();
        return this.memory(size, t);
      }
      const name = t.text;
      return (ctx) => {
        const v = ctx.lookup(name);
        if (v === undefined) throw new ExpressionError(`unknown name '${name}'`);
        return v;
      };
    }
    throw new ExpressionError(t.kind === 'end' ? 'unexpected end of expression' : `unexpected '${t.text}'`, t.pos);
  }

  /** After '[': `[phys: expr]` or `[expr]`. */
  private memory(size: 1 | 2 | 4, start: Token): Compiled {
    let physical = false;
    const p = this.peek();
    if (p.kind === 'name' && p.text.toLowerCase() === 'phys' && this.tokens[this.i + 1]?.text === ':') {
      this.i += 2;
      physical = true;
    }
    const address = this.binary(1);
    this.expect(']');
    return (ctx) => {
      const a = u32(num(address(ctx), 'a memory address'));
      const v = ctx.readMemory(a, size, physical);
      if (v === undefined) throw new ExpressionError(`cannot read ${physical ? 'physical' : 'linear'} address 0x${a.toString(16)}: not mapped`, start.pos);
      return v;
    };
  }
}

/** Parses an expression once; the result evaluates it against a context. Throws ExpressionError. */
export function compileExpression(source: string): Compiled {
  if (source.trim() === '') throw new ExpressionError('empty expression');
  return new Parser(tokenize(source)).parseAll();
}

/** Parses and evaluates in one go. */
export function evaluateExpression(source: string, ctx: EvalContext): Value {
  return compileExpression(source)(ctx);
}
