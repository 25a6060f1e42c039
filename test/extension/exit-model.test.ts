// The "VM Exits" view's model: grouping by reason, counts that include what was not listed, the
// cap on kept entries, and the guards on event bodies.
import { describe, expect, test } from 'vitest';
import { asExitEventBody, asStatsEventBody, type ExitEntry, type HoleEntry, type StatsEventBody } from '../../extension/src/model/events.js';
import { ExitModel } from '../../extension/src/model/exit-model.js';
import { entryDescription, entryLabel, entryTooltip, groupDescription, groupLabel } from '../../extension/src/model/exit-text.js';

let seq = 0;
function exit(reason: string, line?: number, kind: ExitEntry['kind'] = 'vmexit'): ExitEntry {
  const e: ExitEntry = { seq: ++seq, kind, reason, eip: '0x00100010', instruction: reason.toLowerCase(), details: { port: 0x3f8 }, action: 'emulated', cost: 100 };
  if (line !== undefined) e.source = { path: '/g/guest.asm', line };
  return e;
}
function hole(mnemonic: string): HoleEntry {
  return { seq: ++seq, kind: 'hole', mnemonic, eip: '0x00100020', instruction: `${mnemonic}d`, expected: 'IF=0', observed: 'IF=1', message: 'POPF: IF unchanged at ring 1' };
}
function stats(byReason: Record<string, number>, byInstruction: Record<string, number> = {}): StatsEventBody {
  const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
  return { technique: 'trap-and-emulate', instructions: 1000, cycles: 5000, exits: { total: sum(byReason), byReason }, holes: { total: sum(byInstruction), byInstruction } };
}

describe('ExitModel', () => {
  test('groups exits by reason and holes by instruction, largest first, entries oldest first', () => {
    const m = new ExitModel(100);
    m.add({ events: [exit('IO_INSTRUCTION', 5), exit('CPUID', 7), exit('IO_INSTRUCTION', 6), hole('popf')], dropped: 0 });
    const groups = m.groups();
    expect(groups.map((g) => [g.key, g.count])).toEqual([
      ['exit:IO_INSTRUCTION', 2],
      ['exit:CPUID', 1],
      ['hole:popf', 1],
    ]);
    expect(groups[0].entries.map((e) => e.source?.line)).toEqual([5, 6]);
    expect(m.total).toBe(4);
    expect(m.unlisted).toBe(0);
    expect(m.isEmpty).toBe(false);
  });

  test('counts come from hyperstep.stats when the adapter dropped entries; groups with no entry still show', () => {
    const m = new ExitModel(100);
    m.add({ events: [exit('#GP', 3, 'trap')], dropped: 499 });
    m.setStats(stats({ '#GP': 450, EXTERNAL_INTERRUPT: 50 }, { popf: 7 }));
    const groups = m.groups();
    expect(groups.map((g) => [g.label, g.count, g.entries.length])).toEqual([
      ['#GP', 450, 1],
      ['EXTERNAL_INTERRUPT', 50, 0],
      ['popf', 7, 0],
    ]);
    expect(m.total).toBe(507);
    expect(m.unlisted).toBe(506);
    expect(m.technique).toBe('trap-and-emulate');
  });

  test('keeps only the newest maxEvents entries, still counting the others', () => {
    const m = new ExitModel(3);
    m.add({ events: [exit('A'), exit('A'), exit('B'), exit('A'), exit('C')], dropped: 0 });
    const groups = m.groups();
    expect(groups.find((g) => g.label === 'A')).toMatchObject({ count: 3 });
    expect(groups.flatMap((g) => g.entries).length).toBe(3);
    expect(m.total).toBe(5);
    expect(m.unlisted).toBe(2);
    m.setMaxEvents(1);
    expect(m.groups().flatMap((g) => g.entries).map((e) => (e.kind === 'hole' ? e.mnemonic : e.reason))).toEqual(['C']);
  });

  test('clear empties everything', () => {
    const m = new ExitModel(10);
    m.add({ events: [exit('A')], dropped: 2 });
    m.setStats(stats({ A: 3 }));
    m.clear();
    expect(m.groups()).toEqual([]);
    expect(m.total).toBe(0);
    expect(m.isEmpty).toBe(true);
  });
});

describe('event bodies', () => {
  test('malformed entries are left out and counted as dropped; other shapes are refused', () => {
    const body = asExitEventBody({ events: [exit('A'), { seq: 'x' }, null], dropped: 1 });
    expect(body?.events).toHaveLength(1);
    expect(body?.dropped).toBe(3);
    expect(asExitEventBody({ events: 'no' })).toBeUndefined();
    expect(asExitEventBody(undefined)).toBeUndefined();
  });

  test('stats bodies need their counters', () => {
    expect(asStatsEventBody(stats({ A: 1 }))).toBeDefined();
    expect(asStatsEventBody({ technique: 'vt-x', instructions: 1, cycles: 1, exits: { total: 1 } })).toBeUndefined();
    expect(asStatsEventBody({ ...stats({}), holes: { total: 0, byInstruction: { popf: 'x' } } })).toBeUndefined();
  });
});

describe('words', () => {
  test('groups, entries and tooltips', () => {
    const m = new ExitModel(10);
    const e = exit('IO_INSTRUCTION', 12);
    m.add({ events: [e, hole('popf')], dropped: 0 });
    m.setStats(stats({ IO_INSTRUCTION: 5 }, { popf: 1 }));
    const [io, popf] = m.groups();
    expect(groupLabel(io)).toBe('IO_INSTRUCTION');
    expect(groupDescription(io)).toBe('5 × VM exit (1 listed)');
    expect(groupLabel(popf)).toBe('POPF (hole)');
    expect(groupDescription(popf)).toBe('1 × hole');
    expect(entryLabel(e)).toBe(`#${e.seq} io_instruction`);
    expect(entryDescription(e)).toBe('guest.asm:12');
    expect(entryDescription(exit('CPUID'))).toBe('0x00100010');
    expect(entryTooltip(e)).toContain('port: 0x3f8');
    expect(entryTooltip(popf.entries[0])).toContain('observed: IF=1');
  });
});
