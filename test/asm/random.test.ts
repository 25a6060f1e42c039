// Property-based differential test: random programs of valid instructions, assembled by nasm and
// by assemble(), must give identical bytes (and both must reject what nasm rejects).
//
// Fixed seeds make every failure reproducible; the seed of each property is printed. Set
// HYPERSTEP_FC_SEED to explore other programs and HYPERSTEP_FC_RUNS to change the number of
// programs per property (default 200; each program costs one nasm process).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { assemble, type AssembleResult } from '../helpers/assembler';
import { describeDiagnostics, describeMismatch, firstDifference, hex, sourceMapEntryAt } from '../helpers/compare';
import { nasmAssemble, parseNasmListing } from '../helpers/nasm';
import { type Bits, type Family, jumpProgram, programText, renderJumpProgram, straightProgram } from '../helpers/x86gen';

const BASE_SEED = Number(process.env.HYPERSTEP_FC_SEED ?? 20240611);
const RUNS = Number(process.env.HYPERSTEP_FC_RUNS ?? 200);
const FILE = 'random.asm';
const TIMEOUT_MS = 120_000;

function numbered(source: string): string {
  return source
    .split('\n')
    .map((l, i) => `${String(i + 1).padStart(4)}  ${l}`)
    .join('\n')
    .trimEnd();
}

/** The offending line(s) at the first differing offset, from both sides' points of view. */
function offendingLines(source: string, ours: AssembleResult, expected: Uint8Array, listing: string | undefined): string {
  const lines = source.split('\n');
  const off = firstDifference(ours.bytes, expected);
  const out: string[] = [`first difference at offset 0x${off.toString(16)}`];
  const entry = sourceMapEntryAt(ours, off);
  if (entry) {
    out.push(
      `  ours, line ${entry.location.line}: ${lines[entry.location.line - 1]?.trim() ?? entry.text}\n` +
        `    ours: ${hex(ours.bytes, entry.fileOffset, entry.fileOffset + entry.size)}\n` +
        `    nasm: ${hex(expected, entry.fileOffset, entry.fileOffset + entry.size)}  (same offsets)`,
    );
  }
  if (listing !== undefined) {
    const rows = parseNasmListing(listing).filter((r) => r.offset <= off);
    const row = rows[rows.length - 1];
    if (row) {
      const size = row.size ?? 1;
      out.push(
        `  nasm, line ${row.line}: ${lines[row.line - 1]?.trim() ?? row.source}\n` +
          `    nasm: ${hex(expected, row.offset, row.offset + size)}\n` +
          `    ours: ${hex(ours.bytes, row.offset, row.offset + size)}  (same offsets)`,
      );
    }
  }
  return out.join('\n');
}

/** Assembles one program both ways; throws a descriptive error on any disagreement. */
function checkProgram(bits: Bits, programLines: readonly string[]): void {
  const source = programText(bits, programLines);
  const nasm = nasmAssemble(source, { fileName: FILE });
  let ours: AssembleResult;
  try {
    ours = assemble(source, { fileName: FILE });
  } catch (e) {
    throw new Error(`assemble() threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nprogram:\n${numbered(source)}`, { cause: e });
  }
  if (!nasm.ok) {
    if (ours.ok) {
      throw new Error(`nasm rejects this program but assemble() accepts it.\nnasm:\n${nasm.stderr.trim()}\nprogram:\n${numbered(source)}`);
    }
    const ourLines = new Set(ours.diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.line));
    const missed = nasm.errors.filter((e) => e.line > 0 && !ourLines.has(e.line));
    if (missed.length) {
      throw new Error(
        `assemble() rejects the program but reports no error on line(s) ${missed.map((e) => e.line).join(', ')} where nasm does.\n` +
          `nasm:\n${nasm.stderr.trim()}\nours:\n${describeDiagnostics(ours)}\nprogram:\n${numbered(source)}`,
      );
    }
    return;
  }
  if (!ours.ok) {
    throw new Error(`assemble() rejects a program nasm accepts:\n${describeDiagnostics(ours)}\nprogram:\n${numbered(source)}`);
  }
  if (firstDifference(ours.bytes, nasm.bytes) >= 0) {
    const listing = nasmAssemble(source, { fileName: FILE, listing: true }).listing;
    throw new Error(
      `${offendingLines(source, ours, nasm.bytes, listing)}\n` +
        `${describeMismatch({ what: FILE, ours, expected: nasm.bytes, nasmListing: listing, source, fileName: FILE })}\n` +
        `program:\n${numbered(source)}`,
    );
  }
}

function run<T>(name: string, seed: number, arb: fc.Arbitrary<T>, check: (value: T) => void): void {
  console.log(`[random.test] ${name}: seed ${seed}, ${RUNS} programs (HYPERSTEP_FC_SEED=${BASE_SEED} reproduces this run)`);
  fc.assert(fc.property(arb, check), { seed, numRuns: RUNS, endOnFailure: false });
}

const FAMILIES: readonly Family[] = ['arith', 'move', 'misc'];

for (const bits of [32, 16] as const) {
  describe(`random ${bits}-bit programs against nasm`, () => {
    FAMILIES.forEach((family, i) => {
      it(
        `${family} instructions`,
        () => {
          run(`bits ${bits} ${family}`, BASE_SEED + bits * 100 + i, straightProgram(bits, family), (lines) => checkProgram(bits, lines));
        },
        TIMEOUT_MS,
      );
    });

    it(
      'short and near jumps, calls and label references at random distances',
      () => {
        run(`bits ${bits} jumps`, BASE_SEED + bits * 100 + 50, jumpProgram(bits), (p) => checkProgram(bits, renderJumpProgram(p)));
      },
      TIMEOUT_MS,
    );
  });
}
