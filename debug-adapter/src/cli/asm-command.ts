// `hyperstep asm IN.asm [-o OUT.bin] [--listing OUT.lst] [-I DIR] [-D NAME[=VALUE]]`:
// a flat binary byte-identical to `nasm -f bin`; diagnostics as FILE:LINE:COL: error: ...; status 1 on error.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assemble } from '../asm/index.js';
import type { AsmDiagnostic } from '../asm/types.js';
import { parseArgs, UsageError } from './args.js';

export const ASM_USAGE = 'usage: hyperstep asm IN.asm [-o OUT.bin] [--listing OUT.lst] [-I DIR] [-D NAME[=VALUE]]';

export function formatDiagnostic(d: AsmDiagnostic): string {
  return `${d.range.file}:${d.range.line}:${d.range.column}: ${d.severity}: ${d.message}`;
}

/** nasm's default output name for -f bin: the input without its extension, or nasm.out when it has none. */
function defaultOutput(input: string): string {
  const ext = path.extname(input);
  return ext ? input.slice(0, -ext.length) : 'nasm.out';
}

export function asmCommand(argv: string[]): number {
  const args = parseArgs(argv, ['-o', '--listing', '-l', '-I', '-D', '-f'], ['-h', '--help']);
  if (args.flags.has('-h') || args.flags.has('--help')) {
    process.stdout.write(ASM_USAGE + '\n');
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'exactly one input file expected' : 'no input file');
  const format = args.values.get('-f')?.at(-1);
  if (format && format !== 'bin') throw new UsageError(`output format '${format}' is not supported (only bin)`);
  const input = args.positionals[0];
  let source: string;
  try {
    source = fs.readFileSync(input, 'utf8');
  } catch (e) {
    process.stderr.write(`hyperstep asm: cannot read input file '${input}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 1;
  }
  const defines: Record<string, string> = {};
  for (const d of args.values.get('-D') ?? []) {
    const eq = d.indexOf('=');
    defines[eq < 0 ? d : d.slice(0, eq)] = eq < 0 ? '' : d.slice(eq + 1);
  }
  const result = assemble(source, { fileName: input, includePaths: args.values.get('-I') ?? [], defines });
  for (const d of result.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
  const listing = args.values.get('--listing')?.at(-1) ?? args.values.get('-l')?.at(-1);
  if (listing) fs.writeFileSync(listing, result.listing);
  if (!result.ok) return 1;
  const output = args.values.get('-o')?.at(-1) ?? defaultOutput(input);
  fs.writeFileSync(output, result.bytes);
  return 0;
}
