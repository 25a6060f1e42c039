// Runs the real nasm (the oracle for assembler bytes) in a throw-away directory.
//
// Never skips: when nasm is missing, every call throws an error that says how to install it,
// so a machine without nasm fails the suite instead of silently passing it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface NasmMessage {
  /** File as nasm printed it (the input path, or an %include'd file). Empty for global messages. */
  file: string;
  /** 1-based line, or 0 when nasm gave none (e.g. a fatal error about the command line). */
  line: number;
  severity: 'error' | 'warning';
  message: string;
  /** Continuation notes such as "... from macro `m' defined here", with their own file:line. */
  notes: string[];
}

export interface NasmResult {
  ok: boolean;
  /** Output bytes; empty when !ok (nasm deletes its output on error). */
  bytes: Uint8Array;
  stderr: string;
  errors: NasmMessage[];
  warnings: NasmMessage[];
  /** The `-l` listing, when asked for. */
  listing?: string;
}

export interface NasmOptions {
  /** -I directories, in order (a trailing separator is added, as old nasm versions need it). */
  includeDirs?: string[];
  /** Also produce a listing (`-l`). */
  listing?: boolean;
  /** Working directory for nasm (nasm resolves %include against it first). Default: a temp dir. */
  cwd?: string;
  /** -D definitions. */
  defines?: Record<string, string>;
}

let checkedVersion: string | undefined;

/** The nasm version line; throws a clear error when nasm is not installed. */
export function nasmVersion(): string {
  if (checkedVersion !== undefined) return checkedVersion;
  const r = spawnSync('nasm', ['-v'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit status ${String(r.status)}: ${r.stderr}`;
    throw new Error(
      `nasm is required as the reference assembler for these tests but could not be run (${why}).\n` +
        'Install it with: sudo apt-get install -y nasm   (or run: bash scripts/ensure-tools.sh)',
    );
  }
  checkedVersion = r.stdout.trim();
  return checkedVersion;
}

/** Makes a fresh temporary directory; remove it with `removeTempDir`. */
export function makeTempDir(prefix = 'hyperstep-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs `fn` with a fresh temp directory and always removes the directory afterwards. */
export function withTempDir<T>(fn: (dir: string) => T, prefix?: string): T {
  const dir = makeTempDir(prefix);
  try {
    return fn(dir);
  } finally {
    removeTempDir(dir);
  }
}

const MESSAGE_RE = /^(.*?):(\d+): (error|warning|fatal|panic): (.*)$/;
const GLOBAL_MESSAGE_RE = /^(?:(.*?): )?(error|warning|fatal|panic): (.*)$/;
const NOTE_RE = /^(.*?):(\d+): (\.\.\. .*)$/;

/** Parses nasm's stderr (`FILE:LINE: error: message`, notes `FILE:LINE: ... from macro`). */
export function parseNasmStderr(stderr: string): { errors: NasmMessage[]; warnings: NasmMessage[] } {
  const errors: NasmMessage[] = [];
  const warnings: NasmMessage[] = [];
  let last: NasmMessage | undefined;
  for (const raw of stderr.split('\n')) {
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '') continue;
    let m = MESSAGE_RE.exec(text);
    let msg: NasmMessage | undefined;
    if (m) {
      msg = { file: m[1], line: Number(m[2]), severity: m[3] === 'warning' ? 'warning' : 'error', message: m[4], notes: [] };
    } else if ((m = NOTE_RE.exec(text)) && last) {
      last.notes.push(`${m[1]}:${m[2]}: ${m[3]}`);
      continue;
    } else if ((m = GLOBAL_MESSAGE_RE.exec(text))) {
      msg = { file: m[1] ?? '', line: 0, severity: m[2] === 'warning' ? 'warning' : 'error', message: m[3], notes: [] };
    } else if (last) {
      // Continuation of the previous message (nasm wraps e.g. " [-w+other]" onto a new line).
      last.message += ` ${text.trim()}`;
      continue;
    } else {
      continue;
    }
    (msg.severity === 'error' ? errors : warnings).push(msg);
    last = msg;
  }
  return { errors, warnings };
}

function withSlash(dir: string): string {
  return dir.endsWith(path.sep) || dir.endsWith('/') ? dir : dir + path.sep;
}

/** Assembles an existing file with `nasm -f bin`; output (and listing) go to a temp dir. */
export function nasmAssembleFile(inputPath: string, options: NasmOptions = {}): NasmResult {
  nasmVersion();
  return withTempDir((tmp) => {
    const out = path.join(tmp, 'out.bin');
    const lst = path.join(tmp, 'out.lst');
    const args = ['-f', 'bin'];
    for (const dir of options.includeDirs ?? []) args.push('-I', withSlash(dir));
    for (const [name, value] of Object.entries(options.defines ?? {})) args.push(`-D${name}=${value}`);
    args.push(inputPath, '-o', out);
    if (options.listing) args.push('-l', lst);
    const r = spawnSync('nasm', args, { cwd: options.cwd ?? tmp, encoding: 'utf8', timeout: 30_000 });
    if (r.error) throw new Error(`running nasm ${args.join(' ')} failed: ${r.error.message}`);
    const stderr = r.stderr ?? '';
    const { errors, warnings } = parseNasmStderr(stderr);
    const ok = r.status === 0 && errors.length === 0;
    const bytes = ok && fs.existsSync(out) ? new Uint8Array(fs.readFileSync(out)) : new Uint8Array(0);
    if (!ok && errors.length === 0) {
      errors.push({ file: '', line: 0, severity: 'error', message: `nasm exited with status ${String(r.status)}: ${stderr.trim()}`, notes: [] });
    }
    const result: NasmResult = { ok, bytes, stderr, errors, warnings };
    if (options.listing && fs.existsSync(lst)) result.listing = fs.readFileSync(lst, 'utf8');
    return result;
  }, 'hyperstep-nasm-');
}

/**
 * Assembles source text with `nasm -f bin`. The text is written to `<tmp>/<fileName>`, so nasm's
 * messages name `fileName` (relative to its cwd, the temp dir).
 */
export function nasmAssemble(source: string, options: NasmOptions & { fileName?: string } = {}): NasmResult {
  nasmVersion();
  return withTempDir((tmp) => {
    const fileName = options.fileName ?? 'input.asm';
    const input = path.join(tmp, fileName);
    fs.mkdirSync(path.dirname(input), { recursive: true });
    fs.writeFileSync(input, source);
    return nasmAssembleFile(fileName, { ...options, cwd: options.cwd ?? tmp });
  }, 'hyperstep-nasm-src-');
}

/** One source line of a nasm `-l` listing that emitted bytes (continuation lines merged). */
export interface ListingLine {
  /** Line number in the file it came from (an %include'd file or a macro body line when level > 0). */
  line: number;
  /** Offset in the section (nasm lists section offsets, not org-relative addresses). */
  offset: number;
  /**
   * Bytes as listed, upper-case hex: relocated values keep nasm's [brackets] and are shown
   * section-relative (without org), so they are not the output bytes; `times` keeps `<rep N>`,
   * reserved space is `??`.
   */
  hex: string;
  /** Number of bytes for plain hex fields; undefined when the field has `<rep>` or `??`. */
  size: number | undefined;
  /** Source text as listed (macro parameters are shown unexpanded). */
  source: string;
  /** Macro/include nesting level (`<1>` in the listing), 0 for lines of the main file. */
  level: number;
}

/**
 * Parses nasm's fixed-column listing: line number (6), address (8), hex field (18, then '-' when
 * the bytes continue on the next listing line), nesting marker (`<1>`), source at column 40.
 */
export function parseNasmListing(listing: string): ListingLine[] {
  const out: ListingLine[] = [];
  let pending: ListingLine | undefined;
  for (const text of listing.split('\n')) {
    const m = /^\s*(\d+) ([0-9A-F]{8}) /.exec(text);
    if (!m) continue;
    // The '-' follows the bytes directly: at column 34 for a full field, earlier after [relocations].
    let hexField = text.slice(16, 35).trim();
    const continued = hexField.endsWith('-');
    if (continued) hexField = hexField.slice(0, -1);
    const marker = /^\s*<(\d+)>/.exec(text.slice(35, 40));
    if (pending) {
      pending.hex += hexField;
      if (!continued) {
        finish(pending);
        pending = undefined;
      }
      continue;
    }
    const entry: ListingLine = {
      line: Number(m[1]),
      offset: parseInt(m[2], 16),
      hex: hexField,
      size: undefined,
      source: text.length > 40 ? text.slice(40).trim() : '',
      level: marker ? Number(marker[1]) : 0,
    };
    out.push(entry);
    if (continued) pending = entry;
    else finish(entry);
  }
  if (pending) finish(pending);
  return out;

  function finish(entry: ListingLine): void {
    const plain = entry.hex.replace(/[[\]()]/g, '');
    entry.size = /^([0-9A-F]{2})*$/.test(plain) ? plain.length / 2 : undefined;
  }
}

export interface NasmAllErrors {
  /** nasm's own run on the unmodified source. */
  first: NasmResult;
  /** Error lines of the main file over all rounds, sorted. */
  lines: number[];
  /** Lines per round, to explain a difference. */
  rounds: number[][];
}

/**
 * nasm stops after its first pass when that pass had errors, so it hides later-pass errors
 * (operands, undefined symbols) that sit on earlier lines. This reruns nasm with the reported
 * lines blanked (a leading `label:` is kept so no new undefined symbols appear) until no new
 * error lines show up, and returns every error line of the main file nasm reported on the way.
 * Errors inside %include'd files end the search (those files are not rewritten).
 */
export function nasmAllErrorLines(
  source: string,
  fileName: string,
  options: NasmOptions & { maxRounds?: number } = {},
): NasmAllErrors {
  const isMain = (m: NasmMessage) => path.basename(m.file) === path.basename(fileName);
  const lines = source.split('\n');
  const seen = new Set<number>();
  const rounds: number[][] = [];
  let first: NasmResult | undefined;
  for (let round = 0; round < (options.maxRounds ?? 6); round++) {
    const r = nasmAssemble(lines.join('\n'), { ...options, fileName: path.basename(fileName) });
    first ??= r;
    const found = [...new Set(r.errors.filter((e) => isMain(e) && e.line > 0).map((e) => e.line))].sort((a, b) => a - b);
    rounds.push(found);
    const fresh = found.filter((l) => !seen.has(l));
    if (r.ok || fresh.length === 0 || r.errors.some((e) => !isMain(e))) break;
    for (const l of fresh) {
      seen.add(l);
      if (l <= lines.length) lines[l - 1] = /^\s*[A-Za-z_.?$][\w.?$@#~]*:/.exec(lines[l - 1])?.[0] ?? '';
    }
  }
  for (const rl of rounds) for (const l of rl) seen.add(l);
  return { first: first as NasmResult, lines: [...seen].sort((a, b) => a - b), rounds };
}
