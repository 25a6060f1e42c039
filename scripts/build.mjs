// Bundles the entry points into dist/. iced-x86 stays external: its wasm is loaded beside its JS.
// Its runtime files are copied to dist/node_modules/iced-x86, which Node finds first from dist/,
// so dist/ runs on its own (the packaged extension has no other node_modules).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

const ICED_FILES = ['package.json', 'iced_x86.js', 'iced_x86_bg.wasm', 'LICENSE.txt'];

function copyIced() {
  const from = path.join(root, 'node_modules', 'iced-x86');
  const to = path.join(root, 'dist', 'node_modules', 'iced-x86');
  fs.mkdirSync(to, { recursive: true });
  for (const f of ICED_FILES) {
    const src = path.join(from, f);
    const dest = path.join(to, f);
    const a = fs.statSync(src);
    const b = fs.existsSync(dest) ? fs.statSync(dest) : undefined;
    // Rewritten only when changed, so a process already running from dist/ never sees a half-written file.
    if (b === undefined || b.size !== a.size || b.mtimeMs < a.mtimeMs) fs.copyFileSync(src, dest);
  }
}

/** One CommonJS bundle for Node 20 in dist/, with source maps. */
function bundle(name, entry, external) {
  return build({
    absWorkingDir: root,
    entryPoints: { [name]: entry },
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external,
    logLevel: 'warning',
  });
}

await Promise.all([
  bundle('hyperstep', 'debug-adapter/src/cli/main.ts', ['iced-x86']),
  // The VS Code client. `vscode` is the editor's own module; the inline debug adapter (loaded on
  // first use) brings the engine, hence iced-x86 here too.
  bundle('extension', 'extension/src/extension.ts', ['vscode', 'iced-x86']),
]);
copyIced();
