// Debug adapter stepping benchmark (`npm run bench -- dap`): `hyperstep dap` over stdio, driven by
// DebugClient the way VS Code drives it on every step: next → stopped → stackTrace → scopes →
// variables(Registers). 1,000 round trips by line and 1,000 by instruction, after a warm-up
// (target ≥ 2,000 round trips/s). Prints numbers; asserts nothing about time.
// DAP_BENCH_PROFILE=DIR runs the adapter with --cpu-prof into DIR.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const root = process.cwd();
const CLI = path.join(root, 'dist', 'hyperstep.js');
const GUEST = path.join(root, 'bench', 'guests', 'dap-steps.asm');
const ROUND_TRIPS = Number(process.env.BENCH_DAP_STEPS ?? 1000);
const WARM_UP = 200;
const PROFILE_DIR = process.env.DAP_BENCH_PROFILE;

class StdioDebugClient extends DebugClient {
  attach(readable: Readable, writable: Writable): void {
    this.connect(readable, writable);
  }
}

type Phase = 'next+stopped' | 'stackTrace' | 'scopes' | 'variables' | 'round trip';
const PHASES: Phase[] = ['round trip', 'next+stopped', 'stackTrace', 'scopes', 'variables'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

async function roundTrip(dc: DebugClient, granularity: 'line' | 'instruction', times: Record<Phase, number[]>): Promise<void> {
  const t0 = performance.now();
  const stopped = dc.waitForEvent('stopped');
  await dc.nextRequest({ threadId: 1, granularity });
  await stopped;
  const t1 = performance.now();
  const trace = await dc.stackTraceRequest({ threadId: 1, startFrame: 0, levels: 20 });
  const t2 = performance.now();
  const scopes = await dc.scopesRequest({ frameId: trace.body.stackFrames[0].id });
  const t3 = performance.now();
  const registers = scopes.body.scopes.find((s) => s.name === 'Registers');
  if (registers === undefined) throw new Error(`no Registers scope (got ${scopes.body.scopes.map((s) => s.name).join(', ')})`);
  const vars = await dc.variablesRequest({ variablesReference: registers.variablesReference });
  const t4 = performance.now();
  if (vars.body.variables.length === 0) throw new Error('Registers is empty');
  times['next+stopped'].push(t1 - t0);
  times.stackTrace.push(t2 - t1);
  times.scopes.push(t3 - t2);
  times.variables.push(t4 - t3);
  times['round trip'].push(t4 - t0);
}

async function bench(granularity: 'line' | 'instruction'): Promise<void> {
  const nodeArgs = PROFILE_DIR === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', `dap-${granularity}.cpuprofile`];
  const proc = spawn(process.execPath, [...nodeArgs, CLI, 'dap'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const dc = new StdioDebugClient(process.execPath, CLI, 'hyperstep');
  dc.defaultTimeout = 30_000;
  dc.attach(proc.stdout, proc.stdin);
  const counts = new Map<string, number>();
  for (const name of ['stopped', 'output', 'hyperstep.exit', 'hyperstep.stats']) dc.on(name, () => counts.set(name, (counts.get(name) ?? 0) + 1));
  let bytes = 0;
  proc.stdout.on('data', (d: Buffer) => (bytes += d.length));

  await Promise.all([
    dc.configurationSequence(),
    dc.launch({ program: GUEST, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments),
    dc.waitForEvent('stopped'),
  ]);
  // Into the loop's routine: a `next` over `call work` would run the whole guest.
  for (let i = 0; (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].name !== 'work'; i++) {
    if (i === 10) throw new Error('did not reach the routine `work`');
    await Promise.all([dc.stepInRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
  }
  const fresh = (): Record<Phase, number[]> => ({ 'next+stopped': [], stackTrace: [], scopes: [], variables: [], 'round trip': [] });
  const warm = fresh();
  const warmStart = performance.now();
  for (let i = 0; i < WARM_UP; i++) await roundTrip(dc, granularity, warm);
  const warmSeconds = (performance.now() - warmStart) / 1000;
  counts.clear();
  bytes = 0;

  const times = fresh();
  const start = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i++) await roundTrip(dc, granularity, times);
  const seconds = (performance.now() - start) / 1000;
  const top = await dc.stackTraceRequest({ threadId: 1 });
  const where = top.body.stackFrames[0];

  await dc.disconnectRequest({});
  proc.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`the adapter exited with status ${code}`);

  console.log(
    `next (${granularity.padEnd(11)}) ${ROUND_TRIPS} round trips in ${seconds.toFixed(3)} s = ${Math.round(ROUND_TRIPS / seconds)} round trips/s ` +
      `(target ≥ 2,000/s; first ${WARM_UP} as warm-up: ${Math.round(WARM_UP / warmSeconds)}/s); ended at ${where.name}:${where.line}`,
  );
  for (const phase of PHASES) {
    const sorted = [...times[phase]].sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    console.log(
      `    ${phase.padEnd(13)} p50 ${percentile(sorted, 0.5).toFixed(3)} ms  p99 ${percentile(sorted, 0.99).toFixed(3)} ms  max ${sorted[sorted.length - 1].toFixed(3)} ms  mean ${mean.toFixed(3)} ms`,
    );
  }
  const events = [...counts].map(([name, n]) => `${n} ${name}`).join(', ');
  console.log(`    received ${(bytes / ROUND_TRIPS / 1024).toFixed(1)} KiB per round trip; events: ${events || 'none'}`);
}

async function main(): Promise<void> {
  await bench('line');
  await bench('instruction');
  if (PROFILE_DIR !== undefined) console.log(`adapter CPU profiles in ${PROFILE_DIR}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
