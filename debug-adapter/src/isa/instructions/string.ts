// String instructions. NASM has no width-neutral spelling (`movs` is not accepted), so each width
// is its own entry; a family is written once here and expanded per width.
import type { FlagEffects, IcedMnemonicName, InstructionEntry } from '../types.js';
import { IOPL_CHECKED, STATUS, define } from './common.js';
import { IO_TECHNIQUES, IO_VTX, IO_WHY } from './io.js';

type Width = 'b' | 'w' | 'd';

const WIDTH_NAME: Readonly<Record<Width, string>> = { b: 'byte', w: 'word', d: 'doubleword' };
const ACCUMULATOR: Readonly<Record<Width, string>> = { b: 'AL', w: 'AX', d: 'EAX' };
const WIDTH_BYTES: Readonly<Record<Width, number>> = { b: 1, w: 2, d: 4 };

interface StringFamily {
  /** NASM stem: the entries are stem + b/w/d. */
  stem: string;
  /** iced Mnemonic per width: b, w, d. */
  iced: Readonly<Record<Width, IcedMnemonicName>>;
  /** Summary with `$W` for the width name. */
  summary: string;
  /** Description with `$W` (width), `$A` (accumulator) and `$N` (bytes per step). */
  description: string;
  flags: FlagEffects;
  io: boolean;
}

const REP_NOTE = 'The pointers move by $N bytes, forward when DF = 0 and backward when DF = 1.';

const FAMILIES: readonly StringFamily[] = [
  {
    stem: 'movs',
    iced: { b: 'Movsb', w: 'Movsw', d: 'Movsd' },
    summary: 'Move string $W.',
    description: `Copies a $W from DS:[ESI] to ES:[EDI] and advances both pointers; the source segment may be overridden, the destination is always ES. With REP it copies ECX elements (memcpy in one instruction). ${REP_NOTE}`,
    flags: { read: ['DF'], written: [] },
    io: false,
  },
  {
    stem: 'cmps',
    iced: { b: 'Cmpsb', w: 'Cmpsw', d: 'Cmpsd' },
    summary: 'Compare string $W.',
    description: `Subtracts the $W at ES:[EDI] from the one at DS:[ESI], sets the status flags like CMP and advances both pointers. REPE/REPNE repeat while the elements are equal/unequal and ECX is not zero (memcmp). ${REP_NOTE}`,
    flags: { read: ['DF'], written: STATUS },
    io: false,
  },
  {
    stem: 'scas',
    iced: { b: 'Scasb', w: 'Scasw', d: 'Scasd' },
    summary: 'Scan string $W.',
    description: `Compares $A with the $W at ES:[EDI], sets the status flags like CMP and advances EDI. REPNE SCAS searches for a value (strlen, memchr); REPE SCAS skips a run of it. ${REP_NOTE}`,
    flags: { read: ['DF'], written: STATUS },
    io: false,
  },
  {
    stem: 'lods',
    iced: { b: 'Lodsb', w: 'Lodsw', d: 'Lodsd' },
    summary: 'Load string $W.',
    description: `Loads the $W at DS:[ESI] into $A and advances ESI; usually used without a repeat prefix inside a loop. ${REP_NOTE}`,
    flags: { read: ['DF'], written: [] },
    io: false,
  },
  {
    stem: 'stos',
    iced: { b: 'Stosb', w: 'Stosw', d: 'Stosd' },
    summary: 'Store string $W.',
    description: `Stores $A to the $W at ES:[EDI] and advances EDI. With REP it fills ECX elements (memset). ${REP_NOTE}`,
    flags: { read: ['DF'], written: [] },
    io: false,
  },
  {
    stem: 'ins',
    iced: { b: 'Insb', w: 'Insw', d: 'Insd' },
    summary: 'Input string $W from a port.',
    description: `Reads a $W from the I/O port in DX and stores it at ES:[EDI], then advances EDI; REP INS reads ECX elements. The port permission check is the same as for IN. ${REP_NOTE}`,
    flags: { read: ['DF'], written: [] },
    io: true,
  },
  {
    stem: 'outs',
    iced: { b: 'Outsb', w: 'Outsw', d: 'Outsd' },
    summary: 'Output string $W to a port.',
    description: `Writes the $W at DS:[ESI] to the I/O port in DX, then advances ESI; REP OUTS writes ECX elements. The port permission check is the same as for OUT. ${REP_NOTE}`,
    flags: { read: ['DF'], written: [] },
    io: true,
  },
];

function fill(template: string, w: Width): string {
  return template
    .replaceAll('$W', WIDTH_NAME[w])
    .replaceAll('$A', ACCUMULATOR[w])
    .replaceAll('$N', String(WIDTH_BYTES[w]));
}

function expand(family: StringFamily): InstructionEntry[] {
  return (['b', 'w', 'd'] as const).map((w) => {
    const common = {
      mnemonic: `${family.stem}${w}`,
      icedMnemonics: [family.iced[w]],
      group: 'string' as const,
      summary: fill(family.summary, w),
      description: fill(family.description, w),
      example: `${family.stem}${w}`,
      flags: family.flags,
    };
    return family.io
      ? define({
          ...common,
          class: 'iopl-sensitive',
          why: IO_WHY,
          privilege: IOPL_CHECKED,
          vtx: IO_VTX,
          techniques: IO_TECHNIQUES,
        })
      : define({ ...common, class: 'ordinary' });
  });
}

export const STRING: readonly InstructionEntry[] = FAMILIES.flatMap(expand);
