// `hyperstep compare IMAGE|IN.asm [--json] [--max-instructions N] [--memory MIB]`: runs the
// guest under every technique this build has and prints, side by side, whether the serial output
// equals native, exits by reason, holes and modelled cycles (ARCHITECTURE §6).
import { availableTechniques } from '../hypervisor/index.js';
import { isPvGuest } from '../hypervisor/paravirt/index.js';
import { parseArgs, UsageError } from './args.js';
import { EngineInputError, runGuest, type GuestRunResult } from './guest-run.js';

export const COMPARE_USAGE = 'usage: hyperstep compare IMAGE|IN.asm [--json] [--max-instructions N] [--memory MIB] [-D NAME[=VALUE]]';

/** A technique that could not run this guest, and why. */
export interface SkippedTechnique {
  technique: string;
  why: string;
}

/** `-D NAME[=VALUE]` options as assembler defines. */
export function definesOf(values: string[] | undefined): Record<string, string> {
  const defines: Record<string, string> = {};
  for (const d of values ?? []) {
    const eq = d.indexOf('=');
    defines[eq < 0 ? d : d.slice(0, eq)] = eq < 0 ? '' : d.slice(eq + 1);
  }
  return defines;
}

const DEFAULT_BUDGET = 1_000_000_000;
const WIDTH = 80;

function positive(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${option} needs a positive integer (got '${text}')`);
  return n;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** "IO_INSTRUCTION 30, #GP 12" wrapped to the table width under a row. */
function reasonLines(byReason: Record<string, number>, indent: string): string[] {
  const items = Object.entries(byReason)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, n]) => `${reason} ${n.toLocaleString('en-US')}`);
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line === '' ? item : `${line}, ${item}`;
    if (indent.length + next.length > WIDTH && line !== '') {
      lines.push(indent + line + ',');
      line = item;
    } else line = next;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/** Word-wraps a line to the table width, continuing with `indent`. */
function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (next.length > WIDTH - 1 && line.trim() !== '') {
      lines.push(line);
      line = indent + word;
    } else line = next;
  }
  lines.push(line);
  return lines;
}

export function formatComparison(file: string, results: GuestRunResult[], skipped: SkippedTechnique[] = []): string {
  const native = results[0];
  const out: string[] = [];
  out.push(`hyperstep compare ${file}`);
  out.push(
    `${'technique'.padEnd(18)} ${'serial'.padEnd(6)} ${'status'.padStart(6)} ${'instructions'.padStart(13)} ${'exits'.padStart(9)} ${'holes'.padStart(6)} ${'cycles'.padStart(14)}`,
  );
  out.push('-'.repeat(WIDTH - 1));
  for (const r of results) {
    const serial = r === native ? 'ref' : sameBytes(r.serial, native.serial) ? 'same' : 'DIFF';
    out.push(
      `${r.technique.padEnd(18)} ${serial.padEnd(6)} ${String(r.exitStatus).padStart(6)} ${r.instructions.toLocaleString('en-US').padStart(13)} ` +
        `${r.statistics.exits.total.toLocaleString('en-US').padStart(9)} ${r.statistics.holes.total.toLocaleString('en-US').padStart(6)} ` +
        `${r.statistics.cycles.toLocaleString('en-US').padStart(14)}`,
    );
    out.push(...reasonLines(r.statistics.exits.byReason, '    exits: '));
    out.push(...reasonLines(r.statistics.holes.byInstruction, '    holes: '));
    if (r.stop.message) out.push(`    stop: ${r.stop.message}`.slice(0, WIDTH - 1));
  }
  for (const s of skipped) out.push(...wrap(`${s.technique.padEnd(18)} skipped: ${s.why}`, '    '));
  return out.join('\n') + '\n';
}

export function compareCommand(argv: string[]): number {
  const args = parseArgs(argv, ['--max-instructions', '--memory', '-I', '-D'], ['--json', '-h', '--help']);
  if (args.flags.has('-h') || args.flags.has('--help')) {
    process.stdout.write(COMPARE_USAGE + '\n');
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'exactly one image or source expected' : 'no image or source given');
  const file = args.positionals[0];
  const maxInstructions = positive(args.values.get('--max-instructions')?.at(-1), '--max-instructions', DEFAULT_BUDGET);
  const memoryText = args.values.get('--memory')?.at(-1);
  const memoryMiB = memoryText === undefined ? undefined : positive(memoryText, '--memory', 32);
  const results: GuestRunResult[] = [];
  const skipped: SkippedTechnique[] = [];
  const options = { maxInstructions, memoryMiB, includePaths: args.values.get('-I') ?? [], defines: definesOf(args.values.get('-D')) };
  try {
    for (const technique of availableTechniques()) {
      if (technique === 'paravirt' && results.length > 0) {
        // Paravirtualization needs a guest written for the hypervisor's ABI.
        const pv = isPvGuest(results[0].image);
        if (!pv.pv) {
          skipped.push({ technique, why: pv.why });
          continue;
        }
      }
      results.push(runGuest(file, technique, options));
    }
  } catch (e) {
    if (e instanceof EngineInputError || e instanceof RangeError) {
      process.stderr.write(`hyperstep compare: ${e.message}\n`);
      return 6;
    }
    throw e;
  }
  if (args.flags.has('--json')) {
    const native = results[0];
    const json = {
      input: file,
      skipped,
      techniques: results.map((r) => ({
        technique: r.technique,
        sameSerialAsNative: sameBytes(r.serial, native.serial),
        stopReason: r.stop.reason,
        exitStatus: r.exitStatus,
        instructions: r.instructions,
        serial: Buffer.from(r.serial).toString('latin1'),
        exits: r.statistics.exits,
        holes: r.statistics.holes,
        cycles: r.statistics.cycles,
      })),
    };
    process.stdout.write(JSON.stringify(json) + '\n');
  } else {
    process.stdout.write(formatComparison(file, results, skipped));
  }
  return 0;
}
