// Shifts, multiply/divide, BCD and bit operations (debug-adapter/src/cpu/ops/{shift,muldiv,bcd,
// bits,conditions}.ts): exhaustive sweeps over counts and operand values compared with unicorn
// on the whole state (undefined flags included: they follow QEMU by design), arithmetic checked
// against BigInt, and hand-checked SDM cases.
import { describe, expect, it } from 'vitest';
import { Mnemonic } from 'iced-x86';
import { runSnippet } from '../../debug-adapter/src/cpu/snippet';
import { SNIPPET_DATA_BASE, SNIPPET_STACK_TOP, type SnippetCase, type SnippetOutcome, type SnippetRegisters } from '../../debug-adapter/src/cpu/snippet-types';
import { condition, conditionOfMnemonic } from '../../debug-adapter/src/cpu/ops/conditions';
import { Cpu } from '../../debug-adapter/src/cpu/cpu';
import { memoryOnlyBus } from '../../debug-adapter/src/cpu/bus';
import { PhysicalMemory } from '../../debug-adapter/src/machine/memory';
import { assemble } from '../helpers/assembler';
import { runUnicorn } from '../helpers/unicorn';

const CF = 0x1;
const PF = 0x4;
const AF = 0x10;
const ZF = 0x40;
const SF = 0x80;
const OF = 0x800;
const ARITH = CF | PF | AF | ZF | SF | OF;
const D = SNIPPET_DATA_BASE;

const assembled = new Map<string, Uint8Array>();
function code(source: string): Uint8Array {
  let bytes = assembled.get(source);
  if (bytes === undefined) {
    const r = assemble(`bits 32\n${source}\n`, { fileName: 'arith.asm' });
    if (!r.ok) throw new Error(`cannot assemble ${source}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
    bytes = r.bytes;
    assembled.set(source, bytes);
  }
  return bytes;
}

function regs(values: Partial<SnippetRegisters>): SnippetRegisters {
  return { eax: 0, ecx: 0, edx: 0, ebx: 0, esp: SNIPPET_STACK_TOP, ebp: 0, esi: 0, edi: 0, ...values };
}

/** Deterministic pseudo-random 32-bit values. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

interface Case {
  text: string;
  snippet: SnippetCase;
}

function describeDiff(c: Case, e: SnippetOutcome, a: SnippetOutcome): string | undefined {
  const diffs: string[] = [];
  if (e.fault !== a.fault) diffs.push(`fault ${e.fault} vs ${a.fault}`);
  if (e.eip >>> 0 !== a.eip >>> 0) diffs.push(`eip ${e.eip} vs ${a.eip}`);
  for (const r of Object.keys(e.regs) as (keyof SnippetRegisters)[]) {
    if (e.regs[r] >>> 0 !== a.regs[r] >>> 0) diffs.push(`${r} ${e.regs[r].toString(16)} vs ${a.regs[r].toString(16)}`);
  }
  if (e.eflags >>> 0 !== a.eflags >>> 0) diffs.push(`eflags ${e.eflags.toString(16)} vs ${a.eflags.toString(16)}`);
  if (!Buffer.from(e.data).equals(Buffer.from(a.data))) diffs.push('data window');
  if (diffs.length === 0) return undefined;
  const r = c.snippet.regs;
  return `${c.text} [eax=${r.eax.toString(16)} ecx=${r.ecx.toString(16)} edx=${r.edx.toString(16)} ebx=${r.ebx.toString(16)} eflags=${c.snippet.eflags.toString(16)}]: unicorn vs cpu: ${diffs.join(', ')}`;
}

/** Runs every case on unicorn and on our CPU; returns the first few whole-state differences. */
function compareAll(cases: Case[]): string[] {
  const expected = runUnicorn(cases.map((c) => c.snippet));
  const out: string[] = [];
  cases.forEach((c, i) => {
    const actual = runSnippet({ ...c.snippet, regs: { ...c.snippet.regs }, data: c.snippet.data?.slice() });
    const d = describeDiff(c, expected[i], actual);
    if (d !== undefined && out.length < 10) out.push(d);
  });
  return out;
}

function snippetCase(text: string, values: Partial<SnippetRegisters>, eflags: number, data?: Uint8Array): Case {
  return { text, snippet: { code: code(text), regs: regs(values), eflags: eflags | 2, data } };
}

describe('shifts and rotates: every count, every size, all flags as QEMU', () => {
  const ops = ['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr', 'sal'];
  for (const op of ops) {
    it(op, () => {
      const next = rng(op.length * 7919 + op.charCodeAt(0));
      const cases: Case[] = [];
      for (const [reg, mem] of [['al', 'byte'], ['ax', 'word'], ['eax', 'dword']]) {
        for (let count = 0; count < 40; count++) {
          for (let k = 0; k < 3; k++) {
            const value = k === 0 ? 0x80000001 : k === 1 ? 0x40000000 | (next() & 0xff) : next();
            const flags = next() & ARITH;
            cases.push(snippetCase(`${op} ${reg}, cl`, { eax: value, ecx: count | (next() & 0xffffff00) }, flags));
          }
          cases.push(snippetCase(`${op} ${mem} [ebx], cl`, { ebx: D + 4, ecx: count }, next() & ARITH, Uint8Array.of(0, 0, 0, 0, next() & 0xff, 0x81, next() & 0xff, next() & 0xff)));
          if (count < 32) cases.push(snippetCase(`${op} ${reg}, ${count}`, { eax: next() }, next() & ARITH));
        }
        cases.push(snippetCase(`${op} ${reg}, 1`, { eax: 0xc0c0c0c0 }, next() & ARITH));
      }
      expect(compareAll(cases)).toEqual([]);
    });
  }

  for (const op of ['shld', 'shrd']) {
    it(op, () => {
      const next = rng(op === 'shld' ? 17 : 23);
      const cases: Case[] = [];
      for (const [d, s] of [['ax', 'dx'], ['eax', 'edx']]) {
        for (let count = 0; count < 36; count++) {
          for (let k = 0; k < 3; k++) {
            cases.push(snippetCase(`${op} ${d}, ${s}, cl`, { eax: next(), edx: next(), ecx: count }, next() & ARITH));
          }
          cases.push(snippetCase(`${op} ${d === 'ax' ? 'word' : 'dword'} [ebx], ${s}, ${count & 31}`, { ebx: D, edx: next() }, next() & ARITH, Uint8Array.of(next() & 0xff, next() & 0xff, next() & 0xff, next() & 0xff)));
        }
      }
      expect(compareAll(cases)).toEqual([]);
    });
  }
});

describe('multiply and divide', () => {
  it('MUL and IMUL (all forms) agree with BigInt on random and edge operands', () => {
    const next = rng(99);
    const edges = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xffff, 0x8000, 0x7fff, 0xff, 0x80, 0x7f, 0x10000];
    const pick = (): number => (next() % 3 === 0 ? edges[next() % edges.length] : next());
    const s32 = (v: number): bigint => BigInt(v | 0);
    const u32 = (v: number): bigint => BigInt(v >>> 0);
    for (let i = 0; i < 1500; i++) {
      const a = pick();
      const b = pick();
      // 32-bit one-operand forms
      let o = runSnippet({ code: code('mul ebx'), regs: regs({ eax: a, ebx: b }), eflags: 2 });
      let p = u32(a) * u32(b);
      expect(BigInt(o.regs.eax) | (BigInt(o.regs.edx) << 32n)).toBe(p);
      expect((o.eflags & (CF | OF)) !== 0).toBe(p >> 32n !== 0n);
      o = runSnippet({ code: code('imul ebx'), regs: regs({ eax: a, ebx: b }), eflags: 2 });
      p = s32(a) * s32(b);
      expect(BigInt.asIntN(64, BigInt(o.regs.eax) | (BigInt(o.regs.edx) << 32n))).toBe(p);
      expect((o.eflags & (CF | OF)) !== 0).toBe(p !== BigInt.asIntN(32, p));
      // two- and three-operand forms
      o = runSnippet({ code: code('imul ecx, ebx'), regs: regs({ ecx: a, ebx: b }), eflags: 2 });
      expect(o.regs.ecx).toBe(Number(BigInt.asUintN(32, p)));
      expect((o.eflags & (CF | OF)) !== 0).toBe(p !== BigInt.asIntN(32, p));
      const imm = (b << 16) >> 16;
      o = runSnippet({ code: code(`imul ecx, ebx, ${imm}`), regs: regs({ ebx: a }), eflags: 2 });
      p = s32(a) * BigInt(imm);
      expect(o.regs.ecx).toBe(Number(BigInt.asUintN(32, p)));
      expect((o.eflags & (CF | OF)) !== 0).toBe(p !== BigInt.asIntN(32, p));
      o = runSnippet({ code: code('imul cx, bx'), regs: regs({ ecx: a, ebx: b }), eflags: 2 });
      p = BigInt((a << 16) >> 16) * BigInt((b << 16) >> 16);
      expect(o.regs.ecx).toBe(((a & 0xffff0000) | Number(BigInt.asUintN(16, p))) >>> 0);
      expect((o.eflags & (CF | OF)) !== 0).toBe(p !== BigInt.asIntN(16, p));
    }
  });

  it('DIV and IDIV (32-bit) agree with BigInt, including quotients just below the overflow', () => {
    const next = rng(1234);
    for (let i = 0; i < 3000; i++) {
      const d = i % 4 === 0 ? (next() >>> (next() % 32)) || 1 : next() || 3;
      // Unsigned: EDX < divisor keeps the quotient in range.
      const hi = i % 3 === 0 ? d - 1 : next() % d;
      const lo = next();
      let o = runSnippet({ code: code('div ebx'), regs: regs({ eax: lo, edx: hi, ebx: d }), eflags: 0x8d7 });
      const n = (BigInt(hi) << 32n) | BigInt(lo);
      expect(o.fault).toBeUndefined();
      expect(BigInt(o.regs.eax)).toBe(n / BigInt(d));
      expect(BigInt(o.regs.edx)).toBe(n % BigInt(d));
      expect(o.eflags).toBe(0x8d7); // flags unchanged, as QEMU
      // Signed: a random quotient (sometimes out of range) times the divisor plus a remainder.
      const ds = BigInt(d | 0);
      const q = BigInt.asIntN(33, BigInt(next()) << BigInt(next() & 1)) >> BigInt(next() % 32);
      const absD = ds < 0n ? -ds : ds;
      const rem = (BigInt(next()) % absD) * (next() & 1 ? 1n : -1n);
      const sn = q * ds + rem;
      const ns = BigInt.asUintN(64, sn);
      o = runSnippet({ code: code('idiv ebx'), regs: regs({ eax: Number(ns & 0xffffffffn), edx: Number(ns >> 32n), ebx: d }), eflags: 2 });
      const tq = sn / ds; // BigInt division truncates toward zero, as IDIV
      if (tq > 0x7fffffffn || tq < -0x80000000n) {
        expect(o.fault).toBe(0);
      } else {
        expect(o.fault).toBeUndefined();
        expect(o.regs.eax | 0).toBe(Number(tq));
        expect(o.regs.edx | 0).toBe(Number(sn - tq * ds));
      }
    }
  });

  it('raises #DE on zero divisors and quotient overflow, changing nothing', () => {
    const cases: [string, Partial<SnippetRegisters>, boolean][] = [
      ['div ebx', { eax: 1, edx: 0, ebx: 0 }, true],
      ['div ebx', { eax: 0, edx: 5, ebx: 5 }, true],
      ['div ebx', { eax: 0xffffffff, edx: 4, ebx: 5 }, false],
      ['idiv ebx', { eax: 0x80000000, edx: 0xffffffff, ebx: 0xffffffff }, true], // -2^31 / -1
      ['idiv ebx', { eax: 0x80000000, edx: 0xffffffff, ebx: 1 }, false], // -2^31 / 1
      ['idiv ebx', { eax: 0, edx: 0x80000000, ebx: 0xffffffff }, true], // -2^63 / -1 (unicorn dies here)
      ['idiv ebx', { eax: 0x00000000, edx: 0x40000000, ebx: 0x80000000 }, false], // 2^62 / -2^31 = -2^31 fits
      ['idiv ebx', { eax: 0x00000000, edx: 0x40000000, ebx: 0x7fffffff }, true],
      ['idiv bl', { eax: 0xff80, ebx: 1 }, false], // -128 / 1 = -128 fits
      ['idiv bl', { eax: 0x0080, ebx: 0xff }, false], // 128 / -1 = -128 fits
      ['idiv bl', { eax: 0xff80, ebx: 0xff }, true], // -128 / -1 = 128
      ['idiv bx', { eax: 0x8000, edx: 0xffff, ebx: 0xffff }, true],
      ['div bl', { eax: 0x0100, ebx: 1 }, true],
      ['div bx', { eax: 0, edx: 1, ebx: 1 }, true],
      ['div bx', { eax: 0, edx: 1, ebx: 0x10 }, false],
      ['aam 0', { eax: 0x1234 }, true],
    ];
    for (const [text, values, faults] of cases) {
      const o = runSnippet({ code: code(text), regs: regs(values), eflags: 0x8d7 });
      expect(o.fault, `${text} ${JSON.stringify(values)}`).toBe(faults ? 0 : undefined);
      if (faults) {
        expect(o.regs).toEqual(regs(values));
        expect(o.eflags).toBe(0x8d7);
        expect(o.eip).toBe(0x1000);
      }
    }
  });

  it('8- and 16-bit forms and the undefined flags match unicorn', () => {
    const next = rng(5);
    const cases: Case[] = [];
    for (let i = 0; i < 300; i++) {
      const values = { eax: next(), ebx: next() | 1, edx: next() & 0x7, ecx: next() };
      for (const t of ['mul bl', 'imul bl', 'mul bx', 'imul bx', 'mul ebx', 'imul ebx', 'imul cx, bx', 'imul ecx, ebx', 'imul cx, bx, -7', 'imul ecx, ebx, 0x12345', 'div bl', 'idiv bl', 'div bx', 'idiv bx', 'div ebx']) {
        cases.push(snippetCase(t, values, next() & ARITH));
      }
    }
    expect(compareAll(cases)).toEqual([]);
  });
});

describe('decimal adjustment: every AL, AF and CF', () => {
  it('DAA DAS AAA AAS AAM AAD match unicorn', () => {
    const next = rng(77);
    const cases: Case[] = [];
    for (const t of ['daa', 'das', 'aaa', 'aas']) {
      for (let al = 0; al < 256; al++) {
        for (const flags of [0, CF, AF, CF | AF]) {
          cases.push(snippetCase(t, { eax: (next() & 0xffff0000) | ((next() & 0xff) << 8) | al }, flags | (next() & (PF | ZF | SF | OF))));
        }
      }
    }
    for (let i = 0; i < 300; i++) {
      const imm = [10, 16, 7, 1, 255, next() & 0xff || 3][i % 6];
      cases.push(snippetCase(`aam ${imm}`, { eax: next() }, next() & ARITH));
      cases.push(snippetCase(`aad ${imm}`, { eax: next() }, next() & ARITH));
    }
    expect(compareAll(cases)).toEqual([]);
  });
});

describe('bit operations', () => {
  it('BT* with register offsets reach any word or dword around a memory operand', () => {
    const next = rng(31);
    const cases: Case[] = [];
    // The operand sits in the middle of the data window so that every offset (up to ±4 KiB)
    // stays inside it (unicorn's runner does not reset memory outside the window between cases).
    const data = new Uint8Array(0x4000);
    for (let i = 0; i < data.length; i++) data[i] = next() & 0xff;
    for (const op of ['bt', 'bts', 'btr', 'btc']) {
      for (const offset of [0, 1, 15, 16, 31, 32, 33, 100, 1000, -1, -16, -17, -32, -33, -1000, 0x7fff, -0x8000]) {
        cases.push(snippetCase(`${op} dword [ebx], ecx`, { ebx: D + 0x2000, ecx: offset }, next() & ARITH, data));
        cases.push(snippetCase(`${op} word [ebx], cx`, { ebx: D + 0x2000, ecx: (offset & 0xffff) | 0x12340000 }, next() & ARITH, data));
        cases.push(snippetCase(`${op} word [ebx+2], ${offset & 0xff}`, { ebx: D + 0x2000 }, next() & ARITH, data));
        cases.push(snippetCase(`${op} eax, ecx`, { eax: next(), ecx: offset }, next() & ARITH));
        cases.push(snippetCase(`${op} ax, cx`, { eax: next(), ecx: offset }, next() & ARITH));
      }
    }
    expect(compareAll(cases)).toEqual([]);
  });

  it('BSF/BSR, BSWAP (also the undefined 16-bit form), CMPXCHG8B, XADD, CMPXCHG match unicorn', () => {
    const next = rng(8);
    const cases: Case[] = [];
    for (let i = 0; i < 200; i++) {
      const v = i % 10 === 0 ? 0 : next() >>> (next() % 32);
      for (const t of ['bsf ecx, ebx', 'bsr ecx, ebx', 'bsf cx, bx', 'bsr cx, bx', 'bswap eax', 'bswap ax', 'xadd eax, ebx', 'xadd bl, bl', 'cmpxchg ecx, ebx', 'cmpxchg cl, bl', 'cmpxchg ax, ax']) {
        cases.push(snippetCase(t, { eax: i % 3 === 0 ? v : next(), ebx: v, ecx: i % 3 === 0 ? v : next() }, next() & ARITH));
      }
      const mem = new Uint8Array(16);
      for (let k = 0; k < 16; k++) mem[k] = next() & 0xff;
      const equal = i % 2 === 0;
      const lo = mem[4] | (mem[5] << 8) | (mem[6] << 16) | (mem[7] << 24);
      const hi = mem[8] | (mem[9] << 8) | (mem[10] << 16) | (mem[11] << 24);
      cases.push(snippetCase('cmpxchg8b [esi+4]', { esi: D, eax: equal ? lo : next(), edx: equal ? hi : next(), ebx: next(), ecx: next() }, next() & ARITH, mem));
      cases.push(snippetCase('cmpxchg dword [esi+4], ecx', { esi: D, eax: equal ? lo : next(), ecx: next() }, next() & ARITH, mem));
      cases.push(snippetCase('xadd word [esi+6], cx', { esi: D, ecx: next() }, next() & ARITH, mem));
    }
    expect(compareAll(cases)).toEqual([]);
  });

  it('BSF/BSR with a zero source leave the destination unchanged and set ZF', () => {
    const o = runSnippet({ code: code('bsf ecx, ebx\nbsr edx, ebx'), regs: regs({ ebx: 0, ecx: 0x1234, edx: 0x5678 }), eflags: 2 | CF | OF });
    expect(o.regs.ecx).toBe(0x1234);
    expect(o.regs.edx).toBe(0x5678);
    expect(o.eflags & ARITH).toBe(ZF | PF);
  });

  it('CMOVcc reads its memory source even when the condition is false', () => {
    const o = runSnippet({ code: code('cmovz eax, [0xfffffff0]'), regs: regs({ eax: 7 }), eflags: 2 });
    // Past the 1 MiB of RAM the snippet CPU reads all-ones; the condition is false: EAX keeps 7.
    expect(o.regs.eax).toBe(7);
    expect(o.fault).toBeUndefined();
  });
});

describe('conditions', () => {
  it('evaluate the sixteen conditions from every flag combination', () => {
    const cpu = new Cpu(memoryOnlyBus(new PhysicalMemory(1 << 16)));
    for (let bits = 0; bits < 32; bits++) {
      const cf = bits & 1;
      const zf = (bits >> 1) & 1;
      const sf = (bits >> 2) & 1;
      const of = (bits >> 3) & 1;
      const pf = (bits >> 4) & 1;
      cpu.setEflags(2 | (cf ? CF : 0) | (zf ? ZF : 0) | (sf ? SF : 0) | (of ? OF : 0) | (pf ? PF : 0));
      const expected = [of, !of, cf, !cf, zf, !zf, cf || zf, !cf && !zf, sf, !sf, pf, !pf, sf !== of, sf === of, zf || sf !== of, !zf && sf === of];
      expected.forEach((want, cc) => expect(condition(cpu, cc), `cc ${cc} flags ${bits}`).toBe(Boolean(want)));
    }
  });

  it('evaluate lazily computed flags (after a CMP) like materialized ones', () => {
    const cpu = new Cpu(memoryOnlyBus(new PhysicalMemory(1 << 16)));
    const next = rng(3);
    for (let i = 0; i < 2000; i++) {
      const w = [8, 16, 32][i % 3];
      const mask = w === 32 ? -1 : (1 << w) - 1;
      const a = next() & mask;
      const b = (i % 5 === 0 ? a : next()) & mask;
      cpu.flagsSub(a, b, (a - b) | 0, w);
      const lazy = Array.from({ length: 16 }, (_, cc) => condition(cpu, cc));
      cpu.setEflags(cpu.getEflags());
      const eager = Array.from({ length: 16 }, (_, cc) => condition(cpu, cc));
      expect(lazy).toEqual(eager);
      // Unsigned and signed orderings as the mnemonics promise.
      const sa = (a << (32 - w)) >> (32 - w);
      const sb = (b << (32 - w)) >> (32 - w);
      expect(eager[2]).toBe(a >>> 0 < b >>> 0); // B
      expect(eager[7]).toBe(a >>> 0 > b >>> 0); // A
      expect(eager[12]).toBe(sa < sb); // L
      expect(eager[15]).toBe(sa > sb); // G
    }
  });

  it('map Jcc, SETcc and CMOVcc mnemonics to their condition codes', () => {
    const names = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
    const m = Mnemonic as unknown as Record<string, number>;
    names.forEach((n, cc) => {
      expect(conditionOfMnemonic(m[`J${n}`])).toBe(cc);
      expect(conditionOfMnemonic(m[`Set${n}`])).toBe(cc);
      expect(conditionOfMnemonic(m[`Cmov${n}`])).toBe(cc);
    });
    expect(conditionOfMnemonic(Mnemonic.Jmp)).toBe(-1);
    expect(conditionOfMnemonic(Mnemonic.Jecxz)).toBe(-1);
    expect(conditionOfMnemonic(Mnemonic.Add)).toBe(-1);
  });
});

describe('SDM examples', () => {
  it('DAA after packed BCD addition 79 + 35 = 114', () => {
    const o = runSnippet({ code: code('add al, bl\ndaa'), regs: regs({ eax: 0x79, ebx: 0x35 }), eflags: 2 });
    expect(o.regs.eax & 0xff).toBe(0x14);
    expect(o.eflags & CF).toBe(CF);
  });

  it('DAS after packed BCD subtraction 35 - 47 = -12 (88 with borrow)', () => {
    const o = runSnippet({ code: code('sub al, bl\ndas'), regs: regs({ eax: 0x35, ebx: 0x47 }), eflags: 2 });
    expect(o.regs.eax & 0xff).toBe(0x88);
    expect(o.eflags & CF).toBe(CF);
  });

  it('RCL by 9 on a byte is the identity (count modulo 9), flags untouched', () => {
    const o = runSnippet({ code: code('rcl al, cl'), regs: regs({ eax: 0xa5, ecx: 9 }), eflags: 2 | CF | OF | AF });
    expect(o.regs.eax).toBe(0xa5);
    expect(o.eflags).toBe(2 | CF | OF | AF);
  });

  it('a masked count of 0 keeps every flag, even lazily computed ones', () => {
    const o = runSnippet({ code: code('add eax, ebx\nshl eax, cl\nrcr edx, cl\nshld eax, edx, cl'), regs: regs({ eax: 0x7fffffff, ebx: 1, ecx: 32 }), eflags: 2 });
    expect(o.regs.eax).toBe(0x80000000);
    expect(o.eflags & ARITH).toBe(OF | SF | AF | PF);
  });
});
