// Shapes of the instruction knowledge base. The table lives in instructions/*.ts; lookups in index.ts.
import type { Mnemonic } from 'iced-x86';
import type { VtxExitReasonName } from './vtx-exits.js';

/**
 * Virtualization class of an instruction (Popek & Goldberg / Robin & Irvine vocabulary):
 * - ordinary: innocuous; same behaviour at every privilege level, touches no privileged state;
 * - privileged: needs CPL 0 and faults (#GP) elsewhere, so a de-privileged kernel traps;
 * - iopl-sensitive: faults only when CPL > IOPL (CLI, STI, IN, OUT, INS, OUTS);
 * - sensitive-unprivileged: reads or changes privileged state without faulting (the x86 holes);
 * - hypercall: an explicit call from guest to hypervisor (VMCALL, VMMCALL, Xen PV `int 0x82`);
 * - vmx / svm: the hardware-virtualization management instructions of Intel VT-x / AMD-V.
 */
export type VirtClass =
  | 'ordinary'
  | 'privileged'
  | 'iopl-sensitive'
  | 'sensitive-unprivileged'
  | 'hypercall'
  | 'vmx'
  | 'svm';

export const VIRT_CLASSES: readonly VirtClass[] = [
  'ordinary',
  'privileged',
  'iopl-sensitive',
  'sensitive-unprivileged',
  'hypercall',
  'vmx',
  'svm',
];

export type Technique = 'native' | 'trap-and-emulate' | 'binary-translation' | 'paravirt' | 'vt-x';

export const TECHNIQUES: readonly Technique[] = [
  'native',
  'trap-and-emulate',
  'binary-translation',
  'paravirt',
  'vt-x',
];

/** The techniques that put a VMM under the guest (everything but bare metal). */
export type VmmTechnique = Exclude<Technique, 'native'>;

export const VMM_TECHNIQUES: readonly VmmTechnique[] = [
  'trap-and-emulate',
  'binary-translation',
  'paravirt',
  'vt-x',
];

/** EFLAGS fields. IOPL is the two-bit field 13:12. */
export type Flag =
  | 'CF' | 'PF' | 'AF' | 'ZF' | 'SF' | 'TF' | 'IF' | 'DF' | 'OF'
  | 'IOPL' | 'NT' | 'RF' | 'VM' | 'AC' | 'VIF' | 'VIP' | 'ID';

/** Bit mask of each EFLAGS field, in EFLAGS bit order. */
export const FLAG_MASKS: Readonly<Record<Flag, number>> = {
  CF: 1 << 0,
  PF: 1 << 2,
  AF: 1 << 4,
  ZF: 1 << 6,
  SF: 1 << 7,
  TF: 1 << 8,
  IF: 1 << 9,
  DF: 1 << 10,
  OF: 1 << 11,
  IOPL: 3 << 12,
  NT: 1 << 14,
  RF: 1 << 16,
  VM: 1 << 17,
  AC: 1 << 18,
  VIF: 1 << 19,
  VIP: 1 << 20,
  ID: 1 << 21,
};

export const FLAGS: readonly Flag[] = Object.keys(FLAG_MASKS) as Flag[];

export interface FlagEffects {
  /** Flags whose value the instruction uses. */
  readonly read: readonly Flag[];
  /** Flags given a defined value (computed, cleared or set). */
  readonly written: readonly Flag[];
  /** Flags left architecturally undefined. */
  readonly undefined?: readonly Flag[];
}

/** Families, for grouping in docs and the grammar. */
export type Group =
  | 'arith'
  | 'logic'
  | 'shift'
  | 'bit'
  | 'bcd'
  | 'atomic'
  | 'transfer'
  | 'convert'
  | 'segment'
  | 'stack'
  | 'string'
  | 'control'
  | 'condition'
  | 'flags'
  | 'io'
  | 'system'
  | 'cache'
  | 'msr'
  | 'misc'
  | 'vmx'
  | 'svm';

/** Register classes an operand pattern can name. `tr` are the 386/486 test registers TR3–TR7. */
export type RegisterClass = 'gpr8' | 'gpr16' | 'gpr32' | 'sreg' | 'cr' | 'dr' | 'tr';

/**
 * What a caller knows about one written operand (as in NASM source order).
 * - reg: a register, lowercase name (`eax`, `cs`, `cr0`, `dr7`);
 * - imm: an immediate or a near branch target, with its value when known;
 * - mem: a memory operand;
 * - far: a far pointer — `seg:offset` immediate (`jmp 0x08:start`) or `far [mem]`.
 * Implicit operands (string instructions, `xlatb`) are not listed.
 */
export type OperandShape =
  | { readonly kind: 'reg'; readonly name: string }
  | { readonly kind: 'imm'; readonly value?: number }
  | { readonly kind: 'mem' }
  | { readonly kind: 'far' };

/** A pattern over one operand; every given field must match. */
export type OperandPattern =
  | { readonly kind: 'reg'; readonly class?: RegisterClass; readonly name?: string }
  | { readonly kind: 'imm'; readonly value?: number }
  | { readonly kind: 'mem' }
  | { readonly kind: 'far' };

export interface Privilege {
  /** Faults unless CPL is 0 (with #GP(0); MONITOR/MWAIT with #UD). */
  readonly cpl0: boolean;
  /** Faults with #GP(0) when CPL > IOPL (protected mode; in virtual-8086 mode also when IOPL < 3). */
  readonly iopl: boolean;
  /** Privilege that depends on a control bit or mode (CR4.TSD, CR4.PCE, UMIP, SMM ...), explained. */
  readonly conditional?: string;
}

export interface VtxExit {
  /** Basic exit reason, spelled as in the reference (vtx-exits.ts). */
  readonly exitReason: VtxExitReasonName;
  /** 'always', or the VM-execution control / condition that makes it exit. */
  readonly condition: string;
}

export type TechniqueTexts = Readonly<Record<VmmTechnique, string>>;

/** The name of an iced-x86 `Mnemonic` enum member (checked at compile time). */
export type IcedMnemonicName = Exclude<keyof typeof Mnemonic, 'INVALID'>;

/** An operand form whose class differs from the mnemonic's (e.g. `mov cr0, eax`). */
export interface Variant {
  /** Readable form, e.g. `mov Sreg, r/m16 | mov r/m16, Sreg`. */
  readonly form: string;
  /** Matches when the operand at `position` (any position when omitted) fits `operand`. */
  readonly match: { readonly operand: OperandPattern; readonly position?: number };
  readonly class: VirtClass;
  /** One line: why this form has this class. */
  readonly why: string;
  /** One NASM line of this form (tests decode it with iced). */
  readonly example: string;
  /** Overrides of the entry's privilege, flags, exit and technique texts for this form. */
  readonly privilege?: Privilege;
  readonly flags?: FlagEffects;
  readonly vtx?: VtxExit;
  readonly techniques?: Partial<TechniqueTexts>;
}

export interface InstructionEntry {
  /** Lowercase NASM spelling. */
  readonly mnemonic: string;
  /** Other NASM spellings of the same instruction (condition synonyms, explicit widths ...). */
  readonly aliases: readonly string[];
  /** The iced-x86 Mnemonic members this entry covers (how decoded instructions find their entry). */
  readonly icedMnemonics: readonly IcedMnemonicName[];
  readonly group: Group;
  /** Mnemonic-level class (colours the token); forms that differ are listed in `variants`. */
  readonly class: VirtClass;
  /** Why the mnemonic has its class (required unless ordinary). */
  readonly why?: string;
  /** Checked in order; the first match wins. */
  readonly variants: readonly Variant[];
  readonly summary: string;
  readonly description: string;
  /** One NASM line of the common form (tests decode it with iced and compare flags). */
  readonly example: string;
  readonly flags: FlagEffects;
  readonly privilege: Privilege;
  readonly vtx?: VtxExit;
  readonly techniques: TechniqueTexts;
  /** How NASM writes it, where that differs from the plain operand forms (the assembler reads this). */
  readonly syntax?: NasmSyntax;
}

/** NASM writing conventions of an instruction. */
export interface NasmSyntax {
  /**
   * Operand positions that load a 16-bit system value (selector, MSW): a 16- or 32-bit register
   * is accepted there and never adds an operand-size prefix (`mov ds, eax`, `lldt ax`).
   */
  readonly sizeFreeOperands?: readonly number[];
  /** The two operands may be written in either order; 'reg-first' when NASM puts the first in ModRM.reg. */
  readonly commutative?: 'either' | 'reg-first';
  /** Memory far pointers need the `far` keyword (`jmp far [m]`); other mnemonics take them without it. */
  readonly farKeyword?: boolean;
  /** Operands NASM supplies when they are left out: `aam` is `aam 10`. */
  readonly defaultOperands?: readonly number[];
  /** `imul r, imm` stands for `imul r, r, imm`. */
  readonly duplicatesFirstOperand?: boolean;
}

export interface Classification {
  readonly class: VirtClass;
  readonly why: string;
  readonly entry: InstructionEntry;
  /** The variant that decided the class, if any. */
  readonly variant?: Variant;
}
