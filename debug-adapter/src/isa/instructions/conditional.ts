// Jcc, SETcc and CMOVcc: one row per condition, expanded into one entry per family and condition,
// with the NASM condition synonyms (jz = je, setnae = setb, cmovpo = cmovnp ...) as aliases.
import type { Flag, IcedMnemonicName, InstructionEntry } from '../types.js';
import { NEAR_BRANCH, define } from './common.js';

interface Condition {
  /** Canonical NASM suffix (the one iced uses). */
  cc: string;
  /** Other NASM suffixes for the same test. */
  synonyms: readonly string[];
  /** Flags the test reads. */
  reads: readonly Flag[];
  /** What is tested, for the docs. */
  meaning: string;
  /** iced names, per family. */
  iced: { j: IcedMnemonicName; set: IcedMnemonicName; cmov: IcedMnemonicName };
}

const CONDITIONS: readonly Condition[] = [
  { cc: 'o', synonyms: [], reads: ['OF'], meaning: 'overflow (OF = 1)', iced: { j: 'Jo', set: 'Seto', cmov: 'Cmovo' } },
  { cc: 'no', synonyms: [], reads: ['OF'], meaning: 'no overflow (OF = 0)', iced: { j: 'Jno', set: 'Setno', cmov: 'Cmovno' } },
  { cc: 'b', synonyms: ['c', 'nae'], reads: ['CF'], meaning: 'below, unsigned (CF = 1)', iced: { j: 'Jb', set: 'Setb', cmov: 'Cmovb' } },
  { cc: 'ae', synonyms: ['nb', 'nc'], reads: ['CF'], meaning: 'above or equal, unsigned (CF = 0)', iced: { j: 'Jae', set: 'Setae', cmov: 'Cmovae' } },
  { cc: 'e', synonyms: ['z'], reads: ['ZF'], meaning: 'equal / zero (ZF = 1)', iced: { j: 'Je', set: 'Sete', cmov: 'Cmove' } },
  { cc: 'ne', synonyms: ['nz'], reads: ['ZF'], meaning: 'not equal / not zero (ZF = 0)', iced: { j: 'Jne', set: 'Setne', cmov: 'Cmovne' } },
  { cc: 'be', synonyms: ['na'], reads: ['CF', 'ZF'], meaning: 'below or equal, unsigned (CF = 1 or ZF = 1)', iced: { j: 'Jbe', set: 'Setbe', cmov: 'Cmovbe' } },
  { cc: 'a', synonyms: ['nbe'], reads: ['CF', 'ZF'], meaning: 'above, unsigned (CF = 0 and ZF = 0)', iced: { j: 'Ja', set: 'Seta', cmov: 'Cmova' } },
  { cc: 's', synonyms: [], reads: ['SF'], meaning: 'sign, negative (SF = 1)', iced: { j: 'Js', set: 'Sets', cmov: 'Cmovs' } },
  { cc: 'ns', synonyms: [], reads: ['SF'], meaning: 'no sign, non-negative (SF = 0)', iced: { j: 'Jns', set: 'Setns', cmov: 'Cmovns' } },
  { cc: 'p', synonyms: ['pe'], reads: ['PF'], meaning: 'parity even (PF = 1)', iced: { j: 'Jp', set: 'Setp', cmov: 'Cmovp' } },
  { cc: 'np', synonyms: ['po'], reads: ['PF'], meaning: 'parity odd (PF = 0)', iced: { j: 'Jnp', set: 'Setnp', cmov: 'Cmovnp' } },
  { cc: 'l', synonyms: ['nge'], reads: ['SF', 'OF'], meaning: 'less, signed (SF ≠ OF)', iced: { j: 'Jl', set: 'Setl', cmov: 'Cmovl' } },
  { cc: 'ge', synonyms: ['nl'], reads: ['SF', 'OF'], meaning: 'greater or equal, signed (SF = OF)', iced: { j: 'Jge', set: 'Setge', cmov: 'Cmovge' } },
  { cc: 'le', synonyms: ['ng'], reads: ['ZF', 'SF', 'OF'], meaning: 'less or equal, signed (ZF = 1 or SF ≠ OF)', iced: { j: 'Jle', set: 'Setle', cmov: 'Cmovle' } },
  { cc: 'g', synonyms: ['nle'], reads: ['ZF', 'SF', 'OF'], meaning: 'greater, signed (ZF = 0 and SF = OF)', iced: { j: 'Jg', set: 'Setg', cmov: 'Cmovg' } },
];

const jcc = (c: Condition): InstructionEntry =>
  define({
    mnemonic: `j${c.cc}`,
    aliases: c.synonyms.map((s) => `j${s}`),
    icedMnemonics: [c.iced.j],
    group: 'control',
    class: 'ordinary',
    summary: `Jump if ${c.meaning}.`,
    description: `Jumps to the target when the condition holds — ${c.meaning} — and falls through otherwise. The target is relative: a short 8-bit or a near 32-bit displacement (NASM picks the short form when it can or when told \`short\`).`,
    example: `j${c.cc} $`,
    flags: { read: c.reads, written: [] },
    techniques: NEAR_BRANCH,
  });

const setcc = (c: Condition): InstructionEntry =>
  define({
    mnemonic: `set${c.cc}`,
    aliases: c.synonyms.map((s) => `set${s}`),
    icedMnemonics: [c.iced.set],
    group: 'condition',
    class: 'ordinary',
    summary: `Set byte if ${c.meaning}.`,
    description: `Writes 1 to an 8-bit register or memory byte when the condition holds — ${c.meaning} — and 0 otherwise; a branch-free way to turn a comparison into a value.`,
    example: `set${c.cc} al`,
    flags: { read: c.reads, written: [] },
  });

const cmovcc = (c: Condition): InstructionEntry =>
  define({
    mnemonic: `cmov${c.cc}`,
    aliases: c.synonyms.map((s) => `cmov${s}`),
    icedMnemonics: [c.iced.cmov],
    group: 'condition',
    class: 'ordinary',
    summary: `Move if ${c.meaning} (P6+).`,
    description: `Copies a 16- or 32-bit source into a register when the condition holds — ${c.meaning}. A memory source is read even when the condition is false, so it can still fault. CPUID reports the instruction family with the CMOV feature bit.`,
    example: `cmov${c.cc} eax, ebx`,
    flags: { read: c.reads, written: [] },
  });

export const CONDITIONAL: readonly InstructionEntry[] = [
  ...CONDITIONS.map(jcc),
  ...CONDITIONS.map(setcc),
  ...CONDITIONS.map(cmovcc),
];
