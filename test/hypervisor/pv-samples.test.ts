// The pv_ops samples: the same serial output natively and under paravirt (built with -D XEN).
import { describe, expect, test } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPvGuest } from '../../debug-adapter/src/hypervisor/paravirt/index.js';
import { build, runSample, SAMPLES } from './pv-helpers.js';

const EXPECTED: Record<string, string> = {
  'pv-popf': 'pv-popf: critical sections intact\npv-popf: timer ran\n',
  'pv-timer': 'pv-timer: waiting for 5 ticks\n' + [1, 2, 3, 4, 5].map((n) => `tick 0000000${n}\n`).join('') + 'pv-timer: done\n',
  'pv-both':
    'pv-both: sum 1..100 = 000013ba\npv-both: IF after irq_disable 00000000\npv-both: IF after irq_enable 00000200\n' +
    'pv-both: IF after restore_fl 00000000\npv-both: done\n',
  'pv-paging':
    'pv-paging: paging on\npv-paging: alias (pd) = aaaa0001\npv-paging: page_a after a write through the alias = 12345678\n' +
    'pv-paging: alias after set_pte = bbbb0002\npv-paging: alias after set_pte_va = 12345678\npv-paging: alias (pd2) = bbbb0002\n' +
    'pv-paging: alias (pd) = 12345678\npv-paging: done\n',
};

describe('pv_ops samples', () => {
  for (const [name, serial] of Object.entries(EXPECTED)) {
    test(`${name}: native build on bare metal`, () => {
      const r = runSample(name, 'native', 50_000_000);
      expect(r.serial).toBe(serial);
      expect(r.stop).toMatchObject({ reason: 'debug-exit', exitStatus: 1 });
    });
    test(`${name}: Xen build under paravirt`, () => {
      const r = runSample(name, 'paravirt', 50_000_000);
      expect(r.serial).toBe(serial);
      expect(r.stop).toMatchObject({ reason: 'poweroff', exitStatus: 0 });
      expect(r.stats.exits.byReason.console_io).toBeGreaterThan(0);
      expect(r.stats.exits.byReason.set_trap_table).toBe(1);
      expect(r.stats.exits.byReason.set_callbacks).toBe(1);
      expect(r.stats.exits.byReason['#GP']).toBeUndefined(); // no privileged instruction left
    });
    test(`${name}: only the Xen build declares itself PV`, () => {
      const source = fs.readFileSync(path.join(SAMPLES, `${name}.asm`), 'utf8');
      expect(isPvGuest(build(source, false, path.join(SAMPLES, `${name}.asm`))).pv).toBe(false);
      expect(isPvGuest(build(source, true, path.join(SAMPLES, `${name}.asm`))).pv).toBe(true);
    });
  }

  test('pv-popf: timer events that arrive while masked wait for restore_fl (forced with xen_version)', () => {
    const r = runSample('pv-popf', 'paravirt', 50_000_000);
    const by = r.stats.exits.byReason;
    expect(by.EXTERNAL_INTERRUPT).toBeGreaterThanOrEqual(2);
    expect(by.iret).toBe(by.EXTERNAL_INTERRUPT);
    expect(by.xen_version).toBeGreaterThan(0);
    expect(r.stats.holes.total).toBe(0);
  });

  test('pv-paging: write_cr3 is mmuext_op NEW_BASEPTR; PTEs change through mmu_update and update_va_mapping', () => {
    const r = runSample('pv-paging', 'paravirt');
    expect(r.stats.exits.byReason).toMatchObject({ mmuext_op: 4, mmu_update: 1, update_va_mapping: 1 });
    expect(r.engine.cpu.paging).toBe(true);
    const first = r.hypercalls.find((h) => h.reason === 'mmuext_op');
    expect(first?.action).toMatch(/paging turned on/);
  });

  test('pv-timer: blocks between ticks and takes each in the event callback', () => {
    const r = runSample('pv-timer', 'paravirt');
    const by = r.stats.exits.byReason;
    expect(by).toMatchObject({ event_channel_op: 1, set_timer_op: 6, iret: 5, EXTERNAL_INTERRUPT: 5 });
    expect(by.sched_op).toBe(6); // five blocks and the shutdown
  });
});
