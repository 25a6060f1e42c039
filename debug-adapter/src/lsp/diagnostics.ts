// The diagnostics of one file: the assembler's errors and warnings with their exact ranges, the
// errors of included files shown on the %include line that brought them in, and the lints.
import * as path from 'node:path';
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import type { AsmDiagnostic } from '../asm/index.js';
import { topIncludeSite, type Analysis, type AnalyzedFile } from './analysis.js';
import { lintFile } from './lints.js';

export const ASSEMBLER_SOURCE = 'hyperstep-asm';
export const LINT_SOURCE = 'hyperstep-virt';

export interface DiagnosticOptions {
  /**
   * The file is an include fragment analysed on its own (no open document includes it): symbols
   * it expects from its includer are missing, so "not defined" errors would only be noise.
   */
  fragment?: boolean;
}

const UNDEFINED_SYMBOL = /^symbol `.*' not defined/;

export function fileDiagnostics(analysis: Analysis, file: AnalyzedFile, options: DiagnosticOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const isMain = file.path === analysis.main.path;
  for (const d of analysis.assembly.diagnostics) {
    if (options.fragment && UNDEFINED_SYMBOL.test(d.message)) continue;
    if (d.range.file === file.path) out.push(toDiagnostic(d, lineRange(file, d)));
    else if (isMain) {
      const mapped = includedDiagnostic(analysis, file, d);
      if (mapped) out.push(mapped);
    }
  }
  for (const lint of lintFile(analysis, file)) {
    out.push({
      severity: lint.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
      range: { start: { line: lint.line, character: lint.start }, end: { line: lint.line, character: lint.end } },
      message: lint.message,
      source: LINT_SOURCE,
      code: lint.code,
    });
  }
  return out;
}

function toDiagnostic(d: AsmDiagnostic, range: Range): Diagnostic {
  return {
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    range,
    message: d.message,
    source: ASSEMBLER_SOURCE,
  };
}

/** A problem in an included file, reported on the main file's %include line, pointing at the place. */
function includedDiagnostic(analysis: Analysis, main: AnalyzedFile, d: AsmDiagnostic): Diagnostic | undefined {
  const site = topIncludeSite(analysis, d.range.file);
  const inc = analysis.files.get(d.range.file);
  const line = site?.line ?? 0;
  const directive = main.outline.includes.find((i) => i.line === line);
  const range: Range = directive
    ? { start: { line, character: directive.start }, end: { line, character: directive.end } }
    : wholeLine(main, line);
  const where = `${path.basename(d.range.file)}:${d.range.line}`;
  const diagnostic = toDiagnostic({ ...d, message: `in included file ${where}: ${d.message}` }, range);
  if (inc) diagnostic.relatedInformation = [{ location: { uri: inc.uri, range: lineRange(inc, d) }, message: d.message }];
  return diagnostic;
}

/** The assembler's 1-based columns as an LSP range; an empty range grows to the line's text. */
function lineRange(file: AnalyzedFile, d: AsmDiagnostic): Range {
  const lines = file.outline.lines;
  const line = Math.min(Math.max(0, d.range.line - 1), Math.max(0, lines.length - 1));
  const endLine = Math.min(Math.max(line, d.range.endLine - 1), Math.max(0, lines.length - 1));
  const start = Math.max(0, d.range.column - 1);
  const end = Math.max(0, d.range.endColumn - 1);
  if (endLine === line && end <= start) return wholeLine(file, line);
  return { start: { line, character: start }, end: { line: endLine, character: end } };
}

function wholeLine(file: AnalyzedFile, line: number): Range {
  const sl = file.outline.lines[line];
  if (!sl) return { start: { line, character: 0 }, end: { line, character: 0 } };
  const code = sl.comment ? sl.text.slice(0, sl.comment.start) : sl.text;
  const first = code.length - code.trimStart().length;
  const last = code.trimEnd().length;
  return last > first
    ? { start: { line, character: first }, end: { line, character: last } }
    : { start: { line, character: 0 }, end: { line, character: sl.text.length } };
}
