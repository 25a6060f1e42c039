// Segment-register loads (MOV/POP/LxS into DS, ES, FS, GS, SS) with the protected-mode checks.
import { describe, expect, test } from 'vitest';
import { Machine, segDescriptor, toRing3, DATA0, DATA3, SEL_DATA3, SEL_DATA0, SEL_SPARE, SEL_CODE0, SEL_TSS, CODE3 } from './protection-setup.js';
import { loadSegment } from '../../debug-adapter/src/cpu/protection/segments.js';
import { CpuFault } from '../../debug-adapter/src/cpu/fault.js';
import { DS, ES, FS, GS, SS, CR0_PE } from '../../debug-adapter/src/cpu/constants.js';
import { SEG_READ, SEG_WRITE } from '../../debug-adapter/src/cpu/cpu.js';

/** A machine after the prologue, at ring `cpl` (set directly for the direct-call tests). */
function ready(cpl = 0): Machine {
  const m = new Machine('main:\n  cli\n  hlt');
  m.run();
  m.cpu.cpl = cpl;
  return m;
}

function faultOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CpuFault) return e.toString();
    throw e;
  }
  return 'none';
}

describe('data segment registers', () => {
  test('a null selector is accepted for DS/ES/FS/GS and makes the register unusable', () => {
    const m = ready();
    loadSegment(m.cpu, DS, 3);
    expect(m.cpu.segSel[DS]).toBe(3);
    expect(m.cpu.segAcc[DS]).toBe(0);
    expect(faultOf(() => m.cpu.rd8(DS, 0))).toBe('#GP(0x0)');
  });

  test('an index beyond the GDT limit is #GP(selector)', () => {
    const m = ready();
    expect(faultOf(() => loadSegment(m.cpu, ES, 0x800 | 3))).toBe('#GP(0x800)');
  });

  test('an LDT selector with no LDT loaded is #GP(selector)', () => {
    const m = ready();
    expect(faultOf(() => loadSegment(m.cpu, ES, 0x0c))).toBe('#GP(0xc)');
  });

  test('a system descriptor or an execute-only code segment is #GP(selector)', () => {
    const m = ready();
    expect(faultOf(() => loadSegment(m.cpu, FS, SEL_TSS))).toBe('#GP(0x28)');
    m.setDescriptor(6, segDescriptor(0, 0xffff, 0x98)); // execute-only code
    expect(faultOf(() => loadSegment(m.cpu, FS, SEL_SPARE))).toBe('#GP(0x30)');
  });

  test('readable code is accepted', () => {
    const m = ready();
    loadSegment(m.cpu, GS, SEL_CODE0);
    expect(m.cpu.segAcc[GS] & (SEG_READ | SEG_WRITE)).toBe(SEG_READ);
    expect(faultOf(() => m.cpu.wr8(GS, 0, 1))).toBe('#GP(0x0)');
  });

  test('DPL < CPL or DPL < RPL is #GP(selector); conforming code is exempt', () => {
    const m = ready(3);
    expect(faultOf(() => loadSegment(m.cpu, DS, SEL_DATA0 | 3))).toBe('#GP(0x10)');
    const m0 = ready(0);
    expect(faultOf(() => loadSegment(m0.cpu, DS, SEL_DATA0 | 1))).toBe('#GP(0x10)');
    expect(faultOf(() => loadSegment(m0.cpu, DS, SEL_DATA3))).toBe('none');
    m0.setDescriptor(6, segDescriptor(0, 0xffff, DATA0 | 0x20)); // DPL 1
    expect(faultOf(() => loadSegment(m0.cpu, DS, SEL_SPARE | 2))).toBe('#GP(0x30)');
    m.setDescriptor(6, segDescriptor(0, 0xffff, 0x9e)); // conforming readable code, DPL 0
    expect(faultOf(() => loadSegment(m.cpu, DS, SEL_SPARE | 3))).toBe('none');
  });

  test('a segment that is not present is #NP(selector), checked after the type and DPL', () => {
    const m = ready();
    m.setDescriptor(6, segDescriptor(0, 0xffff, DATA0 & 0x7f));
    expect(faultOf(() => loadSegment(m.cpu, DS, SEL_SPARE))).toBe('#NP(0x30)');
    m.setDescriptor(7, segDescriptor(0, 0xffff, 0x08 | 0x10)); // not present, execute-only code
    expect(faultOf(() => loadSegment(m.cpu, DS, 0x38))).toBe('#GP(0x38)');
  });

  test('the load sets the accessed bit and fills the cache', () => {
    const m = ready();
    m.setDescriptor(6, segDescriptor(0x123456, 0x2fff, DATA0, 0));
    loadSegment(m.cpu, ES, SEL_SPARE);
    expect(m.descriptorHigh(6) & 0x100).toBe(0x100);
    expect(m.cpu.segBase[ES]).toBe(0x123456);
    expect(m.cpu.segLimit[ES]).toBe(0x2fff);
    expect(m.cpu.segAttr[ES]).toBe(0x93);
    expect(faultOf(() => m.cpu.rd8(ES, 0x3000))).toBe('#GP(0x0)');
  });

  test('page-granular limits are scaled', () => {
    const m = ready();
    m.setDescriptor(6, segDescriptor(0, 0x00ffffff, DATA0));
    loadSegment(m.cpu, ES, SEL_SPARE);
    expect(m.cpu.segLimit[ES]).toBe(0x00ffffff);
  });
});

describe('SS', () => {
  test('a null selector is #GP(0)', () => {
    const m = ready();
    expect(faultOf(() => loadSegment(m.cpu, SS, 0))).toBe('#GP(0x0)');
  });

  test('RPL ≠ CPL, DPL ≠ CPL, read-only data or code is #GP(selector)', () => {
    const m = ready();
    expect(faultOf(() => loadSegment(m.cpu, SS, SEL_DATA0 | 1))).toBe('#GP(0x10)');
    expect(faultOf(() => loadSegment(m.cpu, SS, SEL_DATA3))).toBe('#GP(0x20)');
    expect(faultOf(() => loadSegment(m.cpu, SS, SEL_DATA3 & ~3))).toBe('#GP(0x20)');
    m.setDescriptor(6, segDescriptor(0, 0xffff, 0x90)); // read-only data
    expect(faultOf(() => loadSegment(m.cpu, SS, SEL_SPARE))).toBe('#GP(0x30)');
    expect(faultOf(() => loadSegment(m.cpu, SS, SEL_CODE0))).toBe('#GP(0x8)');
  });

  test('not present is #SS(selector)', () => {
    const m = ready();
    m.setDescriptor(6, segDescriptor(0, 0xffff, DATA0 & 0x7f));
    expect(faultOf(() => loadSegment(m.cpu, SS, SEL_SPARE))).toBe('#SS(0x30)');
  });

  test('a good load sets the stack size from the B bit and holds interrupts off for one instruction', () => {
    const m = ready();
    m.setDescriptor(6, segDescriptor(0, 0xffff, DATA0, 0)); // 16-bit stack
    m.cpu.interruptShadow = false;
    loadSegment(m.cpu, SS, SEL_SPARE);
    expect(m.cpu.stack32).toBe(false);
    expect(m.cpu.interruptShadow).toBe(true);
    m.cpu.interruptShadow = false;
    loadSegment(m.cpu, SS, SEL_DATA0, false); // LSS
    expect(m.cpu.stack32).toBe(true);
    expect(m.cpu.interruptShadow).toBe(false);
  });
});

describe('real mode', () => {
  test('loads base = selector * 16 without checks', () => {
    const m = ready();
    m.cpu.cr0 &= ~CR0_PE;
    m.cpu.modeChanged();
    loadSegment(m.cpu, DS, 0x1234);
    expect(m.cpu.segBase[DS]).toBe(0x12340);
    loadSegment(m.cpu, SS, 0);
    expect(m.cpu.segBase[SS]).toBe(0);
    expect(m.cpu.interruptShadow).toBe(true);
  });
});

describe('segment loads in programs', () => {
  test('ring 3 loading a DPL-0 data segment faults with #GP(selector) at the MOV', () => {
    const m = new Machine(`
main:
${toRing3('user')}
user:
  mov ax, ${SEL_DATA0}
bad:
  mov ds, ax
`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_DATA0, eip: m.sym('bad') });
  });

  test('POP SS and LSS load checked selectors; POP DS of a code selector without read is #GP', () => {
    const m = new Machine(`
main:
  push dword ${SEL_SPARE + 8}
  pop es                 ; readable DPL-3 code: DPL 3 ≥ CPL 0 and ≥ RPL 0, allowed
  push dword ${SEL_SPARE}
bad:
  pop ds
`);
    m.setDescriptor(6, segDescriptor(0, 0xffff, 0x98)); // execute-only
    m.setDescriptor(7, segDescriptor(0, 0xffff, CODE3 | 2));
    m.run();
    expect(m.cpu.segSel[ES]).toBe(SEL_SPARE + 8);
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_SPARE, eip: m.sym('bad') });
  });

  test('a data segment of DPL 3 is usable at ring 0 and the accessed bit is written', () => {
    const m = new Machine(`
main:
  mov ax, ${SEL_SPARE}
  mov fs, ax
  mov eax, [fs:0x10]
  cli
  hlt`);
    m.setDescriptor(6, segDescriptor(0x20000, 0xfff, DATA3));
    m.w32(0x20010, 0xdeadbeef);
    m.run();
    expect(m.cpu.r32[0] >>> 0).toBe(0xdeadbeef);
    expect(m.descriptorHigh(6) & 0x100).toBe(0x100);
  });
});
