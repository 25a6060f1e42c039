// Runs snippet cases on unicorn (Debian python3-unicorn), the reference for single-instruction
// semantics. One python process per batch: test/helpers/unicorn-runner.py reads every case from
// stdin and writes every outcome to stdout.
//
// Never skips: when unicorn is missing, runUnicorn throws an error that says how to install it, so
// a machine without it fails the suite instead of silently passing it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  SNIPPET_DATA_SIZE,
  type SnippetCase,
  type SnippetOutcome,
  type SnippetRegisters,
} from '../../debug-adapter/src/cpu/snippet-types';
import { REPO_ROOT } from './paths';

/** Debian's python3-unicorn is installed for the system interpreter only (not a pyenv/venv one). */
export const UNICORN_PYTHON = '/usr/bin/python3';
export const UNICORN_RUNNER = path.join(REPO_ROOT, 'test', 'helpers', 'unicorn-runner.py');

const REG_ORDER: readonly (keyof SnippetRegisters)[] = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
/** Granularity of the data-window patches sent to the runner. */
const CHUNK = 256;
const INSTALL_HINT = 'Install it with: sudo apt-get install -y python3-unicorn   (it must be importable by /usr/bin/python3)';

interface WireOutcome {
  regs?: number[];
  eflags?: number;
  eip?: number;
  fault?: number | null;
  data?: [number, string][];
  error?: string;
}

let checked: string | undefined;

/** Throws a clear error unless /usr/bin/python3 can import unicorn; returns its version. */
export function unicornVersion(): string {
  if (checked !== undefined) return checked;
  const r = spawnSync(UNICORN_PYTHON, ['-c', 'import unicorn; print(unicorn.__version__)'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr ?? '').trim().split('\n').pop() ?? `exit status ${String(r.status)}`;
    throw new Error(`unicorn is required as the reference CPU for these tests but ${UNICORN_PYTHON} cannot import it (${why}).\n${INSTALL_HINT}`);
  }
  checked = r.stdout.trim();
  return checked;
}

function hexOf(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('hex');
}

/** Whether windows `a` and `b` (each zero-filled beyond its end) agree on [start, end). */
function chunkEqual(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  const aEnd = Math.min(end, a.length);
  const bEnd = Math.min(end, b.length);
  const common = Math.min(aEnd, bEnd);
  if (common > start) {
    const x = Buffer.from(a.buffer, a.byteOffset + start, common - start);
    const y = Buffer.from(b.buffer, b.byteOffset + start, common - start);
    if (!x.equals(y)) return false;
  }
  // Beyond the shorter array the missing bytes are zero.
  const longer = aEnd > bEnd ? a : b;
  for (let i = Math.max(common, start); i < Math.max(aEnd, bEnd); i++) if (longer[i] !== 0) return false;
  return true;
}

/** Patches that turn window `prev` into window `cur` (both zero-filled to the window size). */
function windowPatches(prev: Uint8Array, cur: Uint8Array): [number, string][] {
  if (prev === cur) return [];
  const out: [number, string][] = [];
  let start = -1;
  const limit = Math.max(prev.length, cur.length);
  const curFull = (s: number, e: number): string => {
    const bytes = new Uint8Array(e - s);
    if (s < cur.length) bytes.set(cur.subarray(s, Math.min(e, cur.length)));
    return hexOf(bytes);
  };
  for (let off = 0; off < limit; off += CHUNK) {
    const end = Math.min(off + CHUNK, SNIPPET_DATA_SIZE);
    const same = chunkEqual(prev, cur, off, end);
    if (!same && start < 0) start = off;
    if (same && start >= 0) {
      out.push([start, curFull(start, off)]);
      start = -1;
    }
  }
  if (start >= 0) out.push([start, curFull(start, Math.min(limit, SNIPPET_DATA_SIZE))]);
  return out;
}

function toWire(c: SnippetCase, prevData: Uint8Array): string {
  const data = c.data ?? new Uint8Array(0);
  if (data.length > SNIPPET_DATA_SIZE) throw new Error(`snippet data is ${data.length} bytes, larger than the data window`);
  const wire: Record<string, unknown> = {
    code: hexOf(c.code),
    regs: REG_ORDER.map((r) => c.regs[r] >>> 0),
    eflags: c.eflags >>> 0,
    data: windowPatches(prevData, data),
  };
  if (c.maxInstructions !== undefined) wire.max = c.maxInstructions;
  return JSON.stringify(wire);
}

function fromWire(w: WireOutcome, c: SnippetCase, index: number): SnippetOutcome {
  if (w.error !== undefined || !w.regs || w.eflags === undefined || w.eip === undefined) {
    throw new Error(`unicorn could not run case ${index} (code ${hexOf(c.code)}): ${w.error ?? 'malformed outcome'}`);
  }
  const data = new Uint8Array(SNIPPET_DATA_SIZE);
  if (c.data) data.set(c.data);
  for (const [offset, hex] of w.data ?? []) data.set(Buffer.from(hex, 'hex'), offset);
  const regs = Object.fromEntries(REG_ORDER.map((r, i) => [r, w.regs![i] >>> 0])) as unknown as SnippetRegisters;
  const outcome: SnippetOutcome = { regs, eflags: w.eflags >>> 0, eip: w.eip >>> 0, data };
  if (w.fault !== null && w.fault !== undefined) outcome.fault = w.fault;
  return outcome;
}

/**
 * Runs every case on unicorn in one python process and returns the outcomes in case order.
 * The memory layout and stopping rules are those of runSnippet (see snippet-types.ts).
 */
export function runUnicorn(cases: readonly SnippetCase[]): SnippetOutcome[] {
  unicornVersion();
  if (cases.length === 0) return [];
  const lines: string[] = [];
  let prev: Uint8Array = new Uint8Array(0);
  for (const c of cases) {
    lines.push(toWire(c, prev));
    prev = c.data ?? new Uint8Array(0);
  }
  const r = spawnSync(UNICORN_PYTHON, [UNICORN_RUNNER], {
    input: lines.join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: 300_000,
  });
  if (r.error) throw new Error(`running ${UNICORN_PYTHON} ${UNICORN_RUNNER} failed: ${r.error.message}`);
  if (r.signal) {
    throw new Error(`unicorn-runner.py was killed by ${r.signal} (unicorn crashed on one of ${cases.length} cases): ${(r.stderr ?? '').trim()}`);
  }
  if (r.status !== 0) {
    const hint = r.status === 3 ? `\n${INSTALL_HINT}` : '';
    throw new Error(`unicorn-runner.py exited with status ${String(r.status)}: ${(r.stderr ?? '').trim()}${hint}`);
  }
  let wire: WireOutcome[];
  try {
    wire = JSON.parse(r.stdout) as WireOutcome[];
  } catch (e) {
    throw new Error(`unicorn-runner.py wrote malformed output (${(e as Error).message}): ${r.stdout.slice(0, 200)}`, { cause: e });
  }
  if (!Array.isArray(wire) || wire.length !== cases.length) {
    throw new Error(`unicorn-runner.py returned ${Array.isArray(wire) ? wire.length : 'no'} outcomes for ${cases.length} cases`);
  }
  return wire.map((w, i) => fromWire(w, cases[i], i));
}
