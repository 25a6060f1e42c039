// Every sample under every technique: the serial output, exit status, exits by reason and holes
// the sample's header comment promises.
import { describe, expect, test } from 'vitest';
import * as path from 'node:path';
import { Engine } from '../../debug-adapter/src/engine/engine.js';
import type { HypervisorOptions, Technique } from '../../debug-adapter/src/hypervisor/index.js';
import '../../debug-adapter/src/hypervisor/techniques.js';
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
  'GDTR base  00100190\nIDTR base  001002c8\nMSW        00000011\nCS RPL     00000000\nSS RPL     00000000\nIF after cli 00000000\n';

const EXPECTED: Record<string, Partial<Record<Technique, Expectation>>> = {
  hello: {
    native: { serial: 'Hello from a Hyperstep guest!\n', status: 1, exits: {}, holes: {} },
    // Every IN and OUT of the serial loop traps (#GP) and is emulated: 30 characters × (IN + OUT) + the exit OUT.
    'trap-and-emulate': { serial: 'Hello from a Hyperstep guest!\n', status: 1, exits: { '#GP': 61 }, holes: {} },
    // Every port access exits under the default controls (unconditional I/O exiting).
    'vt-x': { serial: 'Hello from a Hyperstep guest!\n', status: 1, exits: { IO_INSTRUCTION: 61 }, holes: {} },
    // Kernel code runs from the translation cache; every IN and OUT is a callout.
    'binary-translation': { serial: 'Hello from a Hyperstep guest!\n', status: 1, exits: { in: 30, out: 31 }, holes: {} },
  },
  'popf-hole': {
    native: { serial: 'popf-hole: critical sections intact\n', status: 1, exits: {}, holes: {} },
    // Each round's POPF that should clear IF is a hole; a timer tick lands inside a critical section.
    'trap-and-emulate': {
      serial: 'popf-hole: CORRUPTED: timer updates lost inside critical sections: 0x00000001\n',
      status: 3,
      exits: { '#GP': 179, EXTERNAL_INTERRUPT: 1 },
      holes: { popf: 400 },
    },
    // The guest runs at its own ring 0: POPF works, no holes.
    'vt-x': { serial: 'popf-hole: critical sections intact\n', status: 1, exits: { EXTERNAL_INTERRUPT: 1, IO_INSTRUCTION: 89 }, holes: {} },
    // Every PUSHF and POPF is a callout that emulates it exactly: the critical sections hold, no holes.
    'binary-translation': {
      serial: 'popf-hole: critical sections intact\n',
      status: 1,
      exits: { cli: 1, in: 37, iret: 1, jmp: 1, lgdt: 1, lidt: 1, mov: 5, out: 52, popf: 800, pushf: 800, sti: 1 },
      holes: {},
    },
  },
  'sensitive-reads': {
    native: { serial: SENSITIVE_NATIVE, status: 1, exits: {}, holes: {} },
    // The VMM's tables (top of RAM), the physical CR0 (NE set), RPL 1, the physical IF.
    'trap-and-emulate': {
      serial:
        'GDTR base  01fe0000\nIDTR base  01ff0000\nMSW        00000031\nCS RPL     00000001\nSS RPL     00000001\nIF after cli 00000001\n',
      status: 1,
      holes: { mov: 1, push: 1, pushf: 1, sgdt: 1, sidt: 1, smsw: 1 },
    },
    'vt-x': { serial: SENSITIVE_NATIVE, status: 1, exits: { IO_INSTRUCTION: 245 }, holes: {} },
    'binary-translation': { serial: SENSITIVE_NATIVE, status: 1, holes: {} },
  },
  'privileged-traps': {
    native: { serial: 'privileged-traps: 10 cli/sti pairs, 20 port accesses, 5 halts\n', status: 1, exits: {}, holes: {} },
    'trap-and-emulate': {
      serial: 'privileged-traps: 10 cli/sti pairs, 20 port accesses, 5 halts\n',
      status: 1,
      exits: { '#GP': 199, EXTERNAL_INTERRUPT: 5 },
      holes: {},
    },
    // CLI and STI do not exit under VT-x; HLT and I/O do with the default controls.
    'vt-x': {
      serial: 'privileged-traps: 10 cli/sti pairs, 20 port accesses, 5 halts\n',
      status: 1,
      exits: { EXTERNAL_INTERRUPT: 5, HLT: 5, IO_INSTRUCTION: 165 },
      holes: {},
    },
    'binary-translation': { serial: 'privileged-traps: 10 cli/sti pairs, 20 port accesses, 5 halts\n', status: 1, holes: {} },
  },
  'vtx-exits': {
    native: { serial: 'vtx-exits: cpuid x8, rdtsc x4, rdmsr, cr0, clts, cr3, out, hlt\n', status: 1, exits: {}, holes: {} },
    'trap-and-emulate': {
      serial: 'vtx-exits: cpuid x8, rdtsc x4, rdmsr, cr0, clts, cr3, out, hlt\n',
      status: 1,
      exits: { '#GP': 157, EXTERNAL_INTERRUPT: 1 },
      holes: {},
    },
    'vt-x': {
      serial: 'vtx-exits: cpuid x8, rdtsc x4, rdmsr, cr0, clts, cr3, out, hlt\n',
      status: 1,
      exits: { CPUID: 8, EXTERNAL_INTERRUPT: 1, HLT: 1, IO_INSTRUCTION: 144, MSR_READ: 1 },
      holes: {},
    },
    'binary-translation': { serial: 'vtx-exits: cpuid x8, rdtsc x4, rdmsr, cr0, clts, cr3, out, hlt\n', status: 1, holes: {} },
  },
  'timer-interrupts': {
    native: { serial: 'timer-interrupts: ticks handled 0x00000032\n', status: 1, exits: {}, holes: {} },
    // Every tick is taken by the VMM and reflected through the guest's IDT; its EOI OUT and IRET trap.
    'trap-and-emulate': {
      serial: 'timer-interrupts: ticks handled 0x00000032\n',
      status: 1,
      exits: { '#GP': 257, EXTERNAL_INTERRUPT: 50 },
      holes: {},
    },
    'vt-x': {
      serial: 'timer-interrupts: ticks handled 0x00000032\n',
      status: 1,
      exits: { EXTERNAL_INTERRUPT: 50, HLT: 50, IO_INSTRUCTION: 152 },
      holes: {},
    },
    'binary-translation': { serial: 'timer-interrupts: ticks handled 0x00000032\n', status: 1, holes: {} },
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

describe('vtx-exits follows its controls, as its header promises', () => {
  const base = { CPUID: 8, EXTERNAL_INTERRUPT: 1, HLT: 1, IO_INSTRUCTION: 144, MSR_READ: 1 };
  test.each([
    [{ 'rdtsc-exiting': 'on' }, { ...base, RDTSC: 4 }],
    [{ 'hlt-exiting': 'off' }, { CPUID: 8, EXTERNAL_INTERRUPT: 1, IO_INSTRUCTION: 144, MSR_READ: 1 }],
    [{ 'use-io-bitmaps': 'on', 'io-bitmap': '0x80' }, { ...base, IO_INSTRUCTION: 1 }],
    [{ 'cr0-guest-host-mask': '0xe0000009' }, { ...base, CR_ACCESS: 2 }],
    [{ 'cr3-load-exiting': 'on', 'cr3-store-exiting': 'on' }, { ...base, CR_ACCESS: 2 }],
  ])('%j', (vmx, exits) => {
    const got = run('vtx-exits', 'vt-x', { vmx });
    expect(got.serial).toBe('vtx-exits: cpuid x8, rdtsc x4, rdmsr, cr0, clts, cr3, out, hlt\n');
    expect(got.stats.exits.byReason).toEqual(exits);
  });
});

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
