// Scope names of the guest-asm TextMate grammar and the semantic token types the language server
// emits, in one place: the grammar generator, package.json's contributions (checked by a test) and
// the server all read them from here.
//
// Instruction scopes are chosen so that VS Code's default themes colour the classes apart without
// any setting. Dark Modern and Light Modern add no token colours of their own: they include
// Dark+ / Light+ (dark_plus.json, light_plus.json), which include dark_vs.json / light_vs.json.
// The newer Dark 2026 / Light 2026 include Dark/Light Modern and recolour `keyword` and `support`,
// but the more specific Dark+/Light+ rules below still win there. The rules that decide:
//
//   scope prefix       Dark Modern   Light Modern   Dark 2026   Light 2026   used for
//   keyword            #569CD6       #0000FF        #FF7B72     #CF222E      ordinary instructions
//   keyword.control    #C586C0       #AF00DB        #C586C0     #AF00DB      sensitive-unprivileged
//   support.type       #4EC9B0       #267F99        #4EC9B0     #267F99      privileged, IOPL-sensitive
//   support.class      #4EC9B0       #267F99        #4EC9B0     #267F99      VMX / SVM
//   support.function   #DCDCAA       #795E26        #DCDCAA     #795E26      hypercalls
//
// keyword.control is the only keyword scope those themes colour apart from plain keywords, so it
// is kept for the sensitive class alone: ordinary branches (jmp, call, ret) stay keyword.other,
// and no directive or preprocessor scope uses keyword.control. Privileged instructions take the
// support.type colour, which nothing else in this grammar uses. `invalid.*` (red) is avoided on
// purpose: a sensitive instruction is legal code, and tests reject `invalid` scopes in samples.
// test/grammar/themes.test.ts resolves these colours with vscode-textmate.
import type { RegisterClass, VirtClass } from '../isa/index.js';

export const LANGUAGE_ID = 'guest-asm';
export const SCOPE_NAME = 'source.guest-asm';

/**
 * Scope of an instruction token by virtualization class. The segments `.ordinary`, `.sensitive`,
 * `.privileged`, `.hypercall` and `.vmx` are the contract for themes and checks; IOPL-sensitive
 * instructions (CLI, STI, IN, OUT, INS, OUTS) fault at CPL > IOPL, which is where a de-privileged
 * guest kernel runs, so they are `.privileged.iopl`; AMD-V's instructions are `.vmx.svm`.
 */
export const INSTRUCTION_SCOPES: Readonly<Record<VirtClass, string>> = {
  ordinary: 'keyword.other.instruction.ordinary.guest-asm',
  'sensitive-unprivileged': 'keyword.control.instruction.sensitive.guest-asm',
  privileged: 'support.type.instruction.privileged.guest-asm',
  'iopl-sensitive': 'support.type.instruction.privileged.iopl.guest-asm',
  hypercall: 'support.function.instruction.hypercall.guest-asm',
  vmx: 'support.class.instruction.vmx.guest-asm',
  svm: 'support.class.instruction.vmx.svm.guest-asm',
};

export type SemanticTokenTypeId =
  | 'instruction'
  | 'sensitiveInstruction'
  | 'privilegedInstruction'
  | 'hypercallInstruction'
  | 'vmxInstruction';

export interface SemanticTokenTypeContribution {
  readonly id: SemanticTokenTypeId;
  readonly superType: 'keyword';
  readonly description: string;
  /** The TextMate scope the type is coloured as (contributes.semanticTokenScopes). */
  readonly scope: string;
}

/** Custom semantic token types; package.json's contributes.semanticTokenTypes/Scopes must match. */
export const SEMANTIC_TOKEN_TYPES: readonly SemanticTokenTypeContribution[] = [
  {
    id: 'instruction',
    superType: 'keyword',
    description: 'An innocuous x86 instruction: same behaviour at every privilege level.',
    scope: INSTRUCTION_SCOPES.ordinary,
  },
  {
    id: 'sensitiveInstruction',
    superType: 'keyword',
    description: 'A sensitive but unprivileged x86 instruction (Robin & Irvine): reads or changes privileged state without trapping.',
    scope: INSTRUCTION_SCOPES['sensitive-unprivileged'],
  },
  {
    id: 'privilegedInstruction',
    superType: 'keyword',
    description: 'A privileged (or IOPL-sensitive) x86 instruction: traps when a de-privileged guest kernel executes it.',
    scope: INSTRUCTION_SCOPES.privileged,
  },
  {
    id: 'hypercallInstruction',
    superType: 'keyword',
    description: 'A call from the guest to the hypervisor (VMCALL, VMMCALL, Xen PV int 0x82).',
    scope: INSTRUCTION_SCOPES.hypercall,
  },
  {
    id: 'vmxInstruction',
    superType: 'keyword',
    description: 'A hardware-virtualization management instruction (Intel VT-x, AMD-V).',
    scope: INSTRUCTION_SCOPES.vmx,
  },
];

/** The semantic token type for each class (the language server's mapping). */
export const SEMANTIC_TOKEN_TYPE_OF_CLASS: Readonly<Record<VirtClass, SemanticTokenTypeId>> = {
  ordinary: 'instruction',
  'sensitive-unprivileged': 'sensitiveInstruction',
  privileged: 'privilegedInstruction',
  'iopl-sensitive': 'privilegedInstruction',
  hypercall: 'hypercallInstruction',
  vmx: 'vmxInstruction',
  svm: 'vmxInstruction',
};

/** Register scopes by kind; the 8/16/32-bit general registers share one. */
export const REGISTER_SCOPES: Readonly<Record<RegisterClass, string>> = {
  gpr8: 'variable.other.register.general.guest-asm',
  gpr16: 'variable.other.register.general.guest-asm',
  gpr32: 'variable.other.register.general.guest-asm',
  sreg: 'variable.other.register.segment.guest-asm',
  cr: 'variable.other.register.control.guest-asm',
  dr: 'variable.other.register.debug.guest-asm',
  tr: 'variable.other.register.test.guest-asm',
};
