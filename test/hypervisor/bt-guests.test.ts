// Binary translation over the whole-guest corpus (test/guests/*.asm): every guest must equal
// native (serial output, exit status, retired instructions) with zero holes; guests that execute
// sensitive or privileged instructions in kernel mode show callouts for them. Both modes: 'ops'
// (the Op-form translator) and 'x86' (real x86 bytes in the translation cache, the default),
// whose synthetic instructions must not show in the retired count.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runFile } from './bt-helpers.js';
import { REPO_ROOT } from '../helpers/paths.js';

const GUESTS = path.join(REPO_ROOT, 'test', 'guests');
const files = fs.readdirSync(GUESTS).filter((f) => f.endsWith('.asm')).sort();

/** Callout reasons each guest must show (sensitive instructions it runs in kernel mode). */
const CALLOUTS: Record<string, string[]> = {
  // rings' SGDT/SIDT/STR/SMSW run in its ring-3 user code: direct execution, like bare metal.
  rings: ['pushf', 'popf', 'push', 'mov', 'iret', 'lgdt', 'lidt', 'ltr', 'cli', 'sti'],
  stack: ['pushf', 'popf', 'push'],
  segments: ['lar', 'lsl', 'verr', 'verw', 'sldt', 'popf'],
  gp_priv: ['cli'],
  fail_cli_hlt: ['cli', 'hlt'],
  uart: ['out'],
  pic_pit: ['sti', 'out'],
  farcall: ['call'],
  realmode: ['mov'],
};

describe.each([['ops'], ['x86']] as const)('binary translation (%s mode) over test/guests', (mode) => {
  for (const file of files) {
    const name = file.replace(/\.asm$/, '');
    test(`${name}: equals native, no holes, kernel-mode sensitive instructions are callouts`, () => {
      const native = runFile(path.join(GUESTS, file), 'native');
      const bt = runFile(path.join(GUESTS, file), 'binary-translation', undefined, mode);
      expect(bt.serial).toBe(native.serial);
      expect(bt.stop.exitStatus).toBe(native.stop.exitStatus);
      expect(bt.stop.reason).toBe(native.stop.reason);
      expect(bt.retired).toBe(native.retired);
      expect(bt.stats.holes.total).toBe(0);
      const s = bt.vmm?.statistics();
      expect(s).toBeDefined();
      if (s === undefined) return;
      expect(s.blocksTranslated).toBeGreaterThan(0);
      // Every exit is a callout, and the VMM's statistics agree with the log.
      expect(bt.events.every((e) => e.kind === 'callout')).toBe(true);
      expect(bt.stats.exits.total).toBe(s.callouts);
      for (const m of CALLOUTS[name] ?? []) expect(bt.stats.exits.byReason[m] ?? 0, `callout ${m}`).toBeGreaterThan(0);
      if (name === 'smc') expect(s.invalidations).toBeGreaterThan(0);
    });
  }
});
