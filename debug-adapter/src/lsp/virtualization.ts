// What each technique does with an instruction form, in the words the lints and hovers use:
// the event it causes (trap, callout, VM exit, a silent hole, a fault in a PV kernel), its
// modelled cost from the hypervisor's cost model, and for paravirtualized kernels the pv_ops
// macro or Xen hypercall to use instead. The texts about each instruction come from the isa
// knowledge base; this module only adds the costs and the paravirt replacements.
import { DEFAULT_COSTS } from '../hypervisor/cost-model.js';
import { HYPERCALL_NAMES } from '../hypervisor/paravirt/abi.js';
import { classify, PV_HARMLESS_SENSITIVE, pvReplacement, techniqueBehaviour, vtxExit, type Classification, type OperandShape, type Technique } from '../isa/index.js';

export interface Cost {
  cycles: number;
  /** How the figure is made up, e.g. `trap round trip 400 + emulation 200`. */
  parts: string;
}

export type Outcome =
  | { kind: 'none' }
  /** Faults to the trap-and-emulate VMM, which emulates it. */
  | { kind: 'trap'; cost: Cost }
  /** Misbehaves silently: sensitive but not privileged, and the VMM never sees it. */
  | { kind: 'hole' }
  /** Rewritten by the binary translator into a call into the VMM. */
  | { kind: 'callout'; cost: Cost }
  /** A VT-x VM exit, always or under a control. */
  | { kind: 'vm-exit'; reason: string; condition: string; always: boolean; cost: Cost }
  /** An instruction a paravirtualized kernel must not use (it faults to Xen or misbehaves in ring 1). */
  | { kind: 'pv-replace'; replacement: string | undefined; faults: boolean }
  /** A Xen PV hypercall (`int 0x82` under paravirt). */
  | { kind: 'hypercall'; cost: Cost }
  /** Not available under the technique: #UD or no hypervisor to call. */
  | { kind: 'unavailable' };

const fmt = (n: number): string => n.toLocaleString('en-US');

export function formatCycles(n: number): string {
  return `${fmt(n)} cycle${n === 1 ? '' : 's'}`;
}

function cost(parts: [string, number][]): Cost {
  return { cycles: parts.reduce((s, [, n]) => s + n, 0), parts: parts.map(([name, n]) => `${name} ${fmt(n)}`).join(' + ') };
}

export function trapCost(mnemonic: string): Cost {
  const parts: [string, number][] = [['trap round trip', DEFAULT_COSTS.trapRoundTrip], ['emulation', DEFAULT_COSTS.emulateInstruction]];
  // An instruction VT-x reports as an I/O exit reaches the VMM's device model.
  if (vtxExit(mnemonic)?.exitReason === 'IO_INSTRUCTION') parts.push(['device model', DEFAULT_COSTS.deviceAccess]);
  return cost(parts);
}

export function calloutCost(): Cost {
  return cost([['callout', DEFAULT_COSTS.calloutRoundTrip], ['emulation', DEFAULT_COSTS.emulateInstruction]]);
}

export function vmExitCost(reason: string): Cost {
  const handling: [string, number] = reason === 'IO_INSTRUCTION' ? ['device model', DEFAULT_COSTS.deviceAccess] : ['handling', DEFAULT_COSTS.emulateInstruction];
  return cost([['exit/entry round trip', DEFAULT_COSTS.vmexitRoundTrip], handling]);
}

export function hypercallCost(): Cost {
  return cost([['hypercall round trip', DEFAULT_COSTS.hypercallRoundTrip]]);
}

const HYPERCALL_NUMBERS = new Map(Object.entries(HYPERCALL_NAMES).map(([n, name]) => [name, Number(n)]));

/** `set_gdt (hypercall 2)`. */
export function hypercall(name: string): string {
  const n = HYPERCALL_NUMBERS.get(name);
  return n === undefined ? name : `${name} (hypercall ${n})`;
}

/** The knowledge base's PV replacement, with its hypercalls numbered. */
function pvReplacementText(mnemonic: string, operands: readonly OperandShape[]): string | undefined {
  return pvReplacement(mnemonic, operands)?.replace(/\{(\w+)\}/g, (_, name: string) => hypercall(name));
}

export interface Judgement {
  classification: Classification;
  /** The KB's canonical mnemonic (`popfd` → `popf`). */
  mnemonic: string;
  outcome: Outcome;
  /** The knowledge base's text for this technique. */
  behaviour: string;
}

/** What `technique` does with the form; undefined for an unknown mnemonic. */
export function judge(mnemonic: string, operands: readonly OperandShape[], technique: Technique): Judgement | undefined {
  const classification = classify(mnemonic, operands);
  if (!classification) return undefined;
  const canonical = classification.entry.mnemonic;
  const behaviour = techniqueBehaviour(mnemonic, technique, operands) ?? '';
  const cls = classification.class;
  const judgement = (outcome: Outcome): Judgement => ({ classification, mnemonic: canonical, outcome, behaviour });
  if (cls === 'vmx' || cls === 'svm') return judgement(technique === 'native' ? { kind: 'none' } : { kind: 'unavailable' });
  if (cls === 'hypercall') {
    // `int 0x82` is Xen PV's; VMCALL is VT-x's; this project has no AMD-V technique for VMMCALL.
    if (canonical === 'int') return judgement(technique === 'paravirt' ? { kind: 'hypercall', cost: hypercallCost() } : technique === 'native' ? { kind: 'none' } : { kind: 'unavailable' });
    if (canonical === 'vmcall' && technique === 'vt-x') return judgement(exitOutcome(mnemonic, operands));
    return judgement({ kind: 'unavailable' });
  }
  switch (technique) {
    case 'native':
      return judgement({ kind: 'none' });
    case 'trap-and-emulate':
      if (cls === 'privileged' || cls === 'iopl-sensitive') return judgement({ kind: 'trap', cost: trapCost(canonical) });
      if (cls === 'sensitive-unprivileged') return judgement({ kind: 'hole' });
      return judgement({ kind: 'none' });
    case 'binary-translation':
      return judgement(cls === 'ordinary' ? { kind: 'none' } : { kind: 'callout', cost: calloutCost() });
    case 'paravirt':
      if (cls === 'privileged' || cls === 'iopl-sensitive') return judgement({ kind: 'pv-replace', replacement: pvReplacementText(canonical, operands), faults: true });
      if (cls === 'sensitive-unprivileged' && !PV_HARMLESS_SENSITIVE.has(canonical)) return judgement({ kind: 'pv-replace', replacement: pvReplacementText(canonical, operands), faults: false });
      return judgement({ kind: 'none' });
    case 'vt-x':
      return judgement(exitOutcome(mnemonic, operands));
  }
}

function exitOutcome(mnemonic: string, operands: readonly OperandShape[]): Outcome {
  const exit = vtxExit(mnemonic, operands);
  if (!exit) return { kind: 'none' };
  const always = exit.condition.startsWith('always');
  return { kind: 'vm-exit', reason: exit.exitReason, condition: exit.condition, always, cost: vmExitCost(exit.exitReason) };
}

const CLASS_HEADLINES: Readonly<Record<Classification['class'], string>> = {
  ordinary: '**Innocuous** — the same at every privilege level; no VMM needs to see it.',
  privileged: '**Privileged** — it faults (#GP) outside ring 0, so a de-privileged guest kernel traps to the VMM.',
  'iopl-sensitive': '**IOPL-sensitive** — it faults when CPL > IOPL, so a guest kernel de-privileged with IOPL 0 traps to the VMM.',
  'sensitive-unprivileged':
    '**Sensitive but not privileged** — it reads or changes privileged state without trapping, so a trap-and-emulate VMM never sees it (one of the x86 virtualization holes).',
  hypercall: '**Hypercall** — an explicit call from the guest to the hypervisor.',
  vmx: '**VMX instruction** — manages Intel VT-x; a guest without nested virtualization gets #UD.',
  svm: '**SVM instruction** — manages AMD-V; a guest without nested virtualization gets #UD.',
};

export function classHeadline(cls: Classification['class']): string {
  return CLASS_HEADLINES[cls];
}
