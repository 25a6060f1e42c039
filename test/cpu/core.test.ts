// The CPU core through its public interface: the run loop, decoded-block cache coherence,
// breakpoints, paging faults and shutdown.
import { describe, expect, test } from 'vitest';
import { assemble } from '../../debug-adapter/src/asm/index.js';
import { flatCpu } from '../../debug-adapter/src/cpu/snippet.js';
import { PhysicalMemory } from '../../debug-adapter/src/machine/memory.js';
import type { Cpu } from '../../debug-adapter/src/cpu/cpu.js';

const ORG = 0x1000;

function load(source: string): { cpu: Cpu; memory: PhysicalMemory; symbols: Map<string, number> } {
  const r = assemble(`bits 32\norg ${ORG}\n${source}`, { fileName: 'core.asm' });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const memory = new PhysicalMemory(1 << 22);
  memory.writeBytes(ORG, r.bytes);
  const cpu = flatCpu(memory);
  cpu.eip = ORG;
  cpu.r32[4] = 0x80000;
  const symbols = new Map(r.symbols.map((s) => [s.name, Number(s.value)]));
  return { cpu, memory, symbols };
}

describe('run loop', () => {
  test('retires exactly the requested number of instructions', () => {
    const { cpu } = load('top: inc eax\njmp top');
    expect(cpu.run(1001)).toBe('budget');
    expect(cpu.retired).toBe(1001);
    expect(cpu.r32[0]).toBe(501);
  });

  test('HLT with interrupts disabled stops as "halted"; EIP is after the HLT', () => {
    const { cpu, symbols } = load('cli\nhlt\nafter: nop');
    expect(cpu.run(100)).toBe('halted');
    expect(cpu.eip).toBe(symbols.get('after'));
  });

  test('HLT with interrupts enabled and no device event is "idle"', () => {
    const { cpu } = load('sti\nhlt');
    expect(cpu.run(100)).toBe('idle');
  });
});

describe('self-modifying code', () => {
  test('a write to an already-decoded instruction takes effect on its next execution', () => {
    // The loop body's immediate is patched from 1 to 5 after the first pass.
    const { cpu } = load(`
      mov ecx, 3
    again:
    patch:
      add eax, byte 1
      mov byte [patch + 2], 5
      dec ecx
      jnz again
      cli
      hlt`);
    cpu.run(1000);
    expect(cpu.r32[0]).toBe(1 + 5 + 5);
  });

  test('an instruction that rewrites the next instruction in the same block sees the new bytes', () => {
    const { cpu } = load(`
      mov byte [next], 0x40      ; 0x40 = inc eax
    next:
      nop
      cli
      hlt`);
    cpu.run(100);
    expect(cpu.r32[0]).toBe(1);
  });
});

describe('breakpoints', () => {
  test('the run stops before the instruction and resumes through it', () => {
    const { cpu, symbols } = load('inc eax\nmark: inc eax\ninc eax\ncli\nhlt');
    cpu.setBreakpoints([symbols.get('mark')!]);
    expect(cpu.run(100)).toBe('breakpoint');
    expect(cpu.eip).toBe(symbols.get('mark'));
    expect(cpu.r32[0]).toBe(1);
    expect(cpu.run(100)).toBe('halted');
    expect(cpu.r32[0]).toBe(3);
  });
});

describe('paging', () => {
  test('a write to a read-only page from ring 0 with CR0.WP faults with #PF(P|W) and CR2', () => {
    // Identity-map the first 4 MiB with one page table; the page at 0x200000 is read-only.
    const { cpu, memory } = load('mov dword [0x200010], 1\ncli\nhlt');
    const pd = 0x10000;
    const pt = 0x11000;
    memory.write32(pd, pt | 7);
    for (let i = 0; i < 1024; i++) memory.write32(pt + i * 4, (i << 12) | (i === 0x200 ? 5 : 7));
    cpu.cr3 = pd;
    cpu.cr0 |= 0x80010000; // PG | WP
    cpu.modeChanged();
    let seen: { vector: number; errorCode: number } | undefined;
    cpu.intercepts = {
      event: (_c, vector, errorCode) => {
        seen = { vector, errorCode };
        cpu.halted = true;
        return 'handled';
      },
    };
    cpu.run(10);
    expect(seen).toEqual({ vector: 14, errorCode: 3 });
    expect(cpu.cr2 >>> 0).toBe(0x200010);
    expect(memory.read32(pd) & 0x20).toBe(0x20); // accessed bit set by the walk
  });
});

describe('shutdown', () => {
  test('a fault with an empty IDT escalates to a triple fault with a one-line reason', () => {
    const { cpu } = load('lidt [idt]\nud2\nidt: dw 0\ndd 0');
    expect(cpu.run(100)).toBe('shutdown');
    expect(cpu.shutdown?.reason).toMatch(/^triple fault: #UD -> #GP\(0x33\) -> .*#DF.* at EIP 0x[0-9a-f]{8}$/);
  });
});
