// Every sample under every technique: the serial output, exit status, exits by reason and holes
// the sample's header comment promises.
import { describe, expect, test } from 'vitest';
import * as path from 'node:path';
import { Engine } from '../../debug-adapter/src/engine/engine.js';
import type { HypervisorOptions, Technique } from '../../debug-adapter/src/hypervisor/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

interface Expectation {
  serial: string;
  status: number;
  /** Exits by reason, exactly (omitted: not checked). */
  exits?: Record<string, number>;
  /** Holes by instruction, exactly. */
  holes?: Record<string, number>;
}

const SENSITIVE_NATIVE =
  'GDTR base  00100168\nIDTR base  001002a0\nMSW        00000011\nCS RPL     00000000\nSS RPL     00000000\nIF after cli 00000000\n';

const EXPECTED: Record<string, Partial<Record<Technique, Expectation>>> = {
  hello: {
    native: { serial: 'Hello from a Hyperstep guest!\n', status: 1, exits: {}, holes: {} },
  },
  'popf-hole': {
    native: { serial: 'popf-hole: critical sections intact\n', status: 1, exits: {}, holes: {} },
  },
  'sensitive-reads': {
    native: { serial: SENSITIVE_NATIVE, status: 1, exits: {}, holes: {} },
  },
  'privileged-traps': {
    native: { serial: 'privileged-traps: 10 cli/sti pairs, 20 port accesses, 5 halts\n', status: 1, exits: {}, holes: {} },
  },
  'vtx-exits': {
    native: { serial: 'vtx-exits: cpuid x8, rdtsc x4, rdmsr, cr0, clts, cr3, out, hlt\n', status: 1, exits: {}, holes: {} },
  },
  'timer-interrupts': {
    native: { serial: 'timer-interrupts: ticks handled 0x00000032\n', status: 1, exits: {}, holes: {} },
  },
};

function run(sample: string, technique: Technique, hypervisor: HypervisorOptions = {}) {
  const engine = Engine.fromFile(path.join(REPO_ROOT, 'samples', `${sample}.asm`), { technique, hypervisor });
  let serial = '';
  engine.onSerial((bytes) => {
    serial += Buffer.from(bytes).toString('latin1');
  });
  const stop = engine.run(200_000_000);
  return { serial, status: stop.exitStatus, stats: engine.statistics() };
}

describe('samples', () => {
  for (const [sample, byTechnique] of Object.entries(EXPECTED)) {
    for (const [technique, want] of Object.entries(byTechnique) as [Technique, Expectation][]) {
      test(`${sample} under ${technique}`, () => {
        const got = run(sample, technique);
        expect(got.serial).toBe(want.serial);
        expect(got.status).toBe(want.status);
        if (want.exits) expect(got.stats.exits.byReason).toEqual(want.exits);
        if (want.holes) expect(got.stats.holes.byInstruction).toEqual(want.holes);
      });
    }
  }
});
