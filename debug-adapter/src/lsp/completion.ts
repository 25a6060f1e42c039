// Completion by position: at the start of a statement mnemonics, prefixes, directives and macros;
// in operands registers, labels, constants, single-line macros and size keywords; after `.` the
// local labels of the current scope; after `%` at the start of a line preprocessor directives.
// Long documentation is filled in on completionItem/resolve.
import { CompletionItemKind, MarkupKind, type CompletionItem, type Position, type Range } from 'vscode-languageserver';
import { allMnemonics, classify, lookupMnemonic, lookupPrefix, markdownDoc, PREFIXES, registersOf, type RegisterClass } from '../isa/index.js';
import type { Analysis, AnalyzedFile } from './analysis.js';
import { range } from './cursor.js';
import { registerDoc } from './registers.js';
import { scanLine } from './scan.js';
import { classHeadline } from './virtualization.js';
import {
  DIRECTIVE_DOCS,
  OPERAND_KEYWORD_DOCS,
  PREPROCESSOR_DIRECTIVES,
  PREPROCESSOR_DOCS,
  SIZE_KEYWORDS,
  STANDARD_MACRO_DOCS,
  wordClass,
} from './vocabulary.js';

type ItemData = { kind: 'mnemonic' | 'register' | 'directive' | 'preprocessor' | 'prefix'; name: string };

const REGISTER_CLASSES: RegisterClass[] = ['gpr32', 'gpr16', 'gpr8', 'sreg', 'cr', 'dr'];
const NAME_MACRO_DIRECTIVES = new Set(['ifdef', 'ifndef', 'elifdef', 'elifndef', 'undef']);

export function completion(analysis: Analysis, file: AnalyzedFile, pos: Position): CompletionItem[] {
  const sl = file.outline.lines[pos.line];
  if (!sl) return [];
  const before = sl.text.slice(0, pos.character);
  if (sl.comment && sl.comment.start < pos.character) return [];
  if (sl.tokens.some((t) => t.kind === 'str' && t.start < pos.character && pos.character < t.end)) return [];
  const word = /[%$.A-Za-z0-9_?@#~]*$/.exec(before)![0];
  const edit = range(pos.line, pos.character - word.length, pos.character);
  const prior = scanLine(before.slice(0, before.length - word.length)).tokens;

  if (word.startsWith('%') && prior.length === 0) return preprocessorItems(edit);
  if (prior[0]?.kind === 'pp') {
    const d = prior[0].text.slice(1).toLowerCase();
    return NAME_MACRO_DIRECTIVES.has(d) && prior.length === 1 ? macroItems(analysis, edit, false) : [];
  }
  if (word.startsWith('.') && !word.startsWith('..')) return localLabelItems(file, pos, edit);
  return isStatementStart(analysis, prior) ? statementItems(analysis, edit) : operandItems(analysis, edit);
}

/** Nothing before the cursor but a label and prefixes: an instruction, directive or macro comes next. */
function isStatementStart(analysis: Analysis, prior: ReturnType<typeof scanLine>['tokens']): boolean {
  let i = 0;
  if (prior[0]?.kind === 'id' && prior[1]?.kind === 'op' && prior[1].text === ':') i = 2;
  else if (prior[0]?.kind === 'id' && prior.length === 1 && wordClass(prior[0].text) === undefined && !analysis.macros.hasMulti(prior[0].text)) i = 1;
  while (prior[i]?.kind === 'id' && wordClass(prior[i].text) === 'prefix') i++;
  return i === prior.length;
}

function item(label: string, kind: CompletionItemKind, edit: Range, detail?: string, data?: ItemData, sortText?: string): CompletionItem {
  const it: CompletionItem = { label, kind, textEdit: { range: edit, newText: label } };
  if (detail) it.detail = detail;
  if (data) it.data = data;
  if (sortText) it.sortText = sortText;
  return it;
}

function statementItems(analysis: Analysis, edit: Range): CompletionItem[] {
  const out: CompletionItem[] = [];
  for (const m of allMnemonics()) {
    const entry = lookupMnemonic(m)!;
    out.push(item(m, CompletionItemKind.Keyword, edit, `${entry.summary} (${classify(m)?.class ?? entry.class})`, { kind: 'mnemonic', name: m }, `2${m}`));
  }
  for (const p of PREFIXES) for (const n of [p.name, ...p.aliases]) out.push(item(n, CompletionItemKind.Keyword, edit, `prefix: ${p.summary}`, { kind: 'prefix', name: n }, `3${n}`));
  for (const d of Object.keys(DIRECTIVE_DOCS)) out.push(item(d, CompletionItemKind.Keyword, edit, 'directive', { kind: 'directive', name: d }, `3${d}`));
  for (const d of Object.keys(STANDARD_MACRO_DOCS)) out.push(item(d, CompletionItemKind.Keyword, edit, 'standard macro', { kind: 'directive', name: d }, `3${d}`));
  out.push(...macroItems(analysis, edit, true));
  return out;
}

function operandItems(analysis: Analysis, edit: Range): CompletionItem[] {
  const out: CompletionItem[] = [];
  const seen = new Set<string>();
  for (const f of analysis.files.values()) {
    for (const l of f.outline.labels) {
      if (l.local || seen.has(l.name)) continue;
      seen.add(l.name);
      const sym = analysis.symbols.get(l.name);
      const detail = sym ? (l.equ ? `equ ${sym.value}` : `label 0x${(sym.value >>> 0).toString(16)}`) : l.equ ? 'equ' : 'label';
      const kind = l.equ ? CompletionItemKind.Constant : CompletionItemKind.Function;
      out.push(item(l.name, kind, edit, detail, undefined, `0${l.name}`));
    }
  }
  out.push(...macroItems(analysis, edit, false));
  for (const cls of REGISTER_CLASSES) for (const r of registersOf(cls)) out.push(item(r, CompletionItemKind.Variable, edit, 'register', { kind: 'register', name: r }, `1${r}`));
  for (const k of Object.keys(OPERAND_KEYWORD_DOCS)) {
    if (k.startsWith('$')) continue;
    out.push(item(k, CompletionItemKind.Keyword, edit, SIZE_KEYWORDS.has(k) ? 'size' : 'keyword', { kind: 'directive', name: k }, `2${k}`));
  }
  return out;
}

function localLabelItems(file: AnalyzedFile, pos: Position, edit: Range): CompletionItem[] {
  const ownLabel = file.outline.tokens[pos.line].find((t) => t.role === 'label' && t.definition && t.end <= pos.character && t.name && !t.name.includes('.'));
  const parent = ownLabel ? ownLabel.name! : (file.outline.parents[pos.line - 1] ?? '');
  const seen = new Set<string>();
  const out: CompletionItem[] = [];
  for (const l of file.outline.labels) {
    if (!l.local || !l.name.startsWith(parent + '.') || l.name.length - l.text.length !== parent.length || seen.has(l.text)) continue;
    seen.add(l.text);
    out.push(item(l.text, CompletionItemKind.Field, edit, `local label of ${parent}`));
  }
  return out;
}

function macroItems(analysis: Analysis, edit: Range, multi: boolean): CompletionItem[] {
  const seen = new Set<string>();
  const out: CompletionItem[] = [];
  for (const { def } of analysis.macros.all()) {
    if (def.multi !== multi || seen.has(def.name)) continue;
    seen.add(def.name);
    const detail = multi ? `macro (${def.params || '0'} parameters)` : `%define ${def.name}${def.params}`;
    out.push(item(def.name, multi ? CompletionItemKind.Method : CompletionItemKind.Constant, edit, detail, undefined, `1${def.name}`));
  }
  return out;
}

function preprocessorItems(edit: Range): CompletionItem[] {
  return PREPROCESSOR_DIRECTIVES.map((d) => item(`%${d}`, CompletionItemKind.Keyword, edit, 'preprocessor directive', { kind: 'preprocessor', name: d }));
}

/** Fills in the documentation of an item the client shows. */
export function resolveCompletion(it: CompletionItem): CompletionItem {
  const data = it.data as ItemData | undefined;
  if (!data || typeof data.name !== 'string') return it;
  let doc: string | undefined;
  if (data.kind === 'mnemonic') {
    const entry = lookupMnemonic(data.name);
    if (entry) doc = `${classHeadline(entry.class)}\n\n---\n\n${markdownDoc(entry)}`;
  } else if (data.kind === 'register') doc = registerDoc(data.name);
  else if (data.kind === 'prefix') {
    const p = lookupPrefix(data.name);
    doc = p && p.description;
  } else if (data.kind === 'directive') doc = DIRECTIVE_DOCS[data.name] ?? STANDARD_MACRO_DOCS[data.name] ?? OPERAND_KEYWORD_DOCS[data.name];
  else if (data.kind === 'preprocessor') doc = PREPROCESSOR_DOCS[data.name];
  if (doc) it.documentation = { kind: MarkupKind.Markdown, value: doc };
  return it;
}
