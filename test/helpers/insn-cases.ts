// Seeded random cases for the instruction-semantics differential test against unicorn
// (test/cpu/unicorn-diff.test.ts): one IA-32 instruction (rarely two) with random, edge-biased
// register, memory and EFLAGS values, assembled with the repo's own assembler (`bits 32`), plus
// what the comparison must ignore because the Intel SDM leaves it undefined for that instruction
// and those operand values.
//
// Which flags are undefined comes from the instruction knowledge base (flagEffects in
// debug-adapter/src/isa); the value-dependent rules the table cannot express are applied here:
//   - shifts and rotates with a masked count of 0 change nothing (every flag is compared);
//     OF is defined only for a masked count of 1 (SHL SHR SAR ROL ROR RCL RCR SHLD SHRD);
//     SHL/SHR leave CF undefined when the count is >= the operand width; ROL ROR RCL RCR never
//     touch SF ZF AF PF (compared as unchanged).
//   - SHLD/SHRD with a masked count greater than the operand size: result and all status flags
//     undefined (the destination is not compared).
//   - BSF/BSR with a zero source: the destination is undefined (not compared).
//   - A faulting instruction changes nothing (SDM vol. 3, "Faults"), so when unicorn reports an
//     exception every register, every flag and the whole data window are compared.
//
// Exclusions — cases redrawn because unicorn (QEMU 5 TCG inside unicorn 2.0.1) departs from the
// SDM; the test's unicorn self-checks pin each departure down, so a fixed unicorn is noticed:
//   - IDIV r/m32 with EDX:EAX = -2^63 and a divisor of -1: the SDM raises #DE (quotient too
//     large); unicorn's process dies with SIGFPE (QEMU computes the 64-bit quotient on the host
//     before checking it). The 8- and 16-bit forms of the same overflow are tested.
//   - LOCK where the SDM raises #UD but unicorn runs the instruction (XADD and XCHG with a register
//     destination; MOV, TEST and BT with a memory operand) or aborts the process ("tcg fatal
//     error": CMP with a memory operand): these forms are never generated. LOCK with a register
//     destination of the ALU instructions, INC DEC NEG NOT and CMPXCHG is tested (#UD).
//   - LOCK XOR of a register with itself: unicorn clears the register (its xor-zeroing shortcut
//     skips the LOCK check) where the SDM raises #UD; never generated (LOCK XOR of two different
//     registers is tested).
//   - LOCK NEG with a memory operand: unicorn takes SF, ZF and PF from the old value instead of the
//     result (QEMU's locked NEG keeps the value cmpxchg returned); never generated. NEG on memory
//     without LOCK is tested, and every other lockable instruction is tested with LOCK (unicorn
//     gives the same results with and without the prefix for them).
import { FLAG_MASKS, flagEffects } from '../../debug-adapter/src/isa/index';
import {
  SNIPPET_DATA_BASE,
  SNIPPET_DATA_SIZE,
  SNIPPET_STACK_TOP,
  type SnippetCase,
  type SnippetOutcome,
  type SnippetRegisters,
} from '../../debug-adapter/src/cpu/snippet-types';
import { assemble } from './assembler';

// ---------------------------------------------------------------------------------------------
// Seeds and random numbers

/** Default seed; override with HYPERSTEP_UC_SEED (decimal or 0x hex). */
export const DEFAULT_UC_SEED = 0x48595053;

export function ucSeed(): number {
  const text = process.env.HYPERSTEP_UC_SEED;
  if (text === undefined || text.trim() === '') return DEFAULT_UC_SEED;
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`HYPERSTEP_UC_SEED must be an integer in 0..0xffffffff, not '${text}'`);
  return n;
}

/** sfc32: small, fast, good enough for test data, and the same on every platform. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = seed >>> 0;
    this.c = 0x243f6a88;
    this.d = (seed ^ 0x5851f42d) >>> 0;
    for (let i = 0; i < 24; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / 0x100000000) * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Registers, flags, values

export type Reg32 = keyof SnippetRegisters;
export type Size = 8 | 16 | 32;

export const REG32: readonly Reg32[] = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
const REG8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;
const SIZE_KEYWORD: Record<Size, string> = { 8: 'byte', 16: 'word', 32: 'dword' };
const ACCUMULATOR: Record<Size, string> = { 8: 'al', 16: 'ax', 32: 'eax' };

interface RegPart {
  full: Reg32;
  shift: number;
  /** Mask of the part's bits, unshifted. */
  mask: number;
}

function regPart(name: string): RegPart {
  let i = REG32.indexOf(name as Reg32);
  if (i >= 0) return { full: REG32[i], shift: 0, mask: 0xffffffff };
  i = (REG16 as readonly string[]).indexOf(name);
  if (i >= 0) return { full: REG32[i], shift: 0, mask: 0xffff };
  i = (REG8 as readonly string[]).indexOf(name);
  if (i >= 0) return { full: REG32[i & 3], shift: i >= 4 ? 8 : 0, mask: 0xff };
  throw new Error(`not a general register: ${name}`);
}

function regsOfSize(size: Size): readonly string[] {
  return size === 8 ? REG8 : size === 16 ? REG16 : REG32;
}

const F = FLAG_MASKS;
export const STATUS_FLAGS = F.CF | F.PF | F.AF | F.ZF | F.SF | F.OF;
/** Flags given random initial values (IF stays clear, TF clear, bit 1 set). */
const RANDOM_FLAGS = STATUS_FLAGS | F.DF;
const FLAG_NAMES: readonly [string, number][] = [
  ['CF', F.CF], ['PF', F.PF], ['AF', F.AF], ['ZF', F.ZF], ['SF', F.SF], ['TF', F.TF], ['IF', F.IF], ['DF', F.DF],
  ['OF', F.OF], ['NT', F.NT], ['RF', F.RF], ['VM', F.VM], ['AC', F.AC], ['VIF', F.VIF], ['VIP', F.VIP], ['ID', F.ID],
];

export function flagNames(eflags: number): string {
  const names = FLAG_NAMES.filter(([, m]) => (eflags & m) !== 0).map(([n]) => n);
  const iopl = (eflags >>> 12) & 3;
  if (iopl) names.push(`IOPL=${iopl}`);
  return names.join(' ');
}

function sizeMask(size: Size | 64): number {
  return size >= 32 ? 0xffffffff : (1 << size) - 1;
}

const EDGE_VALUES = [
  0, 1, 2, 3, 0x0f, 0x10, 0x7e, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x100, 0x7ffe, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff,
  0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x55555555, 0xaaaaaaaa,
];

/** A `size`-bit value biased towards edge values, small numbers and single bits. */
export function edgeValue(r: Rng, size: Size): number {
  const mask = sizeMask(size);
  const k = r.below(100);
  if (k < 40) return (r.pick(EDGE_VALUES) & mask) >>> 0;
  if (k < 50) return r.below(17);
  if (k < 58) return (-r.range(1, 17) & mask) >>> 0;
  if (k < 66) return ((1 << r.below(size)) & mask) >>> 0;
  return (r.u32() & mask) >>> 0;
}

function hex(v: number, digits = 8): string {
  return '0x' + (v >>> 0).toString(16).padStart(digits, '0');
}

/** An immediate as nasm source: hex, or negative decimal for values with the sign bit set. */
function immText(r: Rng, value: number, size: Size): string {
  const v = (value & sizeMask(size)) >>> 0;
  const negative = size === 32 ? v >= 0x80000000 : v >= 1 << (size - 1);
  if (negative && r.chance(0.5)) return `-${(size === 32 ? 0x100000000 : 1 << size) - v}`;
  return '0x' + v.toString(16);
}

function signedText(v: number): string {
  const s = v | 0;
  return s < 0 ? `-0x${(-s >>> 0).toString(16)}` : `+0x${s.toString(16)}`;
}

// ---------------------------------------------------------------------------------------------
// Cases

export interface InsnCase {
  group: string;
  index: number;
  /** Assembly source (one instruction per line). */
  text: string;
  /** The mnemonic whose flag effects apply (as the knowledge base spells it). */
  mnemonic: string;
  snippet: SnippetCase;
  /** EFLAGS bits not compared: undefined for this instruction and these values. */
  undefinedFlags: number;
  /** Register bits not compared (undefined results). */
  undefinedRegs: Partial<Record<Reg32, number>>;
  /** Data-window ranges [start, end) (offsets into the window) not compared. */
  undefinedData: [number, number][];
  /** Memory addresses the case set up (shown in failure reports). */
  addresses: number[];
  /** Why something is not compared, for the failure report. */
  notes: string[];
}

/** Builds one case: registers, flags, memory, text and the masks of what is undefined. */
export class CaseBuilder {
  readonly lines: string[] = [];
  readonly regs: SnippetRegisters;
  eflags: number;
  mnemonic = '';
  undefinedFlags = 0;
  readonly undefinedRegs: Partial<Record<Reg32, number>> = {};
  readonly undefinedData: [number, number][] = [];
  readonly addresses: number[] = [];
  readonly notes: string[] = [];
  private data: Uint8Array | undefined;
  /** Registers that hold addresses: their values must not change once set. */
  private readonly reserved = new Set<Reg32>();
  /** Registers used as operands (or implicitly): not to be used for addressing. */
  private readonly claimed = new Set<Reg32>();

  constructor(
    readonly r: Rng,
    private readonly background: Uint8Array,
  ) {
    const regs = {} as SnippetRegisters;
    for (const name of REG32) regs[name] = edgeValue(r, 32);
    regs.esp = SNIPPET_STACK_TOP;
    this.regs = regs;
    this.eflags = 0x2 | (r.u32() & RANDOM_FLAGS);
  }

  emit(line: string): void {
    this.lines.push(line);
  }

  get(name: string): number {
    const p = regPart(name);
    return ((this.regs[p.full] >>> p.shift) & p.mask) >>> 0;
  }

  set(name: string, value: number): void {
    const p = regPart(name);
    const keep = ~(p.mask << p.shift);
    this.regs[p.full] = ((this.regs[p.full] & keep) | ((value & p.mask) << p.shift)) >>> 0;
  }

  flag(mask: number): boolean {
    return (this.eflags & mask) !== 0;
  }

  /** Marks full registers as operands, so memory operands do not address through them. */
  claim(...names: Reg32[]): void {
    for (const n of names) this.claimed.add(n);
  }

  /** Fixes a register's value (it addresses memory). */
  reserve(name: Reg32, value: number): void {
    this.reserved.add(name);
    this.regs[name] = value >>> 0;
  }

  size(...choices: Size[]): Size {
    return this.r.pick(choices.length ? choices : ([8, 16, 32] as Size[]));
  }

  /** A random register of `size` not used for addressing, given a random edge-biased value. */
  reg(size: Size, opts: { sp?: boolean; avoid?: readonly string[]; value?: boolean } = {}): string {
    const avoid = new Set((opts.avoid ?? []).map((n) => regPart(n).full));
    const candidates = regsOfSize(size).filter((n) => {
      const full = regPart(n).full;
      if (this.reserved.has(full) || avoid.has(full)) return false;
      return full !== 'esp' || (opts.sp === true && this.r.chance(0.25));
    });
    if (candidates.length === 0) throw new Error(`no free ${size}-bit register`);
    const name = this.r.pick(candidates);
    this.claimed.add(regPart(name).full);
    if (opts.value !== false) this.set(name, edgeValue(this.r, size));
    return name;
  }

  // --- memory

  private window(): Uint8Array {
    this.data ??= this.background.slice();
    return this.data;
  }

  /** Writes a little-endian value of `bytes` bytes at absolute address `addr` (in the window). */
  poke(addr: number, value: number, bytes: number): void {
    const off = addr - SNIPPET_DATA_BASE;
    if (off < 0 || off + bytes > SNIPPET_DATA_SIZE) throw new Error(`poke outside the data window: ${hex(addr)}`);
    if (bytes > 4) throw new Error('poke writes at most 4 bytes');
    const w = this.window();
    for (let i = 0; i < bytes; i++) w[off + i] = (value >>> (8 * i)) & 0xff;
  }

  pokeBytes(addr: number, bytes: Uint8Array): void {
    const off = addr - SNIPPET_DATA_BASE;
    if (off < 0 || off + bytes.length > SNIPPET_DATA_SIZE) throw new Error(`poke outside the data window: ${hex(addr)}`);
    this.window().set(bytes, off);
  }

  peek(addr: number, bytes: number): number {
    const off = addr - SNIPPET_DATA_BASE;
    const w = this.data ?? this.background;
    let v = 0;
    for (let i = Math.min(bytes, 4) - 1; i >= 0; i--) v = (v * 256 + w[off + i]) >>> 0;
    return v;
  }

  /** A random window offset with room for `len` bytes, biased to the start and the end. */
  offset(len: number): number {
    const max = SNIPPET_DATA_SIZE - len;
    const k = this.r.below(10);
    if (k < 5) return this.r.below(0x100);
    if (k < 8) return this.r.below(max + 1);
    if (k < 9) return max - this.r.below(16);
    return 0x8000 + this.r.below(0x100);
  }

  /**
   * A memory operand of `size` bits at `addr` (random in the window by default), addressed through
   * random base/index/scale/displacement forms whose registers get the values that reach `addr`.
   * Stores a random edge-biased value there unless `init` is false.
   */
  mem(size: Size | 64, opts: { addr?: number; keyword?: boolean; init?: boolean } = {}): { text: string; addr: number } {
    const r = this.r;
    const len = size / 8;
    const addr = opts.addr ?? SNIPPET_DATA_BASE + this.offset(len);
    const free = REG32.filter((n) => n !== 'esp' && !this.reserved.has(n) && !this.claimed.has(n));
    const k = free.length === 0 ? 99 : r.below(100);
    let body: string;
    const disp = (): number => {
      const d = r.below(4);
      if (d === 0) return 0;
      if (d === 1) return r.range(-128, 127);
      if (d === 2) return r.range(-0x8000, 0x7fff);
      return r.u32() | 0;
    };
    const indexValue = (): number => (r.chance(0.5) ? r.below(64) : edgeValue(r, 32));
    if (k < 45) {
      const base = r.pick(free);
      const d = disp();
      this.reserve(base, (addr - d) >>> 0);
      body = d === 0 ? base : `${base}${signedText(d)}`;
    } else if (k < 80 && free.length >= 2) {
      const base = r.pick(free);
      const index = r.pick(free.filter((n) => n !== base));
      const scale = r.pick([1, 2, 4, 8]);
      const iv = indexValue();
      const d = r.chance(0.5) ? 0 : r.range(-128, 127);
      this.reserve(index, iv);
      this.reserve(base, (addr - d - Math.imul(iv, scale)) >>> 0);
      body = `${base}+${index}*${scale}${d === 0 ? '' : signedText(d)}`;
    } else if (k < 92) {
      const index = r.pick(free);
      const scale = r.pick([1, 2, 4, 8]);
      const iv = indexValue();
      this.reserve(index, iv);
      const d = (addr - Math.imul(iv, scale)) | 0;
      body = `${index}*${scale}${signedText(d)}`;
    } else {
      body = hex(addr);
    }
    if (opts.init !== false) {
      this.poke(addr, edgeValue(r, size === 64 ? 32 : size), Math.min(len, 4));
      if (size === 64) this.poke(addr + 4, edgeValue(r, 32), 4);
    }
    this.addresses.push(addr);
    const kw = opts.keyword ? `${size === 64 ? 'qword' : SIZE_KEYWORD[size]} ` : '';
    return { text: `${kw}[${body}]`, addr };
  }

  // --- what is not compared

  /** Takes the undefined flags of `mnemonic` from the knowledge base. */
  flags(mnemonic: string): void {
    const fx = flagEffects(mnemonic);
    if (!fx) throw new Error(`the isa knowledge base does not know '${mnemonic}'`);
    this.mnemonic = mnemonic;
    for (const f of fx.undefined ?? []) this.undefinedFlags |= F[f];
  }

  /** The flags in `mask` are defined after all (a value-dependent rule). */
  define(mask: number): void {
    this.undefinedFlags &= ~mask;
  }

  undefine(mask: number, why?: string): void {
    this.undefinedFlags |= mask;
    if (why) this.notes.push(why);
  }

  undefinedReg(name: string, why: string): void {
    const p = regPart(name);
    this.undefinedRegs[p.full] = ((this.undefinedRegs[p.full] ?? 0) | (p.mask << p.shift)) >>> 0;
    this.notes.push(why);
  }

  undefinedMem(addr: number, len: number, why: string): void {
    const off = addr - SNIPPET_DATA_BASE;
    this.undefinedData.push([off, off + len]);
    this.notes.push(why);
  }

  build(group: string, index: number): InsnCase {
    return {
      group,
      index,
      text: this.lines.join('\n'),
      mnemonic: this.mnemonic,
      snippet: { code: new Uint8Array(0), regs: { ...this.regs }, eflags: this.eflags >>> 0, data: this.data ?? this.background },
      undefinedFlags: this.undefinedFlags >>> 0,
      undefinedRegs: { ...this.undefinedRegs },
      undefinedData: [...this.undefinedData],
      addresses: [...this.addresses],
      notes: [...this.notes],
    };
  }
}

/** A case family: fills the builder, or returns the reason the drawn case is excluded (redrawn). */
type Family = (b: CaseBuilder) => string | void;

// ---------------------------------------------------------------------------------------------
// Families

const ALU_OPS = ['add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor', 'cmp'] as const;
const LOCKABLE_ALU = ['add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor'] as const;

function alu(b: CaseBuilder): void {
  const r = b.r;
  const op = r.pick([...ALU_OPS, 'test']);
  const size = b.size();
  b.flags(op);
  const form = r.pick(op === 'test' ? ['rr', 'ri', 'mr', 'mi', 'ai'] : ['rr', 'ri', 'rm', 'mr', 'mi', 'ai']);
  const imm = (): string => {
    const v = r.chance(0.3) ? r.range(-128, 127) : edgeValue(r, size);
    return immText(r, v, size);
  };
  const lock = op !== 'cmp' && op !== 'test' && r.chance(0.2) ? 'lock ' : '';
  switch (form) {
    case 'rr': {
      const d = b.reg(size, { sp: true });
      const s = r.chance(0.15) ? d : b.reg(size, { sp: true });
      b.emit(`${op} ${d}, ${s}`);
      break;
    }
    case 'ri':
      b.emit(`${op} ${b.reg(size, { sp: true })}, ${imm()}`);
      break;
    case 'ai': {
      const a = ACCUMULATOR[size];
      b.set(a, edgeValue(r, size));
      b.emit(`${op} ${a}, ${imm()}`);
      break;
    }
    case 'rm': {
      const d = b.reg(size);
      b.emit(`${op} ${d}, ${b.mem(size, { keyword: r.chance(0.3) }).text}`);
      break;
    }
    case 'mr': {
      const s = b.reg(size);
      b.emit(`${lock}${op} ${b.mem(size, { keyword: r.chance(0.3) }).text}, ${s}`);
      break;
    }
    default:
      b.emit(`${lock}${op} ${b.mem(size, { keyword: true }).text}, ${imm()}`);
  }
}

function unary(b: CaseBuilder): void {
  const r = b.r;
  const op = r.pick(['inc', 'dec', 'neg', 'not']);
  const size = b.size();
  b.flags(op);
  if (r.chance(0.6)) b.emit(`${op} ${b.reg(size, { sp: true })}`);
  else b.emit(`${op !== 'neg' && r.chance(0.15) ? 'lock ' : ''}${op} ${b.mem(size, { keyword: true }).text}`);
}

const SHIFT_OPS = ['shl', 'sal', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr'] as const;

function shiftCount(r: Rng, size: number): number {
  if (r.chance(0.25)) return r.below(256);
  return r.pick([0, 1, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 64, 65, 255, size - 1, size, size + 1]);
}

/** Value-dependent flag rules of SHL/SAL/SHR/SAR/ROL/ROR/RCL/RCR (SDM "Flags Affected"). */
export function applyShiftRules(b: CaseBuilder, op: string, size: Size, count: number): void {
  const masked = count & 31;
  if (masked === 0) {
    b.undefinedFlags = 0; // "If the masked count is 0, the flags are not affected."
    return;
  }
  if (masked === 1) b.define(F.OF); // OF is defined for 1-bit shifts and rotates only
  if ((op === 'shl' || op === 'sal' || op === 'shr') && masked >= size) {
    b.undefine(F.CF, `CF undefined: ${op.toUpperCase()} by ${masked} >= operand size ${size}`);
  }
}

function shift(b: CaseBuilder): void {
  const r = b.r;
  const op = r.pick(SHIFT_OPS);
  const size = b.size();
  const how = r.pick(['one', 'one-strict', 'cl', 'cl', 'imm', 'imm']);
  let count: number;
  let countText: string;
  if (how === 'cl') {
    b.claim('ecx');
    count = shiftCount(r, size);
    b.set('cl', count);
    countText = 'cl';
  } else if (how === 'imm') {
    count = shiftCount(r, size);
    countText = String(count);
  } else {
    count = 1;
    countText = how === 'one' ? '1' : 'strict byte 1';
  }
  const dst = r.chance(0.6) ? b.reg(size, { sp: true, avoid: how === 'cl' ? ['ecx'] : [] }) : b.mem(size, { keyword: true }).text;
  b.emit(`${op} ${dst}, ${countText}`);
  b.flags(op);
  applyShiftRules(b, op, size, count);
}

function shiftDouble(b: CaseBuilder): void {
  const r = b.r;
  const op = r.pick(['shld', 'shrd']);
  const size = b.size(16, 32);
  const byCl = r.chance(0.5);
  const count = r.chance(0.2) ? r.below(256) : r.pick([0, 1, 1, 2, 3, 7, 8, 15, 16, 17, 24, 31, 32, 33, size - 1, size, size + 1]);
  if (byCl) {
    b.claim('ecx');
    b.set('cl', count);
  }
  const avoid = byCl ? ['ecx'] : [];
  let dstText: string;
  let dst: { reg?: string; addr?: number };
  if (r.chance(0.6)) {
    const d = b.reg(size, { avoid });
    dstText = d;
    dst = { reg: d };
  } else {
    const m = b.mem(size, { keyword: r.chance(0.5) });
    dstText = m.text;
    dst = { addr: m.addr };
  }
  const src = dst.reg !== undefined && r.chance(0.1) ? dst.reg : b.reg(size, { avoid });
  b.emit(`${op} ${dstText}, ${src}, ${byCl ? 'cl' : String(count)}`);
  b.flags(op);
  const masked = count & 31;
  if (masked === 0) {
    b.undefinedFlags = 0;
  } else if (masked > size) {
    const why = `${op.toUpperCase()} by ${masked} > operand size ${size}: result and flags undefined`;
    b.undefine(STATUS_FLAGS, why);
    if (dst.reg !== undefined) b.undefinedReg(dst.reg, why);
    else b.undefinedMem(dst.addr!, size / 8, why);
  } else if (masked === 1) {
    b.define(F.OF);
  }
}

function multiply(b: CaseBuilder): void {
  const r = b.r;
  const op = r.pick(['mul', 'imul']);
  const size = b.size();
  b.claim('eax', 'edx');
  b.set(ACCUMULATOR[size], edgeValue(r, size));
  const src = r.chance(0.6) ? b.reg(size, { sp: true }) : b.mem(size, { keyword: true }).text;
  b.emit(`${op} ${src}`);
  b.flags(op);
}

function multiplyForms(b: CaseBuilder): void {
  const r = b.r;
  const size = b.size(16, 32);
  const imm = (): string => immText(r, r.chance(0.5) ? r.range(-128, 127) : edgeValue(r, size), size);
  const form = r.pick(['rr', 'rm', 'rri', 'rmi', 'ri']);
  const d = b.reg(size, { sp: true });
  switch (form) {
    case 'rr':
      b.emit(`imul ${d}, ${r.chance(0.15) ? d : b.reg(size, { sp: true })}`);
      break;
    case 'rm':
      b.emit(`imul ${d}, ${b.mem(size, { keyword: r.chance(0.3) }).text}`);
      break;
    case 'rri':
      b.emit(`imul ${d}, ${b.reg(size, { sp: true })}, ${imm()}`);
      break;
    case 'rmi':
      b.emit(`imul ${d}, ${b.mem(size, { keyword: r.chance(0.3) }).text}, ${imm()}`);
      break;
    default:
      b.emit(`imul ${d}, ${imm()}`);
  }
  b.flags('imul');
}

function bigRandom(r: Rng, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i += 32) v = (v << 32n) | BigInt(r.u32());
  return v & ((1n << BigInt(bits)) - 1n);
}

/** Dividend and divisor for DIV/IDIV: zero divisor, quotient overflow (#DE) or a fitting quotient. */
function divisionOperands(r: Rng, signed: boolean, w: number): { dividend: bigint; divisor: bigint } {
  const W = BigInt(w);
  const wide = 1n << (2n * W);
  const kind = r.below(100);
  if (kind < 12) return { dividend: bigRandom(r, 2 * w), divisor: 0n };
  const toSigned = (v: bigint, bits: bigint): bigint => (v >= 1n << (bits - 1n) ? v - (1n << bits) : v);
  let d = BigInt(edgeValue(r, w as Size));
  if (d === 0n) d = 1n;
  if (!signed) {
    let q: bigint;
    if (kind < 30) {
      // Overflow: the quotient needs more than w bits.
      const qMax = (wide - d) / d;
      q = r.chance(0.4) ? 1n << W : (1n << W) + (bigRandom(r, 2 * w) % (qMax - (1n << W) + 1n));
    } else {
      q = r.chance(0.2) ? r.pick([0n, 1n, (1n << W) - 1n]) : bigRandom(r, w);
    }
    const rem = bigRandom(r, w) % d;
    return { dividend: (q * d + rem) % wide, divisor: d };
  }
  const ds = toSigned(d, W);
  const min = -(1n << (W - 1n));
  const max = (1n << (W - 1n)) - 1n;
  if (kind < 20) return { dividend: 1n << (2n * W - 1n), divisor: (1n << W) - 1n }; // INT_MIN / -1
  let q: bigint;
  if (kind < 30) q = r.pick([max + 1n, min - 1n, max + 1n + bigRandom(r, w - 2), min - 1n - bigRandom(r, w - 2)]);
  else q = r.chance(0.3) ? r.pick([0n, 1n, -1n, max, min, max - 1n, min + 1n]) : toSigned(bigRandom(r, w), W);
  const absD = ds < 0n ? -ds : ds;
  let rem = bigRandom(r, w) % absD;
  const product = q * ds;
  if (product < 0n || (product === 0n && r.chance(0.5))) rem = -rem;
  let n = product + rem;
  const lo = -(1n << (2n * W - 1n));
  const hi = (1n << (2n * W - 1n)) - 1n;
  if (n < lo || n > hi) n = product; // keep it representable
  if (n < lo || n > hi) n = 0n;
  return { dividend: ((n % wide) + wide) % wide, divisor: d };
}

function divide(b: CaseBuilder): string | void {
  const r = b.r;
  const op = r.pick(['div', 'idiv']);
  const size = b.size();
  b.claim('eax', 'edx');
  const { dividend, divisor } = divisionOperands(r, op === 'idiv', size);
  const lowMask = BigInt(sizeMask(size));
  const low = Number(dividend & lowMask);
  const high = Number((dividend >> BigInt(size)) & lowMask);
  if (size === 8) b.set('ax', (high << 8) | low);
  else {
    b.set(ACCUMULATOR[size], low);
    b.set(size === 16 ? 'dx' : 'edx', high);
  }
  // The divisor is usually a register apart from the dividend; sometimes part of it (div ah).
  const implicit = size === 8 ? ['eax'] : ['eax', 'edx'];
  let src: string;
  let actualDivisor = Number(divisor);
  if (r.chance(0.6)) {
    const overlap = r.chance(0.1);
    src = b.reg(size, { sp: true, avoid: overlap ? [] : implicit, value: false });
    if (!implicit.includes(regPart(src).full)) b.set(src, actualDivisor);
    actualDivisor = b.get(src);
  } else {
    const m = b.mem(size, { keyword: true, init: false });
    b.poke(m.addr, actualDivisor, size / 8);
    src = m.text;
  }
  if (op === 'idiv' && size === 32 && b.regs.edx === 0x80000000 && b.regs.eax === 0 && actualDivisor === 0xffffffff) {
    return 'IDIV r/m32 of -2^63 by -1: unicorn dies with SIGFPE (host division overflow in QEMU helper_idivl) instead of raising #DE';
  }
  b.emit(`${op} ${src}`);
  b.flags(op);
}

const BCD_AL_EDGES = [0x00, 0x05, 0x06, 0x09, 0x0a, 0x0f, 0x10, 0x19, 0x1a, 0x5f, 0x60, 0x99, 0x9a, 0x9f, 0xa0, 0xf9, 0xfa, 0xff];

function bcd(b: CaseBuilder): void {
  const r = b.r;
  const op = r.pick(['daa', 'das', 'aaa', 'aas', 'aam', 'aad']);
  const al = r.chance(0.5) ? r.below(256) : r.pick(BCD_AL_EDGES);
  b.set('al', al);
  let text = op;
  if (op === 'aam' && r.chance(0.1)) text += ' 0'; // #DE
  else if ((op === 'aam' || op === 'aad') && r.chance(0.6)) {
    text += ` ${r.chance(0.3) ? r.below(256) : r.pick([0, 1, 2, 7, 8, 10, 16, 15, 0x80, 0xff])}`;
  }
  b.emit(text);
  b.flags(op);
}

function bitTest(b: CaseBuilder): void {
  const r = b.r;
  const op = r.pick(['bt', 'bts', 'btr', 'btc']);
  const size = b.size(16, 32);
  const form = r.pick(['rr', 'ri', 'mr', 'mr', 'mi']);
  const imm = (): number => (r.chance(0.5) ? r.below(256) : r.pick([0, 1, size - 1, size, size + 1, 31, 32, 63, 255]));
  const lock = op !== 'bt' && r.chance(0.2) ? 'lock ' : '';
  switch (form) {
    case 'rr': {
      const d = b.reg(size, { sp: true });
      b.emit(`${op} ${d}, ${r.chance(0.1) ? d : b.reg(size, { sp: true })}`);
      break;
    }
    case 'ri':
      b.emit(`${op} ${b.reg(size, { sp: true })}, ${imm()}`);
      break;
    case 'mi':
      b.emit(`${lock}${op} ${b.mem(size, { keyword: true }).text}, ${imm()}`);
      break;
    default: {
      // Register bit offset: signed, may reach far beyond the operand (anywhere in the window).
      const offReg = b.reg(size, { value: false });
      const bytes = size / 8;
      const operand = SNIPPET_DATA_BASE + r.range(0x100, SNIPPET_DATA_SIZE - 0x100) - (r.chance(0.5) ? 0 : r.below(bytes));
      const unitMin = Math.ceil((SNIPPET_DATA_BASE - operand) / bytes);
      const unitMax = Math.floor((SNIPPET_DATA_BASE + SNIPPET_DATA_SIZE - bytes - operand) / bytes);
      const limit = size === 16 ? 2048 : Number.MAX_SAFE_INTEGER; // a 16-bit offset is -32768..32767 bits
      const lo = Math.max(unitMin, -limit);
      const hi = Math.min(unitMax, limit - 1);
      const unit = r.chance(0.4) ? Math.max(lo, Math.min(hi, r.range(-3, 3))) : r.range(lo, hi);
      const bitOffset = unit * size + r.below(size);
      b.set(offReg, bitOffset);
      const target = operand + unit * bytes;
      const m = b.mem(size, { addr: operand, keyword: r.chance(0.5), init: false });
      b.poke(target, edgeValue(r, size), bytes);
      b.addresses.push(target);
      b.emit(`${lock}${op} ${m.text}, ${offReg}`);
    }
  }
  b.flags(op);
}

function bitScan(b: CaseBuilder): void {
  const r = b.r;
  const op = r.pick(['bsf', 'bsr']);
  const size = b.size(16, 32);
  const k = r.below(100);
  const value = k < 20 ? 0 : k < 40 ? ((1 << r.below(size)) & sizeMask(size)) >>> 0 : edgeValue(r, size);
  const d = b.reg(size, { sp: true });
  let srcText: string;
  if (r.chance(0.6)) {
    srcText = r.chance(0.1) ? d : b.reg(size, { sp: true });
    b.set(srcText, value);
  } else {
    const m = b.mem(size, { keyword: r.chance(0.3), init: false });
    b.poke(m.addr, value, size / 8);
    srcText = m.text;
  }
  b.emit(`${op} ${d}, ${srcText}`);
  b.flags(op);
  if (value === 0) b.undefinedReg(d, `${op.toUpperCase()} with a zero source: destination undefined`);
}

function byteSwap(b: CaseBuilder): void {
  b.emit(`bswap ${b.reg(32, { sp: true })}`);
  b.flags('bswap');
}

const CONDITIONS = [
  'o', 'no', 'b', 'c', 'nae', 'ae', 'nb', 'nc', 'e', 'z', 'ne', 'nz', 'be', 'na', 'a', 'nbe',
  's', 'ns', 'p', 'pe', 'np', 'po', 'l', 'nge', 'ge', 'nl', 'le', 'ng', 'g', 'nle',
] as const;

function setcc(b: CaseBuilder): void {
  const r = b.r;
  const cc = r.pick(CONDITIONS);
  const dst = r.chance(0.6) ? b.reg(8) : b.mem(8, { keyword: true }).text;
  b.emit(`set${cc} ${dst}`);
  b.flags(`set${cc}`);
}

function cmovcc(b: CaseBuilder): void {
  const r = b.r;
  const cc = r.pick(CONDITIONS);
  const size = b.size(16, 32);
  const d = b.reg(size, { sp: true });
  const src = r.chance(0.6) ? b.reg(size, { sp: true }) : b.mem(size, { keyword: r.chance(0.3) }).text;
  b.emit(`cmov${cc} ${d}, ${src}`);
  b.flags(`cmov${cc}`);
}

function xadd(b: CaseBuilder): void {
  const r = b.r;
  const size = b.size();
  const src = b.reg(size, { sp: true });
  if (r.chance(0.5)) b.emit(`xadd ${r.chance(0.1) ? src : b.reg(size, { sp: true })}, ${src}`);
  else b.emit(`${r.chance(0.3) ? 'lock ' : ''}xadd ${b.mem(size, { keyword: r.chance(0.3) }).text}, ${src}`);
  b.flags('xadd');
}

function cmpxchg(b: CaseBuilder): void {
  const r = b.r;
  const size = b.size();
  const acc = ACCUMULATOR[size];
  b.claim('eax');
  b.set(acc, edgeValue(r, size));
  const equal = r.chance(0.5);
  const src = b.reg(size, { sp: true });
  if (r.chance(0.5)) {
    const d = b.reg(size, { sp: true });
    if (equal) b.set(acc, b.get(d));
    b.emit(`cmpxchg ${d}, ${src}`);
  } else {
    const m = b.mem(size, { keyword: r.chance(0.3) });
    if (equal) b.set(acc, b.peek(m.addr, size / 8));
    b.emit(`${r.chance(0.3) ? 'lock ' : ''}cmpxchg ${m.text}, ${src}`);
  }
  b.flags('cmpxchg');
}

function cmpxchg8b(b: CaseBuilder): void {
  const r = b.r;
  b.claim('eax', 'ecx', 'edx', 'ebx');
  const m = b.mem(64, { keyword: r.chance(0.3) });
  if (r.chance(0.5)) {
    b.set('eax', b.peek(m.addr, 4));
    b.set('edx', b.peek(m.addr + 4, 4));
  }
  b.emit(`${r.chance(0.3) ? 'lock ' : ''}cmpxchg8b ${m.text}`);
  b.flags('cmpxchg8b');
}

function xchg(b: CaseBuilder): void {
  const r = b.r;
  const size = b.size();
  const k = r.below(4);
  if (k === 0 && size !== 8) {
    const other = b.reg(size, { sp: true });
    b.emit(r.chance(0.5) ? `xchg ${ACCUMULATOR[size]}, ${other}` : `xchg ${other}, ${ACCUMULATOR[size]}`);
  } else if (k <= 1) {
    const x = b.reg(size, { sp: true });
    b.emit(`xchg ${x}, ${r.chance(0.1) ? x : b.reg(size, { sp: true })}`);
  } else {
    const x = b.reg(size);
    const m = b.mem(size, { keyword: r.chance(0.3) }).text;
    b.emit(`${r.chance(0.2) ? 'lock ' : ''}xchg ${k === 2 ? `${m}, ${x}` : `${x}, ${m}`}`);
  }
  b.flags('xchg');
}

/**
 * LOCK with a register destination: #UD. Only the forms unicorn gets right (see the exclusions at
 * the top): ALU, INC DEC NEG NOT and CMPXCHG with a register destination.
 */
function lockUd(b: CaseBuilder): void {
  const r = b.r;
  const size = b.size();
  const k = r.below(3);
  if (k === 0) {
    const op = r.pick(LOCKABLE_ALU);
    const d = b.reg(size);
    // Not `lock xor r, r` with one register: see the exclusions at the top.
    b.emit(`lock ${op} ${d}, ${b.reg(size, { avoid: op === 'xor' ? [d] : [] })}`);
    b.flags(op);
  } else if (k === 1) {
    const op = r.pick(['inc', 'dec', 'neg', 'not']);
    b.emit(`lock ${op} ${b.reg(size)}`);
    b.flags(op);
  } else {
    b.emit(`lock cmpxchg ${b.reg(size)}, ${b.reg(size)}`);
    b.flags('cmpxchg');
  }
}

const STRING_STEMS = ['movs', 'stos', 'lods', 'cmps', 'scas'] as const;

function stringOp(b: CaseBuilder): void {
  const r = b.r;
  const stem = r.pick(STRING_STEMS);
  const w = r.pick(['b', 'w', 'd'] as const);
  const step = w === 'b' ? 1 : w === 'w' ? 2 : 4;
  const compares = stem === 'cmps' || stem === 'scas';
  const prefix = r.chance(0.2)
    ? ''
    : compares
      ? r.pick(['repe', 'repne', 'repz', 'repnz', 'rep'])
      : 'rep';
  b.claim('eax', 'ecx', 'esi', 'edi');
  const down = b.flag(F.DF);
  const count = prefix ? r.pick([0, 0, 1, 2, 3, r.below(8), r.below(17), r.below(48)]) : 0;
  if (prefix) b.regs.ecx = count; // the whole of ECX is the count (32-bit address size)
  const elements = prefix ? count : 1;
  const len = Math.max(elements, 1) * step;
  /** A pointer whose walk of `len` bytes (down when DF=1) stays in the window. */
  const pointer = (near?: number): number => {
    let start =
      near !== undefined ? near + r.range(-3, 3) * step : r.chance(0.5) ? r.below(0x200) : r.below(SNIPPET_DATA_SIZE - len + 1);
    start = Math.max(0, Math.min(SNIPPET_DATA_SIZE - len, start));
    return SNIPPET_DATA_BASE + (down ? start + len - step : start);
  };
  const regionStart = (p: number): number => (down ? p - len + step : p);
  const src = pointer();
  const dst = stem === 'movs' && r.chance(0.3) ? pointer(regionStart(src) - SNIPPET_DATA_BASE) : pointer();
  b.regs.esi = src;
  b.regs.edi = dst;
  b.set(ACCUMULATOR[step === 1 ? 8 : step === 2 ? 16 : 32], edgeValue(r, (step * 8) as Size));
  // Comparisons run longest when the data matches: make it match, then maybe break it once.
  if (stem === 'cmps' && r.chance(0.7)) {
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++) bytes[i] = r.u32() & 0xff;
    b.pokeBytes(regionStart(src), bytes);
    if (r.chance(0.6)) bytes[r.below(len)] ^= 1 << r.below(8);
    b.pokeBytes(regionStart(dst), bytes);
  } else if (stem === 'scas' && r.chance(0.7)) {
    const acc = b.get(ACCUMULATOR[step === 1 ? 8 : step === 2 ? 16 : 32]);
    for (let i = 0; i < len; i += step) b.poke(regionStart(dst) + i, acc, step);
    if (r.chance(0.6)) b.poke(regionStart(dst) + r.below(len / step) * step, edgeValue(r, (step * 8) as Size), step);
  }
  b.addresses.push(regionStart(src), regionStart(dst));
  b.emit(`${prefix ? prefix + ' ' : ''}${stem}${w}`);
  b.flags(`${stem}${w}`);
}

function convert(b: CaseBuilder): void {
  const r = b.r;
  const k = r.below(100);
  if (k < 25) {
    const op = r.pick(['cbw', 'cwde', 'cwd', 'cdq']);
    // Bias the sign bit of the source half.
    const source = op === 'cbw' ? 'al' : op === 'cdq' ? 'eax' : 'ax';
    if (r.chance(0.5)) b.set(source, r.pick([0, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff]));
    b.emit(op);
    b.flags(op);
  } else if (k < 65) {
    const op = r.pick(['movzx', 'movsx']);
    const [dSize, sSize] = r.pick([[16, 8], [32, 8], [32, 16]] as [Size, Size][]);
    const d = b.reg(dSize, { sp: true });
    const src = r.chance(0.6) ? b.reg(sSize) : b.mem(sSize, { keyword: true }).text;
    b.emit(`${op} ${d}, ${src}`);
    b.flags(op);
  } else if (k < 90) {
    lea(b);
  } else {
    // XLATB: AL := [EBX + zero-extended AL]
    b.claim('eax');
    const table = SNIPPET_DATA_BASE + r.below(SNIPPET_DATA_SIZE - 0x100);
    b.reserve('ebx', table);
    b.addresses.push(table);
    b.emit('xlatb');
    b.flags('xlatb');
  }
}

function lea(b: CaseBuilder): void {
  const r = b.r;
  const size = b.size(16, 32);
  const d = b.reg(size, { sp: true });
  let addr: string;
  if (r.chance(0.7)) {
    const regs = REG32.filter((n) => n !== 'esp');
    const parts: string[] = [];
    if (r.chance(0.85)) parts.push(r.chance(0.1) ? 'esp' : r.pick(regs));
    if (r.chance(0.6)) parts.push(`${r.pick(regs)}*${r.pick([1, 2, 4, 8])}`);
    const disp = r.pick([0, r.range(-128, 127), r.u32() | 0]);
    addr = parts.join('+') + (parts.length === 0 ? hex(disp) : disp === 0 ? '' : signedText(disp));
  } else {
    // 16-bit addressing (0x67 prefix): the effective address wraps at 64 KiB.
    const base = r.pick(['bx+si', 'bx+di', 'bp+si', 'bp+di', 'si', 'di', 'bp', 'bx', '']);
    const disp = base === '' || base === 'bp' || r.chance(0.6) ? r.pick([r.range(-128, 127), r.below(0x10000)]) : 0;
    addr = base === '' ? hex(disp & 0xffff, 4) : `${base}${disp === 0 ? '' : disp < 0 ? `-${-disp}` : `+0x${disp.toString(16)}`}`;
  }
  b.emit(`lea ${d}, [${addr}]`);
  b.flags('lea');
}

function flagOps(b: CaseBuilder): void {
  const r = b.r;
  const op = r.pick(['lahf', 'sahf', 'clc', 'stc', 'cmc', 'cld', 'std']);
  if (op === 'sahf' && r.chance(0.5)) b.set('ah', r.below(256));
  b.emit(op);
  b.flags(op);
}

/** A POPF image: random flags and reserved bits, never TF (it would trap after the next instruction). */
function popfImage(r: Rng): number {
  const settable = STATUS_FLAGS | F.DF | F.IF | F.IOPL | F.NT | F.AC | F.ID;
  let v = (r.u32() & settable) | 0x2;
  if (r.chance(0.4)) v |= r.u32() & ~(settable | F.TF);
  return (v & ~F.TF) >>> 0;
}

function stack(b: CaseBuilder): void {
  const r = b.r;
  const esp = SNIPPET_DATA_BASE + r.range(0x40, SNIPPET_DATA_SIZE - 0x40) - (r.chance(0.6) ? 0 : r.below(4));
  const aligned = r.chance(0.6) ? esp & ~3 : esp;
  b.reserve('esp', aligned);
  b.addresses.push(aligned);
  // Values on the stack to pop.
  for (let i = -8; i < 8; i++) b.poke(aligned + 4 * i, edgeValue(r, 32), 4);
  const k = r.below(18);
  const size = b.size(16, 32);
  const kw = SIZE_KEYWORD[size];
  switch (k) {
    case 0:
    case 1: {
      const reg = r.chance(0.15) ? (size === 32 ? 'esp' : 'sp') : b.reg(size);
      b.emit(`push ${reg}`);
      b.flags('push');
      break;
    }
    case 2: {
      // push imm8 (sign-extended, 6A) or imm16/imm32 (68); nasm picks 6A when the value fits.
      const v = r.chance(0.5) ? r.range(-128, 127) : edgeValue(r, size);
      if (size === 32 && r.chance(0.3)) b.emit(`push byte ${r.range(-128, 127)}`);
      else b.emit(`push ${r.chance(0.3) ? 'strict ' : ''}${kw} ${immText(r, v, size)}`);
      b.flags('push');
      break;
    }
    case 3: {
      if (r.chance(0.4)) {
        const d = r.range(-0x20, 0x20);
        b.emit(`push ${kw} [esp${d === 0 ? '' : signedText(d)}]`);
      } else b.emit(`push ${b.mem(size, { keyword: true }).text}`);
      b.flags('push');
      break;
    }
    case 4:
    case 5: {
      const reg = r.chance(0.15) ? (size === 32 ? 'esp' : 'sp') : b.reg(size);
      b.emit(`pop ${reg}`);
      b.flags('pop');
      break;
    }
    case 6: {
      if (r.chance(0.4)) {
        // The address of [esp+d] is computed after ESP has been incremented.
        const d = r.range(-0x20, 0x20);
        b.emit(`pop ${kw} [esp${d === 0 ? '' : signedText(d)}]`);
      } else b.emit(`pop ${b.mem(size, { keyword: true }).text}`);
      b.flags('pop');
      break;
    }
    case 7:
      b.emit(size === 32 ? r.pick(['pushad', 'pusha']) : 'pushaw');
      b.flags('pusha');
      break;
    case 8:
      b.emit(size === 32 ? r.pick(['popad', 'popa']) : 'popaw');
      b.flags('popa');
      break;
    case 9:
      b.emit(size === 32 ? r.pick(['pushfd', 'pushf']) : 'pushfw');
      b.flags('pushf');
      break;
    case 10:
    case 11:
      b.poke(aligned, popfImage(r), 4);
      b.emit(size === 32 ? r.pick(['popfd', 'popf']) : 'popfw');
      b.flags('popf');
      break;
    case 12: {
      const ebp = SNIPPET_DATA_BASE + r.range(0x20, SNIPPET_DATA_SIZE - 0x20);
      b.reserve('ebp', ebp);
      b.addresses.push(ebp);
      b.emit(size === 32 ? 'leave' : 'o16 leave');
      b.flags('leave');
      break;
    }
    case 13: {
      const ebp = SNIPPET_DATA_BASE + r.range(0x40, SNIPPET_DATA_SIZE - 0x40);
      b.reserve('ebp', ebp);
      b.addresses.push(ebp);
      const frame = r.pick([0, 4, 8, 0x10, 0x100, 0xffff, r.below(0x10000)]);
      b.emit(`enter ${hex(frame, 4)}, ${r.pick([0, 0, 1, 2, 3])}`);
      b.flags('enter');
      break;
    }
    default: {
      // Two instructions: a push and a pop of different sizes or registers.
      const a = b.reg(size);
      const c = b.reg(size);
      b.emit(`push ${a}`);
      b.emit(`pop ${c}`);
      b.flags('pop');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Groups

export interface GroupSpec {
  name: string;
  /** Cases per run. */
  count: number;
  families: readonly (readonly [weight: number, family: Family])[];
}

export const GROUPS: readonly GroupSpec[] = [
  { name: 'alu (add adc sub sbb and or xor cmp test)', count: 1000, families: [[1, alu]] },
  { name: 'unary (inc dec neg not)', count: 400, families: [[1, unary]] },
  { name: 'shifts and rotates', count: 1000, families: [[1, shift]] },
  { name: 'shld shrd', count: 500, families: [[1, shiftDouble]] },
  { name: 'multiply', count: 600, families: [[1, multiply], [1, multiplyForms]] },
  { name: 'divide', count: 600, families: [[1, divide]] },
  { name: 'bcd', count: 500, families: [[1, bcd]] },
  { name: 'bit test (bt bts btr btc)', count: 600, families: [[1, bitTest]] },
  { name: 'bit scan, bswap', count: 400, families: [[3, bitScan], [1, byteSwap]] },
  { name: 'setcc cmovcc', count: 500, families: [[1, setcc], [1, cmovcc]] },
  { name: 'atomics and exchange', count: 600, families: [[3, xadd], [3, cmpxchg], [2, cmpxchg8b], [3, xchg], [1, lockUd]] },
  { name: 'string', count: 800, families: [[1, stringOp]] },
  { name: 'convert, movzx movsx, lea, xlat', count: 500, families: [[1, convert]] },
  { name: 'flag instructions', count: 200, families: [[1, flagOps]] },
  { name: 'stack', count: 600, families: [[1, stack]] },
];

export interface GeneratedGroup {
  cases: InsnCase[];
  /** Draws excluded (redrawn), by reason. */
  excluded: Map<string, number>;
}

/** The cases of one group for `seed`; deterministic. */
export function generateGroup(spec: GroupSpec, seed: number, count = spec.count): GeneratedGroup {
  const r = new Rng((seed ^ hashName(spec.name)) >>> 0);
  const background = new Uint8Array(SNIPPET_DATA_SIZE);
  for (let i = 0; i < background.length; i += 4) {
    const v = r.u32();
    background[i] = v;
    background[i + 1] = v >>> 8;
    background[i + 2] = v >>> 16;
    background[i + 3] = v >>> 24;
  }
  const total = spec.families.reduce((s, [w]) => s + w, 0);
  const cases: InsnCase[] = [];
  const excluded = new Map<string, number>();
  while (cases.length < count) {
    let pick = r.below(total);
    let family = spec.families[0][1];
    for (const [w, f] of spec.families) {
      if (pick < w) {
        family = f;
        break;
      }
      pick -= w;
    }
    const b = new CaseBuilder(r, background);
    const why = family(b);
    if (typeof why === 'string') {
      excluded.set(why, (excluded.get(why) ?? 0) + 1);
      continue;
    }
    cases.push(b.build(spec.name, cases.length));
  }
  assembleCases(cases);
  return { cases, excluded };
}

/** Assembles every case's text in one assembler run and stores the bytes in `snippet.code`. */
export function assembleCases(cases: readonly InsnCase[]): void {
  const fileName = 'unicorn-cases.asm';
  const lines = ['bits 32'];
  const firstLine: number[] = [];
  for (const c of cases) {
    firstLine.push(lines.length + 1);
    lines.push(...c.text.split('\n'));
  }
  const result = assemble(lines.join('\n') + '\n', { fileName });
  if (!result.ok) {
    const errors = result.diagnostics
      .filter((d) => d.severity === 'error')
      .slice(0, 10)
      .map((d) => `  line ${d.range.line}: ${lines[d.range.line - 1] ?? ''}: ${d.message}`);
    throw new Error(`the assembler rejected generated cases:\n${errors.join('\n')}`);
  }
  const byLine = new Map<number, { start: number; end: number }>();
  for (const e of result.sourceMap) {
    if (e.kind !== 'instruction' || e.location.file !== fileName) continue;
    byLine.set(e.location.line, { start: e.fileOffset, end: e.fileOffset + e.size });
  }
  cases.forEach((c, i) => {
    const n = c.text.split('\n').length;
    const first = byLine.get(firstLine[i]);
    const last = byLine.get(firstLine[i] + n - 1);
    if (!first || !last) throw new Error(`no code for case ${i} (${c.text}) in the assembler's source map`);
    c.snippet.code = result.bytes.slice(first.start, last.end);
  });
}

// ---------------------------------------------------------------------------------------------
// Comparison and reports

/** The differences between unicorn's outcome and ours, ignoring what the SDM leaves undefined. */
export function compareOutcome(c: InsnCase, expected: SnippetOutcome, actual: SnippetOutcome): string[] {
  const out: string[] = [];
  const faulted = expected.fault !== undefined;
  const name = (v: number | undefined): string => (v === undefined ? 'none' : `vector ${v}`);
  if (expected.fault !== actual.fault) out.push(`fault: unicorn ${name(expected.fault)}, cpu ${name(actual.fault)}`);
  if (expected.eip >>> 0 !== actual.eip >>> 0) out.push(`eip: unicorn ${hex(expected.eip)}, cpu ${hex(actual.eip)}`);
  for (const reg of REG32) {
    const mask = faulted ? 0xffffffff : ~(c.undefinedRegs[reg] ?? 0);
    const e = expected.regs[reg] >>> 0;
    const a = actual.regs[reg] >>> 0;
    if (((e ^ a) & mask) !== 0) {
      const masked = mask === 0xffffffff ? '' : ` (compared bits ${hex(mask)})`;
      out.push(`${reg}: unicorn ${hex(e)}, cpu ${hex(a)}${masked}`);
    }
  }
  const flagMask = faulted ? 0xffffffff : ~c.undefinedFlags;
  const fe = expected.eflags >>> 0;
  const fa = actual.eflags >>> 0;
  const fdiff = (fe ^ fa) & flagMask;
  if (fdiff !== 0) {
    out.push(
      `eflags: unicorn ${hex(fe)} [${flagNames(fe)}], cpu ${hex(fa)} [${flagNames(fa)}]; differing: ${flagNames(fdiff) || hex(fdiff)}`,
    );
  }
  if (actual.data.length !== SNIPPET_DATA_SIZE) {
    out.push(`data: cpu returned ${actual.data.length} bytes, not the ${SNIPPET_DATA_SIZE}-byte window`);
    return out;
  }
  const ignored = (off: number): boolean => !faulted && c.undefinedData.some(([s, e]) => off >= s && off < e);
  let shown = 0;
  let differing = 0;
  const e = expected.data;
  const a = actual.data;
  if (!Buffer.from(e.buffer, e.byteOffset, e.length).equals(Buffer.from(a.buffer, a.byteOffset, a.length))) {
    for (let i = 0; i < SNIPPET_DATA_SIZE; i++) {
      if (e[i] === a[i] || ignored(i)) continue;
      differing++;
      if (shown++ < 8) out.push(`memory ${hex(SNIPPET_DATA_BASE + i)}: unicorn 0x${hex8(e[i])}, cpu 0x${hex8(a[i])}`);
    }
    if (differing > shown) out.push(`... ${differing - shown} more differing bytes in the data window`);
  }
  return out;
}

function hex8(v: number): string {
  return v.toString(16).padStart(2, '0');
}

function regsLine(regs: SnippetRegisters): string {
  return REG32.map((r) => `${r}=${hex(regs[r])}`).join(' ');
}

function bytesAt(data: Uint8Array | undefined, addr: number, len = 16): string {
  const off = addr - SNIPPET_DATA_BASE;
  const out: string[] = [];
  for (let i = off; i < off + len && i < SNIPPET_DATA_SIZE; i++) out.push(hex8(i >= 0 && data && i < data.length ? data[i] : 0));
  return out.join(' ');
}

export function describeOutcome(o: SnippetOutcome): string {
  const fault = o.fault === undefined ? '' : ` fault=vector ${o.fault}`;
  return `eip=${hex(o.eip)}${fault} eflags=${hex(o.eflags)} [${flagNames(o.eflags)}]\n      ${regsLine(o.regs)}`;
}

/** A readable account of one case: instruction, bytes, initial state, what is not compared. */
export function describeCase(c: InsnCase): string {
  const s = c.snippet;
  const lines = [
    `${c.group} #${c.index}: ${c.text.split('\n').join('; ')}`,
    `  code:   ${Buffer.from(s.code).toString('hex').replace(/(..)(?!$)/g, '$1 ')}`,
    `  before: eflags=${hex(s.eflags)} [${flagNames(s.eflags)}]`,
    `      ${regsLine(s.regs)}`,
  ];
  for (const addr of [...new Set(c.addresses)]) lines.push(`  memory ${hex(addr)}: ${bytesAt(s.data, addr)}`);
  const skipped: string[] = [];
  if (c.undefinedFlags) skipped.push(`flags ${flagNames(c.undefinedFlags)}`);
  for (const [reg, mask] of Object.entries(c.undefinedRegs)) skipped.push(`${reg} bits ${hex(mask ?? 0)}`);
  for (const [st, en] of c.undefinedData) skipped.push(`memory ${hex(SNIPPET_DATA_BASE + st)}..${hex(SNIPPET_DATA_BASE + en - 1)}`);
  if (skipped.length) lines.push(`  not compared (undefined): ${skipped.join(', ')}${c.notes.length ? ` — ${[...new Set(c.notes)].join('; ')}` : ''}`);
  return lines.join('\n');
}
