// Assembler benchmark: assemble() on generated realistic sources (1,000 and 10,000 lines),
// against `nasm -f bin` on the same text. Bundled and run by bench/run.mjs (`npm run bench`).
// Prints numbers; asserts nothing about time.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assemble } from '../debug-adapter/src/asm/index';
import type { AssembleResult } from '../debug-adapter/src/asm/types';
import { generateAsmSource } from './asm-source';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);

interface Timing {
  median: number;
  min: number;
  max: number;
  runs: number;
}

function measure(fn: () => void, warmup = WARMUP, runs = RUNS): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  return { median, min: times[0], max: times[times.length - 1], runs };
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n: number) => `${n.toFixed(1)} ms`;

function nasmAvailable(): boolean {
  const r = spawnSync('nasm', ['-v'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

interface Row {
  name: string;
  lines: number;
  timing: Timing | undefined;
  note: string;
}

function main(): void {
  const rows: Row[] = [];
  const notes: string[] = [];
  const hasNasm = nasmAvailable();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-asm-bench-'));
  let headline = '';
  let exitCode = 0;
  try {
    for (const lines of [1_000, 10_000]) {
      const { text } = generateAsmSource(lines, 1);
      const fileName = path.join(tmp, `bench-${lines}.asm`);
      fs.writeFileSync(fileName, text);

      let result: AssembleResult | undefined;
      let ours: Timing | undefined;
      try {
        result = assemble(text, { fileName });
        ours = measure(() => {
          result = assemble(text, { fileName });
        });
      } catch (e) {
        notes.push(`assemble() threw on the ${fmtInt(lines)}-line source: ${e instanceof Error ? e.message : String(e)}`);
        exitCode = 1;
      }
      const errors = result?.diagnostics.filter((d) => d.severity === 'error') ?? [];
      if (result && errors.length) {
        const first = errors[0];
        notes.push(
          `assemble() reported ${errors.length} error(s) on the ${fmtInt(lines)}-line source (timings are of a failing run); ` +
            `first: ${first.range.line}:${first.range.column}: ${first.message}`,
        );
      }
      rows.push({
        name: `assemble() ${fmtInt(lines)} lines`,
        lines,
        timing: ours,
        note: result ? `${fmtInt(result.bytes.length)} bytes` : 'threw',
      });

      if (hasNasm) {
        const out = path.join(tmp, `bench-${lines}.bin`);
        const run = () => {
          const r = spawnSync('nasm', ['-f', 'bin', fileName, '-o', out], { encoding: 'utf8' });
          if (r.status !== 0) throw new Error(`nasm failed on the generated source:\n${r.stderr}`);
        };
        const nasm = measure(run, 1, RUNS);
        const nasmBytes = new Uint8Array(fs.readFileSync(out));
        let same = 'n/a';
        if (result?.ok) {
          const d = firstDifference(result.bytes, nasmBytes);
          same = d < 0 ? 'identical to nasm' : `DIFFERS from nasm at 0x${d.toString(16)}`;
        }
        rows.push({ name: `nasm -f bin ${fmtInt(lines)} lines`, lines, timing: nasm, note: `${fmtInt(nasmBytes.length)} bytes, ours ${same}` });
        if (ours) notes.push(`${fmtInt(lines)} lines: assemble() / nasm (process included) = ${(ours.median / nasm.median).toFixed(2)}x`);
      }
      if (lines === 10_000 && ours) {
        headline = `asm: ${fmtInt(lines)} lines in ${ours.median.toFixed(1)} ms (median of ${ours.runs}), ${fmtInt((lines / ours.median) * 1000)} lines/s`;
      }
    }
    if (!hasNasm) notes.push('nasm is not installed: no comparison (sudo apt-get install -y nasm)');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  if (headline) console.log(headline);
  console.log('');
  const header = ['benchmark', 'median', 'min', 'max', 'lines/s', 'notes'];
  const table = rows.map((r) => [
    r.name,
    r.timing ? fmtMs(r.timing.median) : '-',
    r.timing ? fmtMs(r.timing.min) : '-',
    r.timing ? fmtMs(r.timing.max) : '-',
    r.timing ? fmtInt((r.lines / r.timing.median) * 1000) : '-',
    r.note,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
  console.log('');
  for (const n of notes) console.log(n);
  console.log(`(warm-up ${WARMUP}, ${RUNS} timed runs each${globalThis.gc ? ', gc between runs' : ''}; node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'})`);
  process.exitCode = exitCode;
}

main();
