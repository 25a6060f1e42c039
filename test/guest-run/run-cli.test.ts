// The `hyperstep run` command line contract (ARCHITECTURE.md §6), run as a user runs it:
// exit statuses 2 (triple fault, HLT with IF=0), 4 (instruction limit), 6 (bad input) with their
// one-line stderr messages, an .asm input assembled by our own assembler, `--json`, and a fuzz
// check that random code behind a valid Multiboot header never crashes the tool.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, nasmVersion, removeTempDir } from '../helpers/nasm';
import {
  assembleGuest,
  describeSerialDifference,
  describeStatus,
  ensureCliBuilt,
  GUESTS_DIR,
  JS_STACK_TRACE,
  mapLimit,
  parallelism,
  qemuVersion,
  runHyperstep,
  runHyperstepAsync,
  runQemuSyncComplete,
  type HyperstepRun,
} from '../helpers/qemu';
import { REPO_ROOT } from '../helpers/paths';

let tmp = '';
const images: Record<string, string> = {};

function guest(name: string): string {
  return path.join(GUESTS_DIR, `${name}.asm`);
}

function show(run: HyperstepRun): string {
  return (
    `status ${describeStatus(run.status)}${run.timedOut ? ' (timed out)' : ''}${run.signal ? ` signal ${run.signal}` : ''}\n` +
    `--- stderr ---\n${run.stderr}\n--- stdout (${run.stdout.length} bytes, first 500) ---\n${run.stdout.toString('latin1').slice(0, 500)}`
  );
}

/** stderr as lines, without the trailing newline. */
function stderrLines(run: HyperstepRun): string[] {
  const text = run.stderr.replace(/\r?\n$/, '');
  return text === '' ? [] : text.split(/\r?\n/);
}

function expectNoCrashText(run: HyperstepRun): void {
  expect(run.stderr, show(run)).not.toMatch(/internal error/i);
  expect(run.stderr, show(run)).not.toMatch(JS_STACK_TRACE);
}

beforeAll(() => {
  nasmVersion();
  qemuVersion();
  ensureCliBuilt();
  tmp = makeTempDir('hyperstep-run-cli-');
  for (const name of ['fail_triple_fault', 'fail_infinite_loop', 'fail_cli_hlt', 'stack', 'smc', 'misc']) {
    images[name] = assembleGuest(guest(name), tmp).image;
  }
}, 120_000);

afterAll(() => {
  if (tmp) removeTempDir(tmp);
});

describe('hyperstep run: guests that cannot go on', () => {
  it('a triple fault exits 2 with one stderr line naming the exception chain and the EIP', () => {
    const run = runHyperstep([images.fail_triple_fault]);
    expect(run.status, show(run)).toBe(2);
    expect(run.stdout.toString('latin1')).toBe('triple fault ahead\n');
    const lines = stderrLines(run);
    expect(lines, show(run)).toHaveLength(1);
    expect(lines[0], show(run)).toMatch(/#UD|#GP|#DF|double fault|triple fault/i);
    // The UD2 that starts the chain sits at 0x00100040 (the guest pads to it).
    expect(lines[0], show(run)).toMatch(/(?:0x)?0*100040\b/i);
    expectNoCrashText(run);
  });

  it('HLT with interrupts disabled exits 2 with a one-line reason', () => {
    const run = runHyperstep([images.fail_cli_hlt]);
    expect(run.status, show(run)).toBe(2);
    expect(run.stdout.toString('latin1')).toBe('halting with interrupts off\n');
    const lines = stderrLines(run);
    expect(lines, show(run)).toHaveLength(1);
    expect(lines[0], show(run)).toMatch(/hlt|halt/i);
    expectNoCrashText(run);
  });

  it('an endless loop stops at --max-instructions with status 4', () => {
    const run = runHyperstep([images.fail_infinite_loop, '--max-instructions', '100000']);
    expect(run.status, show(run)).toBe(4);
    expect(run.stdout.toString('latin1')).toBe('spinning forever\n');
    expectNoCrashText(run);
  });
});

describe('hyperstep run: input that cannot be run exits 6 with one stderr line', () => {
  function expectBadInput(run: HyperstepRun): void {
    expect(run.status, show(run)).toBe(6);
    expect(run.stdout.length, show(run)).toBe(0);
    expect(stderrLines(run), show(run)).toHaveLength(1);
    expectNoCrashText(run);
  }

  it('a file without a Multiboot header or ELF magic', () => {
    const file = path.join(tmp, 'not-a-kernel.bin');
    const bytes = Buffer.alloc(16384);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 0xff;
    fs.writeFileSync(file, bytes);
    expectBadInput(runHyperstep([file]));
  });

  it('an empty file', () => {
    const file = path.join(tmp, 'empty.bin');
    fs.writeFileSync(file, '');
    expectBadInput(runHyperstep([file]));
  });

  it('a text file', () => {
    const file = path.join(tmp, 'readme.txt');
    fs.writeFileSync(file, 'This is not a kernel.\n'.repeat(100));
    expectBadInput(runHyperstep([file]));
  });

  it('a file that does not exist', () => {
    expectBadInput(runHyperstep([path.join(tmp, 'no-such-file.bin')]));
  });

  it('a Multiboot header whose checksum is wrong', () => {
    const file = path.join(tmp, 'bad-checksum.bin');
    const image = multibootImage(Buffer.from([0xf4]));
    image.writeUInt32LE(0x12345678, 8);
    fs.writeFileSync(file, image);
    expectBadInput(runHyperstep([file]));
  });

  it('an .asm source with an assembly error', () => {
    const file = path.join(tmp, 'broken.asm');
    fs.writeFileSync(file, 'bits 32\norg 0x100000\n  mov eax, [nowhere_defined]\n  frobnicate eax\n');
    const run = runHyperstep([file]);
    expect(run.status, show(run)).toBe(6);
    expect(run.stdout.length, show(run)).toBe(0);
    expect(run.stderr, show(run)).toMatch(/broken\.asm:\d+/);
    expectNoCrashText(run);
  });
});

describe('hyperstep run IN.asm: our assembler, then the same run as QEMU', () => {
  for (const name of ['stack', 'smc']) {
    it(`test/guests/${name}.asm`, () => {
      const qemu = runQemuSyncComplete(images[name]);
      expect(typeof qemu.status === 'number' && qemu.status % 2 === 1, `QEMU: ${describeStatus(qemu.status)}`).toBe(true);
      const run = runHyperstep([path.join('test', 'guests', `${name}.asm`)], { cwd: REPO_ROOT });
      if (!run.stdout.equals(qemu.serial)) throw new Error(`${describeSerialDifference(qemu.serial, run.stdout)}\n${show(run)}`);
      expect(run.status, show(run)).toBe(qemu.status);
    });
  }
});

describe('hyperstep run --json', () => {
  interface RunJson {
    technique: unknown;
    stopReason: unknown;
    exitStatus: unknown;
    instructions: unknown;
    serial: unknown;
    exits: { total: unknown; byReason: unknown };
    holes: { total: unknown; byInstruction: unknown };
    cycles: unknown;
  }

  function parseJson(run: HyperstepRun): RunJson {
    const text = run.stdout.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new Error(`--json stdout is not one JSON object: ${(e as Error).message}\n${show(run)}`, { cause: e });
    }
    expect(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), show(run)).toBe(true);
    return parsed as RunJson;
  }

  function expectShape(json: RunJson, run: HyperstepRun): void {
    const ctx = show(run);
    expect(Object.keys(json).sort(), ctx).toEqual(
      expect.arrayContaining(['technique', 'stopReason', 'exitStatus', 'instructions', 'serial', 'exits', 'holes', 'cycles']),
    );
    expect(typeof json.technique, ctx).toBe('string');
    expect(typeof json.stopReason, ctx).toBe('string');
    expect((json.stopReason as string).length, ctx).toBeGreaterThan(0);
    expect(Number.isInteger(json.instructions), ctx).toBe(true);
    expect(json.instructions as number, ctx).toBeGreaterThan(0);
    expect(typeof json.serial, ctx).toBe('string');
    expect(typeof json.exits, ctx).toBe('object');
    expect(Number.isInteger(json.exits.total), ctx).toBe(true);
    expect(typeof json.exits.byReason, ctx).toBe('object');
    expect(typeof json.holes, ctx).toBe('object');
    expect(Number.isInteger(json.holes.total), ctx).toBe(true);
    expect(typeof json.holes.byInstruction, ctx).toBe('object');
    expect(typeof json.cycles, ctx).toBe('number');
    for (const v of Object.values(json.exits.byReason as Record<string, unknown>)) expect(Number.isInteger(v), ctx).toBe(true);
    for (const v of Object.values(json.holes.byInstruction as Record<string, unknown>)) expect(Number.isInteger(v), ctx).toBe(true);
  }

  it('a guest that exits through port 0xF4: serial and status as in stdout mode', () => {
    const qemu = runQemuSyncComplete(images.misc);
    const plain = runHyperstep([images.misc, '--technique', 'native']);
    expect(plain.status, show(plain)).toBe(qemu.status);
    const run = runHyperstep([images.misc, '--technique', 'native', '--json']);
    const json = parseJson(run);
    expectShape(json, run);
    expect(json.exitStatus, show(run)).toBe(run.status);
    expect(run.status, show(run)).toBe(plain.status);
    expect(json.serial, show(run)).toBe(plain.stdout.toString('utf8'));
    expect(json.technique, show(run)).toBe('native');
    expect(run.stderr, show(run)).not.toMatch(JS_STACK_TRACE);
  });

  it('a triple fault: exitStatus 2, instructions counted', () => {
    const run = runHyperstep([images.fail_triple_fault, '--json']);
    const json = parseJson(run);
    expectShape(json, run);
    expect(run.status, show(run)).toBe(2);
    expect(json.exitStatus, show(run)).toBe(2);
    expect(json.serial, show(run)).toBe('triple fault ahead\n');
  });

  it('the instruction limit: exitStatus 4 and exactly the limit retired', () => {
    const run = runHyperstep([images.fail_infinite_loop, '--json', '--max-instructions', '5000']);
    const json = parseJson(run);
    expectShape(json, run);
    expect(run.status, show(run)).toBe(4);
    expect(json.exitStatus, show(run)).toBe(4);
    expect(json.instructions, show(run)).toBe(5000);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzz: random bytes behind a valid Multiboot a.out-kludge header.

const LOAD_ADDR = 0x100000;
const HEADER_SIZE = 32;

/** A Multiboot v1 image: the 32-byte header (a.out kludge) at offset 0, then `body`. */
function multibootImage(body: Buffer, bssBytes = 4096, entryOffset = 0): Buffer {
  const image = Buffer.alloc(HEADER_SIZE + body.length);
  const magic = 0x1badb002;
  const flags = 0x00010003;
  image.writeUInt32LE(magic, 0);
  image.writeUInt32LE(flags, 4);
  image.writeUInt32LE((-(magic + flags)) >>> 0, 8);
  image.writeUInt32LE(LOAD_ADDR, 12); // header_addr
  image.writeUInt32LE(LOAD_ADDR, 16); // load_addr
  image.writeUInt32LE(LOAD_ADDR + image.length, 20); // load_end_addr
  image.writeUInt32LE(LOAD_ADDR + image.length + bssBytes, 24); // bss_end_addr
  image.writeUInt32LE(LOAD_ADDR + HEADER_SIZE + entryOffset, 28); // entry_addr
  body.copy(image, HEADER_SIZE);
  return image;
}

/** mulberry32: a small seeded PRNG, so a failing image can be made again from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FUZZ_SEED = process.env.HYPERSTEP_FUZZ_SEED !== undefined ? Number(process.env.HYPERSTEP_FUZZ_SEED) : (Date.now() % 0x7fffffff);
const FUZZ_IMAGES = 200;
const FUZZ_BATCH = 50;
const FUZZ_MAX_INSTRUCTIONS = '200000';
const FUZZ_RUN_TIMEOUT_MS = 30_000;

describe(`hyperstep run on random code (seed ${FUZZ_SEED}; set HYPERSTEP_FUZZ_SEED to repeat)`, () => {
  const random = prng(FUZZ_SEED);
  const bodies: Array<{ body: Buffer; entry: number }> = [];
  for (let i = 0; i < FUZZ_IMAGES; i++) {
    const size = 64 + Math.floor(random() * 4032);
    const body = Buffer.alloc(size);
    for (let j = 0; j < size; j++) body[j] = Math.floor(random() * 256);
    // Mostly start at the first random byte; sometimes somewhere inside.
    const entry = random() < 0.75 ? 0 : Math.floor(random() * size);
    bodies.push({ body, entry });
  }

  for (let batch = 0; batch < FUZZ_IMAGES / FUZZ_BATCH; batch++) {
    const first = batch * FUZZ_BATCH;
    it(`images ${first}..${first + FUZZ_BATCH - 1}: odd, 2 or 4; never 6, a crash or a stack trace`, async () => {
      const dir = makeTempDir('hyperstep-fuzz-');
      try {
        const files = bodies.slice(first, first + FUZZ_BATCH).map(({ body, entry }, k) => {
          const file = path.join(dir, `fuzz-${first + k}.bin`);
          fs.writeFileSync(file, multibootImage(body, 4096, entry));
          return file;
        });
        const runs = await mapLimit(files, parallelism(), (file) =>
          runHyperstepAsync([file, '--max-instructions', FUZZ_MAX_INSTRUCTIONS], { timeoutMs: FUZZ_RUN_TIMEOUT_MS }),
        );
        const problems: string[] = [];
        runs.forEach((run, k) => {
          const index = first + k;
          const ok =
            !run.timedOut &&
            run.status !== null &&
            (run.status % 2 === 1 || run.status === 2 || run.status === 4) &&
            !/internal error/i.test(run.stderr) &&
            !JS_STACK_TRACE.test(run.stderr);
          if (!ok) {
            problems.push(
              `image ${index} (seed ${FUZZ_SEED}, entry offset ${bodies[index].entry}, ${bodies[index].body.length} bytes): ` +
                `${run.timedOut ? `hung, killed after ${FUZZ_RUN_TIMEOUT_MS} ms` : describeStatus(run.status)}` +
                `${run.signal ? ` signal ${run.signal}` : ''}\n    stderr: ${run.stderr.trim().slice(0, 800)}`,
            );
          }
        });
        if (problems.length > 0) {
          throw new Error(
            `${problems.length} of ${runs.length} random images broke the contract ` +
              `(repeat with HYPERSTEP_FUZZ_SEED=${FUZZ_SEED}):\n${problems.slice(0, 10).join('\n')}`,
          );
        }
      } finally {
        removeTempDir(dir);
      }
    }, 120_000);
  }
});
