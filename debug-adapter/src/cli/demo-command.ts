// The README's main job until the CPU lands: assemble every sample and print a summary of each.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assemble } from '../asm/index.js';
import { formatDiagnostic } from './asm-command.js';

export function demoCommand(argv: string[], root: string): number {
  const dir = argv[0] ?? path.join(root, 'samples');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.asm'))
    .sort();
  if (!files.length) {
    process.stderr.write(`hyperstep demo: no .asm samples in ${dir}\n`);
    return 6;
  }
  let failed = 0;
  process.stdout.write(`${'sample'.padEnd(28)} ${'bytes'.padStart(7)} ${'instr'.padStart(6)} ${'labels'.padStart(6)}  entry\n`);
  for (const f of files) {
    const file = path.join(dir, f);
    const t0 = performance.now();
    const r = assemble(fs.readFileSync(file, 'utf8'), { fileName: file, includePaths: [path.join(dir, 'include')] });
    const ms = performance.now() - t0;
    if (!r.ok) {
      failed++;
      process.stdout.write(`${f.padEnd(28)} FAILED\n`);
      for (const d of r.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
      continue;
    }
    const instructions = r.sourceMap.filter((e) => e.kind === 'instruction').length;
    const labels = r.symbols.filter((s) => s.kind === 'label').length;
    const entry = r.symbols.find((s) => s.name === 'start' || s.name === '_start' || s.name === 'entry');
    process.stdout.write(
      `${f.padEnd(28)} ${String(r.bytes.length).padStart(7)} ${String(instructions).padStart(6)} ${String(labels).padStart(6)}  ` +
        `${entry ? '0x' + entry.value.toString(16) : '-'}  (${ms.toFixed(1)} ms)\n`,
    );
  }
  return failed ? 1 : 0;
}
