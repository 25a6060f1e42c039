// Byte comparison with failure messages that say where and why: first differing offset, hex
// windows of both outputs, the source-map entry of ours and the nasm listing line covering it.
import fs from 'node:fs';
import path from 'node:path';
import type { AssembleResult, SourceMapEntry } from './assembler';
import { parseNasmListing } from './nasm';

/** Sorted `*.asm` files directly in `dir` (absolute paths); [] when the directory is missing. */
export function listAsmFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.asm'))
    .map((e) => path.join(dir, e.name))
    .sort();
}

export function hex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const parts: string[] = [];
  for (let i = Math.max(0, start); i < Math.min(end, bytes.length); i++) parts.push(bytes[i].toString(16).padStart(2, '0'));
  return parts.join(' ');
}

/** First offset where a and b differ (including one being shorter), or -1 when equal. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return firstDifference(a, b) === -1;
}

/**
 * A hex dump of the 16-byte rows around `offset` (`radius` rows each side), with the byte at
 * `offset` in brackets; a missing byte (past the end) is shown as `[--]`.
 */
export function hexWindow(bytes: Uint8Array, offset: number, radius = 1): string {
  const row0 = Math.max(0, Math.floor(offset / 16) - radius);
  const row1 = Math.floor(offset / 16) + radius;
  const lines: string[] = [];
  for (let row = row0; row <= row1; row++) {
    const start = row * 16;
    if (start >= bytes.length && start > offset) break;
    const cells: string[] = [];
    for (let i = start; i < start + 16; i++) {
      const cell = i < bytes.length ? bytes[i].toString(16).padStart(2, '0') : i === offset ? '--' : '  ';
      cells.push(i === offset ? `[${cell}]` : ` ${cell} `);
    }
    lines.push(`  ${start.toString(16).padStart(8, '0')}: ${cells.join('').trimEnd()}`);
  }
  return lines.join('\n');
}

/** The entry whose file bytes cover `fileOffset` (innermost, i.e. smallest, when nested). */
export function sourceMapEntryAt(result: AssembleResult, fileOffset: number): SourceMapEntry | undefined {
  let best: SourceMapEntry | undefined;
  for (const e of result.sourceMap ?? []) {
    if (e.fileOffset < 0 || fileOffset < e.fileOffset || fileOffset >= e.fileOffset + e.size) continue;
    if (!best || e.size < best.size) best = e;
  }
  return best;
}

export function describeEntry(e: SourceMapEntry): string {
  const where = `${e.location.file}:${e.location.line}:${e.location.column}`;
  const macros = e.macroStack.length ? ` (in macro ${e.macroStack.join(' > ')})` : '';
  return (
    `${where}: ${JSON.stringify(e.text)}${macros} — ${e.kind}, address 0x${e.address.toString(16)}, ` +
    `file offset 0x${e.fileOffset.toString(16)}, size ${e.size}`
  );
}

export function describeDiagnostics(result: AssembleResult, max = 10): string {
  const lines = result.diagnostics
    .slice(0, max)
    .map((d) => `  ${d.range.file}:${d.range.line}:${d.range.column}: ${d.severity}: ${d.message}`);
  if (result.diagnostics.length > max) lines.push(`  ... and ${result.diagnostics.length - max} more`);
  return lines.length ? lines.join('\n') : '  (no diagnostics)';
}

export interface MismatchInput {
  /** What was assembled (a file name or a short description). */
  what: string;
  ours: AssembleResult;
  expected: Uint8Array;
  /** nasm's `-l` listing of the same source, to name nasm's line at the offset too. */
  nasmListing?: string;
  /** The source text and its file name, to quote the line our source map points at. */
  source?: string;
  fileName?: string;
}

function sourceLine(file: string, line: number, input: MismatchInput): string | undefined {
  let text: string | undefined;
  if (input.source !== undefined && (input.fileName === undefined || path.basename(file) === path.basename(input.fileName))) {
    text = input.source;
  } else {
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }
  return text.split(/\r?\n/)[line - 1];
}

/** A multi-line explanation of why `ours.bytes` differs from `expected` (nasm's bytes). */
export function describeMismatch(input: MismatchInput): string {
  const { ours, expected } = input;
  const off = firstDifference(ours.bytes, expected);
  if (off < 0) return `${input.what}: outputs are identical`;
  const out: string[] = [];
  out.push(`${input.what}: output differs from nasm -f bin`);
  out.push(`  lengths: ours ${ours.bytes.length} bytes, nasm ${expected.length} bytes`);
  out.push(`  first difference at file offset 0x${off.toString(16)} (${off})`);
  out.push('nasm:');
  out.push(hexWindow(expected, off));
  out.push('ours:');
  out.push(hexWindow(ours.bytes, off));
  const entry = sourceMapEntryAt(ours, off);
  if (entry) {
    out.push(`our source map at 0x${off.toString(16)}: ${describeEntry(entry)}`);
    out.push(`  our bytes for it:  ${hex(ours.bytes, entry.fileOffset, entry.fileOffset + entry.size)}`);
    out.push(`  nasm's same range: ${hex(expected, entry.fileOffset, entry.fileOffset + entry.size)}`);
    const line = sourceLine(entry.location.file, entry.location.line, input);
    if (line !== undefined) out.push(`  ${entry.location.file} line ${entry.location.line}: ${line.trim()}`);
  } else {
    const before = (ours.sourceMap ?? [])
      .filter((e) => e.fileOffset >= 0 && e.fileOffset <= off)
      .sort((a, b) => b.fileOffset - a.fileOffset)[0];
    out.push(`our source map has no entry covering 0x${off.toString(16)}` + (before ? `; the last one before it: ${describeEntry(before)}` : ''));
  }
  if (input.nasmListing !== undefined) {
    const rows = parseNasmListing(input.nasmListing).filter((r) => r.offset <= off);
    const row = rows[rows.length - 1];
    if (row) out.push(`nasm listing at 0x${row.offset.toString(16)}: line ${row.line}${row.level ? ` <${row.level}>` : ''}: ${row.hex}  ${row.source}`);
  }
  if (ours.diagnostics.length) {
    out.push('our diagnostics:');
    out.push(describeDiagnostics(ours));
  }
  return out.join('\n');
}
