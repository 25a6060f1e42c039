// Binary translation, x86 translation-cache mode, over test/guests and the samples: serial output
// and exit status equal to native, zero holes, callouts for kernel-mode sensitive instructions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { runX86 } from './bt-x86-helpers.js';
import { REPO_ROOT } from '../helpers/paths.js';

const GUESTS = path.join(REPO_ROOT, 'test', 'guests');
const SAMPLES = path.join(REPO_ROOT, 'samples');
const guests = fs.readdirSync(GUESTS).filter((f) => f.endsWith('.asm')).sort().map((f) => path.join(GUESTS, f));
const samples = fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.asm') && !f.startsWith('pv-')).sort().map((f) => path.join(SAMPLES, f));

/** Callout reasons each guest must show (as bt-guests.test.ts; some come from the Op-form fallback). */
const CALLOUTS: Record<string, string[]> = {
  rings: ['pushf', 'popf', 'push', 'mov', 'iret', 'lgdt', 'lidt', 'ltr', 'cli', 'sti'],
  stack: ['pushf', 'popf', 'push'],
  segments: ['lar', 'lsl', 'verr', 'verw', 'sldt', 'popf'],
  gp_priv: ['cli'],
  fail_cli_hlt: ['cli', 'hlt'],
  uart: ['out'],
  pic_pit: ['sti', 'out'],
  farcall: ['call'],
  realmode: ['mov'],
  'popf-hole': ['popf', 'pushf'],
};

for (const file of [...guests, ...samples]) {
  const name = path.basename(file, '.asm');
  test(`x86 TC: ${path.basename(path.dirname(file))}/${name}`, () => {
    const native = runX86(file, 'native');
    const bt = runX86(file, 'binary-translation');
    const s = bt.vmm?.statistics();
    expect(bt.serial).toBe(native.serial);
    expect(bt.stop.exitStatus).toBe(native.stop.exitStatus);
    expect(bt.stop.reason).toBe(native.stop.reason);
    // The translator's own jumps are not guest instructions: the count RDTSC and the timer see.
    expect(bt.retired).toBe(native.retired);
    expect(bt.stats.holes.total).toBe(0);
    expect(s).toBeDefined();
    if (s === undefined) return;
    expect(s.mode).toBe('x86');
    expect(s.blocksTranslated - s.fallback.blocksTranslated).toBeGreaterThan(0);
    expect(bt.events.every((e) => e.kind === 'callout')).toBe(true);
    expect(bt.stats.exits.total).toBe(s.callouts);
    for (const m of CALLOUTS[name] ?? []) expect(bt.stats.exits.byReason[m] ?? 0, `callout ${m}`).toBeGreaterThan(0);
    if (name === 'smc') expect(s.invalidations - s.fallback.invalidations).toBeGreaterThan(0);
  });
}
