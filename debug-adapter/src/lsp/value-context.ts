// What a number (or a constant) means where it is used: an interrupt vector after `int`, an I/O
// port in `in`/`out` (or loaded into DX before one), a Xen hypercall number loaded into EAX before
// `int 0x82` or passed to a HYPERCALL macro, or named so by its constant (`__HYPERVISOR_sched_op`).
import { HYPERCALL_NAMES } from '../hypervisor/paravirt/abi.js';
import type { Analysis, AnalyzedFile } from './analysis.js';
import { constantValue } from './operands.js';
import type { InstructionLine } from './outline.js';
import { portName, vectorName } from './ports.js';

const LOOKAHEAD = 6;
const IO = new Set(['in', 'out', 'insb', 'insw', 'insd', 'outsb', 'outsw', 'outsd']);
const HYPERCALL_CONSTANT = /hypervisor|hypercall/i;
const PORT_CONSTANT = /port|com\d|uart|serial|pic|pit/i;

export function hypercallText(nr: number): string {
  const name = HYPERCALL_NAMES[nr];
  return name ? `Xen hypercall ${nr} = \`${name}\`` : `Xen hypercall ${nr} (no hypercall has this number)`;
}

export function portText(port: number): string | undefined {
  const name = portName(port);
  return name ? `I/O port 0x${port.toString(16)}: ${name}` : undefined;
}

/** Lines saying what `value`, written at (line, character) of `file`, stands for. */
export function valueUses(analysis: Analysis, file: AnalyzedFile, line: number, character: number, value: number): string[] {
  const out: string[] = [];
  const insn = file.outline.instructionAt.get(line);
  if (insn) {
    const index = insn.operands.findIndex((o) => o.start <= character && character <= o.end);
    instructionUse(analysis, file, insn, index, value, out);
  } else {
    statementUse(file, line, value, out);
  }
  return out;
}

function instructionUse(analysis: Analysis, file: AnalyzedFile, insn: InstructionLine, index: number, value: number, out: string[]): void {
  const m = insn.mnemonic;
  if (m === 'int' && index === 0) {
    const v = vectorName(value);
    if (v) out.push(`Interrupt vector 0x${value.toString(16)}: ${v}`);
    if (value === 0x82) {
      const nr = hypercallNumberBefore(analysis, file, insn);
      if (nr !== undefined) out.push(`Calls ${hypercallText(nr)} (EAX)`);
    }
    return;
  }
  if (IO.has(m) && isPortOperand(insn, index)) {
    const p = portText(value);
    if (p) out.push(p);
    return;
  }
  if (m === 'mov' && index === 1) {
    const dest = registerOf(file, insn, 0);
    if (dest === 'eax' && followedBy(file, insn, (n) => isHypercallInstruction(analysis, n))) out.push(hypercallText(value));
    if ((dest === 'dx' || dest === 'edx') && followedBy(file, insn, (n) => IO.has(n.mnemonic) && n.operands.some((_, k) => registerOf(file, n, k) === 'dx'))) {
      const p = portText(value);
      if (p) out.push(p);
    }
  }
}

/** A constant definition or a macro call: named by the constant or by the macro. */
function statementUse(file: AnalyzedFile, line: number, value: number, out: string[]): void {
  const label = file.outline.labels.find((l) => l.line === line && l.equ);
  const macroDef = file.outline.macros.find((d) => d.line === line && !d.multi);
  const name = label?.name ?? macroDef?.name;
  if (name !== undefined) {
    if (HYPERCALL_CONSTANT.test(name) && HYPERCALL_NAMES[value]) out.push(hypercallText(value));
    else if (PORT_CONSTANT.test(name)) {
      const p = portText(value);
      if (p) out.push(p);
    }
    return;
  }
  const use = file.outline.macroUses.find((u) => u.line === line);
  if (use && /hypercall/i.test(use.name)) out.push(hypercallText(value));
}

/** Whether operand `index` is the port of an IN/OUT (an immediate; DX is a register). */
function isPortOperand(insn: InstructionLine, index: number): boolean {
  if (insn.mnemonic === 'in') return index === 1;
  if (insn.mnemonic === 'out') return index === 0;
  return false;
}

function registerOf(file: AnalyzedFile, insn: InstructionLine, index: number): string | undefined {
  const op = insn.operands[index];
  if (!op || op.tokens.length !== 1 || op.tokens[0].kind !== 'id') return undefined;
  const name = op.tokens[0].text.toLowerCase();
  const role = file.outline.tokens[insn.line].find((t) => t.start === op.tokens[0].start)?.role;
  return role === 'register' ? name : undefined;
}

function isHypercallInstruction(analysis: Analysis, insn: InstructionLine): boolean {
  if (insn.mnemonic === 'vmcall') return true;
  if (insn.mnemonic !== 'int' || insn.operands.length !== 1) return false;
  return constantValue(insn.operands[0].tokens, (n) => analysis.symbols.get(n)?.value) === 0x82;
}

/** The instructions after `insn` in the same stretch of code (up to the next label), up to LOOKAHEAD. */
function followedBy(file: AnalyzedFile, insn: InstructionLine, test: (n: InstructionLine) => boolean): boolean {
  const list = file.outline.instructions;
  const at = list.indexOf(insn);
  for (let k = at + 1; k < list.length && k <= at + LOOKAHEAD; k++) {
    if (labelBetween(file, list[k - 1].line, list[k].line)) return false;
    if (test(list[k])) return true;
  }
  return false;
}

/** The value loaded into EAX shortly before an `int 0x82`. */
export function hypercallNumberBefore(analysis: Analysis, file: AnalyzedFile, insn: InstructionLine): number | undefined {
  const list = file.outline.instructions;
  const at = list.indexOf(insn);
  for (let k = at - 1; k >= 0 && k >= at - LOOKAHEAD; k--) {
    if (labelBetween(file, list[k].line, list[k + 1].line)) return undefined;
    const n = list[k];
    if (n.operands.length > 0 && registerOf(file, n, 0) === 'eax') {
      if (n.mnemonic !== 'mov' || n.operands.length !== 2) return undefined;
      return constantValue(n.operands[1].tokens, (name) => analysis.symbols.get(name)?.value);
    }
  }
  return undefined;
}

function labelBetween(file: AnalyzedFile, from: number, to: number): boolean {
  return file.outline.labels.some((l) => l.line > from && l.line <= to && !l.equ);
}
