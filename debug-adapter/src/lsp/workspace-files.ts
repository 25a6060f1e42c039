// The sources workspace symbols search: every file of the current analyses, then the assembly
// files under the workspace folders (a bounded walk that skips dependency and build folders).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnalysisWorkspace } from './documents.js';
import { MacroTable } from './macro-table.js';
import { buildOutline, type SourceOutline } from './outline.js';
import type { ScannedFile } from './scan.js';
import type { SymbolSource } from './symbols.js';

const SOURCE = /\.(asm|nasm|inc|mac|s)$/i;
const SKIP = new Set(['node_modules', 'dist', 'out', 'build']);
const MAX_FILES = 2000;
const MAX_DEPTH = 8;

const outlines = new Map<string, { scanned: ScannedFile; outline: SourceOutline }>();

export function listSourceFiles(folders: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= MAX_FILES) return;
      if (e.name.startsWith('.') || SKIP.has(e.name)) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.isFile() && SOURCE.test(e.name)) out.push(p);
    }
  };
  for (const f of folders) walk(f, 0);
  return out;
}

export function* workspaceSources(workspace: AnalysisWorkspace, folders: readonly string[]): Iterable<SymbolSource> {
  const seen = new Set<string>();
  for (const analysis of workspace.analyses()) {
    for (const f of analysis.files.values()) {
      if (seen.has(f.path)) continue;
      seen.add(f.path);
      yield { uri: f.uri, path: f.path, outline: f.outline, analysis };
    }
  }
  for (const p of listSourceFiles(folders)) {
    if (seen.has(p)) continue;
    seen.add(p);
    const text = workspace.store.read(p)?.text;
    if (text === undefined) continue;
    const scanned = workspace.scan(p, text);
    let known = outlines.get(p);
    if (!known || known.scanned !== scanned) {
      known = { scanned, outline: buildOutline(scanned, new MacroTable(scanned.macros.map((def) => ({ def, file: p })))) };
      outlines.set(p, known);
    }
    yield { uri: workspace.uriOf(p), path: p, outline: known.outline };
  }
}
