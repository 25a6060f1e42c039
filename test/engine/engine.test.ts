// The engine facade as the command line and the debugger use it: load a source with its source
// map, run to a breakpoint, step, inspect and change registers and memory, serial events,
// sliced runs that can be paused.
import { describe, expect, test } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine, EngineInputError } from '../../debug-adapter/src/engine/engine.js';
import { readRegister, snapshotRegisters, writeRegister } from '../../debug-adapter/src/engine/registers.js';
import { REPO_ROOT as repoRoot } from '../helpers/paths.js';

const HELLO = path.join(repoRoot, 'samples', 'hello.asm');

function tempFile(name: string, content: string | Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-engine-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('loading', () => {
  test('a source is assembled with its source map and starts at the Multiboot entry', () => {
    const engine = Engine.fromFile(HELLO);
    const start = engine.program!.symbols.find((s) => s.name === '_start')!;
    expect(engine.cpu.eip).toBe(start.value);
    expect(readRegister(engine.cpu, 'eax')).toBe(0x2badb002);
    expect(engine.program!.sourceMap.some((e) => e.kind === 'instruction' && e.address === start.value)).toBe(true);
  });

  test('assembly errors name the file and line', () => {
    const file = tempFile('bad.asm', 'bits 32\nmov eax,\n');
    expect(() => Engine.fromFile(file)).toThrow(EngineInputError);
    expect(() => Engine.fromFile(file)).toThrow(/bad\.asm:2: /);
  });

  test('an image that is neither Multiboot nor ELF is refused with one line', () => {
    const file = tempFile('junk.bin', new Uint8Array(4096).fill(0x90));
    expect(() => Engine.fromFile(file)).toThrow(/Multiboot/);
  });

  test('an unreadable file is refused', () => {
    expect(() => Engine.fromFile('/nonexistent/x.bin')).toThrow(/cannot read/);
  });
});

describe('running', () => {
  test('runs to completion with the serial output as events and the debug-exit status', () => {
    const engine = Engine.fromFile(HELLO);
    const out: number[] = [];
    engine.onSerial((bytes) => out.push(...bytes));
    const stop = engine.run(1_000_000);
    expect(stop).toMatchObject({ reason: 'debug-exit', exitStatus: 1 });
    expect(Buffer.from(out).toString()).toBe('Hello from a Hyperstep guest!\n');
  });

  test('stops at a breakpoint on a source line and steps one instruction at a time', () => {
    const engine = Engine.fromFile(HELLO);
    const putc = engine.program!.symbols.find((s) => s.name === 'serial_putc')!.value;
    engine.cpu.setBreakpoints([putc]);
    expect(engine.run(1_000_000).reason).toBe('breakpoint');
    expect(engine.cpu.eip).toBe(putc);
    expect(readRegister(engine.cpu, 'al')).toBe('H'.charCodeAt(0));
    const esp = readRegister(engine.cpu, 'esp')!;
    expect(engine.step().reason).toBe('step'); // push edx
    expect(readRegister(engine.cpu, 'esp')).toBe(esp - 4);
    expect(engine.instructions).toBeGreaterThan(0);
  });

  test('an instruction budget stops the run with status 4', () => {
    const file = tempFile('spin.asm', fs.readFileSync(HELLO, 'utf8').replace('_start:\n', '_start:\n    jmp $\n'));
    fs.cpSync(path.join(repoRoot, 'samples', 'include'), path.join(path.dirname(file), 'include'), { recursive: true });
    const engine = Engine.fromFile(file);
    expect(engine.run(50_000)).toMatchObject({ reason: 'instruction-limit', exitStatus: 4 });
    expect(engine.instructions).toBe(50_000);
  });

  test('a sliced run yields to the event loop and honours a pause request', async () => {
    const file = tempFile('spin.asm', fs.readFileSync(HELLO, 'utf8').replace('_start:\n', '_start:\n    jmp $\n'));
    fs.cpSync(path.join(repoRoot, 'samples', 'include'), path.join(path.dirname(file), 'include'), { recursive: true });
    const engine = Engine.fromFile(file);
    setTimeout(() => engine.requestPause(), 20);
    const stop = await engine.runSliced(Infinity, 100_000);
    expect(stop.reason).toBe('pause');
    expect(engine.instructions).toBeGreaterThan(0);
  });
});

describe('inspection', () => {
  test('registers, flags and segment caches read back; writes take effect', () => {
    const engine = Engine.fromFile(HELLO);
    const snap = snapshotRegisters(engine.cpu);
    expect(snap.mode).toBe('protected32');
    expect(snap.segments.cs).toMatchObject({ selector: 0x08, base: 0, limit: 0xffffffff });
    expect(writeRegister(engine.cpu, 'ecx', 0x12345678)).toBe(true);
    expect(readRegister(engine.cpu, 'cx')).toBe(0x5678);
    expect(readRegister(engine.cpu, 'ch')).toBe(0x56);
    expect(writeRegister(engine.cpu, 'nonsense', 1)).toBe(false);
  });

  test('linear and physical memory reads and writes, and address translation without paging', () => {
    const engine = Engine.fromFile(HELLO);
    const message = engine.program!.symbols.find((s) => s.name === 'message')!.value;
    expect(Buffer.from(engine.readLinear(message, 5)!).toString()).toBe('Hello');
    expect(engine.writeLinear(message, Buffer.from('Jello'))).toBe(true);
    expect(Buffer.from(engine.readPhysical(message, 5)).toString()).toBe('Jello');
    expect(engine.translate(message)).toBe(message);
  });
});

describe('guest EIP under binary translation', () => {
  test('while the CPU runs from the translation cache, the engine reports the guest address and its line', async () => {
    await import('../../debug-adapter/src/hypervisor/techniques.js');
    const engine = Engine.fromFile(HELLO, { technique: 'binary-translation' });
    const seen = new Set<number>();
    let inCache = 0;
    for (let i = 0; i < 300; i++) {
      engine.step();
      const guest = engine.guestEip;
      if (guest !== engine.cpu.eip >>> 0) inCache++;
      seen.add(guest);
      expect(engine.sourceAt(guest) ?? engine.program!.sourceMap.find((e) => e.address === guest)).toBeDefined();
    }
    expect(inCache).toBeGreaterThan(0); // the CPU really ran translated code
    const putc = engine.program!.symbols.find((s) => s.name === 'serial_putc')!.value;
    expect(seen.has(putc)).toBe(true);
  });
});
