// Labels and macros across a file and its %includes: go to definition, references, rename (local
// labels stay in their scope: `.x` after `work:` is `work.x`, and only its uses are renamed),
// document symbols and workspace symbols.
import * as path from 'node:path';
import {
  ErrorCodes,
  ResponseError,
  SymbolKind,
  type DocumentSymbol,
  type Location,
  type Position,
  type Range,
  type SymbolInformation,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Analysis, AnalyzedFile } from './analysis.js';
import { range, tokenAt } from './cursor.js';
import type { LabelDefinition, SourceOutline } from './outline.js';
import { wordClass } from './vocabulary.js';

interface Occurrence {
  file: AnalyzedFile;
  line: number;
  start: number;
  end: number;
  /** As written (`.x`, `work.x`, `work`). */
  text: string;
  definition: boolean;
}

function location(o: { file: AnalyzedFile; line: number; start: number; end: number }): Location {
  return { uri: o.file.uri, range: range(o.line, o.start, o.end) };
}

/** Every definition and use of a label (qualified name) in the analysis's files. */
export function occurrences(analysis: Analysis, name: string): Occurrence[] {
  const out: Occurrence[] = [];
  for (const file of analysis.files.values()) {
    for (const l of file.outline.labels) if (l.name === name) out.push({ file, line: l.line, start: l.start, end: l.end, text: l.text, definition: true });
    for (const r of file.outline.references) if (r.name === name) out.push({ file, line: r.line, start: r.start, end: r.end, text: r.text, definition: false });
  }
  return out;
}

export function referencesTo(analysis: Analysis, name: string, includeDeclaration: boolean): Occurrence[] {
  return occurrences(analysis, name).filter((o) => includeDeclaration || !o.definition);
}

export function definition(analysis: Analysis, file: AnalyzedFile, pos: Position): Location[] {
  const tok = tokenAt(file, pos);
  if (!tok?.name) return [];
  if (tok.role === 'macro') {
    return analysis.macros.find(tok.name).flatMap(({ def, file: p }) => {
      const f = analysis.files.get(p);
      return f ? [location({ file: f, line: def.line, start: def.start, end: def.end })] : [];
    });
  }
  if (tok.role !== 'label') return [];
  const defs = occurrences(analysis, tok.name).filter((o) => o.definition);
  // The assembler knows which definition counted (the others sit in branches not assembled).
  const sym = analysis.symbols.get(tok.name);
  const chosen = sym ? defs.filter((d) => d.file.path === sym.location.file && d.line === sym.location.line - 1) : [];
  if (chosen.length > 0) return chosen.map(location);
  if (defs.length > 0) return defs.map(location);
  if (sym) {
    const f = analysis.files.get(sym.location.file);
    if (f) return [location({ file: f, line: sym.location.line - 1, start: sym.location.column - 1, end: sym.location.column - 1 + tok.name.length })];
  }
  return [];
}

export function references(analysis: Analysis, file: AnalyzedFile, pos: Position, includeDeclaration: boolean): Location[] {
  const tok = tokenAt(file, pos);
  if (!tok?.name) return [];
  if (tok.role === 'macro') {
    const out: Location[] = [];
    const found = analysis.macros.find(tok.name);
    for (const f of analysis.files.values()) {
      for (const u of f.outline.macroUses) if (analysis.macros.find(u.name).some((m) => found.includes(m))) out.push(location({ file: f, ...u }));
    }
    if (includeDeclaration) for (const m of found) if (analysis.files.get(m.file)) out.push(location({ file: analysis.files.get(m.file)!, line: m.def.line, start: m.def.start, end: m.def.end }));
    return out;
  }
  if (tok.role !== 'label') return [];
  return referencesTo(analysis, tok.name, includeDeclaration).map(location);
}

export function prepareRename(analysis: Analysis, file: AnalyzedFile, pos: Position): { range: Range; placeholder: string } {
  const tok = tokenAt(file, pos);
  if (tok?.role !== 'label' || tok.name === undefined) throw new ResponseError(ErrorCodes.InvalidRequest, 'only labels can be renamed here');
  if (occurrences(analysis, tok.name).every((o) => !o.definition)) throw new ResponseError(ErrorCodes.InvalidRequest, `\`${tok.name}' is not defined in this file or its includes`);
  return { range: range(pos.line, tok.start, tok.end), placeholder: file.outline.lines[pos.line].text.slice(tok.start, tok.end) };
}

const IDENTIFIER = /^[A-Za-z_.?][A-Za-z0-9_$#@~.?]*$/;

export function rename(analysis: Analysis, file: AnalyzedFile, pos: Position, newName: string): WorkspaceEdit {
  prepareRename(analysis, file, pos);
  const tok = tokenAt(file, pos)!;
  const name = tok.name!;
  const defs = occurrences(analysis, name).filter((o) => o.definition);
  const local = defs[0].text.startsWith('.') && !defs[0].text.startsWith('..');
  const parent = local ? name.slice(0, name.length - defs[0].text.length) : '';
  if (!IDENTIFIER.test(newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is not a valid label name`);
  if (local && !newName.startsWith('.')) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}': a local label's new name must start with '.' (it stays in the scope of ${parent})`);
  if (!local && newName.startsWith('.') && !newName.startsWith('..')) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}': a name starting with '.' would make \`${name}' a local label`);
  if (wordClass(newName) !== undefined) throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is a reserved word (instruction, register or directive)`);
  const newQualified = local ? parent + newName : newName;
  if (newQualified !== name && (analysis.symbols.has(newQualified) || occurrences(analysis, newQualified).some((o) => o.definition))) {
    throw new ResponseError(ErrorCodes.InvalidParams, `\`${newQualified}' is already defined`);
  }
  const changes: Record<string, TextEdit[]> = {};
  for (const o of occurrences(analysis, name)) {
    // `.x` becomes `.y`; a fully qualified `work.x` becomes `work.y`.
    const replacement = local && !o.text.startsWith('.') ? parent + newName : newName;
    (changes[o.file.uri] ??= []).push({ range: range(o.line, o.start, o.end), newText: replacement });
  }
  return { changes };
}

// ---- document and workspace symbols ---------------------------------------------------------------

const CODE_SECTION = /^\.?text$|code/i;

function labelKind(l: LabelDefinition): SymbolKind {
  if (l.equ) return SymbolKind.Constant;
  if (l.local) return SymbolKind.Key;
  return CODE_SECTION.test(l.section) || l.section === '' ? SymbolKind.Function : SymbolKind.Variable;
}

function detail(analysis: Analysis | undefined, l: LabelDefinition): string {
  const sym = analysis?.symbols.get(l.name);
  if (!sym) return l.equ ? 'equ' : '';
  return l.equ ? `= ${sym.value}` : `0x${(sym.value >>> 0).toString(16)}`;
}

export function documentSymbols(analysis: Analysis | undefined, outline: SourceOutline): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  const lineEnd = (n: number) => outline.lines[n]?.text.length ?? 0;
  const labels = outline.labels.filter((l) => !l.inMacro);
  let current: DocumentSymbol | undefined;
  let currentName = '';
  labels.forEach((l, i) => {
    const sel = range(l.line, l.start, l.end);
    if (l.local && current && l.name.startsWith(currentName + '.')) {
      const child: DocumentSymbol = { name: l.text, detail: detail(analysis, l), kind: labelKind(l), range: sel, selectionRange: sel };
      current.children!.push(child);
      return;
    }
    const next = labels.slice(i + 1).find((x) => !x.local && !x.equ);
    const last = l.equ ? l.line : Math.max(l.line, (next ? next.line : outline.lines.length) - 1);
    const sym: DocumentSymbol = { name: l.name, detail: detail(analysis, l), kind: labelKind(l), range: { start: { line: l.line, character: 0 }, end: { line: last, character: lineEnd(last) } }, selectionRange: sel, children: [] };
    out.push(sym);
    if (!l.equ && !l.local) {
      current = sym;
      currentName = l.name;
    }
  });
  for (const m of outline.macros) {
    const sel = range(m.line, m.start, m.end);
    out.push({
      name: m.name,
      detail: m.multi ? `macro ${m.params || '0'}` : `%define${m.params}`,
      kind: m.multi ? SymbolKind.Method : SymbolKind.Constant,
      range: { start: { line: m.line, character: 0 }, end: { line: m.endLine, character: lineEnd(m.endLine) } },
      selectionRange: sel,
    });
  }
  out.sort((a, b) => a.range.start.line - b.range.start.line);
  return out;
}

/** Case-insensitive subsequence match, as editors filter symbol lists. */
function matches(query: string, name: string): boolean {
  const q = query.toLowerCase();
  const n = name.toLowerCase();
  let i = 0;
  for (const ch of n) if (ch === q[i]) i++;
  return i === q.length;
}

export interface SymbolSource {
  uri: string;
  path: string;
  outline: SourceOutline;
  analysis?: Analysis;
}

export function workspaceSymbols(sources: Iterable<SymbolSource>, query: string, limit = 500): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  for (const s of sources) {
    const container = path.basename(s.path);
    for (const l of s.outline.labels) {
      if (l.inMacro || !matches(query, l.name)) continue;
      out.push({ name: l.name, kind: labelKind(l), location: { uri: s.uri, range: range(l.line, l.start, l.end) }, containerName: container });
      if (out.length >= limit) return out;
    }
    for (const m of s.outline.macros) {
      if (!matches(query, m.name)) continue;
      out.push({ name: m.name, kind: m.multi ? SymbolKind.Method : SymbolKind.Constant, location: { uri: s.uri, range: range(m.line, m.start, m.end) }, containerName: container });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
