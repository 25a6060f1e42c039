// Instruction prefixes NASM writes as words before a mnemonic. They are not instructions and have
// no virtualization class of their own; the grammar and hovers read them from here.

export interface PrefixEntry {
  readonly name: string;
  readonly aliases: readonly string[];
  /** The prefix byte it emits (o16/o32 and a16/a32 only where the mode differs). */
  readonly byte: number;
  readonly summary: string;
  readonly description: string;
}

export const PREFIXES: readonly PrefixEntry[] = [
  {
    name: 'lock',
    byte: 0xf0,
    aliases: [],
    summary: 'Make a read-modify-write atomic.',
    description:
      'Holds the memory location exclusively for the duration of the instruction. Valid only on ADD, ADC, AND, BTC, BTR, BTS, CMPXCHG, CMPXCHG8B, DEC, INC, NEG, NOT, OR, SBB, SUB, XADD, XCHG and XOR with a memory destination; anything else raises #UD.',
  },
  {
    name: 'rep',
    byte: 0xf3,
    aliases: [],
    summary: 'Repeat a string instruction ECX times.',
    description:
      'Repeats MOVS, STOS, LODS, INS or OUTS while ECX (CX with 16-bit addressing) is not zero, decrementing it each time. The repetition can be interrupted and resumes where it left off.',
  },
  {
    name: 'repe',
    byte: 0xf3,
    aliases: ['repz'],
    summary: 'Repeat a string comparison while equal.',
    description: 'Repeats CMPS or SCAS while ECX is not zero and the last comparison set ZF.',
  },
  {
    name: 'repne',
    byte: 0xf2,
    aliases: ['repnz'],
    summary: 'Repeat a string comparison while not equal.',
    description: 'Repeats CMPS or SCAS while ECX is not zero and the last comparison cleared ZF.',
  },
  {
    name: 'o16',
    byte: 0x66,
    aliases: [],
    summary: 'Force a 16-bit operand size.',
    description: 'Emits the 0x66 operand-size prefix when the code is 32-bit (NASM spelling).',
  },
  {
    name: 'o32',
    byte: 0x66,
    aliases: [],
    summary: 'Force a 32-bit operand size.',
    description: 'Emits the 0x66 operand-size prefix when the code is 16-bit (NASM spelling).',
  },
  {
    name: 'a16',
    byte: 0x67,
    aliases: [],
    summary: 'Force a 16-bit address size.',
    description: 'Emits the 0x67 address-size prefix when the code is 32-bit, e.g. to make LOOP use CX (NASM spelling).',
  },
  {
    name: 'a32',
    byte: 0x67,
    aliases: [],
    summary: 'Force a 32-bit address size.',
    description: 'Emits the 0x67 address-size prefix when the code is 16-bit (NASM spelling).',
  },
];

const byName = new Map<string, PrefixEntry>(PREFIXES.flatMap((p) => [p.name, ...p.aliases].map((n) => [n, p] as const)));

/** The prefix for a NASM spelling, case-insensitive. */
export function lookupPrefix(name: string): PrefixEntry | undefined {
  return byName.get(name.trim().toLowerCase());
}

/** Segment-override prefix bytes (ES CS SS DS FS GS), which NASM writes as operand overrides. */
export const SEGMENT_OVERRIDE_BYTES: readonly number[] = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];

/** Every legacy prefix byte an IA-32 instruction may start with (for scanning raw bytes). */
export const LEGACY_PREFIX_BYTES: ReadonlySet<number> = new Set([...PREFIXES.map((p) => p.byte), ...SEGMENT_OVERRIDE_BYTES]);
