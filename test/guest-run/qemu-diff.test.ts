// Differential test of whole guests: every test/guests/*.asm is assembled with the real
// `nasm -f bin`, run under qemu-system-i386 (the reference, ARCHITECTURE.md §3 and §7) and under
// `node bin/hyperstep.js run IMAGE`; stdout (the guest's serial bytes) must be byte-identical and
// the exit status the same.
//
// A guest may declare in its header comment how it ends when that is not an isa-debug-exit:
//   ; expect-qemu: shutdown | timeout     (QEMU exits 0 after a triple fault / never exits)
//   ; expect-status: N                    (hyperstep's own status for that case: 2 or 4)
//   ; hyperstep-args: --max-instructions N
// The QEMU side is checked on its own (so a broken reference shows up as such), then each guest
// is compared. QEMU and hyperstep runs are started in parallel in beforeAll; each test awaits
// its own run.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAsmFiles } from '../helpers/compare';
import { makeTempDir, nasmVersion, removeTempDir } from '../helpers/nasm';
import {
  assembleGuest,
  describeSerialDifference,
  describeStatus,
  ensureCliBuilt,
  GUESTS_DIR,
  limiter,
  mapLimit,
  parallelism,
  qemuVersion,
  readGuestSpec,
  runHyperstepAsync,
  runQemu,
  type GuestSpec,
  type HyperstepRun,
  type QemuResult,
} from '../helpers/qemu';

const MIN_GUESTS = 16;
/** QEMU never ends 'timeout' guests by itself: give them this long to print, then kill. */
const QEMU_HANG_MS = 3_000;
const QEMU_TIMEOUT_MS = 30_000;
/** A runaway guard for guests that declare no limit of their own (they need far fewer). */
const DEFAULT_MAX_INSTRUCTIONS = '300000000';
const HYPERSTEP_TIMEOUT_MS = 90_000;

const files = listAsmFiles(GUESTS_DIR);
const specs: GuestSpec[] = files.map(readGuestSpec);
const regular = specs.filter((s) => s.qemuEnd === 'exit');
const failureModes = specs.filter((s) => s.qemuEnd !== 'exit');

interface Prepared {
  image: string;
  qemu: QemuResult;
}

let tmp = '';
const prepared = new Map<string, Prepared>();
const hyperstepRuns = new Map<string, Promise<HyperstepRun>>();

function hyperstepArgs(spec: GuestSpec, image: string): string[] {
  const args = [image, ...spec.args];
  if (!spec.args.includes('--max-instructions')) args.push('--max-instructions', DEFAULT_MAX_INSTRUCTIONS);
  return args;
}

/** hyperstep's status for what QEMU did. */
function expectedStatus(spec: GuestSpec, qemu: QemuResult): number | undefined {
  if (spec.status !== undefined) return spec.status;
  return typeof qemu.status === 'number' ? qemu.status : undefined;
}

describe('whole guests: hyperstep run against qemu-system-i386', () => {
  beforeAll(async () => {
    qemuVersion();
    nasmVersion();
    ensureCliBuilt();
    tmp = makeTempDir('hyperstep-guests-');
    const images = specs.map((s) => assembleGuest(s.file, tmp).image);
    const results = await mapLimit(specs, parallelism(), (s, i) =>
      runQemu(images[i], { timeoutMs: s.qemuEnd === 'timeout' ? QEMU_HANG_MS : QEMU_TIMEOUT_MS }),
    );
    // On a loaded machine QEMU can exit through isa-debug-exit before its stdio backend has
    // written the guest's last bytes. A guest that exits prints "... done" last, so a reference
    // without it is run again (twice at most) rather than trusted.
    for (let i = 0; i < specs.length; i++) {
      for (let retry = 0; retry < 2 && specs[i].qemuEnd === 'exit' && !/ done\n$/.test(results[i].serial.toString('latin1')); retry++) {
        results[i] = await runQemu(images[i], { timeoutMs: QEMU_TIMEOUT_MS });
      }
    }
    specs.forEach((s, i) => prepared.set(s.name, { image: images[i], qemu: results[i] }));
    // Start every hyperstep run now, a few at a time; each test awaits its own.
    const gate = limiter(parallelism());
    for (const s of specs) {
      const image = images[specs.indexOf(s)];
      hyperstepRuns.set(s.name, gate(() => runHyperstepAsync(hyperstepArgs(s, image), { timeoutMs: HYPERSTEP_TIMEOUT_MS })));
    }
  }, 240_000);

  afterAll(async () => {
    // Let runs that no test awaited (filtered out) finish before their images disappear.
    await Promise.all(hyperstepRuns.values());
    if (tmp) removeTempDir(tmp);
  }, HYPERSTEP_TIMEOUT_MS * 2);

  it(`the corpus has at least ${MIN_GUESTS} regular guests and the three failure modes`, () => {
    expect(regular.length, `guests in ${GUESTS_DIR}`).toBeGreaterThanOrEqual(MIN_GUESTS);
    expect(failureModes.map((s) => s.qemuEnd).sort()).toEqual(['shutdown', 'timeout', 'timeout']);
    for (const s of failureModes) expect(s.status, `${s.name} declares hyperstep's status`).toBeDefined();
  });

  describe('reference: QEMU runs every guest as its header says', () => {
    for (const spec of specs) {
      it(spec.name, () => {
        const p = prepared.get(spec.name);
        if (!p) throw new Error(`${spec.name} was not prepared (see the beforeAll error)`);
        const { qemu } = p;
        const why = `QEMU ${describeStatus(qemu.status)} after ${Math.round(qemu.ms)} ms; stderr: ${qemu.stderr.trim()}`;
        if (spec.qemuEnd === 'exit') {
          expect(typeof qemu.status === 'number' && qemu.status % 2 === 1, why).toBe(true);
          // A guest that hit an exception nobody expected prints "!! ..." and exits 0x7F.
          expect(qemu.serial.toString('latin1'), why).not.toContain('!! ');
          expect(qemu.status, why).not.toBe((0x7f << 1) | 1);
          expect(qemu.serial.toString('latin1')).toMatch(/ done\n$/);
        } else if (spec.qemuEnd === 'shutdown') {
          expect(qemu.status, why).toBe(0);
        } else {
          expect(qemu.status, why).toBe('timeout');
        }
        expect(qemu.serial.length, 'the guest printed something').toBeGreaterThan(0);
      });
    }
  });

  describe('hyperstep run IMAGE: same serial bytes and exit status as QEMU', () => {
    for (const spec of specs) {
      it(
        spec.name,
        async () => {
          const p = prepared.get(spec.name);
          const pending = hyperstepRuns.get(spec.name);
          if (!p || !pending) throw new Error(`${spec.name} was not prepared (see the beforeAll error)`);
          const run = await pending;
          const want = expectedStatus(spec, p.qemu);
          const context =
            `guest ${path.relative(process.cwd(), spec.file)}; hyperstep run ${hyperstepArgs(spec, '<image>').join(' ')}\n` +
            `hyperstep: ${run.timedOut ? `killed after ${HYPERSTEP_TIMEOUT_MS} ms` : describeStatus(run.status)}` +
            `${run.signal ? ` (signal ${run.signal})` : ''}, QEMU: ${describeStatus(p.qemu.status)}\n` +
            `hyperstep stderr (last 2000 chars):\n${run.stderr.slice(-2000)}`;
          if (!run.stdout.equals(p.qemu.serial)) {
            throw new Error(`${describeSerialDifference(p.qemu.serial, run.stdout)}\n${context}`);
          }
          expect(want, `no status to compare for ${spec.name}`).toBeDefined();
          expect(run.status, context).toBe(want);
        },
        HYPERSTEP_TIMEOUT_MS * 2,
      );
    }
  });
});
