// `hyperstep run IMAGE|IN.asm [--technique T] [--memory MIB] [--max-instructions N] [--json]
// [--trace exits]` (ARCHITECTURE §6): stdout carries the guest's serial output and nothing else;
// the exit status is QEMU's isa-debug-exit status, or the tool's own even statuses.
import * as fs from 'node:fs';
import { Engine, EngineInputError } from '../engine/engine.js';
import { isTechnique, ALL_TECHNIQUES, type Technique, type VmmEvent } from '../hypervisor/index.js';
import { parseArgs, UsageError } from './args.js';
import { definesOf } from './compare-command.js';

export const RUN_USAGE =
  'usage: hyperstep run IMAGE|IN.asm [--technique T] [--vmx NAME=VALUE,...] [--guest-ring 1|3] [--bt-mode ops|x86] [--memory MIB] [--max-instructions N] [--json] [--trace exits] [-I DIR] [-D NAME[=VALUE]]';

const EXIT_BAD_INPUT = 6;

/** `--vmx hlt-exiting=off,io-bitmap=0x3f8-0x3ff` → { 'hlt-exiting': 'off', 'io-bitmap': '0x3f8-0x3ff' }. */
export function parseVmxOption(texts: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const text of texts) {
    for (const item of text.split(',')) {
      const trimmed = item.trim();
      if (trimmed === '') continue;
      const eq = trimmed.indexOf('=');
      if (eq <= 0) throw new UsageError(`--vmx expects NAME=VALUE items separated by commas (got '${trimmed}')`);
      out[trimmed.slice(0, eq).trim()] = trimmed.slice(eq + 1).trim();
    }
  }
  return out;
}

/** One line per VMM event for `--trace exits` (stderr). */
export function formatEvent(e: VmmEvent): string {
  const where = `eip=0x${(e.eip >>> 0).toString(16).padStart(8, '0')}${e.source ? ` ${e.source.file}:${e.source.line}` : ''}`;
  if (e.kind === 'hole') return `[${e.seq}] hole ${e.mnemonic} ${where} ${e.instruction}: ${e.message}`;
  const qual = e.qualification === undefined ? '' : ` qual=0x${(e.qualification >>> 0).toString(16)}`;
  return `[${e.seq}] ${e.kind} ${e.reason} ${where} ${e.instruction}${qual} cost=${e.cost} -> ${e.action}`;
}

export interface TechniqueSettings {
  technique: Technique;
  vmx?: Record<string, string>;
  guestRing?: 1 | 3;
  btMode?: 'ops' | 'x86';
}

/** --technique, --vmx and --guest-ring, checked together. */
export function techniqueSettings(values: Map<string, string[]>): TechniqueSettings {
  const technique = values.get('--technique')?.at(-1) ?? 'native';
  if (!isTechnique(technique)) throw new UsageError(`unknown technique '${technique}' (known: ${ALL_TECHNIQUES.join(', ')})`);
  const settings: TechniqueSettings = { technique };
  const vmx = values.get('--vmx');
  if (vmx !== undefined) {
    if (technique !== 'vt-x') throw new UsageError('--vmx applies to --technique vt-x');
    settings.vmx = parseVmxOption(vmx);
  }
  const ring = values.get('--guest-ring')?.at(-1);
  if (ring !== undefined) {
    if (technique !== 'trap-and-emulate') throw new UsageError('--guest-ring applies to --technique trap-and-emulate');
    if (ring !== '1' && ring !== '3') throw new UsageError(`--guest-ring must be 1 or 3 (got '${ring}')`);
    settings.guestRing = ring === '1' ? 1 : 3;
  }
  const btMode = values.get('--bt-mode')?.at(-1);
  if (btMode !== undefined) {
    if (technique !== 'binary-translation') throw new UsageError('--bt-mode applies to --technique binary-translation');
    if (btMode !== 'ops' && btMode !== 'x86') throw new UsageError(`--bt-mode must be ops or x86 (got '${btMode}')`);
    settings.btMode = btMode;
  }
  return settings;
}

function parsePositiveInteger(text: string, option: string, max: number): number {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text.replace(/_/g, ''))) throw new UsageError(`${option} needs a positive integer (got '${text}')`);
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value <= 0 || value > max) throw new UsageError(`${option} must be between 1 and ${max} (got '${text}')`);
  return value;
}

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['--technique', '--vmx', '--guest-ring', '--bt-mode', '--memory', '--max-instructions', '--trace', '-I', '-D'], ['--json', '-h', '--help']);
  if (args.flags.has('-h') || args.flags.has('--help')) {
    process.stdout.write(RUN_USAGE + '\n');
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'exactly one image or source expected' : 'no image or source given');
  const settings = techniqueSettings(args.values);
  const technique = settings.technique;
  const memoryText = args.values.get('--memory')?.at(-1);
  const memoryMiB = memoryText === undefined ? undefined : parsePositiveInteger(memoryText, '--memory', 3072);
  const limitText = args.values.get('--max-instructions')?.at(-1);
  const maxInstructions = limitText === undefined ? Infinity : parsePositiveInteger(limitText, '--max-instructions', Number.MAX_SAFE_INTEGER);
  const trace = args.values.get('--trace') ?? [];
  for (const t of trace) if (t !== 'exits') throw new UsageError(`unknown trace kind '${t}' (known: exits)`);
  const json = args.flags.has('--json');

  let engine: Engine;
  try {
    engine = Engine.fromFile(args.positionals[0], {
      memoryMiB,
      includePaths: args.values.get('-I') ?? [],
      defines: definesOf(args.values.get('-D')),
      technique,
      hypervisor: { vmx: settings.vmx, guestRing: settings.guestRing, btMode: settings.btMode },
    });
  } catch (e) {
    if (e instanceof EngineInputError || e instanceof RangeError) {
      process.stderr.write(`hyperstep run: ${e.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw e;
  }
  if (trace.includes('exits')) engine.log.onEvent((e) => process.stderr.write(formatEvent(e) + '\n'));
  const serial: number[] = [];
  let stdoutClosed = false;
  engine.onSerial((bytes) => {
    if (json) for (const b of bytes) serial.push(b);
    else if (!stdoutClosed) {
      try {
        fs.writeSync(1, bytes);
      } catch (e) {
        // A reader that went away (`| head`) ends the output, not the run.
        if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
        stdoutClosed = true;
      }
    }
  });
  const input = new StdinFeed(engine);
  let stop = await engine.runSliced(maxInstructions);
  // A guest idling for input waits while stdin can still deliver some.
  while (stop.reason === 'idle' && (await input.waitForData())) stop = await engine.runSliced(maxInstructions);
  input.close();
  const exitStatus = stop.exitStatus ?? 4;
  if (stop.message) process.stderr.write(`hyperstep run: ${stop.message}\n`);
  if (json) {
    const stats = engine.statistics();
    const result = {
      technique,
      stopReason: stop.reason,
      exitStatus,
      instructions: engine.instructions,
      serial: Buffer.from(serial).toString('latin1'),
      exits: stats.exits,
      holes: stats.holes,
      cycles: stats.cycles,
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  }
  return exitStatus;
}

/** Forwards stdin to the guest's UART as it arrives. */
class StdinFeed {
  private ended = false;
  private waiting: ((more: boolean) => void) | undefined;
  private readonly onData = (chunk: Buffer): void => {
    this.engine.serialInput(new Uint8Array(chunk));
    this.wake(true);
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake(false);
  };

  constructor(private readonly engine: Engine) {
    process.stdin.on('data', this.onData);
    process.stdin.on('end', this.onEnd);
    process.stdin.on('error', this.onEnd);
  }

  private wake(more: boolean): void {
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.(more);
  }

  /** Resolves true when more input arrived, false when stdin has ended. */
  waitForData(): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  close(): void {
    process.stdin.off('data', this.onData);
    process.stdin.off('end', this.onEnd);
    process.stdin.off('error', this.onEnd);
    process.stdin.pause();
    process.stdin.destroy();
  }
}
