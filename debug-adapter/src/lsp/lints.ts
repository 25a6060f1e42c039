// Virtualization lints: for every instruction of a file that the assembler actually assembled
// (so code in a false %if branch or an unused macro is not linted), what the file's technique
// does with it — a silent hole, a trap or VM exit with its modelled cost, a privileged
// instruction a paravirtualized kernel must replace — as warnings and information.
import { lookupMnemonic, type Technique } from '../isa/index.js';
import { techniqueOf, type Analysis, type AnalyzedFile } from './analysis.js';
import { instructionOfText, operandShape } from './operands.js';
import { formatCycles, judge, type Judgement } from './virtualization.js';

export type LintCode =
  | 'virtualization-hole'
  | 'trap'
  | 'callout'
  | 'vm-exit'
  | 'pv-privileged'
  | 'pv-sensitive'
  | 'unavailable'
  | 'unknown-technique';

export interface Lint {
  severity: 'warning' | 'information';
  code: LintCode;
  message: string;
  line: number;
  start: number;
  end: number;
  /** The KB mnemonic the lint is about (`popf` for `popfd`). */
  mnemonic?: string;
}

/** Instructions whose every form is innocuous under every technique need no look. */
function mayMatter(mnemonic: string): boolean {
  const e = lookupMnemonic(mnemonic);
  return e !== undefined && (e.class !== 'ordinary' || e.variants.length > 0 || e.vtx !== undefined);
}

export function lintFile(analysis: Analysis, file: AnalyzedFile): Lint[] {
  const lints: Lint[] = [];
  const directive = file.outline.technique;
  if (directive && !directive.technique) {
    lints.push({
      severity: 'warning',
      code: 'unknown-technique',
      message: `unknown technique '${directive.name}' (known: native, trap-and-emulate, binary-translation, paravirt, vt-x); the lints use ${analysis.settings.technique}`,
      line: directive.line,
      start: directive.start,
      end: Math.max(directive.end, directive.start + 1),
    });
  }
  const { technique } = techniqueOf(analysis, file);
  const lookup = (name: string) => analysis.symbols.get(name)?.value;
  const decided = new Set<number>();
  for (const entry of analysis.assembly.sourceMap) {
    if (entry.kind !== 'instruction' || entry.location.file !== file.path) continue;
    const line = entry.location.line - 1;
    if (decided.has(line)) continue;
    const insn = file.outline.instructionAt.get(line);
    if (!insn || !mayMatter(insn.mnemonic)) {
      decided.add(line);
      continue;
    }
    const parsed = instructionOfText(entry.text);
    if (!parsed) continue;
    const judgement = judge(parsed.mnemonic, parsed.operands.map((o) => operandShape(o, lookup)), technique);
    const lint = judgement && lintFor(judgement, parsed.mnemonic, technique);
    // A line inside a macro body expands with other arguments each time: keep looking there.
    if (lint) lints.push({ ...lint, line, start: insn.start, end: insn.end, mnemonic: judgement.mnemonic });
    if (lint || entry.macroStack.length === 0) decided.add(line);
  }
  return lints;
}

type LintText = Pick<Lint, 'severity' | 'code' | 'message'>;

/** The lint for one judged form, or undefined when the technique runs it as it is. */
export function lintFor(j: Judgement, written: string, technique: Technique): LintText | undefined {
  const o = j.outcome;
  switch (o.kind) {
    case 'none':
    case 'hypercall':
      return undefined;
    case 'hole':
      return holeLint(j, written);
    case 'trap': {
      const iopl = j.classification.class === 'iopl-sensitive' ? ' with IOPL 0' : '';
      return {
        severity: 'information',
        code: 'trap',
        message: `${written} traps to the VMM under trap-and-emulate (#GP at ring 1${iopl}) and is emulated — about ${formatCycles(o.cost.cycles)} each time (${o.cost.parts}).`,
      };
    }
    case 'callout': {
      const fixes = j.classification.class === 'sensitive-unprivileged' ? ' This closes the hole it leaves under trap-and-emulate.' : '';
      return {
        severity: 'information',
        code: 'callout',
        message: `${written} is rewritten into a callout to the VMM under binary-translation — about ${formatCycles(o.cost.cycles)} each time (${o.cost.parts}).${fixes}`,
      };
    }
    case 'vm-exit':
      if (o.reason === 'TASK_SWITCH') return undefined;
      return {
        severity: 'information',
        code: 'vm-exit',
        message: o.always
          ? `${written} always causes a VM exit (${o.reason}) under vt-x — about ${formatCycles(o.cost.cycles)} each time (${o.cost.parts}).`
          : `${written} can cause a VM exit (${o.reason}) under vt-x: ${o.condition} — about ${formatCycles(o.cost.cycles)} each time it does (${o.cost.parts}).`,
      };
    case 'pv-replace':
      return pvLint(j, written, o.replacement, o.faults);
    case 'unavailable':
      return { severity: 'warning', code: 'unavailable', message: `${written} under ${technique}: ${j.behaviour}` };
  }
}

function holeLint(j: Judgement, written: string): LintText {
  const m = j.mnemonic;
  if (m === 'popf') {
    return {
      severity: 'warning',
      code: 'virtualization-hole',
      message: `${written}: IF changes are silently ignored at ring 1 — sensitive but not privileged, so under trap-and-emulate it never traps and the VMM cannot emulate it (the guest believes interrupts are off while they stay on). Paravirtualize it (restore_fl / irq_disable), or run under binary-translation or vt-x.`,
    };
  }
  if (m === 'pushf') {
    return {
      severity: 'warning',
      code: 'virtualization-hole',
      message: `${written}: pushes the real IF and IOPL (the VMM's), not the guest's virtual ones — sensitive but not privileged, so under trap-and-emulate it never traps. Paravirtualize it (save_fl), or run under binary-translation or vt-x.`,
    };
  }
  // INT n does reach the VMM (the real IDT is its own); only its gate checks differ.
  return {
    severity: m === 'int' ? 'information' : 'warning',
    code: 'virtualization-hole',
    message: `${written} is sensitive but not privileged under trap-and-emulate: ${j.behaviour}`,
  };
}

function pvLint(j: Judgement, written: string, replacement: string | undefined, faults: boolean): LintText {
  if (faults) {
    const use = replacement ? `use ${replacement} instead.` : `use the Xen hypercall instead: ${j.behaviour}`;
    return {
      severity: 'warning',
      code: 'pv-privileged',
      message: `${written} is privileged: under paravirt the kernel is a Xen PV guest in ring 1, where it faults to Xen — ${use}`,
    };
  }
  const effect =
    j.mnemonic === 'popf'
      ? 'IF changes are silently ignored'
      : j.mnemonic === 'pushf'
        ? 'it pushes the real IF, not the virtual one (evtchn_upcall_mask)'
        : 'it misbehaves without faulting';
  const use = replacement ? `use ${replacement} instead.` : j.behaviour;
  return {
    severity: 'warning',
    code: 'pv-sensitive',
    message: `${written} is sensitive but not privileged: under paravirt the kernel is a Xen PV guest in ring 1, where ${effect} — ${use}`,
  };
}
