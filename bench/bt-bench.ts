// Binary-translation benchmark (`npm run bench`): the ALU loop natively and under
// binary-translation (target: within 2× of native — translation is a one-time cost per block),
// with the translation counts. Prints numbers; asserts nothing about time.
import fs from 'node:fs';
import path from 'node:path';
import { assemble } from '../debug-adapter/src/asm/index';
import { Engine } from '../debug-adapter/src/engine/engine';
import { registerTechnique } from '../debug-adapter/src/hypervisor/index';
import { btFactory, BinaryTranslationVmm, X86TranslationVmm } from '../debug-adapter/src/hypervisor/binary-translation/index';

registerTechnique('binary-translation', btFactory); // harmless once hypervisor/techniques.ts registers it

const root = process.cwd();
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function image(name: string): Uint8Array {
  const file = path.join(root, 'bench', 'guests', `${name}.asm`);
  const r = assemble(fs.readFileSync(file, 'utf8'), { fileName: file, includePaths: [path.join(root, 'samples', 'include')] });
  if (!r.ok) throw new Error(`${name}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.bytes;
}

interface Result {
  seconds: number;
  instructions: number;
  exits: number;
  status?: number;
  translation: string;
}

function best(bytes: Uint8Array, technique: 'native' | 'binary-translation'): Result {
  const engine = new Engine({ technique });
  engine.loadImage(bytes);
  globalThis.gc?.();
  const t0 = performance.now();
  const stop = engine.run(5_000_000_000);
  const seconds = (performance.now() - t0) / 1000;
  const hv = engine.hypervisor;
  let translation = '';
  if (hv instanceof BinaryTranslationVmm || hv instanceof X86TranslationVmm) {
    const s = hv.statistics();
    translation = `${s.blocksTranslated} blocks / ${s.instructionsTranslated} instructions translated, ${s.cacheBytes} TC bytes, ${s.callouts} callouts, ${s.invalidations} invalidations, ${s.translationCycles} translation cycles`;
  }
  return { seconds, instructions: engine.instructions, exits: engine.statistics().exits.total, status: stop.exitStatus, translation };
}

for (const name of ['alu-loop', 'interrupts']) {
  const img = image(name);
  // Interleaved so neither gets the JIT's warm-up alone.
  let b = best(img, 'binary-translation');
  let n = best(img, 'native');
  for (let i = 1; i < RUNS; i++) {
    const b2 = best(img, 'binary-translation');
    const n2 = best(img, 'native');
    if (b2.seconds < b.seconds) b = b2;
    if (n2.seconds < n.seconds) n = n2;
  }
  const ratio = b.seconds / n.seconds;
  console.log(
    `${name.padEnd(14)} native ${n.seconds.toFixed(2)} s, binary-translation ${b.seconds.toFixed(2)} s ` +
      `(${(b.instructions / b.seconds / 1e6).toFixed(1)} M instructions/s): ${ratio.toFixed(2)}× native` +
      `${name === 'alu-loop' ? ' (target within 2×)' : ''}; exit ${b.status}; ${b.translation}`,
  );
}
