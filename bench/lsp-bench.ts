// Language server benchmark (`npm run bench -- lsp`): a generated 5,000-line guest open in
// `hyperstep lsp --stdio`, one-line edits sent as an editor sends them, and the time from each
// didChange to the publishDiagnostics of that version (median and p95): edits after a pause
// (each keystroke on its own), and the last edit of a burst of fast typing. In process: assemble()
// and the whole analysis (assemble, outlines, diagnostics and lints) of the same text.
// Prints numbers; asserts nothing about time. LSP_BENCH_PROFILE=DIR runs the server with --cpu-prof.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { assemble } from '../debug-adapter/src/asm/index';
import { analyze } from '../debug-adapter/src/lsp/analysis';
import { fileDiagnostics } from '../debug-adapter/src/lsp/diagnostics';
import { FileStore } from '../debug-adapter/src/lsp/files';
import { scanText } from '../debug-adapter/src/lsp/scan';
import { DEFAULT_SETTINGS } from '../debug-adapter/src/lsp/settings';
import { generateAsmSource } from './asm-source';

const LINES = 5_000;
const EDITS = Number(process.env.BENCH_LSP_EDITS ?? 60);
const WARM_UP = 15;
const PAUSE_MS = 120;
const BURST = 10;
const BURST_GAP_MS = 15;
const CLI = path.join(process.cwd(), 'dist', 'hyperstep.js');
const PROFILE_DIR = process.env.LSP_BENCH_PROFILE;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function summary(times: number[]): string {
  const s = [...times].sort((a, b) => a - b);
  return `median ${percentile(s, 0.5).toFixed(1)} ms, p95 ${percentile(s, 0.95).toFixed(1)} ms, min ${s[0].toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms (${s.length} edits)`;
}

function inProcess(text: string, file: string): void {
  const runs = 15;
  const asm: number[] = [];
  const full: number[] = [];
  const store = new FileStore(() => undefined);
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    assemble(text, { fileName: file });
    const t1 = performance.now();
    const a = analyze({ uri: pathToFileURL(file).href, path: file, text, version: i }, DEFAULT_SETTINGS, {
      read: (p) => store.read(p),
      uriOf: (p) => pathToFileURL(p).href,
      scan: (_p, t) => scanText(t),
    });
    fileDiagnostics(a, a.main);
    const t2 = performance.now();
    if (i >= 3) {
      asm.push(t1 - t0);
      full.push(t2 - t1);
    }
  }
  console.log(`in process: assemble() ${summary(asm).replace(/edits/, 'runs')}`);
  console.log(`in process: analysis (assemble + scan + outlines + diagnostics + lints) ${summary(full).replace(/edits/, 'runs')}`);
}

async function overStdio(text: string, file: string): Promise<void> {
  const nodeArgs = PROFILE_DIR === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', 'lsp.cpuprofile'];
  const proc = spawn(process.execPath, [...nodeArgs, CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const waiters = new Map<number, (p: PublishDiagnosticsParams) => void>();
  let diagnosticsCount = 0;
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diagnosticsCount = p.diagnostics.length;
    if (p.version !== undefined) waiters.get(p.version)?.(p);
  });
  conn.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({ technique: 'trap-and-emulate' })));
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  const published = (version: number) => new Promise<PublishDiagnosticsParams>((resolve) => waiters.set(version, resolve));

  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
  await conn.sendNotification('initialized', {});
  const uri = pathToFileURL(file).href;
  let version = 1;
  const opened = published(version);
  const t0 = performance.now();
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'guest-asm', version, text } });
  await opened;
  console.log(`over stdio: didOpen → publishDiagnostics ${(performance.now() - t0).toFixed(1)} ms (first analysis, cold); ${diagnosticsCount} diagnostics`);

  // Edit an instruction line in the middle: its operand alternates, so every version differs.
  const lines = text.split('\n');
  const target = lines.findIndex((l, i) => i > LINES / 2 && /^\s+mov e[a-d]x, \d+$/.test(l));
  const editText = (n: number) => `  mov eax, ${n}`;
  const edit = async (): Promise<number> => {
    version++;
    const done = published(version);
    const start = performance.now();
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line: target, character: 0 }, end: { line: target, character: lines[target].length } }, text: editText(version) }],
    });
    lines[target] = editText(version);
    await done;
    return performance.now() - start;
  };
  for (let i = 0; i < WARM_UP; i++) {
    await edit();
    await sleep(PAUSE_MS);
  }
  const single: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    single.push(await edit());
    await sleep(PAUSE_MS);
  }
  console.log(`over stdio: one edit after a pause, didChange → publishDiagnostics: ${summary(single)}`);

  const bursts: number[] = [];
  for (let b = 0; b < 10; b++) {
    let last: Promise<number> = Promise.resolve(0);
    for (let k = 0; k < BURST; k++) {
      last = edit();
      if (k < BURST - 1) await sleep(BURST_GAP_MS);
    }
    bursts.push(await last);
    await sleep(PAUSE_MS);
  }
  console.log(`over stdio: last edit of a burst (${BURST} edits ${BURST_GAP_MS} ms apart), didChange → publishDiagnostics: ${summary(bursts).replace(/edits\)/, 'bursts)')}`);

  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  const code = await exited;
  conn.dispose();
  if (code !== 0) throw new Error(`the server exited with status ${code}`);
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-lsp-bench-'));
  try {
    const { text } = generateAsmSource(LINES, 7);
    const file = path.join(tmp, 'kernel.asm');
    fs.writeFileSync(file, text);
    console.log(`${text.split('\n').length} lines (generated); debounce: an edit after a quiet 50 ms is analysed at once, a burst once it pauses`);
    inProcess(text, file);
    await overStdio(text, file);
    if (PROFILE_DIR !== undefined) console.log(`server CPU profile in ${PROFILE_DIR}`);
    console.log(`(node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'})`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
