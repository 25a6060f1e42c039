// Lookups over the instruction table, all derived once at load from INSTRUCTIONS. This module
// does not load iced-x86 (see iced.ts for the decoder-side mapping), so the grammar generator and
// the language server can use it cheaply.
import { INSTRUCTIONS } from './instructions.js';
import { NATIVE_BY_CLASS } from './instructions/common.js';
import { matchVariant } from './match.js';
import type {
  Classification,
  FlagEffects,
  InstructionEntry,
  OperandShape,
  Privilege,
  Technique,
  Variant,
  VirtClass,
  VtxExit,
} from './types.js';

export * from './types.js';
export { INSTRUCTIONS } from './instructions.js';
export { markdownDoc } from './docs.js';
export { matchVariant, operandMatches } from './match.js';
export { PREFIXES, LEGACY_PREFIX_BYTES, SEGMENT_OVERRIDE_BYTES, lookupPrefix, type PrefixEntry } from './prefixes.js';
export { LOCKABLE_MNEMONICS } from './lock.js';
export { pvReplacement, PV_HARMLESS_SENSITIVE } from './paravirt.js';
export { registerClass, registersOf } from './registers.js';
export { VTX_EXIT_REASONS, vtxExitReasonNumber, type VtxExitReasonName } from './vtx-exits.js';

const INNOCUOUS_WHY = 'Innocuous: it behaves the same at every privilege level and touches no privileged state.';

const bySpelling = new Map<string, InstructionEntry>();
for (const entry of INSTRUCTIONS) {
  for (const spelling of [entry.mnemonic, ...entry.aliases]) {
    // A spelling claimed twice is a table error (the tests reject it); the first entry keeps it.
    if (!bySpelling.has(spelling)) bySpelling.set(spelling, entry);
  }
}
const spellings: readonly string[] = [...bySpelling.keys()];

const byClass = new Map<VirtClass, InstructionEntry[]>();
for (const entry of INSTRUCTIONS) {
  const list = byClass.get(entry.class) ?? [];
  list.push(entry);
  byClass.set(entry.class, list);
}

/** The entry for a NASM spelling (mnemonic or alias), case-insensitive. */
export function lookupMnemonic(name: string): InstructionEntry | undefined {
  return bySpelling.get(name.trim().toLowerCase());
}

/** Every accepted spelling (mnemonics and aliases), lowercase, in table order. */
export function allMnemonics(): readonly string[] {
  return spellings;
}

/** Entries whose mnemonic-level class is `cls`. */
export function entriesByClass(cls: VirtClass): readonly InstructionEntry[] {
  return byClass.get(cls) ?? [];
}

/** Every spelling (mnemonic and aliases) of the entries whose mnemonic-level class is `cls`. */
export function mnemonicsByClass(cls: VirtClass): readonly string[] {
  return entriesByClass(cls).flatMap((e) => [e.mnemonic, ...e.aliases]);
}

function resolve(
  mnemonic: string,
  operands: readonly OperandShape[],
): { entry: InstructionEntry; variant: Variant | undefined } | undefined {
  const entry = lookupMnemonic(mnemonic);
  return entry && { entry, variant: matchVariant(entry, operands) };
}

/** Virtualization class of an instruction form, with the reason; undefined for an unknown mnemonic. */
export function classify(mnemonic: string, operands: readonly OperandShape[] = []): Classification | undefined {
  const r = resolve(mnemonic, operands);
  if (!r) return undefined;
  const { entry, variant } = r;
  if (variant) return { class: variant.class, why: variant.why, entry, variant };
  return { class: entry.class, why: entry.why ?? INNOCUOUS_WHY, entry };
}

/** Privilege rules of an instruction form; undefined for an unknown mnemonic. */
export function privilegeOf(mnemonic: string, operands: readonly OperandShape[] = []): Privilege | undefined {
  const r = resolve(mnemonic, operands);
  return r && (r.variant?.privilege ?? r.entry.privilege);
}

/** True when the form faults unless CPL is 0 (false for unknown mnemonics). */
export function requiresCpl0(mnemonic: string, operands: readonly OperandShape[] = []): boolean {
  return privilegeOf(mnemonic, operands)?.cpl0 ?? false;
}

/** True when the form faults at CPL > IOPL (CLI, STI, IN, OUT, INS, OUTS). */
export function isIoplSensitive(mnemonic: string, operands: readonly OperandShape[] = []): boolean {
  return privilegeOf(mnemonic, operands)?.iopl ?? false;
}

/** EFLAGS read, written and left undefined by the form; undefined for an unknown mnemonic. */
export function flagEffects(mnemonic: string, operands: readonly OperandShape[] = []): FlagEffects | undefined {
  const r = resolve(mnemonic, operands);
  return r && (r.variant?.flags ?? r.entry.flags);
}

/** The VT-x exit the form can cause, if any. */
export function vtxExit(mnemonic: string, operands: readonly OperandShape[] = []): VtxExit | undefined {
  const r = resolve(mnemonic, operands);
  return r && (r.variant ? r.variant.vtx : r.entry.vtx);
}

/** What `technique` does with the form; undefined for an unknown mnemonic. */
export function techniqueBehaviour(
  mnemonic: string,
  technique: Technique,
  operands: readonly OperandShape[] = [],
): string | undefined {
  const r = resolve(mnemonic, operands);
  if (!r) return undefined;
  if (technique === 'native') return NATIVE_BY_CLASS[r.variant?.class ?? r.entry.class];
  return r.variant?.techniques?.[technique] ?? r.entry.techniques[technique];
}
