// Writes syntaxes/guest-asm.tmLanguage.json from the instruction knowledge base (`npm run grammar`).
// The generator is TypeScript (debug-adapter/src/grammar/generate.ts); esbuild bundles it into a
// temporary CommonJS file that this script loads and runs.
// Usage: node scripts/generate-grammar.mjs [--check]   (--check: exit 1 when the file is stale)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const target = path.join(root, 'syntaxes', 'guest-asm.tmLanguage.json');
const check = process.argv.includes('--check');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-grammar-'));
try {
  const outfile = path.join(tmp, 'generate.cjs');
  buildSync({
    absWorkingDir: root,
    entryPoints: ['debug-adapter/src/grammar/generate.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['iced-x86'],
    logLevel: 'error',
  });
  const { grammarJson } = createRequire(import.meta.url)(outfile);
  const text = grammarJson();
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (check) {
    if (current !== text) {
      console.error(`${path.relative(root, target)} is stale: run npm run grammar`);
      process.exitCode = 1;
    }
  } else if (current !== text) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
    console.log(`wrote ${path.relative(root, target)}`);
  } else {
    console.log(`${path.relative(root, target)} is up to date`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
