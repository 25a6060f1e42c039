// "Paravirtualize": rewrites the interrupt-flag instructions of a kernel into the pv_ops macros of
// samples/include/pvops.inc (irq_disable, irq_enable, save_fl, restore_fl, safe_halt), which
// assemble to the same instructions natively and to shared_info writes and Xen hypercalls with
// -D XEN. Recognised sequences get the macro they spell out; lone PUSHFD/POPFD keep their stack
// effect (and EAX) around save_fl/restore_fl. When the macros are not available the edit also
// brings them in: %include "pvops.inc" (with its PV_DATA) where the file uses lib.inc, which
// pvops.inc needs, or else a block with their native definitions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeActionKind, type CodeAction, type CodeActionContext, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import type { Analysis, AnalyzedFile } from './analysis.js';
import { LINT_SOURCE } from './diagnostics.js';
import { range } from './cursor.js';
import { constantValue } from './operands.js';
import type { InstructionLine } from './outline.js';

export const PARAVIRTUALIZE_KIND = `${CodeActionKind.RefactorRewrite}.paravirtualize`;
export const PARAVIRTUALIZE_FILE_KIND = `${CodeActionKind.Source}.paravirtualize`;

type PvMacro = 'irq_disable' | 'irq_enable' | 'save_fl' | 'restore_fl' | 'safe_halt';

/** What the native build of each pv_ops macro is (pvops.inc's %else branches). */
const NATIVE_BODIES: Readonly<Record<PvMacro, string[]>> = {
  irq_disable: ['cli'],
  irq_enable: ['sti'],
  save_fl: ['pushfd', 'pop eax'],
  restore_fl: ['push eax', 'popfd'],
  safe_halt: ['sti', 'hlt'],
};

interface Unit {
  /** The instruction lines replaced (consecutive apart from blank and comment lines). */
  first: InstructionLine;
  last: InstructionLine;
  /** Statements replacing them, without indentation. */
  statements: string[];
  macros: PvMacro[];
}

const PUSHF = new Set(['pushf', 'pushfd']);
const POPF = new Set(['popf', 'popfd']);

function code(file: AnalyzedFile, insn: InstructionLine): string {
  return file.outline.lines[insn.line].text.slice(insn.start, insn.end).replace(/\s+/g, ' ');
}

function operandText(insn: InstructionLine, k: number): string {
  return (insn.operands[k]?.tokens ?? []).map((t) => t.text.toLowerCase()).join('');
}

/** True when nothing but blank and comment lines separates two instructions, and no label is on the second. */
function adjacent(file: AnalyzedFile, a: InstructionLine, b: InstructionLine | undefined): b is InstructionLine {
  if (!b || b.inMacro) return false;
  for (let n = a.line + 1; n < b.line; n++) if (file.outline.lines[n].tokens.length > 0) return false;
  return !file.outline.tokens[b.line].some((t) => t.role === 'label' && t.definition);
}

function isClearIfMask(insn: InstructionLine): boolean {
  if (insn.mnemonic !== 'and' || insn.operands.length !== 2 || operandText(insn, 0) !== 'dword[esp]') return false;
  const v = constantValue(insn.operands[1].tokens);
  return v !== undefined && v >>> 0 === 0xfffffdff;
}

/** The rewrite starting at instruction `i`, if it is an interrupt-flag instruction. */
function unitAt(file: AnalyzedFile, list: InstructionLine[], i: number): Unit | undefined {
  const a = list[i];
  if (a.inMacro) return undefined;
  const b = list[i + 1];
  const c = list[i + 2];
  const m = a.mnemonic;
  const unit = (last: InstructionLine, statements: string[], macros: PvMacro[]): Unit => ({ first: a, last, statements, macros });
  if (PUSHF.has(m) && adjacent(file, a, b)) {
    if (isClearIfMask(b) && adjacent(file, b, c) && POPF.has(c.mnemonic)) return unit(c, ['irq_disable'], ['irq_disable']);
    if (b.mnemonic === 'pop' && operandText(b, 0) === 'eax') return unit(b, ['save_fl'], ['save_fl']);
  }
  if (m === 'push' && operandText(a, 0) === 'eax' && adjacent(file, a, b) && POPF.has(b.mnemonic)) return unit(b, ['restore_fl'], ['restore_fl']);
  if (m === 'sti' && adjacent(file, a, b) && b.mnemonic === 'hlt') return unit(b, ['safe_halt'], ['safe_halt']);
  if (m === 'cli') return unit(a, ['irq_disable'], ['irq_disable']);
  if (m === 'sti') return unit(a, ['irq_enable'], ['irq_enable']);
  // The flags image stays on the stack and EAX keeps its value, as with PUSHFD and POPFD.
  if (PUSHF.has(m)) return unit(a, ['push eax', 'save_fl', 'xchg eax, [esp]'], ['save_fl']);
  if (POPF.has(m)) return unit(a, ['xchg eax, [esp]', 'restore_fl', 'pop eax'], ['restore_fl']);
  return undefined;
}

export function paravirtualizationUnits(file: AnalyzedFile): Unit[] {
  const list = file.outline.instructions;
  const units: Unit[] = [];
  for (let i = 0; i < list.length; i++) {
    const u = unitAt(file, list, i);
    if (!u) continue;
    units.push(u);
    while (list[i] !== u.last) i++;
  }
  return units;
}

function indentation(file: AnalyzedFile, insn: InstructionLine): string {
  const text = file.outline.lines[insn.line].text;
  const lead = /^\s*/.exec(text)![0];
  if (lead.length === insn.start) return lead;
  // A label opens the line: indent like the other instructions of the file.
  const other = file.outline.instructions.find((x) => /^\s+\S/.test(file.outline.lines[x.line].text));
  return other ? /^\s*/.exec(file.outline.lines[other.line].text)![0] : '    ';
}

function unitEdit(file: AnalyzedFile, u: Unit): TextEdit {
  const lines = file.outline.lines;
  const indent = indentation(file, u.first);
  const firstText = lines[u.first.line].text;
  const out: string[] = [];
  const labelPart = firstText.slice(0, u.first.start).trim();
  if (labelPart !== '') out.push(firstText.slice(0, u.first.start).trimEnd());
  // The comments of the replaced lines stay, in order and at their column where there is room.
  const comments: { text: string; column: number }[] = [];
  for (let n = u.first.line; n <= u.last.line; n++) {
    const c = lines[n].comment;
    if (c && lines[n].tokens.length > 0) comments.push({ text: lines[n].text.slice(c.start), column: c.start });
  }
  u.statements.forEach((s, k) => {
    const last = k === u.statements.length - 1;
    const c = last && comments.length > k + 1 ? { text: comments.slice(k).map((x) => x.text).join(' '), column: comments[k].column } : comments[k];
    const code = `${indent}${s}`;
    out.push(c ? code.padEnd(Math.max(code.length + 1, c.column)) + c.text : code);
  });
  return { range: { start: { line: u.first.line, character: 0 }, end: { line: u.last.line, character: lines[u.last.line].text.length } }, newText: out.join('\n') };
}

// ---- bringing the macros in -------------------------------------------------------------------------

function findPvops(analysis: Analysis, file: AnalyzedFile): boolean {
  const dir = path.dirname(file.path);
  return [dir, path.join(dir, 'include'), ...analysis.settings.includePaths].some((d) => fs.existsSync(path.join(d, 'pvops.inc')));
}

function prerequisites(analysis: Analysis, file: AnalyzedFile, needed: PvMacro[]): TextEdit[] {
  const missing = [...new Set(needed)].filter((m) => !analysis.macros.hasMulti(m));
  if (missing.length === 0) return [];
  const lines = file.outline.lines;
  const lib = file.outline.includes.find((i) => path.basename(i.file).toLowerCase() === 'lib.inc');
  if (lib && findPvops(analysis, file)) {
    const edits: TextEdit[] = [{ range: range(lib.line, lines[lib.line].text.length, lines[lib.line].text.length), newText: '\n%include "pvops.inc"' }];
    if (!file.outline.macroUses.some((u) => u.name === 'PV_DATA')) {
      const data = lines.findIndex((l) => /^\s*(section|segment)\s+\.data\b/i.test(l.text));
      if (data >= 0) edits.push({ range: range(data, lines[data].text.length, lines[data].text.length), newText: '\nPV_DATA' });
      else {
        const last = lines.length - 1;
        edits.push({ range: range(last, lines[last].text.length, lines[last].text.length), newText: `${lines[last].text === '' ? '' : '\n'}section .data\nPV_DATA\n` });
      }
    }
    return edits;
  }
  const block = [
    '; pv_ops interrupt-flag operations, native versions. samples/include/pvops.inc defines these',
    '; and their Xen PV versions (which set the virtual IF in shared_info): include it to build with -D XEN.',
  ];
  for (const m of missing) block.push(`%macro ${m} 0`, ...NATIVE_BODIES[m].map((s) => `    ${s}`), '%endmacro');
  const at = Math.max(0, lines.findIndex((l) => l.tokens.length > 0));
  return [{ range: range(at, 0, 0), newText: block.join('\n') + '\n\n' }];
}

/** Insertions at the start of a replaced range become part of the replacement (edits must not overlap). */
function mergeEdits(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  const sameStart = (a: Range, b: Range) => a.start.line === b.start.line && a.start.character === b.start.character;
  const inserts = edits.filter((e) => e.range.start.line === e.range.end.line && e.range.start.character === e.range.end.character);
  const replaces = edits.filter((e) => !inserts.includes(e));
  for (const ins of inserts) {
    const target = replaces.find((r) => sameStart(r.range, ins.range));
    if (target) target.newText = ins.newText + target.newText;
    else out.push(ins);
  }
  return [...out, ...replaces];
}

// ---- actions ----------------------------------------------------------------------------------------

function allowed(kind: string, only: string[] | undefined): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

function describe(file: AnalyzedFile, u: Unit): string {
  const from: string[] = [];
  for (let n = u.first.line; n <= u.last.line; n++) {
    const insn = file.outline.instructionAt.get(n);
    if (insn) from.push(code(file, insn));
  }
  return `${from.join(' / ')} → ${u.macros.join(', ')} (pv_ops)`;
}

export function codeActions(analysis: Analysis, file: AnalyzedFile, r: Range, context: CodeActionContext): CodeAction[] {
  const units = paravirtualizationUnits(file);
  if (units.length === 0) return [];
  const only = context.only;
  const out: CodeAction[] = [];
  for (const u of units) {
    if (u.last.line < r.start.line || u.first.line > r.end.line) continue;
    const diagnostics = context.diagnostics.filter((d: Diagnostic) => d.source === LINT_SOURCE && d.range.start.line >= u.first.line && d.range.start.line <= u.last.line);
    const kind = diagnostics.length > 0 ? CodeActionKind.QuickFix : PARAVIRTUALIZE_KIND;
    if (!allowed(kind, only)) continue;
    const edits = mergeEdits([unitEdit(file, u), ...prerequisites(analysis, file, u.macros)]);
    const action: CodeAction = { title: `Paravirtualize: ${describe(file, u)}`, kind, edit: { changes: { [file.uri]: edits } } };
    if (diagnostics.length > 0) {
      action.diagnostics = diagnostics;
      action.isPreferred = true;
    }
    out.push(action);
  }
  if (allowed(PARAVIRTUALIZE_FILE_KIND, only) && (out.length > 0 || only !== undefined)) {
    const edits = mergeEdits([...units.map((u) => unitEdit(file, u)), ...prerequisites(analysis, file, units.flatMap((u) => u.macros))]);
    out.push({
      title: `Paravirtualize every interrupt-flag instruction in this file (${units.length} place${units.length === 1 ? '' : 's'})`,
      kind: PARAVIRTUALIZE_FILE_KIND,
      edit: { changes: { [file.uri]: edits } },
    });
  }
  return out;
}
