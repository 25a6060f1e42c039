// The client's models fed by the real adapter (`hyperstep dap`): the exit and stats events of a
// trap-and-emulate run group as the VM Exits view shows them, with the adapter's own counts, and
// the status bar's CPL reading finds the de-privileged kernel at a stop.
import { afterEach, expect, test } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { asExitEventBody, asStatsEventBody } from '../../extension/src/model/events.js';
import { ExitModel } from '../../extension/src/model/exit-model.js';
import { StatsSeries } from '../../extension/src/model/stats-model.js';
import { readCpl } from '../../extension/src/model/status.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startAdapter, type Adapter } from '../dap/adapter.js';

const POPF_HOLE = path.join(REPO_ROOT, 'samples', 'popf-hole.asm');
let adapter: Adapter | undefined;

afterEach(async () => {
  const a = adapter;
  adapter = undefined;
  if (a !== undefined) expect(await a.close()).toBe(0);
});

test('trap-and-emulate popf-hole: groups, counts and the virtual vs physical CPL at the hole', async () => {
  adapter = startAdapter();
  const dc = adapter.dc;
  const exits = new ExitModel(100_000);
  const series = new StatsSeries();
  dc.on('hyperstep.exit', (e: DebugProtocol.Event) => {
    const body = asExitEventBody(e.body);
    expect(body).toBeDefined();
    if (body !== undefined) exits.add(body);
  });
  dc.on('hyperstep.stats', (e: DebugProtocol.Event) => {
    const body = asStatsEventBody(e.body);
    expect(body).toBeDefined();
    if (body !== undefined) {
      exits.setStats(body);
      series.add(body);
    }
  });

  // The virtualization-hole filter is on by default: the first POPF that keeps IF stops the guest.
  const stopped = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({ program: POPF_HOLE, technique: 'trap-and-emulate' } as DebugProtocol.LaunchRequestArguments)]);
  const stop = (await stopped) as DebugProtocol.StoppedEvent;
  const cpl = await readCpl(async (command, args) => (await dc.customRequest(command, args)).body, stop.body.threadId ?? 1);
  expect(cpl).toEqual({ virtual: 0, physical: 1 });

  await dc.setExceptionBreakpointsRequest({ filters: [] });
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: 1 });
  await exited;

  const groups = exits.groups();
  const byKey = Object.fromEntries(groups.map((g) => [g.key, g]));
  expect(byKey['hole:popf']?.count).toBe(400);
  expect(byKey['exit:#GP']?.count).toBeGreaterThan(0);
  // Each entry reveals its guest line: the holes are the sample's POPFDs, the traps its I/O (in lib.inc too).
  const popfLines = fs.readFileSync(POPF_HOLE, 'utf8').split('\n').flatMap((l, i) => (/^\s+popfd\b/.test(l) ? [i + 1] : []));
  for (const e of byKey['hole:popf']?.entries ?? []) expect(e.source?.path === POPF_HOLE && popfLines.includes(e.source.line)).toBe(true);
  expect(byKey['exit:#GP']?.entries.every((e) => e.source !== undefined && fs.existsSync(e.source.path))).toBe(true);
  expect(exits.technique).toBe('trap-and-emulate');
  expect(exits.total).toBe(groups.reduce((s, g) => s + g.count, 0));
  expect(series.latest.holes).toBe(400);
  expect(series.series().some((s) => s.name === '#GP')).toBe(true);
});
