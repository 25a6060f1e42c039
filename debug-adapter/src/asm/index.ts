// The assembler's public entry: source text in, flat binary plus source map, symbols, listing and
// diagnostics out. Never throws for bad input: every problem becomes a diagnostic.
import * as fs from 'node:fs';
import { preprocess } from './preprocess.js';
import { Assembler } from './assembler.js';
import { evaluateConstant } from './constant.js';
import { formatListing } from './listing.js';
import type { AsmDiagnostic, AssembleOptions, AssembleResult } from './types.js';

export type * from './types.js';

function defaultReadFile(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function inSourceOrder(list: AsmDiagnostic[]): AsmDiagnostic[] {
  const fileOrder = new Map<string, number>();
  for (const d of list) if (!fileOrder.has(d.range.file)) fileOrder.set(d.range.file, fileOrder.size);
  return [...list].sort((a, b) => fileOrder.get(a.range.file)! - fileOrder.get(b.range.file)! || a.range.line - b.range.line);
}

export function assemble(source: string, options: AssembleOptions): AssembleResult {
  try {
    const pre = preprocess(source, {
      fileName: options.fileName,
      includePaths: options.includePaths,
      readFile: options.readFile ?? defaultReadFile,
      defines: options.defines,
      evaluate: evaluateConstant,
    });
    const out = new Assembler(pre.lines).run();
    // First-pass problems first, then the rest: the first error named is the one nasm names.
    const diagnostics = [...inSourceOrder([...pre.diagnostics, ...out.diagnostics]), ...inSourceOrder(out.lateDiagnostics)];
    const ok = !diagnostics.some((d) => d.severity === 'error');
    let listing: string | undefined;
    return {
      ok,
      bytes: ok ? out.bytes : new Uint8Array(0),
      diagnostics,
      symbols: out.symbols,
      sourceMap: out.sourceMap,
      // Built on first use: the language server assembles on every keystroke and never asks.
      get listing() {
        listing ??= formatListing(pre.lines, out.lineOutput);
        return listing;
      },
    };
  } catch (e) {
    // A bug of ours must still not take the caller down: report it as a diagnostic.
    return {
      ok: false,
      bytes: new Uint8Array(0),
      diagnostics: [
        {
          severity: 'error',
          message: `internal assembler error: ${(e as Error).message}`,
          range: { file: options.fileName, line: 1, column: 1, endLine: 1, endColumn: 1 },
        },
      ],
      symbols: [],
      sourceMap: [],
      listing: '',
    };
  }
}
