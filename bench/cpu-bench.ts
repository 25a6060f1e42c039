// CPU benchmark (`npm run bench`): guest instructions per second on three guests — a tight ALU
// loop, a memory-heavy loop with paging on, and an interrupt-heavy guest (PIT → PIC → IRQ0 with
// HLT) — each beside the wall time of qemu-system-i386 on the same image in the same run, and
// this process's peak RSS. Prints numbers; asserts nothing about time.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assemble } from '../debug-adapter/src/asm/index';
import { Engine } from '../debug-adapter/src/engine/engine';

const root = process.cwd(); // bench/run.mjs runs each bench from the repository root
const guests = ['alu-loop', 'paging-memory', 'interrupts'];
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function image(name: string): Uint8Array {
  const file = path.join(root, 'bench', 'guests', `${name}.asm`);
  const r = assemble(fs.readFileSync(file, 'utf8'), { fileName: file, includePaths: [path.join(root, 'samples', 'include')] });
  if (!r.ok) throw new Error(`${name}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.bytes;
}

function qemuSeconds(bytes: Uint8Array): number | string {
  const tmp = path.join(os.tmpdir(), `hyperstep-bench-${process.pid}.bin`);
  fs.writeFileSync(tmp, bytes);
  try {
    const t0 = performance.now();
    const r = spawnSync(
      'qemu-system-i386',
      ['-kernel', tmp, '-serial', 'null', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-display', 'none', '-monitor', 'none', '-no-reboot', '-m', '32'],
      { timeout: 120_000 },
    );
    const seconds = (performance.now() - t0) / 1000;
    if (r.error) return `not run (${r.error.message})`;
    return seconds;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

for (const name of guests) {
  const bytes = image(name);
  let best = Infinity;
  let instructions = 0;
  let status: number | undefined;
  for (let i = 0; i < RUNS; i++) {
    const engine = new Engine();
    engine.loadImage(bytes);
    globalThis.gc?.();
    const t0 = performance.now();
    const stop = engine.run(5_000_000_000);
    const seconds = (performance.now() - t0) / 1000;
    best = Math.min(best, seconds);
    instructions = engine.instructions;
    status = stop.exitStatus;
  }
  const qemu = qemuSeconds(bytes);
  const mips = instructions / best / 1e6;
  const ratio = typeof qemu === 'number' ? `${(best / qemu).toFixed(2)}× qemu's wall time (qemu ${qemu.toFixed(2)} s, incl. its start-up)` : `qemu ${qemu}`;
  console.log(
    `${name.padEnd(14)} ${(instructions / 1e6).toFixed(1)} M instructions in ${best.toFixed(2)} s (best of ${RUNS}) = ${mips.toFixed(1)} M guest instructions/s; exit ${status}; ${ratio}`,
  );
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (32 MiB guest)`);
