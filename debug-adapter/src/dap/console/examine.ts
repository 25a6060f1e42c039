// `x/FMT ADDR` as in GDB: FMT is [COUNT][FORMAT][SIZE] — formats x (hex), d (signed), u (unsigned),
// i (instructions), s (NUL-terminated strings); sizes b (1 byte), h (2), w (4). ADDR is an
// expression, or `phys:EXPR` for a guest-physical address. Numbers come as a hex dump with an ASCII
// column, 16 bytes a line.
import { Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction } from 'iced-x86';
import { CS } from '../../cpu/constants.js';
import { ConsoleError, evalAddress, formatAddress, labelOf, readBytes, unreadable, type Address, type ConsoleContext } from './context.js';

const MAX_COUNT = 4096;
const MAX_STRING = 4096;
const MAX_STRINGS = 256;
const MAX_INSN = 15;
const LINE_BYTES = 16;

type Format = 'x' | 'd' | 'u' | 'i' | 's';
type Size = 1 | 2 | 4;

interface Spec {
  count: number;
  format: Format;
  size: Size;
}

const SIZES: Record<string, Size> = { b: 1, h: 2, w: 4 };

export function parseSpec(text: string): Spec {
  const m = /^(\d*)([a-z]*)$/i.exec(text);
  if (m === null) throw new ConsoleError(`bad format '/${text}' (usage: x/[COUNT][x|d|u|i|s][b|h|w] ADDR, e.g. x/8xb esp)`);
  let count = 1;
  if (m[1] !== '') {
    count = Number(m[1]);
    if (count < 1 || count > MAX_COUNT) throw new ConsoleError(`count must be between 1 and ${MAX_COUNT}, got ${m[1]}`);
  }
  let format: Format | undefined;
  let size: Size | undefined;
  for (const c of m[2].toLowerCase()) {
    if ('xduis'.includes(c)) {
      if (format !== undefined && format !== c) throw new ConsoleError(`two formats in '/${text}': '${format}' and '${c}'`);
      format = c as Format;
    } else if (c in SIZES) {
      if (size !== undefined && size !== SIZES[c]) throw new ConsoleError(`two sizes in '/${text}'`);
      size = SIZES[c];
    } else if (c === 'g') {
      throw new ConsoleError('size g (8 bytes) is not supported on this 32-bit guest: use w');
    } else {
      throw new ConsoleError(`unknown letter '${c}' in '/${text}' (formats x d u i s, sizes b h w)`);
    }
  }
  return { count, format: format ?? 'x', size: size ?? 4 };
}

/** `x/FMT ADDR` or `x ADDR`; `rest` is what follows the `x`. */
export function examineCommand(ctx: ConsoleContext, rest: string): string {
  let spec: Spec = { count: 1, format: 'x', size: 4 };
  let addressText = rest;
  const trimmed = rest.trimStart(); // GDB takes `x /8xb esp` too
  if (trimmed.startsWith('/')) {
    const m = /^\/(\S*)(.*)$/s.exec(trimmed) as RegExpExecArray;
    spec = parseSpec(m[1]);
    addressText = m[2];
  }
  if (addressText.trim() === '') throw new ConsoleError('missing address (usage: x/[COUNT][x|d|u|i|s][b|h|w] ADDR, e.g. x/8xb esp)');
  const at = evalAddress(ctx, addressText);
  switch (spec.format) {
    case 'i':
      return instructions(ctx, at, spec.count);
    case 's':
      if (spec.count > MAX_STRINGS) throw new ConsoleError(`at most ${MAX_STRINGS} strings at a time`);
      return strings(ctx, at, spec.count);
    default:
      return dump(ctx, at, spec);
  }
}

function prefix(ctx: ConsoleContext, a: Address): string {
  const label = a.physical ? '' : labelOf(ctx.index, a.address);
  return `${formatAddress(a)}${label ? ' ' + label : ''}:`;
}

function offset(a: Address, n: number): Address {
  return { address: (a.address + n) >>> 0, physical: a.physical };
}

function unit(bytes: Uint8Array, i: number, spec: Spec): string {
  let v = 0;
  for (let k = spec.size - 1; k >= 0; k--) v = v * 256 + bytes[i + k];
  if (spec.format === 'x') return (spec.size === 1 ? '' : '0x') + v.toString(16).padStart(spec.size * 2, '0');
  if (spec.format === 'd' && v >= 2 ** (spec.size * 8 - 1)) v -= 2 ** (spec.size * 8);
  return String(v).padStart(spec.size === 1 ? 4 : spec.size === 2 ? 6 : 11);
}

function ascii(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
}

function dump(ctx: ConsoleContext, at: Address, spec: Spec): string {
  const want = spec.count * spec.size;
  const bytes = readBytes(ctx.engine, at, want);
  const usable = bytes.length - (bytes.length % spec.size);
  if (usable === 0) throw new ConsoleError(`cannot read: ${unreadable(ctx.engine, offset(at, bytes.length))}`);
  const rows: { head: string; values: string; text: string }[] = [];
  for (let start = 0; start < usable; start += LINE_BYTES) {
    const end = Math.min(start + LINE_BYTES, usable);
    const values: string[] = [];
    for (let i = start; i < end; i += spec.size) values.push(unit(bytes, i, spec));
    rows.push({ head: prefix(ctx, offset(at, start)), values: values.join(' '), text: ascii(bytes.subarray(start, end)) });
  }
  const headWidth = Math.max(...rows.map((r) => r.head.length));
  const valuesWidth = Math.max(...rows.map((r) => r.values.length));
  const lines = rows.map((r) => `${r.head.padEnd(headWidth)}  ${r.values.padEnd(valuesWidth)}  |${r.text}|`);
  if (usable < want) lines.push(`(stopped after ${usable} of ${want} bytes: ${unreadable(ctx.engine, offset(at, bytes.length))})`);
  return lines.join('\n');
}

let formatter: Formatter | undefined;

function nasmFormatter(): Formatter {
  if (formatter === undefined) {
    formatter = new Formatter(FormatterSyntax.Nasm);
    formatter.hexPrefix = '0x';
    formatter.hexSuffix = '';
    formatter.spaceAfterOperandSeparator = true;
  }
  return formatter;
}

/** One instruction's length and NASM text (length 1 and `(bad)` when it does not decode). */
function decode(bytes: Uint8Array, address: number, bitness: 16 | 32): { length: number; text: string } {
  const decoder = new Decoder(bitness, bytes, DecoderOptions.None);
  const instr = new Instruction();
  try {
    decoder.ip = BigInt(address);
    decoder.decodeOut(instr);
    if (instr.isInvalid) return { length: 1, text: '(bad)' };
    return { length: instr.length, text: nasmFormatter().format(instr) };
  } finally {
    instr.free();
    decoder.free();
  }
}

function instructions(ctx: ConsoleContext, at: Address, count: number): string {
  const { engine } = ctx;
  const bitness = engine.cpu.code32 ? 32 : 16;
  const current = (engine.cpu.segBase[CS] + engine.guestEip) >>> 0;
  const rows: { head: string; bytes: string; text: string }[] = [];
  let a = at;
  let failure: string | undefined;
  for (let n = 0; n < count; n++) {
    const bytes = readBytes(engine, a, MAX_INSN);
    if (bytes.length === 0) {
      failure = `cannot read: ${unreadable(engine, a)}`;
      break;
    }
    const d = decode(bytes, a.address, bitness);
    const pos = a.physical ? undefined : engine.sourceAt(a.address);
    const where = pos === undefined ? '' : `    ; ${pos.file.split(/[\\/]/).pop()}:${pos.line}`;
    const mark = !a.physical && a.address === current ? '=> ' : '   ';
    const hexBytes = Array.from(bytes.subarray(0, d.length), (b) => b.toString(16).padStart(2, '0')).join(' ');
    rows.push({ head: `${mark}${prefix(ctx, a)}`, bytes: hexBytes, text: `${d.text}${where}` });
    a = offset(a, d.length);
  }
  if (rows.length === 0) throw new ConsoleError(failure ?? 'nothing to show');
  const headWidth = Math.max(...rows.map((r) => r.head.length));
  const bytesWidth = Math.max(...rows.map((r) => r.bytes.length));
  const lines = rows.map((r) => `${r.head.padEnd(headWidth)}  ${r.bytes.padEnd(bytesWidth)}  ${r.text}`);
  if (failure !== undefined) lines.push(`(${failure})`);
  return lines.join('\n');
}

/** C-style quoting for a byte string. */
export function quoteBytes(bytes: Uint8Array): string {
  const named: Record<number, string> = { 0: '\\0', 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\e', 34: '\\"', 92: '\\\\' };
  let out = '';
  for (const b of bytes) out += named[b] ?? (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`);
  return `"${out}"`;
}

function strings(ctx: ConsoleContext, at: Address, count: number): string {
  const lines: string[] = [];
  let a = at;
  for (let n = 0; n < count; n++) {
    const bytes = readBytes(ctx.engine, a, MAX_STRING);
    if (bytes.length === 0) {
      if (lines.length === 0) throw new ConsoleError(`cannot read: ${unreadable(ctx.engine, a)}`);
      lines.push(`(${unreadable(ctx.engine, a)})`);
      break;
    }
    const nul = bytes.indexOf(0);
    const text = nul < 0 ? bytes : bytes.subarray(0, nul);
    let note = '';
    if (nul < 0) note = bytes.length < MAX_STRING ? ` (no NUL before ${unreadable(ctx.engine, offset(a, bytes.length))})` : `... (no NUL in ${MAX_STRING} bytes)`;
    lines.push(`${prefix(ctx, a)} ${quoteBytes(text)}${note}`);
    if (nul < 0) break;
    a = offset(a, nul + 1);
  }
  return lines.join('\n');
}

