// Runs the benchmarks (`npm run bench`, after the build). Each bench/*-bench.ts is bundled with
// esbuild into a temporary file and run in its own node process (with --expose-gc, and
// NODE_PATH pointing at this checkout's node_modules for externals such as iced-x86).
// Usage: node --expose-gc bench/run.mjs [name-filter ...]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(benchDir);
const filters = process.argv.slice(2);

const benches = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith('-bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (benches.length === 0) {
  console.error(`bench: nothing matches ${filters.join(' ') || '*-bench.ts'} in ${benchDir}`);
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-bench-'));
let failed = 0;
try {
  for (const file of benches) {
    const name = file.replace(/-bench\.ts$/, '');
    const outfile = path.join(tmp, `${name}.cjs`);
    try {
      buildSync({
        absWorkingDir: root,
        entryPoints: [path.join('bench', file)],
        outfile,
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        sourcemap: 'inline',
        external: ['iced-x86'],
        logLevel: 'error',
      });
    } catch (e) {
      console.error(`bench ${name}: could not bundle ${file}: ${e instanceof Error ? e.message : String(e)}`);
      failed++;
      continue;
    }
    console.log(`== ${name} ==`);
    const nodePath = [path.join(root, 'node_modules'), process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
    const r = spawnSync(process.execPath, ['--expose-gc', '--enable-source-maps', outfile], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_PATH: nodePath },
    });
    if (r.status !== 0) {
      console.error(`bench ${name}: exited with status ${r.status ?? r.signal}`);
      failed++;
    }
    console.log('');
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
