// NASM-compatible preprocessor: %define/%macro/%rep/%if/%include/contexts/struc, with nasm 2.16's
// semantics, turning a source file into the lines the assembler sees. Never throws: every problem
// becomes a diagnostic, and processing continues after errors.
//
// The work is split over ./preprocess/: lex (token lists), smacro (%define), mmacro (%macro),
// directives, builtins (standard macros such as struc), engine (the driver).
import type { AsmDiagnostic } from './types.js';
import type { MacroInfo, PreprocessedLine, PreprocessOptions } from './preprocess/api.js';
import { baseTables } from './preprocess/builtins.js';
import { buildDirectives, defineSmacro } from './preprocess/directives.js';
import { Engine } from './preprocess/engine.js';
import { lexLine } from './preprocess/lex.js';
import { makeBody, parseDefineHead } from './preprocess/smacro.js';

export type { MacroInfo, PreprocessedLine, PreprocessOptions } from './preprocess/api.js';

const DIRECTIVES = buildDirectives();

export function preprocess(
  source: string,
  options: PreprocessOptions,
): { lines: PreprocessedLine[]; diagnostics: AsmDiagnostic[]; macros: MacroInfo[] } {
  const { smacros, mmacros } = baseTables();
  const engine = new Engine(options, smacros, mmacros, DIRECTIVES);
  try {
    applyDefines(engine, options.defines);
    engine.run(source);
  } catch (e) {
    // A bug of ours must not take the caller down.
    engine.diag('error', `internal preprocessor error: ${(e as Error).message}`, {
      file: options.fileName,
      line: engine.cur?.line ?? 1,
      column: 1,
      endLine: engine.cur?.line ?? 1,
      endColumn: 1,
    });
  }
  return { lines: engine.lines, diagnostics: engine.diagnostics, macros: [...engine.macroInfos.values()] };
}

/** Command-line style definitions (`-DNAME=value`), given as NAME (or NAME(params)) -> body. */
function applyDefines(engine: Engine, defines: Record<string, string> | undefined): void {
  if (!defines) return;
  const file = engine.options.fileName;
  engine.cur = { text: '', file, line: 0, physical: false, segs: null };
  engine.curFrame = {
    kind: 'gen',
    body: [],
    pos: 0,
    stack: [],
    invocation: undefined,
    invLoc: undefined,
    macro: null,
    condBase: 0,
  };
  for (const [name, value] of Object.entries(defines)) {
    const { toks } = lexLine(`${name} ${value}`);
    const head = parseDefineHead(toks, 0, '-D');
    if (typeof head === 'string') {
      engine.diag('error', `${head}: ${name}`, { file, line: 1, column: 1, endLine: 1, endColumn: 1 });
      continue;
    }
    defineSmacro(engine, toks[head.nameIdx], false, head.params, head.greedy, makeBody(toks.slice(head.bodyIdx), head.params), false);
  }
}
