// Finding what is under the cursor in a file's outline, and LSP ranges of outline items.
import type { Position, Range } from 'vscode-languageserver';
import type { AnalyzedFile } from './analysis.js';
import type { OutlineToken } from './outline.js';

/** The token at a position; a cursor right after a word counts as on it (as editors place it). */
export function tokenAt(file: AnalyzedFile, pos: Position): OutlineToken | undefined {
  const tokens = file.outline.tokens[pos.line];
  if (!tokens) return undefined;
  const inside = tokens.find((t) => t.start <= pos.character && pos.character < t.end);
  if (inside) return inside;
  return tokens.find((t) => t.end === pos.character && t.role !== 'comment');
}

export function range(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

export function tokenText(file: AnalyzedFile, line: number, t: { start: number; end: number }): string {
  return file.outline.lines[line]?.text.slice(t.start, t.end) ?? '';
}
