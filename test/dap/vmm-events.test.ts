// The `hyperstep.exit` and `hyperstep.stats` events: the batching, rate limit and drop count over
// a fake clock, then through `hyperstep dap` over stdio under vt-x and trap-and-emulate.
import { afterEach, describe, expect, test } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Batcher, type TimerHandle, type Timers } from '../../debug-adapter/src/dap/event-batcher.js';
import {
  EXIT_BATCH_CAP, EXIT_INTERVAL_MS, STATS_INTERVAL_MS, VmmEventStream,
  type EventSource, type ExitEntry, type ExitEventBody, type HoleEntry, type StatsEventBody,
} from '../../debug-adapter/src/dap/vmm-events.js';
import { EventLog } from '../../debug-adapter/src/hypervisor/event-log.js';
import type { ExitRecord } from '../../debug-adapter/src/hypervisor/types.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { launch, startAdapter, type Adapter } from './adapter.js';

/** A clock that moves only when told to; timers fire in due order as it does. */
class FakeTimers implements Timers {
  private time = 0;
  private nextId = 1;
  private readonly queue = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.queue.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.queue.delete(handle as number);
  }

  get pending(): number {
    return this.queue.size;
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.queue) if (entry[1].at <= end && (due === undefined || entry[1].at < due[1].at)) due = entry;
      if (due === undefined) break;
      this.queue.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
    }
    this.time = end;
  }
}

describe('Batcher', () => {
  function batcher(timers: FakeTimers, cap = 5) {
    const batches: { at: number; items: number[]; dropped: number }[] = [];
    const b = new Batcher<number>({ intervalMs: 100, cap, timers, emit: (items, dropped) => batches.push({ at: timers.now(), items, dropped }) });
    return { b, batches };
  }

  test('the first item goes out on the next timer turn, later ones at most once per interval', () => {
    const timers = new FakeTimers();
    const { b, batches } = batcher(timers);
    b.push(1);
    expect(batches).toEqual([]); // never synchronously from push
    timers.advance(0);
    expect(batches).toEqual([{ at: 0, items: [1], dropped: 0 }]);
    timers.advance(30);
    b.push(2);
    b.push(3);
    expect(timers.pending).toBe(1);
    timers.advance(69);
    expect(batches).toHaveLength(1);
    timers.advance(1);
    expect(batches[1]).toEqual({ at: 100, items: [2, 3], dropped: 0 });
    // Quiet for a while: the next item needs no waiting.
    timers.advance(500);
    b.push(4);
    timers.advance(0);
    expect(batches[2]).toEqual({ at: 600, items: [4], dropped: 0 });
    expect(timers.pending).toBe(0);
  });

  test('a batch keeps `cap` items and counts the rest', () => {
    const timers = new FakeTimers();
    const { b, batches } = batcher(timers, 3);
    for (let i = 0; i < 10; i++) b.push(i);
    expect(b.pending).toBe(10);
    timers.advance(0);
    expect(batches).toEqual([{ at: 0, items: [0, 1, 2], dropped: 7 }]);
    b.push(10);
    timers.advance(100);
    expect(batches[1]).toEqual({ at: 100, items: [10], dropped: 0 });
  });

  test('a steady stream is emitted every interval, nothing lost from the count', () => {
    const timers = new FakeTimers();
    const { b, batches } = batcher(timers, 50);
    let pushed = 0;
    // 2 seconds of a guest running 10 ms slices of 1,000 items each.
    for (let slice = 0; slice < 200; slice++) {
      for (let i = 0; i < 1000; i++) b.push(pushed++);
      timers.advance(10);
    }
    b.flush();
    for (let i = 1; i < batches.length - 1; i++) expect(batches[i].at - batches[i - 1].at).toBeGreaterThanOrEqual(100);
    expect(batches.length).toBeLessThanOrEqual(2000 / 100 + 2);
    expect(batches.reduce((n, x) => n + x.items.length + x.dropped, 0)).toBe(pushed);
    expect(batches.every((x) => x.items.length <= 50)).toBe(true);
  });

  test('flush emits at once, whatever the rate limit; nothing to send sends nothing', () => {
    const timers = new FakeTimers();
    const { b, batches } = batcher(timers);
    b.flush();
    expect(batches).toEqual([]);
    b.push(1);
    timers.advance(0);
    b.push(2);
    b.flush();
    expect(batches.map((x) => x.items)).toEqual([[1], [2]]);
    expect(timers.pending).toBe(0);
    timers.advance(1000);
    expect(batches).toHaveLength(2);
  });

  test('after dispose nothing is emitted and no timer is left', () => {
    const timers = new FakeTimers();
    const { b, batches } = batcher(timers);
    b.push(1);
    b.dispose();
    expect(timers.pending).toBe(0);
    b.push(2);
    b.flush();
    timers.advance(1000);
    expect(batches).toEqual([]);
    expect(timers.pending).toBe(0);
  });
});

describe('VmmEventStream (fake engine and clock)', () => {
  function setup() {
    const timers = new FakeTimers();
    const log = new EventLog();
    let instructions = 0;
    const engine: EventSource = {
      log,
      technique: 'vt-x',
      get instructions() {
        return instructions;
      },
      statistics: () => log.statistics(instructions),
    };
    const sent: { at: number; event: string; body: unknown }[] = [];
    const stream = new VmmEventStream(engine, (event, body) => sent.push({ at: timers.now(), event, body }), timers);
    const exit = (reason: string, eip = 0x100000, extra: Partial<ExitRecord> = {}) => {
      instructions += 10;
      log.exit({
        seq: log.nextSeq(), vcpu: 0, technique: 'vt-x', kind: 'vmexit', reason, eip, instruction: 'cpuid', details: {}, cost: 70, action: 'emulated', ...extra,
      });
    };
    const exits = () => sent.filter((s) => s.event === 'hyperstep.exit').map((s) => s.body as ExitEventBody);
    const stats = () => sent.filter((s) => s.event === 'hyperstep.stats').map((s) => s.body as StatsEventBody);
    return { timers, log, stream, sent, exit, exits, stats, run: (n: number) => (instructions += n) };
  }

  test('entries are plain JSON with the exit, its source line and a hex EIP; holes carry their message', () => {
    const { log, stream, exit, exits } = setup();
    exit('CPUID', 0x100123, { reasonNumber: 10, source: { file: '/g.asm', line: 7 } });
    log.hole({
      seq: log.nextSeq(), vcpu: 0, technique: 'trap-and-emulate', kind: 'hole', mnemonic: 'popf', eip: 0x100200, instruction: 'popfd',
      expected: 'IF=0', observed: 'IF=1', message: 'POPF: guest asked IF=0; IF stays 1',
    });
    stream.flush();
    const body = exits()[0];
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
    expect(body).toEqual({
      dropped: 0,
      events: [
        { seq: 1, kind: 'vmexit', reason: 'CPUID', reasonNumber: 10, eip: '0x00100123', source: { path: '/g.asm', line: 7 }, instruction: 'cpuid', details: {}, action: 'emulated', cost: 70 },
        { seq: 2, kind: 'hole', mnemonic: 'popf', eip: '0x00100200', instruction: 'popfd', expected: 'IF=0', observed: 'IF=1', message: 'POPF: guest asked IF=0; IF stays 1' },
      ],
    });
  });

  test('flush sends the batch, then the stats, and the stats match the log', () => {
    const { stream, sent, exit, stats } = setup();
    for (let i = 0; i < EXIT_BATCH_CAP + 20; i++) exit(i % 2 ? 'CPUID' : 'HLT');
    stream.flush();
    expect(sent.map((s) => s.event)).toEqual(['hyperstep.exit', 'hyperstep.stats']);
    expect((sent[0].body as ExitEventBody).events).toHaveLength(EXIT_BATCH_CAP);
    expect((sent[0].body as ExitEventBody).dropped).toBe(20);
    expect(stats()[0]).toEqual({
      technique: 'vt-x', instructions: (EXIT_BATCH_CAP + 20) * 10,
      exits: { total: EXIT_BATCH_CAP + 20, byReason: { CPUID: 260, HLT: 260 } }, holes: { total: 0, byInstruction: {} },
      cycles: (EXIT_BATCH_CAP + 20) * 80,
    });
    // Stopped: nothing more until something runs.
    stream.flush();
    expect(sent.map((s) => s.event)).toEqual(['hyperstep.exit', 'hyperstep.stats', 'hyperstep.stats']);
  });

  test('while running: exits at most every 100 ms, stats at most every 500 ms, none while nothing runs', () => {
    const { timers, stream, sent, exit, run, exits, stats } = setup();
    timers.advance(2000);
    expect(sent).toEqual([]);
    for (let t = 0; t < 1500; t += 10) {
      for (let i = 0; i < 100; i++) exit('CPUID');
      run(1000);
      timers.advance(10);
    }
    const times = (event: string) => sent.filter((s) => s.event === event).map((s) => s.at);
    const gaps = (list: number[]) => list.slice(1).map((t, i) => t - list[i]);
    expect(times('hyperstep.exit').length).toBeGreaterThanOrEqual(14);
    expect(Math.min(...gaps(times('hyperstep.exit')))).toBeGreaterThanOrEqual(EXIT_INTERVAL_MS);
    expect(times('hyperstep.stats').length).toBeGreaterThanOrEqual(2);
    expect(Math.min(...gaps(times('hyperstep.stats')))).toBeGreaterThanOrEqual(STATS_INTERVAL_MS);
    stream.flush();
    const total = stats().at(-1)?.exits.total;
    expect(total).toBe(150 * 100);
    expect(exits().reduce((n, b) => n + b.events.length + b.dropped, 0)).toBe(total);
    const count = sent.length;
    timers.advance(5000);
    expect(sent).toHaveLength(count);
  });

  test('after dispose: no event, no timer, no listener', () => {
    const { timers, log, stream, sent, exit, run } = setup();
    exit('CPUID');
    run(100);
    stream.dispose();
    expect(timers.pending).toBe(0);
    exit('CPUID');
    stream.flush();
    timers.advance(5000);
    expect(sent).toEqual([]);
    expect(log.statistics(0).exits.total).toBe(2);
    stream.dispose();
  });
});

// ---- through the adapter ----------------------------------------------------------------------

const VTX_EXITS = path.join(REPO_ROOT, 'samples', 'vtx-exits.asm');
const POPF_HOLE = path.join(REPO_ROOT, 'samples', 'popf-hole.asm');

let adapter: Adapter | undefined;

afterEach(async () => {
  const a = adapter;
  adapter = undefined;
  if (a !== undefined) expect(await a.close()).toBe(0);
});

interface Received {
  exits: ExitEventBody[];
  stats: StatsEventBody[];
  entries(): (ExitEntry | HoleEntry)[];
}

function open(): { dc: DebugClient; received: Received } {
  adapter = startAdapter();
  const dc = adapter.dc;
  const exits: ExitEventBody[] = [];
  const stats: StatsEventBody[] = [];
  dc.on('hyperstep.exit', (e: DebugProtocol.Event) => exits.push(e.body as ExitEventBody));
  dc.on('hyperstep.stats', (e: DebugProtocol.Event) => stats.push(e.body as StatsEventBody));
  return { dc, received: { exits, stats, entries: () => exits.flatMap((b) => b.events) } };
}

/** Launches without stopping on anything (the virtualization-hole filter is on by default) and runs to the end. */
async function runToEnd(dc: DebugClient, args: Record<string, unknown>): Promise<void> {
  const exited = dc.waitForEvent('exited');
  const configured = dc.waitForEvent('initialized').then(async () => {
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    await dc.configurationDoneRequest();
  });
  await Promise.all([dc.launch(args as DebugProtocol.LaunchRequestArguments), configured]);
  await exited;
}

/** 1-based line of the first line of `file` that `pattern` matches. */
function lineOf(file: string, pattern: RegExp): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => pattern.test(l));
  if (i < 0) throw new Error(`${pattern} not in ${file}`);
  return i + 1;
}

describe('through the adapter', () => {
  test('vt-x: the CPUID exits with their source line, and the last stats equal what was sent', async () => {
    const { dc, received } = open();
    await runToEnd(dc, { program: VTX_EXITS, technique: 'vt-x' });
    const entries = received.entries();
    const cpuid = entries.filter((e): e is ExitEntry => e.kind !== 'hole' && e.reason === 'CPUID');
    expect(cpuid).toHaveLength(8);
    expect(cpuid[0]).toMatchObject({
      kind: 'vmexit', reasonNumber: 10, instruction: 'cpuid', source: { path: VTX_EXITS, line: lineOf(VTX_EXITS, /^\s+cpuid\b/) }, action: expect.any(String),
    });
    expect(cpuid[0].eip).toMatch(/^0x[0-9a-f]{8}$/);
    expect(cpuid[0].cost).toBeGreaterThan(0);
    expect(received.exits.every((b) => b.dropped === 0)).toBe(true);
    const seqs = entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const last = received.stats.at(-1);
    expect(last).toMatchObject({ technique: 'vt-x', holes: { total: 0 } });
    expect(last?.instructions).toBeGreaterThan(1000);
    expect(last?.exits.total).toBe(entries.length);
    const byReason: Record<string, number> = {};
    for (const e of entries) if (e.kind !== 'hole') byReason[e.reason] = (byReason[e.reason] ?? 0) + 1;
    expect(last?.exits.byReason).toEqual(byReason);
    expect(last?.exits.byReason.CPUID).toBe(8);
  });

  test('trap-and-emulate: popf holes come as hole entries; entries plus dropped equal the counters', async () => {
    const { dc, received } = open();
    await runToEnd(dc, { program: POPF_HOLE, technique: 'trap-and-emulate' });
    const holes = received.entries().filter((e): e is HoleEntry => e.kind === 'hole');
    expect(holes.length).toBeGreaterThan(0);
    expect(holes[0]).toMatchObject({
      mnemonic: 'popf', instruction: expect.stringMatching(/^popf/), message: expect.stringMatching(/^POPF: /), source: { path: POPF_HOLE },
    });
    const popfLines = fs.readFileSync(POPF_HOLE, 'utf8').split('\n').flatMap((l, i) => (/^\s+popfd\b/.test(l) ? [i + 1] : []));
    expect(popfLines).toContain(holes[0].source?.line);
    const last = received.stats.at(-1);
    expect(last?.holes.byInstruction.popf).toBeGreaterThan(0);
    const sent = received.exits.reduce((n, b) => n + b.events.length + b.dropped, 0);
    expect(sent).toBe((last?.exits.total ?? 0) + (last?.holes.total ?? 0));
    expect(received.exits.every((b) => b.events.length <= EXIT_BATCH_CAP)).toBe(true);
  });

  test('a long run with millions of exits: rate-limited batches, stats while running, exact counts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-vmm-events-'));
    const guest = path.join(dir, 'cpuid-storm.asm');
    fs.writeFileSync(guest, [
      'bits 32', 'org 0x100000', `%include "${path.join(REPO_ROOT, 'samples', 'include', 'multiboot.inc')}"`, 'section .text', 'MULTIBOOT_HEADER',
      '_start:', '    mov esi, 3000000', '.loop:', '    xor eax, eax', '    cpuid', '    dec esi', '    jnz .loop',
      '    mov dx, DEBUG_EXIT_PORT', '    xor eax, eax', '    out dx, al', '    cli', '    hlt', 'mb_load_end:', 'section .bss', '    resb 16', 'mb_bss_end:', '',
    ].join('\n'));
    const { dc, received } = open();
    const t0 = performance.now();
    await runToEnd(dc, { program: guest, technique: 'vt-x' });
    const elapsed = performance.now() - t0;
    fs.rmSync(dir, { recursive: true, force: true });

    const last = received.stats.at(-1);
    expect(last?.exits.byReason.CPUID).toBe(3_000_000);
    const sent = received.exits.reduce((n, b) => n + b.events.length + b.dropped, 0);
    expect(sent).toBe(last?.exits.total);
    expect(received.exits.some((b) => b.dropped > 0)).toBe(true);
    expect(received.exits.every((b) => b.events.length <= EXIT_BATCH_CAP)).toBe(true);
    // Timer-driven batches while the guest ran, no more than one per interval of the run as the
    // client saw it (longer than the run), plus the flush before `exited`.
    expect(received.exits.length).toBeGreaterThan(2);
    expect(received.exits.length).toBeLessThanOrEqual(Math.floor(elapsed / EXIT_INTERVAL_MS) + 2);
    expect(received.stats.length).toBeLessThanOrEqual(Math.floor(elapsed / STATS_INTERVAL_MS) + 2);
    if (elapsed > 2 * STATS_INTERVAL_MS) expect(received.stats.length).toBeGreaterThan(1);
    expect(received.stats.length).toBeGreaterThan(1);
  });

  test('stepping over CPUID: its exit and the stats come before the stopped event', async () => {
    const { dc, received } = open();
    const order: string[] = [];
    dc.on('stopped', () => order.push('stopped'));
    dc.on('hyperstep.exit', (e: DebugProtocol.Event) => order.push(`exit ${(e.body as ExitEventBody).events.map((x) => (x.kind === 'hole' ? x.mnemonic : x.reason)).join(',')}`));
    dc.on('hyperstep.stats', () => order.push('stats'));
    const line = lineOf(VTX_EXITS, /^\s+cpuid\b/);
    await launch(dc, { program: VTX_EXITS, technique: 'vt-x', stopOnEntry: true });
    await dc.setBreakpointsRequest({ source: { path: VTX_EXITS }, breakpoints: [{ line }] });
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
    const cpuidBefore = received.stats.at(-1)?.exits.byReason.CPUID ?? 0;
    order.length = 0;
    await Promise.all([dc.nextRequest({ threadId: 1, granularity: 'instruction' }), dc.waitForEvent('stopped')]);
    expect(order).toEqual(['exit CPUID', 'stats', 'stopped']);
    expect(received.stats.at(-1)?.exits.byReason.CPUID).toBe(cpuidBefore + 1);
  });

  test('stepping: each stop brings the stats up to date', async () => {
    const { dc, received } = open();
    await launch(dc, { program: VTX_EXITS, technique: 'vt-x', stopOnEntry: true });
    const before = received.stats.length;
    expect(received.stats.at(-1)?.instructions).toBe(0);
    await Promise.all([dc.nextRequest({ threadId: 1, granularity: 'instruction' }), dc.waitForEvent('stopped')]);
    expect(received.stats.length).toBe(before + 1);
    expect(received.stats.at(-1)?.instructions).toBe(1);
  });
});
