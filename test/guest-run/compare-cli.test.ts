// `hyperstep compare` and the technique options of `hyperstep run`, through the real command line.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_BIN, REPO_ROOT } from '../helpers/paths';
import { availableTechniques } from '../../debug-adapter/src/hypervisor/index';
import '../../debug-adapter/src/hypervisor/techniques';

const HELLO = path.join(REPO_ROOT, 'samples', 'hello.asm');

/** `node bin/hyperstep.js ARGS...` (the command included). */
function hyperstep(args: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('hyperstep compare', () => {
  it('prints one table no wider than 80 columns with a row per technique, native first', () => {
    const r = hyperstep(['compare', HELLO]);
    expect(r.status).toBe(0);
    const text = r.stdout.toString();
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const rows = text.split('\n').filter((l) => /^[a-z-]+ +(ref|same|DIFF) /.test(l));
    // hello is not a Xen PV guest: paravirt is skipped, saying why.
    expect(rows.map((l) => l.split(/ +/)[0])).toEqual(availableTechniques().filter((t) => t !== 'paravirt'));
    expect(rows[0]).toMatch(/^native +ref +1 +488 +0 +0 +488$/);
    expect(text).toMatch(/^paravirt +skipped: not a Xen PV guest/m);
  });

  it('--json gives every technique with its serial, status, exits, holes and cycles', () => {
    const r = hyperstep(['compare', HELLO, '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout.toString());
    expect(json.techniques[0]).toMatchObject({
      technique: 'native',
      sameSerialAsNative: true,
      exitStatus: 1,
      instructions: 488,
      serial: 'Hello from a Hyperstep guest!\n',
      exits: { total: 0, byReason: {} },
      holes: { total: 0, byInstruction: {} },
      cycles: 488,
    });
    for (const t of json.techniques) expect(t.sameSerialAsNative).toBe(true);
    expect(json.skipped).toEqual([{ technique: 'paravirt', why: expect.stringMatching(/^not a Xen PV guest/) }]);
  });

  it('an input that cannot be run exits 6 with one line', () => {
    const r = hyperstep(['compare', path.join(REPO_ROOT, 'README.md')]);
    expect(r.status).toBe(6);
    expect(oneLine(r.stderr)).toMatch(/^hyperstep compare: /);
  });
});

describe('binary translation into a real x86 translation cache', () => {
  it('--bt-mode x86 runs the guest from the cache with the same output and callouts', () => {
    const r = hyperstep(['run', HELLO, '--technique', 'binary-translation', '--bt-mode', 'x86', '--json']);
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout.toString());
    expect(json.serial).toBe('Hello from a Hyperstep guest!\n');
    expect(json.exits.byReason).toMatchObject({ in: 30, out: 31 });
    expect(json.holes.total).toBe(0);
  });
});

describe('paravirt from the command line', () => {
  it('a PV guest built with -D XEN runs under paravirt and powers off with status 0', () => {
    const r = hyperstep(['run', path.join(REPO_ROOT, 'samples', 'pv-both.asm'), '-D', 'XEN', '--technique', 'paravirt', '--json']);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout.toString());
    expect(json).toMatchObject({ technique: 'paravirt', stopReason: 'poweroff', exitStatus: 0 });
    expect(json.exits.byReason.console_io).toBeGreaterThan(0);
    expect(json.exits.byReason.sched_op).toBe(1);
  });

  it('a guest that is not PV is refused under paravirt with one line', () => {
    const r = hyperstep(['run', HELLO, '--technique', 'paravirt']);
    expect(r.status).toBe(6);
    expect(oneLine(r.stderr)).toMatch(/not a Xen PV guest/);
  });
});

describe('hyperstep run: technique options', () => {
  it.each([
    [['--technique', 'bogus'], /unknown technique 'bogus' \(known: native, trap-and-emulate, binary-translation, paravirt, vt-x\)/],
    [['--vmx', 'hlt-exiting=on'], /--vmx applies to --technique vt-x/],
    [['--guest-ring', '1'], /--guest-ring applies to --technique trap-and-emulate/],
    [['--bt-mode', 'x86'], /--bt-mode applies to --technique binary-translation/],
    [['--technique', 'binary-translation', '--bt-mode', 'arm'], /--bt-mode must be ops or x86/],
    [['--technique', 'vt-x', '--vmx', 'hlt-exiting'], /NAME=VALUE/],
  ])('%j is refused with status 6 and one line', (args, message) => {
    const r = hyperstep(['run', HELLO, ...args]);
    expect(r.status).toBe(6);
    expect(oneLine(r.stderr)).toMatch(message);
    expect(r.stdout.length).toBe(0);
  });

  it('--trace exits writes nothing to stdout but the serial bytes', () => {
    const r = hyperstep(['run', HELLO, '--trace', 'exits']);
    expect(r.status).toBe(1);
    expect(r.stdout.toString()).toBe('Hello from a Hyperstep guest!\n');
  });
});
