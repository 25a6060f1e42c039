// String instructions (debug-adapter/src/cpu/ops/string.ts): long and overlapping REP runs, both
// directions, 16-bit addressing, segment overrides, restartable faults in the middle of a REP
// (segment limit, page fault), INS/OUTS through the bus, and the bulk REP MOVS/STOS path.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../debug-adapter/src/cpu/cpu';
import type { CpuBus } from '../../debug-adapter/src/cpu/bus';
import { CR0_ET, CR0_PE, CR0_PG, CS, DS, ES, FS, GS, SS, VEC_GP, VEC_PF } from '../../debug-adapter/src/cpu/constants';
import { runSnippet } from '../../debug-adapter/src/cpu/snippet';
import {
  SNIPPET_DATA_BASE,
  SNIPPET_STACK_TOP,
  type SnippetCase,
  type SnippetRegisters,
} from '../../debug-adapter/src/cpu/snippet-types';
import { MAX_REP_ITERATIONS } from '../../debug-adapter/src/cpu/ops/string';
import { PhysicalMemory } from '../../debug-adapter/src/machine/memory';
import { assemble } from '../helpers/assembler';
import { runUnicorn } from '../helpers/unicorn';

const DF = 0x400;
const ZF = 0x40;

function code(source: string): Uint8Array {
  const r = assemble(`bits 32\n${source}\n`, { fileName: 'string.asm' });
  if (!r.ok) throw new Error(`cannot assemble ${source}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.bytes;
}

function regs(values: Partial<SnippetRegisters>): SnippetRegisters {
  return { eax: 0, ecx: 0, edx: 0, ebx: 0, esp: SNIPPET_STACK_TOP, ebp: 0, esi: 0, edi: 0, ...values };
}

function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const D = SNIPPET_DATA_BASE;

describe('string instructions agree with unicorn on whole state', () => {
  const cases: [string, SnippetCase][] = [
    ['rep movsd longer than one execution', { code: code('rep movsd'), regs: regs({ ecx: 5000, esi: D, edi: D + 0x5000 }), eflags: 2, data: pattern(0x10000) }],
    ['rep movsb forward, destination one byte above the source', { code: code('rep movsb'), regs: regs({ ecx: 3000, esi: D + 0x100, edi: D + 0x101 }), eflags: 2, data: pattern(0x10000, 2) }],
    ['rep movsd forward, destination 3 bytes above', { code: code('rep movsd'), regs: regs({ ecx: 2000, esi: D + 0x40, edi: D + 0x43 }), eflags: 2, data: pattern(0x10000, 3) }],
    ['rep movsd forward, destination 10 bytes above', { code: code('rep movsd'), regs: regs({ ecx: 2000, esi: D + 0x40, edi: D + 0x4a }), eflags: 2, data: pattern(0x10000, 4) }],
    ['rep movsw forward, destination below the source', { code: code('rep movsw'), regs: regs({ ecx: 6000, esi: D + 0x1003, edi: D + 0x1000 }), eflags: 2, data: pattern(0x10000, 5) }],
    ['rep movsd backward (DF=1), overlapping', { code: code('rep movsd'), regs: regs({ ecx: 4500, esi: D + 0x8000, edi: D + 0x8006 }), eflags: 2 | DF, data: pattern(0x10000, 6) }],
    ['rep stosb longer than one execution', { code: code('rep stosb'), regs: regs({ eax: 0x1234_56a5, ecx: 9000, edi: D + 3 }), eflags: 2, data: pattern(0x10000, 7) }],
    ['rep stosw', { code: code('rep stosw'), regs: regs({ eax: 0xbeef, ecx: 7000, edi: D + 1 }), eflags: 2, data: pattern(0x10000, 8) }],
    ['rep stosd with a repeated byte', { code: code('rep stosd'), regs: regs({ eax: 0x7f7f7f7f, ecx: 5000, edi: D + 2 }), eflags: 2 }],
    ['rep stosd backward', { code: code('rep stosd'), regs: regs({ eax: 0xcafef00d, ecx: 5000, edi: D + 0xfff0 }), eflags: 2 | DF }],
    ['repne scasb (strlen) over a long string', { code: code('repne scasb'), regs: regs({ eax: 0, ecx: 0xffffffff, edi: D }), eflags: 2, data: new Uint8Array(0x3000).fill(0x41) }],
    ['repe cmpsd over equal blocks, then a difference', {
      code: code('repe cmpsd'),
      regs: regs({ ecx: 3000, esi: D, edi: D + 0x8000 }),
      eflags: 2,
      data: (() => {
        const d = new Uint8Array(0x10000);
        const p = pattern(0x3000, 9);
        d.set(p, 0);
        d.set(p, 0x8000);
        d[0x8000 + 0x2a42] ^= 0x10;
        return d;
      })(),
    }],
    ['repne cmpsb stops on the first equal byte', { code: code('repne cmpsb'), regs: regs({ ecx: 100, esi: D, edi: D + 0x100 }), eflags: 2 | ZF, data: (() => { const d = pattern(0x400, 10); d[0x100 + 57] = d[57]; for (let i = 0; i < 57; i++) if (d[0x100 + i] === d[i]) d[0x100 + i] ^= 1; return d; })() }],
    ['rep lodsw', { code: code('rep lodsw'), regs: regs({ ecx: 5000, esi: D + 0x10 }), eflags: 2, data: pattern(0x10000, 11) }],
    ['a16 rep movsb wraps SI and DI at 64 KiB and counts in CX', { code: code('a16 rep movsb'), regs: regs({ ecx: 0x5550_0006, esi: 0x1234_fffd, edi: 0xabcd_7ffe }), eflags: 2 }],
    ['a16 rep stosw backward', { code: code('a16 rep stosw'), regs: regs({ eax: 0x1122, ecx: 0x10003, edi: 0x0000_8003 }), eflags: 2 | DF }],
    ['fs rep movsb (flat FS)', { code: code('fs rep movsb'), regs: regs({ ecx: 77, esi: D + 5, edi: D + 0x4000 }), eflags: 2, data: pattern(0x1000, 12) }],
    ['rep movsd with ECX = 0 changes nothing', { code: code('rep movsd'), regs: regs({ ecx: 0, esi: D, edi: D + 0x100 }), eflags: 0x8d7, data: pattern(0x200, 13) }],
    ['repe scasd with ECX = 0 keeps the flags', { code: code('repe scasd'), regs: regs({ ecx: 0, edi: D }), eflags: 0x8d7 }],
    ['self-modifying: rep stosb overwrites the next instructions', {
      // The NOPs written over "mov ebx, 1" must be what runs next.
      code: code('mov edi, 0x1000 + after - $$\nmov ecx, 5\nmov al, 0x90\nrep stosb\nafter: mov ebx, 1\nnop'),
      regs: regs({}),
      eflags: 2,
    }],
    ['self-modifying: rep movsd copies code over the next instructions', {
      code: code('mov esi, 0x1000 + src - $$\nmov edi, 0x1000 + after - $$\nmov ecx, 10\nrep movsb\nafter: mov ebx, 1\nmov ecx, 7\njmp done\nsrc: mov edx, 3\ntimes 5 nop\ndone:'),
      regs: regs({}),
      eflags: 2,
    }],
  ];

  for (const c of cases) c[1].maxInstructions = 100_000;
  // Self-modifying cases run in batches of their own: in a shared unicorn process the case after
  // one of them can run stale translated code (unicorn 2.0.1 keeps the modified block cached).
  const smc = cases.map(([name]) => name.startsWith('self-modifying'));
  const shared = runUnicorn(cases.filter((_, i) => !smc[i]).map(([, c]) => c));
  const expected = cases.map(([, c], i) => (smc[i] ? runUnicorn([c])[0] : shared[cases.slice(0, i).filter((_, j) => !smc[j]).length]));

  cases.forEach(([name, c], i) => {
    it(name, () => {
      const actual = runSnippet({ ...c, regs: { ...c.regs }, data: c.data?.slice() });
      const e = expected[i];
      expect(actual.fault).toBe(e.fault);
      expect(actual.eip >>> 0).toBe(e.eip >>> 0);
      expect(actual.regs).toEqual(e.regs);
      expect(actual.eflags >>> 0).toBe(e.eflags >>> 0);
      expect(Buffer.from(actual.data).equals(Buffer.from(e.data))).toBe(true);
    });
  });
});

// ---- a CPU of our own, for what the snippet harness cannot set up ---------------------------------

interface Port {
  reads: number[];
  writes: [number, number, number][];
}

function machine(port?: Port): { cpu: Cpu; memory: PhysicalMemory; faults: [number, number][] } {
  const memory = new PhysicalMemory(4 << 20);
  const bus: CpuBus = {
    memory,
    ioRead: (p, size) => {
      if (port === undefined) return 0xffffffff;
      port.reads.push(p);
      return (0x11 * port.reads.length * (size === 1 ? 1 : size === 2 ? 0x101 : 0x1010101)) & (size === 4 ? -1 : (1 << (size * 8)) - 1);
    },
    ioWrite: (p, size, v) => {
      port?.writes.push([p, size, v]);
    },
    intrPending: () => false,
    acknowledgeInterrupt: () => 0,
    nextDeadline: () => Infinity,
    advanceTo: () => undefined,
    stopRequested: () => false,
  };
  const cpu = new Cpu(bus);
  cpu.cr0 = CR0_ET | CR0_PE;
  for (const seg of [ES, SS, DS, FS, GS]) cpu.setSegmentCache(seg, 0x10, 0, 0xffffffff, 0xcf93);
  cpu.setSegmentCache(CS, 0x08, 0, 0xffffffff, 0xcf9b);
  cpu.modeChanged();
  const faults: [number, number][] = [];
  cpu.intercepts = {
    event: (c, vector, errorCode, kind) => {
      if (kind !== 'exception') return 'native';
      faults.push([vector, errorCode]);
      c.halted = true;
      c.attention = true;
      return 'handled';
    },
  };
  return { cpu, memory, faults };
}

const CODE = 0x1000;

/** Runs `source` at CODE until its end or the first exception; returns the executions retired. */
function run(m: ReturnType<typeof machine>, source: string): number {
  const bytes = code(source);
  m.memory.writeBytes(CODE, bytes);
  m.cpu.eip = CODE;
  const start = m.cpu.retired;
  for (let guard = 0; m.cpu.eip !== CODE + bytes.length && m.faults.length === 0; guard++) {
    if (guard > 1_000_000) throw new Error('runaway');
    m.cpu.run(m.cpu.retired + 1);
  }
  return m.cpu.retired - start;
}

describe('repeated string instructions are restartable', () => {
  it('stop at a segment-limit fault with the registers describing the elements done', () => {
    const m = machine();
    m.cpu.setSegmentCache(ES, 0x18, 0, 0x10fff, 0x4093);
    m.cpu.r32[0] = 0x11223344;
    m.cpu.r32[1] = 0x800;
    m.cpu.r32[7] = 0x10000;
    run(m, 'rep stosd');
    expect(m.faults).toEqual([[VEC_GP, 0]]);
    expect(m.cpu.eip).toBe(CODE);
    expect(m.cpu.r32[7]).toBe(0x11000);
    expect(m.cpu.r32[1]).toBe(0x400);
    expect(m.memory.read32(0x10ffc)).toBe(0x11223344);
    expect(m.memory.read32(0x11000)).toBe(0);
  });

  it('stop at a page fault in the middle and finish when re-executed after the page is mapped', () => {
    const m = machine();
    const pd = 0x80000;
    const pt = 0x81000;
    m.memory.write32(pd, pt | 3);
    for (let i = 0; i < 256; i++) m.memory.write32(pt + i * 4, (i << 12) | 3);
    m.memory.write32(pt + 0x13 * 4, 0); // 0x13000 not present
    m.cpu.cr3 = pd;
    m.cpu.cr0 |= CR0_PG;
    m.cpu.modeChanged();
    m.memory.bytes.set(pattern(0x4000, 21), 0x20000);
    m.cpu.r32[1] = 0x1000;
    m.cpu.r32[6] = 0x20000;
    m.cpu.r32[7] = 0x10000;
    run(m, 'rep movsd');
    expect(m.faults.map(([v]) => v)).toEqual([VEC_PF]);
    expect(m.faults[0][1] & 3).toBe(2); // not present, write
    expect(m.cpu.cr2 >>> 0).toBe(0x13000);
    expect(m.cpu.eip).toBe(CODE);
    expect(m.cpu.r32[1]).toBe(0x400);
    expect(m.cpu.r32[6]).toBe(0x23000);
    expect(m.cpu.r32[7]).toBe(0x13000);
    expect(Buffer.from(m.memory.bytes.subarray(0x10000, 0x13000)).equals(Buffer.from(m.memory.bytes.subarray(0x20000, 0x23000)))).toBe(true);

    // Map the page and resume the same instruction: it completes the copy.
    m.memory.write32(pt + 0x13 * 4, 0x13000 | 3);
    m.cpu.flushTlb();
    m.faults.length = 0;
    m.cpu.halted = false;
    run(m, 'rep movsd');
    expect(m.faults).toEqual([]);
    expect(m.cpu.r32[1]).toBe(0);
    expect(m.cpu.r32[7]).toBe(0x14000);
    expect(Buffer.from(m.memory.bytes.subarray(0x10000, 0x14000)).equals(Buffer.from(m.memory.bytes.subarray(0x20000, 0x24000)))).toBe(true);
  });

  it(`runs at most ${MAX_REP_ITERATIONS} elements per execution`, () => {
    const m = machine();
    m.cpu.r32[1] = MAX_REP_ITERATIONS * 3 + 5;
    m.cpu.r32[7] = 0x100000;
    const retired = run(m, 'rep stosb');
    expect(retired).toBe(4);
    expect(m.cpu.r32[1]).toBe(0);
    expect(m.cpu.r32[7]).toBe(0x100000 + MAX_REP_ITERATIONS * 3 + 5);
  });

  it('copy through a source segment override with a non-zero base', () => {
    const m = machine();
    m.cpu.setSegmentCache(FS, 0x20, 0x200000, 0xffff, 0x0093);
    m.memory.bytes.set(pattern(0x100, 31), 0x200040);
    m.cpu.r32[1] = 0x40;
    m.cpu.r32[6] = 0x40;
    m.cpu.r32[7] = 0x30000;
    run(m, 'fs rep movsd');
    expect(m.cpu.r32[6]).toBe(0x140);
    expect(Buffer.from(m.memory.bytes.subarray(0x30000, 0x30100)).equals(Buffer.from(pattern(0x100, 31)))).toBe(true);
  });
});

describe('INS and OUTS', () => {
  it('rep insw stores what the port returns, element by element', () => {
    const port: Port = { reads: [], writes: [] };
    const m = machine(port);
    m.cpu.r32[1] = 3;
    m.cpu.r32[2] = 0x1f0;
    m.cpu.r32[7] = 0x10000;
    run(m, 'rep insw');
    expect(port.reads).toEqual([0x1f0, 0x1f0, 0x1f0]);
    expect([m.memory.read16(0x10000), m.memory.read16(0x10002), m.memory.read16(0x10004)]).toEqual([0x1111, 0x2222, 0x3333]);
    expect(m.cpu.r32[7]).toBe(0x10006);
    expect(m.cpu.r32[1]).toBe(0);
  });

  it('rep outsb with DF=1 sends bytes from the end backwards', () => {
    const port: Port = { reads: [], writes: [] };
    const m = machine(port);
    m.memory.bytes.set([1, 2, 3, 4], 0x10000);
    m.cpu.r32[1] = 4;
    m.cpu.r32[2] = 0xe9;
    m.cpu.r32[6] = 0x10003;
    m.cpu.setEflags(2 | DF);
    run(m, 'rep outsb');
    expect(port.writes).toEqual([[0xe9, 1, 4], [0xe9, 1, 3], [0xe9, 1, 2], [0xe9, 1, 1]]);
    expect(m.cpu.r32[6]).toBe(0xffff);
  });

  it('INS checks the destination before reading the port', () => {
    const port: Port = { reads: [], writes: [] };
    const m = machine(port);
    m.cpu.setSegmentCache(ES, 0x18, 0, 0xfff, 0x4093);
    m.cpu.r32[2] = 0x60;
    m.cpu.r32[7] = 0x2000;
    run(m, 'insd');
    expect(m.faults).toEqual([[VEC_GP, 0]]);
    expect(port.reads).toEqual([]);
  });

  it('outsd at CPL 3 above IOPL without a TSS bitmap raises #GP(0) before any output', () => {
    const port: Port = { reads: [], writes: [] };
    const m = machine(port);
    m.cpu.setSegmentCache(SS, 0x2b, 0, 0xffffffff, 0xcff3);
    m.cpu.setSegmentCache(DS, 0x2b, 0, 0xffffffff, 0xcff3);
    m.cpu.setSegmentCache(CS, 0x23, 0, 0xffffffff, 0xcffb);
    m.cpu.trLimit = 0x67; // a bitmap base of 0 puts port 0x400's bits beyond the limit
    m.cpu.r32[1] = 2;
    m.cpu.r32[2] = 0x400;
    m.cpu.r32[6] = 0x10000;
    run(m, 'rep outsd');
    expect(m.faults).toEqual([[VEC_GP, 0]]);
    expect(port.writes).toEqual([]);
    expect(m.cpu.r32[1]).toBe(2);
  });
});

describe('the bulk REP path', () => {
  it('copies and fills a megabyte correctly', () => {
    const m = machine();
    const src = pattern(1 << 20, 41);
    m.memory.bytes.set(src, 0x100000);
    m.cpu.r32[1] = (1 << 20) / 4;
    m.cpu.r32[6] = 0x100000;
    m.cpu.r32[7] = 0x200000;
    run(m, 'rep movsd');
    expect(Buffer.from(m.memory.bytes.subarray(0x200000, 0x300000)).equals(Buffer.from(src))).toBe(true);
    m.cpu.r32[0] = 0x01020304;
    m.cpu.r32[1] = (1 << 20) / 4;
    m.cpu.r32[7] = 0x100000;
    run(m, 'rep stosd');
    const v = new DataView(m.memory.bytes.buffer, 0x100000, 1 << 20);
    let ok = true;
    for (let i = 0; i < 1 << 20; i += 4) if (v.getUint32(i, true) !== 0x01020304) ok = false;
    expect(ok).toBe(true);
    expect(m.cpu.r32[7]).toBe(0x200000);
  });
});
