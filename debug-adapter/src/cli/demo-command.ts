// The README's main job: run every sample guest under every technique this build has, and print
// what each guest wrote to its serial port, its exit status, and how much it executed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine, EngineInputError } from '../engine/engine.js';
import { availableTechniques } from '../hypervisor/index.js';

const DEMO_BUDGET = 500_000_000;

export function demoCommand(argv: string[], root: string): number {
  const dir = argv[0] ?? path.join(root, 'samples');
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.asm')).sort();
  } catch (e) {
    process.stderr.write(`hyperstep demo: cannot read ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 6;
  }
  if (!files.length) {
    process.stderr.write(`hyperstep demo: no .asm samples in ${dir}\n`);
    return 6;
  }
  let failed = 0;
  for (const f of files) {
    for (const technique of availableTechniques()) {
      const file = path.join(dir, f);
      // Paravirtualized samples are one source built two ways: with XEN defined for paravirt.
      const pvSource = technique === 'paravirt' && /\bXEN_GUEST_HEADER\b|%ifdef\s+XEN\b/.test(fs.readFileSync(file, 'utf8'));
      if (technique === 'paravirt' && !pvSource) {
        process.stdout.write(`== ${f} (paravirt) == skipped: not written for the Xen PV ABI\n\n`);
        continue;
      }
      process.stdout.write(`== ${f} (${technique}${pvSource ? ', built with -D XEN' : ''}) ==\n`);
      let engine: Engine;
      try {
        engine = Engine.fromFile(file, { includePaths: [path.join(dir, 'include')], technique, defines: pvSource ? { XEN: '' } : {} });
      } catch (e) {
        if (!(e instanceof EngineInputError)) throw e;
        failed++;
        process.stdout.write(`cannot run: ${e.message}\n\n`);
        continue;
      }
      let endedWithNewline = true;
      engine.onSerial((bytes) => {
        process.stdout.write(bytes);
        endedWithNewline = bytes[bytes.length - 1] === 0x0a;
      });
      const t0 = performance.now();
      const stop = engine.run(DEMO_BUDGET);
      const ms = performance.now() - t0;
      if (!endedWithNewline) process.stdout.write('\n');
      const status = stop.exitStatus ?? 4;
      if (stop.reason !== 'debug-exit' && stop.reason !== 'poweroff') failed++;
      const stats = engine.statistics();
      const exits = Object.entries(stats.exits.byReason).map(([r, n]) => `${r} ${n}`).join(', ');
      const holes = Object.entries(stats.holes.byInstruction).map(([m, n]) => `${m} ${n}`).join(', ');
      process.stdout.write(
        `-- ${stop.reason}, exit status ${status}; ${engine.instructions.toLocaleString('en-US')} instructions in ${ms.toFixed(1)} ms` +
          `${stop.message ? `; ${stop.message}` : ''}\n` +
          (technique === 'native' ? '' : `-- exits: ${stats.exits.total}${exits ? ` (${exits})` : ''}; holes: ${stats.holes.total}${holes ? ` (${holes})` : ''}; modelled cycles ${stats.cycles.toLocaleString('en-US')}\n`) +
          '\n',
      );
    }
  }
  return failed ? 1 : 0;
}
