// vt-x equals native on every guest of the CPU's QEMU corpus (test/guests) and on the samples:
// same serial output, same stop and exit status, same retired instructions.
import { describe, expect, test } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runFile, type VmxSpec } from './vtx-helpers.js';
import { REPO_ROOT } from '../helpers/paths.js';

const GUESTS = path.join(REPO_ROOT, 'test', 'guests');
const SAMPLES = path.join(REPO_ROOT, 'samples');
const files = [
  ...fs.readdirSync(GUESTS).filter((f) => f.endsWith('.asm')).map((f) => path.join(GUESTS, f)),
  ...fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.asm')).map((f) => path.join(SAMPLES, f)),
];

describe.each(files.map((f) => [path.relative(REPO_ROOT, f), f]))('%s', (_name, file) => {
  test('vt-x equals native (default controls, and with every exit control on)', () => {
    const native = runFile(file, 'native', {}, 30_000_000);
    const specs: VmxSpec[] = [
      {},
      {
        'rdtsc-exiting': 'on', 'invlpg-exiting': 'on', 'mov-dr-exiting': 'on', 'cr3-load-exiting': 'on', 'cr3-store-exiting': 'on',
        'rdpmc-exiting': 'on', 'interrupt-window-exiting': 'on', 'exception-bitmap': '0xffffffff', 'cr4-guest-host-mask': 'ffffffff',
      },
    ];
    for (const vmx of specs) {
      const r = runFile(file, 'vt-x', vmx, 30_000_000);
      expect(r.serial).toBe(native.serial);
      expect(r.stop).toEqual(native.stop);
      expect(r.engine.instructions).toBe(native.engine.instructions);
    }
  });
});
