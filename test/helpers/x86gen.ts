// fast-check generators of random, valid NASM source lines for 16- and 32-bit code.
//
// Each generator yields one line of text; programs are arrays of lines under a `bits N` header.
// Weights favour the forms real kernels and boot sectors use, and every immediate/displacement
// generator mixes edge values (sign-extension and width boundaries) with random ones.
import fc from 'fast-check';

export type Bits = 16 | 32;
export type Size = 8 | 16 | 32;

export const REG8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;
export const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
export const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
export const SREG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
/** Segment registers that may be loaded by mov/pop (not cs). */
export const SREG_LOADABLE = ['es', 'ss', 'ds', 'fs', 'gs'] as const;
export const CONDITIONS = [
  'o', 'no', 'b', 'c', 'nae', 'ae', 'nb', 'nc', 'e', 'z', 'ne', 'nz', 'be', 'na', 'a', 'nbe',
  's', 'ns', 'p', 'pe', 'np', 'po', 'l', 'nge', 'ge', 'nl', 'le', 'ng', 'g', 'nle',
] as const;
export const ALU_OPS = ['add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor', 'cmp'] as const;
export const SHIFT_OPS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'] as const;

const SIZE_KEYWORD: Record<Size, string> = { 8: 'byte', 16: 'word', 32: 'dword' };

export function regs(size: Size): readonly string[] {
  return size === 8 ? REG8 : size === 16 ? REG16 : REG32;
}

export function reg(size: Size): fc.Arbitrary<string> {
  return fc.constantFrom(...regs(size));
}

/** Operand sizes, weighted toward the mode's natural size. */
export function operandSize(bits: Bits): fc.Arbitrary<Size> {
  return fc.oneof(
    { arbitrary: fc.constant<Size>(bits), weight: 5 },
    { arbitrary: fc.constant<Size>(8), weight: 3 },
    { arbitrary: fc.constant<Size>(bits === 32 ? 16 : 32), weight: 2 },
  );
}

/** A 16- or 32-bit operand size (for instructions without a byte form). */
export function wideSize(bits: Bits): fc.Arbitrary<Size> {
  return fc.oneof(
    { arbitrary: fc.constant<Size>(bits), weight: 3 },
    { arbitrary: fc.constant<Size>(bits === 32 ? 16 : 32), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------
// Numbers

const EDGE_VALUES = [-129, -128, -1, 0, 1, 127, 128, 255, 256, 0x7fff, 0x8000, 0xffff, -32768, 0x7fffffff, 0xffffffff, -0x80000000];

export function fits(value: number, size: Size): boolean {
  return value >= -(2 ** (size - 1)) && value <= 2 ** size - 1;
}

/** Formats a number as nasm accepts it: decimal, 0x hex, or trailing-h hex. */
export function formatNumber(value: number, style: 'dec' | 'hex' | 'h'): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (style === 'dec') return `${sign}${abs}`;
  if (style === 'hex') return `${sign}0x${abs.toString(16)}`;
  return `${sign}0${abs.toString(16)}h`;
}

const numberStyle = fc.constantFrom<'dec' | 'hex' | 'h'>('dec', 'hex', 'h');

/** An immediate value that fits an operand of `size` bits (signed or unsigned). */
export function immValue(size: Size): fc.Arbitrary<number> {
  const edges = EDGE_VALUES.filter((v) => fits(v, size));
  return fc.oneof(
    { arbitrary: fc.constantFrom(...edges), weight: 3 },
    { arbitrary: fc.integer({ min: -(2 ** (size - 1)), max: 2 ** size - 1 }), weight: 2 },
    { arbitrary: fc.integer({ min: -130, max: 260 }).filter((v) => fits(v, size)), weight: 1 },
  );
}

export function imm(size: Size): fc.Arbitrary<string> {
  return fc.tuple(immValue(size), numberStyle).map(([v, s]) => formatNumber(v, s));
}

/** An unsigned 8-bit immediate (port numbers, interrupt vectors, shift counts). */
export function imm8u(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.oneof(fc.constantFrom(0, 1, 3, 0x7f, 0x80, 0xff), fc.integer({ min: 0, max: 255 })), numberStyle)
    .map(([v, s]) => formatNumber(v, s));
}

// ---------------------------------------------------------------------------------------------
// Memory operands

/** A displacement for 32-bit addressing: 0, 8-bit edges, random 8-bit, random 32-bit. */
function disp32(): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.constant(0), weight: 3 },
    { arbitrary: fc.constantFrom(-129, -128, -1, 1, 127, 128, 0x7fffffff, -0x80000000), weight: 2 },
    { arbitrary: fc.integer({ min: -128, max: 127 }), weight: 3 },
    { arbitrary: fc.integer({ min: -0x80000000, max: 0x7fffffff }), weight: 2 },
  );
}

/** A displacement for 16-bit addressing (nasm takes -32768..65535). */
function disp16(): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.constant(0), weight: 3 },
    { arbitrary: fc.constantFrom(-129, -128, -1, 1, 127, 128, 0x7fff, -0x8000), weight: 2 },
    { arbitrary: fc.integer({ min: -128, max: 127 }), weight: 3 },
    { arbitrary: fc.integer({ min: -0x8000, max: 0x7fff }), weight: 2 },
  );
}

function dispTerm(disp: number, style: 'dec' | 'hex' | 'h', omitZero: boolean): string {
  if (disp === 0 && omitZero) return '';
  return disp < 0 ? ` - ${formatNumber(-disp, style)}` : ` + ${formatNumber(disp, style)}`;
}

const segmentOverride = fc.option(fc.constantFrom(...SREG), { freq: 8, nil: undefined });

/**
 * `[base + index*scale + disp]` with 32-bit registers, in any of the orders nasm accepts.
 * With `withRegister`, never a bare `[disp32]` (16-bit code can't address above 64 KiB that way).
 */
export function mem32(withRegister = false): fc.Arbitrary<string> {
  return fc
    .record({
      seg: segmentOverride,
      base: fc.option(fc.constantFrom(...REG32), { freq: 6, nil: undefined }),
      index: fc.option(fc.constantFrom(...REG32.filter((r) => r !== 'esp')), { freq: 3, nil: undefined }),
      scale: fc.constantFrom(1, 2, 4, 8),
      writeScale1: fc.boolean(),
      indexFirst: fc.boolean(),
      disp: disp32(),
      style: numberStyle,
      omitZero: fc.boolean(),
    })
    .filter((m) => !withRegister || m.base !== undefined || m.index !== undefined)
    .map((m) => {
      const terms: string[] = [];
      const indexTerm = m.index === undefined ? undefined : m.scale === 1 && !m.writeScale1 ? m.index : `${m.index}*${m.scale}`;
      if (m.indexFirst && indexTerm) terms.push(indexTerm);
      if (m.base) terms.push(m.base);
      if (!m.indexFirst && indexTerm) terms.push(indexTerm);
      let inner: string;
      if (terms.length === 0) {
        inner = m.disp < 0 ? formatNumber(m.disp >>> 0, m.style) : formatNumber(m.disp, m.style);
      } else {
        inner = terms.join(' + ') + dispTerm(m.disp, m.style, m.omitZero);
      }
      return `[${m.seg ? `${m.seg}:` : ''}${inner}]`;
    });
}

const BASE_INDEX_16 = [
  ['bx', 'si'], ['bx', 'di'], ['bp', 'si'], ['bp', 'di'], ['si'], ['di'], ['bp'], ['bx'], [],
] as const;

/** 16-bit addressing: [bx+si], [bp+di+disp], [bp], [disp16], ... (registers in either order). */
export function mem16(): fc.Arbitrary<string> {
  return fc
    .record({
      seg: segmentOverride,
      regs: fc.constantFrom(...BASE_INDEX_16),
      swap: fc.boolean(),
      disp: disp16(),
      absolute: fc.integer({ min: 0, max: 0xffff }),
      style: numberStyle,
      omitZero: fc.boolean(),
    })
    .map((m) => {
      const seg = m.seg ? `${m.seg}:` : '';
      if (m.regs.length === 0) return `[${seg}${formatNumber(m.absolute, m.style)}]`;
      const names: string[] = [...m.regs];
      if (m.swap) names.reverse();
      return `[${seg}${names.join(' + ')}${dispTerm(m.disp, m.style, m.omitZero)}]`;
    });
}

/** A memory operand in the mode's addressing (16-bit code sometimes uses 32-bit addressing). */
export function mem(bits: Bits): fc.Arbitrary<string> {
  if (bits === 32) return mem32();
  return fc.oneof({ arbitrary: mem16(), weight: 5 }, { arbitrary: mem32(true), weight: 1 });
}

/** A memory operand with a size keyword: `dword [ebx + 4]`. */
export function sizedMem(bits: Bits, size: Size): fc.Arbitrary<string> {
  return mem(bits).map((m) => `${SIZE_KEYWORD[size]} ${m}`);
}

/** A memory operand whose size follows from the other operand; sometimes with a redundant keyword. */
function memMaybeSized(bits: Bits, size: Size): fc.Arbitrary<string> {
  return fc.tuple(mem(bits), fc.integer({ min: 0, max: 4 })).map(([m, k]) => (k === 0 ? `${SIZE_KEYWORD[size]} ${m}` : m));
}

/** A register or a sized memory operand of `size`. */
function rm(bits: Bits, size: Size): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: reg(size), weight: 1 }, { arbitrary: sizedMem(bits, size), weight: 1 });
}

// ---------------------------------------------------------------------------------------------
// Instruction families

/** add adc sub sbb and or xor cmp: reg/reg, reg/imm, reg/mem, mem/reg, mem/imm. */
export function aluLine(bits: Bits): fc.Arbitrary<string> {
  return fc.constantFrom(...ALU_OPS).chain((op) =>
    operandSize(bits).chain((size) =>
      fc.oneof(
        fc.tuple(reg(size), reg(size)).map(([a, b]) => `${op} ${a}, ${b}`),
        fc.tuple(reg(size), imm(size)).map(([a, b]) => `${op} ${a}, ${b}`),
        fc.tuple(reg(size), memMaybeSized(bits, size)).map(([a, b]) => `${op} ${a}, ${b}`),
        fc.tuple(memMaybeSized(bits, size), reg(size)).map(([a, b]) => `${op} ${a}, ${b}`),
        fc.tuple(sizedMem(bits, size), imm(size)).map(([a, b]) => `${op} ${a}, ${b}`),
      ),
    ),
  );
}

/** test: reg/reg, reg/imm, mem/reg, reg/mem, mem/imm. */
export function testLine(bits: Bits): fc.Arbitrary<string> {
  return operandSize(bits).chain((size) =>
    fc.oneof(
      fc.tuple(reg(size), reg(size)).map(([a, b]) => `test ${a}, ${b}`),
      fc.tuple(reg(size), imm(size)).map(([a, b]) => `test ${a}, ${b}`),
      fc.tuple(mem(bits), reg(size)).map(([a, b]) => `test ${a}, ${b}`),
      fc.tuple(reg(size), mem(bits)).map(([a, b]) => `test ${a}, ${b}`),
      fc.tuple(sizedMem(bits, size), imm(size)).map(([a, b]) => `test ${a}, ${b}`),
    ),
  );
}

/** xchg reg/reg (including the accumulator short forms), reg/mem, mem/reg. */
export function xchgLine(bits: Bits): fc.Arbitrary<string> {
  return operandSize(bits).chain((size) =>
    fc.oneof(
      fc.tuple(reg(size), reg(size)).map(([a, b]) => `xchg ${a}, ${b}`),
      fc.tuple(reg(size), mem(bits)).map(([a, b]) => `xchg ${a}, ${b}`),
      fc.tuple(mem(bits), reg(size)).map(([a, b]) => `xchg ${a}, ${b}`),
    ),
  );
}

export function leaLine(bits: Bits): fc.Arbitrary<string> {
  return wideSize(bits).chain((size) => fc.tuple(reg(size), mem(bits)).map(([r, m]) => `lea ${r}, ${m}`));
}

/** inc dec neg not mul div idiv and one-operand imul, on a register or sized memory. */
export function unaryLine(bits: Bits): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom('inc', 'dec', 'neg', 'not', 'mul', 'div', 'idiv', 'imul'), operandSize(bits))
    .chain(([op, size]) => rm(bits, size).map((x) => `${op} ${x}`));
}

/** imul with two and three operands (and the two-operand immediate form). */
export function imulLine(bits: Bits): fc.Arbitrary<string> {
  return wideSize(bits).chain((size) =>
    fc.oneof(
      fc.tuple(reg(size), fc.oneof(reg(size), memMaybeSized(bits, size))).map(([a, b]) => `imul ${a}, ${b}`),
      fc.tuple(reg(size), fc.oneof(reg(size), memMaybeSized(bits, size)), imm(size)).map(([a, b, c]) => `imul ${a}, ${b}, ${c}`),
      fc.tuple(reg(size), imm(size)).map(([a, b]) => `imul ${a}, ${b}`),
    ),
  );
}

/** rol ror rcl rcr shl shr sal sar by 1, by cl and by an immediate. */
export function shiftLine(bits: Bits): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...SHIFT_OPS), operandSize(bits))
    .chain(([op, size]) =>
      fc
        .tuple(rm(bits, size), fc.oneof(fc.constant('1'), fc.constant('cl'), fc.integer({ min: 0, max: 31 }).map(String), imm8u()))
        .map(([dst, count]) => `${op} ${dst}, ${count}`),
    );
}

/** mov in all its forms: reg/reg, reg/imm, reg/mem, mem/reg, mem/imm, moffs, sreg, control regs. */
export function movLine(bits: Bits): fc.Arbitrary<string> {
  const acc = (size: Size) => (size === 8 ? 'al' : size === 16 ? 'ax' : 'eax');
  const absolute = fc
    .tuple(
      segmentOverride,
      bits === 32 ? fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 0x7f, 0x80, 0xb8000)) : fc.integer({ min: 0, max: 0xffff }),
      numberStyle,
    )
    .map(([seg, v, s]) => `[${seg ? `${seg}:` : ''}${formatNumber(v, s)}]`);
  const general = operandSize(bits).chain((size) =>
    fc.oneof(
      fc.tuple(reg(size), reg(size)).map(([a, b]) => `mov ${a}, ${b}`),
      fc.tuple(reg(size), imm(size)).map(([a, b]) => `mov ${a}, ${b}`),
      fc.tuple(reg(size), memMaybeSized(bits, size)).map(([a, b]) => `mov ${a}, ${b}`),
      fc.tuple(memMaybeSized(bits, size), reg(size)).map(([a, b]) => `mov ${a}, ${b}`),
      fc.tuple(sizedMem(bits, size), imm(size)).map(([a, b]) => `mov ${a}, ${b}`),
      // moffs forms: accumulator to/from an absolute address.
      absolute.map((m) => `mov ${acc(size)}, ${m}`),
      absolute.map((m) => `mov ${m}, ${acc(size)}`),
    ),
  );
  const segment = fc.oneof(
    fc.tuple(fc.constantFrom(...SREG_LOADABLE), fc.oneof(reg(16), reg(32))).map(([s, r]) => `mov ${s}, ${r}`),
    fc.tuple(fc.oneof(reg(16), reg(32)), fc.constantFrom(...SREG)).map(([r, s]) => `mov ${r}, ${s}`),
    fc.tuple(fc.constantFrom(...SREG_LOADABLE), memMaybeSized(bits, 16)).map(([s, m]) => `mov ${s}, ${m}`),
    fc.tuple(memMaybeSized(bits, 16), fc.constantFrom(...SREG)).map(([m, s]) => `mov ${m}, ${s}`),
  );
  const control = fc.oneof(
    fc.tuple(fc.constantFrom('cr0', 'cr2', 'cr3', 'cr4'), reg(32)).map(([c, r]) => `mov ${c}, ${r}`),
    fc.tuple(reg(32), fc.constantFrom('cr0', 'cr2', 'cr3', 'cr4')).map(([r, c]) => `mov ${r}, ${c}`),
    fc.tuple(fc.constantFrom('dr0', 'dr1', 'dr2', 'dr3', 'dr6', 'dr7'), reg(32)).map(([d, r]) => `mov ${d}, ${r}`),
    fc.tuple(reg(32), fc.constantFrom('dr0', 'dr1', 'dr2', 'dr3', 'dr6', 'dr7')).map(([r, d]) => `mov ${r}, ${d}`),
  );
  return fc.oneof({ arbitrary: general, weight: 6 }, { arbitrary: segment, weight: 2 }, { arbitrary: control, weight: 1 });
}

/** movzx/movsx from 8- and 16-bit sources. */
export function movxLine(bits: Bits): fc.Arbitrary<string> {
  return fc.constantFrom('movzx', 'movsx').chain((op) =>
    fc.oneof(
      fc.tuple(fc.oneof(reg(16), reg(32)), rm(bits, 8)).map(([d, s]) => `${op} ${d}, ${s}`),
      fc.tuple(reg(32), rm(bits, 16)).map(([d, s]) => `${op} ${d}, ${s}`),
    ),
  );
}

/** push/pop of registers, immediates, memory and segment registers. */
export function stackLine(bits: Bits): fc.Arbitrary<string> {
  const pushImm = fc.oneof(
    imm(bits).map((v) => `push ${v}`),
    fc.tuple(fc.constantFrom('byte', 'word', 'dword'), fc.integer({ min: -128, max: 127 })).map(([k, v]) => `push ${k} ${v}`),
    fc.tuple(fc.constantFrom<Size>(16, 32), fc.nat()).map(([s, v]) => `push ${SIZE_KEYWORD[s]} ${v % 2 ** s}`),
  );
  return fc.oneof(
    wideSize(bits).chain((s) => reg(s).map((r) => `push ${r}`)),
    wideSize(bits).chain((s) => reg(s).map((r) => `pop ${r}`)),
    pushImm,
    wideSize(bits).chain((s) => sizedMem(bits, s).map((m) => `push ${m}`)),
    wideSize(bits).chain((s) => sizedMem(bits, s).map((m) => `pop ${m}`)),
    fc.constantFrom(...SREG).map((s) => `push ${s}`),
    fc.constantFrom(...SREG_LOADABLE).map((s) => `pop ${s}`),
  );
}

/** setcc r/m8 and cmovcc r, r/m. */
export function conditionalLine(bits: Bits): fc.Arbitrary<string> {
  return fc.constantFrom(...CONDITIONS).chain((cc) =>
    fc.oneof(
      fc.oneof(reg(8), sizedMem(bits, 8), mem(bits)).map((x) => `set${cc} ${x}`),
      wideSize(bits).chain((s) => fc.tuple(reg(s), fc.oneof(reg(s), memMaybeSized(bits, s))).map(([a, b]) => `cmov${cc} ${a}, ${b}`)),
    ),
  );
}

/** bt bts btr btc with a register or immediate bit index; bsf bsr. */
export function bitLine(bits: Bits): fc.Arbitrary<string> {
  return wideSize(bits).chain((s) =>
    fc.oneof(
      fc.tuple(fc.constantFrom('bt', 'bts', 'btr', 'btc'), fc.oneof(reg(s), mem(bits)), reg(s)).map(([op, d, r]) => `${op} ${d}, ${r}`),
      fc
        .tuple(fc.constantFrom('bt', 'bts', 'btr', 'btc'), rm(bits, s), fc.integer({ min: 0, max: 31 }))
        .map(([op, d, n]) => `${op} ${d}, ${n}`),
      fc.tuple(fc.constantFrom('bsf', 'bsr'), reg(s), fc.oneof(reg(s), memMaybeSized(bits, s))).map(([op, d, x]) => `${op} ${d}, ${x}`),
    ),
  );
}

/** String instructions with and without rep/repe/repne prefixes. */
export function stringLine(): fc.Arbitrary<string> {
  const ops = ['movs', 'stos', 'lods', 'scas', 'cmps', 'ins', 'outs'];
  return fc
    .tuple(
      fc.option(fc.constantFrom('rep', 'repe', 'repz', 'repne', 'repnz'), { freq: 2, nil: undefined }),
      fc.constantFrom(...ops),
      fc.constantFrom('b', 'w', 'd'),
    )
    .map(([p, op, w]) => `${p ? `${p} ` : ''}${op}${w}`);
}

/** Instructions without operands (and a few with fixed small operands). */
export function zeroOperandLine(): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(
      'nop', 'hlt', 'cli', 'sti', 'cld', 'std', 'clc', 'stc', 'cmc', 'pushf', 'popf', 'pushfd', 'popfd',
      'pusha', 'popa', 'pushad', 'popad', 'lahf', 'sahf', 'cbw', 'cwde', 'cwd', 'cdq', 'iret', 'iretd',
      'ret', 'retf', 'leave', 'int3', 'into', 'cpuid', 'rdtsc', 'rdmsr', 'wrmsr', 'wbinvd', 'invd', 'clts',
      'xlatb', 'aaa', 'aas', 'daa', 'das', 'aam', 'aad', 'pause', 'ud2',
    ), weight: 8 },
    { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((n) => `ret ${n}`), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((n) => `retf ${n}`), weight: 1 },
    {
      arbitrary: fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 31 })).map(([a, b]) => `enter ${a}, ${b}`),
      weight: 1,
    },
  );
}

/** System instructions: descriptor tables, control registers, port I/O, interrupts, far transfers. */
export function systemLine(bits: Bits): fc.Arbitrary<string> {
  const acc = fc.constantFrom('al', 'ax', 'eax');
  return fc.oneof(
    fc.tuple(fc.constantFrom('lgdt', 'lidt', 'sgdt', 'sidt', 'invlpg'), mem(bits)).map(([op, m]) => `${op} ${m}`),
    fc.tuple(fc.constantFrom('lldt', 'ltr', 'verr', 'verw', 'lmsw', 'sldt', 'str', 'smsw'), fc.oneof(reg(16), mem(bits))).map(([op, x]) => `${op} ${x}`),
    fc.tuple(fc.constantFrom('cr0', 'cr3', 'cr4'), fc.constant('eax')).map(([c, r]) => `mov ${c}, ${r}`),
    fc.constantFrom('cr0', 'cr2', 'cr3', 'cr4').map((c) => `mov eax, ${c}`),
    fc.tuple(acc, imm8u()).map(([a, p]) => `in ${a}, ${p}`),
    acc.map((a) => `in ${a}, dx`),
    fc.tuple(imm8u(), acc).map(([p, a]) => `out ${p}, ${a}`),
    acc.map((a) => `out dx, ${a}`),
    imm8u().map((n) => `int ${n}`),
    fc
      .tuple(fc.constantFrom('jmp', 'call'), fc.integer({ min: 0, max: 0xffff }), bits === 32 ? fc.nat() : fc.integer({ min: 0, max: 0xffff }))
      .map(([op, sel, off]) => `${op} ${formatNumber(sel, 'hex')}:${formatNumber(off, 'hex')}`),
    fc.tuple(fc.constantFrom('jmp', 'call'), mem(bits)).map(([op, m]) => `${op} far ${m}`),
    fc.tuple(fc.constantFrom('jmp', 'call'), fc.oneof(reg(bits), sizedMem(bits, bits))).map(([op, x]) => `${op} ${x}`),
    fc.tuple(fc.constantFrom('lar', 'lsl'), reg(bits), fc.oneof(reg(bits), mem(bits))).map(([op, r, x]) => `${op} ${r}, ${x}`),
  );
}

export type Family = 'arith' | 'move' | 'misc';

/** One random line of the given family for `bits`-bit code. */
export function lineOf(bits: Bits, family: Family): fc.Arbitrary<string> {
  switch (family) {
    case 'arith':
      return fc.oneof(
        { arbitrary: aluLine(bits), weight: 6 },
        { arbitrary: testLine(bits), weight: 1 },
        { arbitrary: xchgLine(bits), weight: 1 },
        { arbitrary: leaLine(bits), weight: 1 },
        { arbitrary: unaryLine(bits), weight: 2 },
        { arbitrary: imulLine(bits), weight: 1 },
        { arbitrary: shiftLine(bits), weight: 2 },
      );
    case 'move':
      return fc.oneof(
        { arbitrary: movLine(bits), weight: 6 },
        { arbitrary: movxLine(bits), weight: 1 },
        { arbitrary: stackLine(bits), weight: 2 },
        { arbitrary: conditionalLine(bits), weight: 1 },
        { arbitrary: bitLine(bits), weight: 1 },
      );
    case 'misc':
      return fc.oneof(
        { arbitrary: stringLine(), weight: 2 },
        { arbitrary: zeroOperandLine(), weight: 2 },
        { arbitrary: systemLine(bits), weight: 3 },
      );
  }
}

/** A program of random lines: `bits N` and 1..40 (about 20) lines of `family` (shrinks to the one that fails). */
export function straightProgram(bits: Bits, family: Family): fc.Arbitrary<string[]> {
  return fc.array(lineOf(bits, family), { minLength: 1, maxLength: 40, size: 'max' });
}

// ---------------------------------------------------------------------------------------------
// Programs with labels and jumps

type JumpKind =
  | 'jmp' | 'jmp short' | 'jmp near' | 'jcc' | 'jcc short' | 'jcc near'
  | 'call' | 'loop' | 'loope' | 'loopne' | 'jcxz' | 'jecxz'
  /** an absolute use of the label (mov/push/cmp/dd/lea) */
  | 'ref';

interface Block {
  /** Padding before the label: `times K nop`. */
  pad: number;
  /** Jumps after the label: kind, target (an index reduced modulo the block count), condition. */
  jumps: { kind: JumpKind; target: number; cc: string; refForm: number }[];
}

const padding = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 4 }), weight: 4 },
  { arbitrary: fc.integer({ min: 118, max: 135 }), weight: 3 },
  { arbitrary: fc.integer({ min: 200, max: 300 }), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 1500 }), weight: 1 },
);

const jumpKind = fc.oneof(
  { arbitrary: fc.constantFrom('jmp', 'jcc', 'call', 'ref' as const), weight: 8 },
  { arbitrary: fc.constantFrom('jmp near', 'jcc near'), weight: 2 },
  { arbitrary: fc.constantFrom('jmp short', 'jcc short', 'loop', 'loope', 'loopne', 'jcxz', 'jecxz'), weight: 1 },
) as fc.Arbitrary<JumpKind>;

const block: fc.Arbitrary<Block> = fc.record({
  pad: padding,
  jumps: fc.array(
    fc.record({ kind: jumpKind, target: fc.nat({ max: 1000 }), cc: fc.constantFrom(...CONDITIONS), refForm: fc.nat({ max: 4 }) }),
    { minLength: 0, maxLength: 4 },
  ),
});

export interface JumpProgram {
  bits: Bits;
  org: number | undefined;
  localLabels: boolean;
  blocks: Block[];
}

export function jumpProgram(bits: Bits): fc.Arbitrary<JumpProgram> {
  return fc.record({
    bits: fc.constant(bits),
    org: fc.option(fc.constantFrom(...(bits === 16 ? [0x7c00, 0x100] : [0x7c00, 0x100000])), { nil: undefined }),
    localLabels: fc.boolean(),
    blocks: fc.array(block, { minLength: 1, maxLength: 8, size: 'max' }),
  });
}

/** The source lines (without the `bits` header) of a jump program. */
export function renderJumpProgram(p: JumpProgram): string[] {
  const lines: string[] = [];
  if (p.org !== undefined) lines.push(`org 0x${p.org.toString(16)}`);
  if (p.localLabels) lines.push('top:');
  const label = (i: number) => (p.localLabels ? `.b${i}` : `L${i}`);
  const n = p.blocks.length;
  const acc = p.bits === 32 ? 'eax' : 'ax';
  p.blocks.forEach((b, i) => {
    if (b.pad > 0) lines.push(`times ${b.pad} nop`);
    lines.push(`${label(i)}:`);
    for (const j of b.jumps) {
      // Short-only forms mostly aim at their own block's label (in range); one in four aims at
      // the next label, which may be out of range: then nasm and ours must both reject it.
      const shortOnly = j.kind.endsWith('short') || j.kind.startsWith('loop') || j.kind.endsWith('cxz');
      const t = label(shortOnly ? (j.target % 4 === 0 ? (i + 1) % n : i) : j.target % n);
      switch (j.kind) {
        case 'jcc':
          lines.push(`j${j.cc} ${t}`);
          break;
        case 'jcc short':
          lines.push(`j${j.cc} short ${t}`);
          break;
        case 'jcc near':
          lines.push(`j${j.cc} near ${t}`);
          break;
        case 'ref': {
          // Absolute uses of a label: the value (and so the immediate size) depends on org.
          const forms = [`mov ${acc}, ${t}`, `push ${t}`, `cmp ${acc}, ${t}`, p.bits === 32 ? `dd ${t}` : `dw ${t}`, `lea ${acc}, [${t}]`];
          lines.push(forms[j.refForm % forms.length]);
          break;
        }
        default:
          lines.push(`${j.kind} ${t}`);
      }
    }
  });
  return lines;
}

/** The full text of a program: header, lines, final newline. */
export function programText(bits: Bits, lines: readonly string[]): string {
  return [`bits ${bits}`, ...lines, ''].join('\n');
}
