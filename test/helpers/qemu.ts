// Whole-guest runs: the reference (`qemu-system-i386`, an oracle nobody here wrote), the guest
// assembler (`nasm -f bin`) and our own `hyperstep run`, as the command line contract in
// ARCHITECTURE.md §6 describes it.
//
// Never skips: when QEMU is missing, `qemuVersion()` throws an error that says how to install it,
// so a machine without QEMU fails the suite instead of silently passing it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nasmAssembleFile } from './nasm';
import { BUILD_SCRIPT, CLI_BIN, REPO_ROOT } from './paths';

export const GUESTS_DIR = path.join(REPO_ROOT, 'test', 'guests');
export const QEMU_BINARY = 'qemu-system-i386';

// ---------------------------------------------------------------------------------------------
// QEMU

/**
 * How a QEMU run ended: the process exit status (isa-debug-exit gives (v << 1) | 1; 0 is a
 * shutdown, e.g. a triple fault under -no-reboot), 'timeout' when the test killed it, or 'signal'
 * when something else killed it.
 */
export type QemuStatus = number | 'timeout' | 'signal';

export interface QemuResult {
  /** Exactly the bytes the guest wrote to COM1 (stdout carries nothing else). */
  serial: Buffer;
  status: QemuStatus;
  stderr: string;
  /** Wall time of the run. */
  ms: number;
}

export interface QemuOptions {
  /** Kill QEMU after this long and report 'timeout'. Default 30 s. */
  timeoutMs?: number;
  /** Guest RAM; the machine contract says 32 MiB. */
  memoryMiB?: number;
}

let checkedQemu: string | undefined;

/** QEMU's version line; throws a clear error when qemu-system-i386 cannot be run. */
export function qemuVersion(): string {
  if (checkedQemu !== undefined) return checkedQemu;
  const r = spawnSync(QEMU_BINARY, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit status ${String(r.status)}: ${r.stderr}`;
    throw new Error(
      `${QEMU_BINARY} is required as the reference machine for these tests but could not be run (${why}).\n` +
        'Install it with: sudo apt-get install -y qemu-system-x86',
    );
  }
  checkedQemu = r.stdout.split('\n')[0].trim();
  return checkedQemu;
}

/**
 * The command line of a reference run. `-serial stdio` puts COM1 on stdout; `-display none` and
 * `-monitor none` keep everything else off it; `-no-reboot` turns a triple fault into an exit
 * (status 0) instead of a reboot loop; isa-debug-exit at 0xF4 gives the guest its exit status.
 */
export function qemuArgs(image: string, memoryMiB = 32): string[] {
  return [
    '-kernel', image,
    '-serial', 'stdio',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
    '-display', 'none',
    '-monitor', 'none',
    '-no-reboot',
    '-m', String(memoryMiB),
  ];
}

/** Runs an image under QEMU; resolves (never rejects) when QEMU exits or was killed. */
export function runQemu(image: string, options: QemuOptions = {}): Promise<QemuResult> {
  qemuVersion();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(QEMU_BINARY, qemuArgs(image, options.memoryMiB), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: Error | undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8') + (spawnError ? `\n(spawn error: ${spawnError.message})` : '');
      let status: QemuStatus;
      if (timedOut) status = 'timeout';
      else if (code !== null) status = code;
      else status = signal ? 'signal' : -1;
      resolve({ serial: Buffer.concat(out), status, stderr, ms: performance.now() - started });
    });
  });
}

/** The synchronous form of runQemu (one guest, nothing else to overlap with). */
/**
 * runQemuSync for a corpus guest that ends by printing "... done" and exiting: on a loaded machine
 * QEMU can exit before its stdio backend has written the last bytes, so such a run is repeated
 * (twice at most) instead of being trusted as the reference.
 */
export function runQemuSyncComplete(image: string, options: QemuOptions = {}): QemuResult {
  let result = runQemuSync(image, options);
  for (let retry = 0; retry < 2 && !/ done\n$/.test(result.serial.toString('latin1')); retry++) result = runQemuSync(image, options);
  return result;
}

export function runQemuSync(image: string, options: QemuOptions = {}): QemuResult {
  qemuVersion();
  const started = performance.now();
  const r = spawnSync(QEMU_BINARY, qemuArgs(image, options.memoryMiB), {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  let status: QemuStatus;
  if (timedOut) status = 'timeout';
  else if (r.status !== null) status = r.status;
  else status = r.signal ? 'signal' : -1;
  return {
    serial: r.stdout ?? Buffer.alloc(0),
    status,
    stderr: (r.stderr ?? Buffer.alloc(0)).toString('utf8'),
    ms: performance.now() - started,
  };
}

// ---------------------------------------------------------------------------------------------
// Guests

export interface AssembledGuest {
  /** The .asm source. */
  source: string;
  /** The flat image nasm wrote, saved in the caller's directory. */
  image: string;
  bytes: Uint8Array;
}

/**
 * Assembles a guest with the real `nasm -f bin` (working directory = the guest's directory, so
 * `%include "include/..."` resolves as it does for our assembler) and saves the image as
 * `<outDir>/<name>.bin`. Throws with nasm's messages when nasm rejects the source.
 */
export function assembleGuest(asmPath: string, outDir: string): AssembledGuest {
  const dir = path.dirname(asmPath);
  const r = nasmAssembleFile(path.basename(asmPath), { cwd: dir });
  if (!r.ok) throw new Error(`nasm rejected ${asmPath}:\n${r.stderr}`);
  const image = path.join(outDir, path.basename(asmPath).replace(/\.asm$/, '') + '.bin');
  fs.writeFileSync(image, r.bytes);
  return { source: asmPath, image, bytes: r.bytes };
}

/** Per-guest expectations, from `; key: value` comment lines in the guest's header. */
export interface GuestSpec {
  name: string;
  file: string;
  /** How QEMU ends: 'exit' (isa-debug-exit, odd status), 'shutdown' (status 0) or 'timeout'. */
  qemuEnd: 'exit' | 'shutdown' | 'timeout';
  /** hyperstep's exit status when it differs from QEMU's (failure modes), else undefined. */
  status?: number;
  /** Extra `hyperstep run` arguments. */
  args: string[];
}

/**
 * Reads `; expect-qemu: exit|shutdown|timeout`, `; expect-status: N` and
 * `; hyperstep-args: ...` from the comment block at the top of a guest source.
 */
export function readGuestSpec(asmPath: string): GuestSpec {
  const text = fs.readFileSync(asmPath, 'utf8');
  const spec: GuestSpec = { name: path.basename(asmPath, '.asm'), file: asmPath, qemuEnd: 'exit', args: [] };
  for (const line of text.split('\n')) {
    if (!line.startsWith(';')) {
      if (line.trim() === '') continue;
      break;
    }
    const m = /^;\s*(expect-qemu|expect-status|hyperstep-args):\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    if (m[1] === 'expect-qemu') {
      if (m[2] !== 'exit' && m[2] !== 'shutdown' && m[2] !== 'timeout') throw new Error(`${asmPath}: bad expect-qemu: ${m[2]}`);
      spec.qemuEnd = m[2];
    } else if (m[1] === 'expect-status') {
      spec.status = Number(m[2]);
    } else {
      spec.args = m[2].split(/\s+/).filter((a) => a !== '');
    }
  }
  return spec;
}

// ---------------------------------------------------------------------------------------------
// hyperstep run

export interface HyperstepRun {
  /** Raw stdout bytes (the guest's serial output, or the JSON object with --json). */
  stdout: Buffer;
  stderr: string;
  /** Exit status; null when the process died from a signal (or was killed on timeout). */
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  ms: number;
}

export interface HyperstepOptions {
  /** Kill the process after this long (timedOut = true). Default 120 s. */
  timeoutMs?: number;
  cwd?: string;
}

/** `node bin/hyperstep.js run ARGS...`, synchronously. */
export function runHyperstep(args: string[], options: HyperstepOptions = {}): HyperstepRun {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI_BIN, 'run', ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 120_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (r.error && !timedOut) throw new Error(`could not run ${CLI_BIN}: ${r.error.message}`);
  return {
    stdout: r.stdout ?? Buffer.alloc(0),
    stderr: (r.stderr ?? Buffer.alloc(0)).toString('utf8'),
    status: r.status,
    signal: r.signal,
    timedOut,
    ms: performance.now() - started,
  };
}

/** `node bin/hyperstep.js run ARGS...` as a child process; resolves (never rejects). */
export function runHyperstepAsync(args: string[], options: HyperstepOptions = {}): Promise<HyperstepRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_BIN, 'run', ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: Error | undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8') + (spawnError ? `\n(spawn error: ${spawnError.message})` : '');
      resolve({ stdout: Buffer.concat(out), stderr, status: code, signal, timedOut, ms: performance.now() - started });
    });
  });
}

/** Newest modification time under a directory (files only), 0 when it does not exist. */
function newestMtime(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.isFile()) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ (what bin/hyperstep.js runs) unless it is newer than every engine source, so that
 * the first `hyperstep run` neither builds on the fly (its build output would land on the run's
 * stdout) nor runs stale code.
 */
export function ensureCliBuilt(): void {
  const bundle = path.join(REPO_ROOT, 'dist', 'hyperstep.js');
  const bundleTime = fs.existsSync(bundle) ? fs.statSync(bundle).mtimeMs : 0;
  const sourceTime = Math.max(newestMtime(path.join(REPO_ROOT, 'debug-adapter', 'src')), fs.statSync(BUILD_SCRIPT).mtimeMs);
  if (bundleTime > sourceTime) return;
  const r = spawnSync(process.execPath, [BUILD_SCRIPT], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`node scripts/build.mjs failed (status ${String(r.status)}):\n${r.stderr}${r.stdout}`);
}

// ---------------------------------------------------------------------------------------------
// Small utilities

/** How many child processes to run at once. */
export function parallelism(): number {
  return Math.max(2, Math.min(8, os.cpus().length));
}

/** Maps items through fn with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}

/** A small concurrency gate: `run(fn)` starts fn when fewer than `limit` are in flight. */
export function limiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <R>(fn: () => Promise<R>): Promise<R> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Describes an exit status the way the CLI contract reads it. */
export function describeStatus(status: number | null | 'timeout' | 'signal'): string {
  if (status === null) return 'killed by a signal';
  if (status === 'timeout') return 'timeout';
  if (status === 'signal') return 'killed by a signal';
  if (status % 2 === 1) return `${status} (guest wrote 0x${((status - 1) >> 1).toString(16)} to port 0xF4)`;
  const meaning: Record<number, string> = {
    0: 'powered off / QEMU shutdown',
    2: 'triple fault, shutdown or HLT with IF=0',
    4: 'instruction limit',
    6: 'input could not be run',
  };
  return `${status} (${meaning[status] ?? 'unknown'})`;
}

/**
 * Where two serial outputs first differ, with a few lines of context from both, for failure
 * messages (the outputs can be 100 KiB; printing them whole helps nobody).
 */
export function describeSerialDifference(expected: Buffer, actual: Buffer, context = 3): string {
  const n = Math.min(expected.length, actual.length);
  let at = 0;
  while (at < n && expected[at] === actual[at]) at++;
  if (at === n && expected.length === actual.length) return 'serial output identical';
  const exp = expected.toString('latin1');
  const act = actual.toString('latin1');
  const lineNo = exp.slice(0, at).split('\n').length; // 1-based
  const expLines = exp.split('\n');
  const actLines = act.split('\n');
  const from = Math.max(0, lineNo - 1 - context);
  const to = lineNo + context;
  const show = (lines: string[]) =>
    lines
      .slice(from, to)
      .map((l, i) => `  ${String(from + i + 1).padStart(5)}| ${JSON.stringify(l).slice(1, -1)}`)
      .join('\n');
  return (
    `serial output differs at byte ${at} (line ${lineNo}); expected ${expected.length} bytes, got ${actual.length}\n` +
    `--- QEMU (expected), lines ${from + 1}-${Math.min(to, expLines.length)}:\n${show(expLines)}\n` +
    `--- hyperstep, lines ${from + 1}-${Math.min(to, actLines.length)}:\n${show(actLines)}`
  );
}

/** A JavaScript stack trace line ("    at fn (file.js:1:2)"), which must never reach users. */
export const JS_STACK_TRACE = /^\s+at .+(?:\(.*:\d+:\d+\)|:\d+:\d+)\s*$/m;
