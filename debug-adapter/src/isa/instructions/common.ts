// Shared pieces for writing table entries: the entry constructor, flag sets and the technique
// texts of innocuous instructions.
import type {
  Flag,
  FlagEffects,
  Group,
  IcedMnemonicName,
  InstructionEntry,
  NasmSyntax,
  Privilege,
  TechniqueTexts,
  Variant,
  VirtClass,
  VtxExit,
} from '../types.js';

interface SpecCommon {
  mnemonic: string;
  aliases?: readonly string[];
  icedMnemonics: readonly IcedMnemonicName[];
  group: Group;
  variants?: readonly Variant[];
  summary: string;
  description: string;
  example: string;
  flags?: FlagEffects;
  privilege?: Privilege;
  vtx?: VtxExit;
  syntax?: NasmSyntax;
}

/** Ordinary entries may use the shared texts; every other class must say why and what each technique does. */
export type EntrySpec =
  | (SpecCommon & { class: 'ordinary'; why?: string; techniques?: TechniqueTexts })
  | (SpecCommon & { class: Exclude<VirtClass, 'ordinary'>; why: string; techniques: TechniqueTexts });

export function define(spec: EntrySpec): InstructionEntry {
  return {
    ...spec,
    aliases: spec.aliases ?? [],
    variants: spec.variants ?? [],
    flags: spec.flags ?? NO_FLAGS,
    privilege: spec.privilege ?? UNPRIVILEGED,
    techniques: spec.techniques ?? RUNS_NATIVELY,
  };
}

export const NO_FLAGS: FlagEffects = { read: [], written: [] };

/** The six arithmetic status flags. */
export const STATUS: readonly Flag[] = ['CF', 'PF', 'AF', 'ZF', 'SF', 'OF'];

/** Every EFLAGS field POPF/IRET can change at CPL 0 in protected mode (VM, VIF, VIP excluded). */
export const POPF_FLAGS: readonly Flag[] = [...STATUS, 'TF', 'IF', 'DF', 'IOPL', 'NT', 'AC', 'ID'];

export const UNPRIVILEGED: Privilege = { cpl0: false, iopl: false };
export const CPL0: Privilege = { cpl0: true, iopl: false };
export const IOPL_CHECKED: Privilege = { cpl0: false, iopl: true };

/** Technique texts of an innocuous instruction. */
export const RUNS_NATIVELY: TechniqueTexts = {
  'trap-and-emulate':
    'Runs directly on the CPU in the de-privileged guest kernel; its result does not depend on the ring, so the VMM never sees it.',
  'binary-translation': 'Copied unchanged into the translation cache (an innocuous instruction).',
  paravirt: 'Used unchanged by the paravirtualized kernel.',
  'vt-x': 'Runs natively in VMX non-root operation; no VM exit.',
};

/** Technique texts of near control transfers (the translator must rewrite control flow). */
export const NEAR_BRANCH: TechniqueTexts = {
  'trap-and-emulate': 'Runs directly; a near transfer stays in the same segment and ring, so the VMM never sees it.',
  'binary-translation':
    'Ends a translated block: a direct target is translated as well and the branch chained to its translation; an indirect target is looked up in the translation cache at run time.',
  paravirt: 'Used unchanged by the paravirtualized kernel.',
  'vt-x': 'Runs natively in VMX non-root operation; no VM exit.',
};

/** What bare metal does, by class (the `native` technique). */
export const NATIVE_BY_CLASS: Readonly<Record<VirtClass, string>> = {
  ordinary: 'Executes on the bare CPU; there is no VMM.',
  privileged:
    'The kernel runs at ring 0 on bare metal, so the instruction takes full effect; user code at CPL > 0 gets #GP(0).',
  'iopl-sensitive':
    'Executes when CPL ≤ IOPL (the ring-0 kernel always qualifies); otherwise #GP(0), or for IN/OUT/INS/OUTS the TSS I/O bitmap decides.',
  'sensitive-unprivileged':
    'The kernel runs at ring 0 on bare metal, so the instruction sees and changes the real state it expects.',
  hypercall: 'There is no hypervisor: the instruction raises #UD (or, for `int 0x82`, goes through IDT vector 0x82).',
  vmx: 'Manages VMX operation on the bare CPU when CR4.VMXE is set and the CPU supports VT-x; otherwise #UD.',
  svm: 'Manages SVM on the bare CPU when EFER.SVME is set on an AMD-V CPU; otherwise #UD.',
};
