// Positions in test sources and applying an LSP edit to a text.
import path from 'node:path';
import type { Position, TextEdit } from 'vscode-languageserver-protocol';
import { REPO_ROOT } from '../helpers/paths.js';

export const FIXTURES = path.join(REPO_ROOT, 'test', 'lsp', 'fixtures');
export const SAMPLES = path.join(REPO_ROOT, 'samples');
export const SAMPLE_INCLUDES = path.join(SAMPLES, 'include');

/** The position of the `occurrence`-th `needle` in `text`, moved `offset` characters into it. */
export function positionOf(text: string, needle: string, occurrence = 0, offset = 0): Position {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' (occurrence ${occurrence}) is not in the text`);
  }
  const before = text.slice(0, at + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

/** 0-based line of the first line containing `needle`. */
export function lineOf(text: string, needle: string, occurrence = 0): number {
  return positionOf(text, needle, occurrence).line;
}

function offsetOf(text: string, p: Position): number {
  const lines = text.split('\n');
  let off = 0;
  for (let i = 0; i < p.line; i++) off += lines[i].length + 1;
  return off + p.character;
}

export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetOf(text, b.range.start) - offsetOf(text, a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offsetOf(out, e.range.start)) + e.newText + out.slice(offsetOf(out, e.range.end));
  return out;
}
