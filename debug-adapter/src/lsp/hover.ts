// Hovers: an instruction's documentation from the knowledge base with what the file's technique
// does with it (and what it costs); labels (address, size, section, references); registers;
// numbers in hex, decimal and binary with what they mean where they are used (vector, I/O port,
// Xen hypercall); macros (their definition); directives and keywords.
import * as path from 'node:path';
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import { parseNumber } from '../asm/lexer.js';
import { lookupMnemonic, lookupPrefix, markdownDoc, registerClass, type OperandShape } from '../isa/index.js';
import { techniqueOf, type Analysis, type AnalyzedFile } from './analysis.js';
import { range, tokenAt, tokenText } from './cursor.js';
import { operandShape } from './operands.js';
import type { OutlineToken } from './outline.js';
import { registerDoc } from './registers.js';
import { referencesTo } from './symbols.js';
import { hypercallNumberBefore, hypercallText, valueUses } from './value-context.js';
import { classHeadline, formatCycles, judge, type Outcome } from './virtualization.js';
import { DIRECTIVE_DOCS, OPERAND_KEYWORD_DOCS, PREPROCESSOR_DOCS, STANDARD_MACRO_DOCS } from './vocabulary.js';

export function hover(analysis: Analysis, file: AnalyzedFile, pos: Position): Hover | null {
  const tok = tokenAt(file, pos);
  if (!tok) return null;
  const text = tokenText(file, pos.line, tok);
  const value = ((): string | undefined => {
    switch (tok.role) {
      case 'mnemonic':
        return instructionHover(analysis, file, pos.line, text);
      case 'prefix': {
        const p = lookupPrefix(text);
        return p && `**${p.name}** — ${p.summary}\n\n${p.description}`;
      }
      case 'register':
        return registerHover(analysis, file, text);
      case 'number':
        return numberHover(analysis, file, pos.line, tok, text);
      case 'label':
        return tok.name === undefined ? undefined : labelHover(analysis, file, tok.name);
      case 'macro':
        return macroHover(analysis, tok.name ?? text);
      case 'directive':
      case 'keyword':
      case 'preprocessor':
        return keywordHover(text);
      default:
        return undefined;
    }
  })();
  return value ? { contents: { kind: MarkupKind.Markdown, value }, range: range(pos.line, tok.start, tok.end) } : null;
}

function shapesAt(analysis: Analysis, file: AnalyzedFile, line: number): OperandShape[] {
  const insn = file.outline.instructionAt.get(line);
  return insn ? insn.operands.map((o) => operandShape(o, (n) => analysis.symbols.get(n)?.value)) : [];
}

function instructionHover(analysis: Analysis, file: AnalyzedFile, line: number, written: string): string | undefined {
  const entry = lookupMnemonic(written);
  if (!entry) return undefined;
  const shapes = shapesAt(analysis, file, line);
  const { technique, from } = techniqueOf(analysis, file);
  const j = judge(written, shapes, technique);
  if (!j) return undefined;
  const source = from === 'comment' ? "this file's `; hyperstep: technique=` comment" : 'the `hyperstep.technique` setting';
  const [title, ...doc] = markdownDoc(entry, shapes).split('\n');
  const parts = [title, '', classHeadline(j.classification.class), '', `**Under ${technique}** (${source}): ${j.behaviour}${outcomeSentence(j.outcome)}`];
  const insn = file.outline.instructionAt.get(line);
  if (insn && j.classification.class === 'hypercall' && j.mnemonic === 'int') {
    const nr = hypercallNumberBefore(analysis, file, insn);
    if (nr !== undefined) parts.push('', `Calls ${hypercallText(nr)} (EAX).`);
  }
  parts.push('', '---', ...doc);
  return parts.join('\n');
}

function outcomeSentence(o: Outcome): string {
  switch (o.kind) {
    case 'trap':
      return ` Traps to the VMM: about ${formatCycles(o.cost.cycles)} each time (${o.cost.parts}).`;
    case 'hole':
      return '';
    case 'callout':
      return ` A callout: about ${formatCycles(o.cost.cycles)} each time (${o.cost.parts}).`;
    case 'vm-exit':
      return ` VM exit \`${o.reason}\` (${o.condition}): about ${formatCycles(o.cost.cycles)} each time (${o.cost.parts}).`;
    case 'pv-replace':
      return o.replacement ? ` In a PV kernel use ${o.replacement}.` : '';
    case 'hypercall':
      return ` A hypercall: about ${formatCycles(o.cost.cycles)} (${o.cost.parts}).`;
    default:
      return '';
  }
}

function registerHover(analysis: Analysis, file: AnalyzedFile, written: string): string | undefined {
  const name = written.toLowerCase();
  const doc = registerDoc(name);
  if (!doc) return undefined;
  const lines = [doc];
  const cls = registerClass(name);
  if (cls === 'cr' || cls === 'dr' || cls === 'sreg') {
    // How a technique treats MOV with this register, as the knowledge base says.
    const { technique } = techniqueOf(analysis, file);
    const j = judge('mov', [{ kind: 'reg', name: cls === 'sreg' ? 'ax' : 'eax' }, { kind: 'reg', name }], technique);
    if (j && j.classification.variant) {
      lines.push('', `\`${j.classification.variant.form}\` is **${j.classification.class}**: ${j.classification.why}`);
      lines.push('', `**Under ${technique}:** ${j.behaviour}${outcomeSentence(j.outcome)}`);
    }
  }
  return lines.join('\n');
}

/** `0x82 = 130 = 0b1000_0010`, with the signed and character readings where they apply. */
export function formatValue(value: bigint): string {
  const hex = value < 0n ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
  const bin = value < 0n ? '' : ` = \`0b${groupBits(value.toString(2))}\``;
  const extra: string[] = [];
  if (value >= 0x80000000n && value <= 0xffffffffn) extra.push(`${BigInt.asIntN(32, value)} as a signed dword`);
  if (value >= 0x20n && value <= 0x7en) extra.push(`'${String.fromCharCode(Number(value))}'`);
  return `\`${hex}\` = \`${value.toString(10)}\`${bin}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
}

function groupBits(bits: string): string {
  const out: string[] = [];
  for (let i = bits.length; i > 0; i -= 4) out.unshift(bits.slice(Math.max(0, i - 4), i));
  return out.join('_');
}

function numberHover(analysis: Analysis, file: AnalyzedFile, line: number, tok: OutlineToken, text: string): string | undefined {
  let value: bigint;
  try {
    value = parseNumber(text);
  } catch {
    return undefined;
  }
  const lines = [formatValue(value)];
  if (value <= BigInt(Number.MAX_SAFE_INTEGER)) for (const use of valueUses(analysis, file, line, tok.start, Number(value))) lines.push('', use);
  return lines.join('\n');
}

function labelHover(analysis: Analysis, file: AnalyzedFile, name: string): string | undefined {
  const sym = analysis.symbols.get(name);
  const defs = [...analysis.files.values()].flatMap((f) => f.outline.labels.filter((l) => l.name === name).map((l) => ({ f, l })));
  const refs = referencesTo(analysis, name, false).length;
  const refText = `${refs} reference${refs === 1 ? '' : 's'}`;
  const lines: string[] = [];
  if (sym && sym.kind === 'equ') {
    lines.push(`**${name}** — constant (EQU) ${formatValue(BigInt(sym.value))}`);
    const def = defs[0];
    if (def) for (const use of valueUses(analysis, def.f, def.l.line, def.l.end + 1, sym.value)) lines.push('', use);
  } else if (sym) {
    const kind = sym.kind === 'local-label' ? 'local label' : sym.kind === 'macro-label' ? 'label (from a macro)' : 'label';
    const size = `${sym.size} byte${sym.size === 1 ? '' : 's'}`;
    lines.push(`**${name}** — ${kind} at \`0x${(sym.value >>> 0).toString(16).padStart(8, '0')}\` in \`${sym.section || '(absolute)'}\`, ${size}`);
  } else if (defs.length > 0) {
    lines.push(`**${name}** — label (not defined in this build: its definition is in a part that is not assembled)`);
  } else {
    lines.push(`**${name}** — not defined`);
  }
  const where = sym ? `${path.basename(sym.location.file)}:${sym.location.line}` : defs[0] ? `${path.basename(defs[0].f.path)}:${defs[0].l.line + 1}` : undefined;
  lines.push('', where ? `Defined at ${where} · ${refText}` : refText);
  if (file.path !== analysis.main.path) lines.push('', `(as assembled from ${path.basename(analysis.main.path)})`);
  return lines.join('\n');
}

function macroHover(analysis: Analysis, name: string): string | undefined {
  const found = analysis.macros.find(name);
  if (found.length === 0) return `**${name}** — predefined or command-line macro`;
  const { def, file } = found[found.length - 1];
  const f = analysis.files.get(file);
  const where = `${path.basename(file)}:${def.line + 1}`;
  const lines: string[] = [];
  if (def.multi) {
    const count = def.params === '' ? '0' : def.params;
    lines.push(`**${def.name}** — multi-line macro (${count} parameter${count === '1' ? '' : 's'}), ${where}`);
  } else {
    lines.push(`**${def.name}${def.params}** — single-line macro, ${where}`);
  }
  if (f) {
    const comments = precedingComments(f, def.line);
    if (comments.length > 0) lines.push('', comments.join('\n'));
    const last = def.multi ? Math.min(def.endLine, def.line + 16) : def.line;
    const body = f.outline.lines.slice(def.line, last + 1).map((l) => l.text);
    if (def.multi && last < def.endLine) body.push('    ...');
    lines.push('', '```nasm', ...body, '```');
  }
  return lines.join('\n');
}

function precedingComments(f: AnalyzedFile, line: number): string[] {
  const out: string[] = [];
  for (let n = line - 1; n >= 0 && out.length < 8; n--) {
    const l = f.outline.lines[n];
    if (l.tokens.length > 0 || !l.comment) break;
    out.unshift(l.text.slice(l.comment.start).replace(/^;+\s?/, ''));
  }
  return out;
}

function keywordHover(text: string): string | undefined {
  const w = text.toLowerCase().replace(/^%/, '');
  const doc = DIRECTIVE_DOCS[w] ?? STANDARD_MACRO_DOCS[w] ?? OPERAND_KEYWORD_DOCS[w] ?? (text.startsWith('%') ? (PREPROCESSOR_DOCS[w] ?? PREPROCESSOR_DOCS[w.replace(/^(el)?if/, 'if')]) : undefined);
  return doc && `**${text}** — ${doc}`;
}
