// The language server never imports the debug adapter's layer (ARCHITECTURE §2): every module
// reachable from debug-adapter/src/lsp through relative imports stays outside src/dap, and none
// imports the editor's API.
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

const SRC = path.join(REPO_ROOT, 'debug-adapter', 'src');
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm;

function reachable(entry: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = [...entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    const specs = [...fs.readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => m[1]);
    seen.set(file, specs);
    for (const s of specs) if (s.startsWith('.')) todo.push(path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')));
  }
  return seen;
}

it('reaches neither src/dap nor the vscode API', () => {
  const lsp = path.join(SRC, 'lsp');
  const files = reachable(fs.readdirSync(lsp).filter((f) => f.endsWith('.ts')).map((f) => path.join(lsp, f)));
  expect(files.size).toBeGreaterThan(20);
  for (const [file, specs] of files) {
    expect(path.relative(SRC, file).startsWith('dap')).toBe(false);
    expect(specs.filter((s) => s === 'vscode' || s === '@vscode/debugadapter')).toEqual([]);
  }
});
