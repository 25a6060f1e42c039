// Bundles the entry points into dist/. iced-x86 stays external: its wasm is loaded beside its JS.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

await build({
  absWorkingDir: root,
  entryPoints: { hyperstep: 'debug-adapter/src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['iced-x86'],
  logLevel: 'warning',
});
