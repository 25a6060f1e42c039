// Boolean logic, shifts and rotates, single-bit operations. All innocuous.
import type { FlagEffects, InstructionEntry } from '../types.js';
import { define } from './common.js';

/** AND, OR, XOR, TEST: OF and CF cleared, SF/ZF/PF from the result, AF undefined. */
const LOGIC_FLAGS: FlagEffects = { read: [], written: ['CF', 'PF', 'ZF', 'SF', 'OF'], undefined: ['AF'] };

/** Shifts by a count other than 1 (OF is defined only for 1-bit shifts; a zero count changes nothing). */
const SHIFT_FLAGS: FlagEffects = { read: [], written: ['CF', 'PF', 'ZF', 'SF'], undefined: ['AF', 'OF'] };

const ROTATE_FLAGS: FlagEffects = { read: [], written: ['CF'], undefined: ['OF'] };
const ROTATE_CARRY_FLAGS: FlagEffects = { read: ['CF'], written: ['CF'], undefined: ['OF'] };
const BIT_TEST_FLAGS: FlagEffects = { read: [], written: ['CF'], undefined: ['PF', 'AF', 'SF', 'OF'] };
const BIT_SCAN_FLAGS: FlagEffects = { read: [], written: ['ZF'], undefined: ['CF', 'PF', 'AF', 'SF', 'OF'] };

const SHIFT_NOTE =
  'The count (an immediate, 1 or CL) is masked to five bits; a masked count of zero leaves operand and flags alone, and OF is defined only for 1-bit shifts.';

export const LOGIC: readonly InstructionEntry[] = [
  define({
    mnemonic: 'and',
    icedMnemonics: ['And'],
    group: 'logic',
    class: 'ordinary',
    summary: 'Bitwise AND.',
    description:
      'Stores the bitwise AND of both operands in the destination; commonly used to clear bits or extract a field. CF and OF are cleared.',
    example: 'and eax, ebx',
    flags: LOGIC_FLAGS,
  }),
  define({
    mnemonic: 'or',
    icedMnemonics: ['Or'],
    group: 'logic',
    class: 'ordinary',
    summary: 'Bitwise inclusive OR.',
    description: 'Stores the bitwise OR of both operands in the destination; commonly used to set bits. CF and OF are cleared.',
    example: 'or eax, 1',
    flags: LOGIC_FLAGS,
  }),
  define({
    mnemonic: 'xor',
    icedMnemonics: ['Xor'],
    group: 'logic',
    class: 'ordinary',
    summary: 'Bitwise exclusive OR.',
    description:
      'Stores the bitwise exclusive OR of both operands in the destination. `xor reg, reg` is the usual way to zero a register. CF and OF are cleared.',
    example: 'xor eax, ebx',
    flags: LOGIC_FLAGS,
  }),
  define({
    mnemonic: 'not',
    icedMnemonics: ['Not'],
    group: 'logic',
    class: 'ordinary',
    summary: "One's-complement negation.",
    description: 'Inverts every bit of a register or memory operand, leaving all flags unchanged. A memory destination may take a LOCK prefix.',
    example: 'not eax',
  }),
  define({
    mnemonic: 'test',
    syntax: { commutative: 'either' },
    icedMnemonics: ['Test'],
    group: 'logic',
    class: 'ordinary',
    summary: 'Logical compare (AND without storing).',
    description:
      'Computes the bitwise AND of both operands only to set SF, ZF and PF; the operands are unchanged. `test reg, reg` checks a register for zero or sign.',
    example: 'test eax, ebx',
    flags: LOGIC_FLAGS,
  }),

  define({
    mnemonic: 'shl',
    aliases: ['sal'],
    icedMnemonics: ['Shl', 'Sal'],
    group: 'shift',
    class: 'ordinary',
    summary: 'Shift left (logical and arithmetic are the same).',
    description: `Shifts the destination left, filling with zeros; the last bit shifted out lands in CF. SAL is another name for the same operation (iced names the rarely used /6 encoding Sal). ${SHIFT_NOTE}`,
    example: 'shl eax, 4',
    flags: SHIFT_FLAGS,
  }),
  define({
    mnemonic: 'shr',
    icedMnemonics: ['Shr'],
    group: 'shift',
    class: 'ordinary',
    summary: 'Logical shift right.',
    description: `Shifts the destination right, filling with zeros, an unsigned divide by a power of two; the last bit shifted out lands in CF. ${SHIFT_NOTE}`,
    example: 'shr eax, 4',
    flags: SHIFT_FLAGS,
  }),
  define({
    mnemonic: 'sar',
    icedMnemonics: ['Sar'],
    group: 'shift',
    class: 'ordinary',
    summary: 'Arithmetic shift right.',
    description: `Shifts the destination right while copying the sign bit into the vacated positions, a signed divide by a power of two that rounds toward minus infinity. ${SHIFT_NOTE}`,
    example: 'sar eax, 4',
    flags: SHIFT_FLAGS,
  }),
  define({
    mnemonic: 'rol',
    icedMnemonics: ['Rol'],
    group: 'shift',
    class: 'ordinary',
    summary: 'Rotate left.',
    description:
      'Rotates the destination left; bits leaving the top re-enter at the bottom and the last one is copied to CF. Only CF (and OF for 1-bit rotates) change.',
    example: 'rol eax, 4',
    flags: ROTATE_FLAGS,
  }),
  define({
    mnemonic: 'ror',
    icedMnemonics: ['Ror'],
    group: 'shift',
    class: 'ordinary',
    summary: 'Rotate right.',
    description:
      'Rotates the destination right; bits leaving the bottom re-enter at the top and the last one is copied to CF. Only CF (and OF for 1-bit rotates) change.',
    example: 'ror eax, 4',
    flags: ROTATE_FLAGS,
  }),
  define({
    mnemonic: 'rcl',
    icedMnemonics: ['Rcl'],
    group: 'shift',
    class: 'ordinary',
    summary: 'Rotate left through carry.',
    description:
      'Rotates the destination and CF together as one value one bit wider than the operand, to the left. Useful for shifting multi-word numbers.',
    example: 'rcl eax, 4',
    flags: ROTATE_CARRY_FLAGS,
  }),
  define({
    mnemonic: 'rcr',
    icedMnemonics: ['Rcr'],
    group: 'shift',
    class: 'ordinary',
    summary: 'Rotate right through carry.',
    description:
      'Rotates the destination and CF together as one value one bit wider than the operand, to the right.',
    example: 'rcr eax, 4',
    flags: ROTATE_CARRY_FLAGS,
  }),
  define({
    mnemonic: 'shld',
    icedMnemonics: ['Shld'],
    group: 'shift',
    class: 'ordinary',
    summary: 'Double-precision shift left.',
    description: `Shifts the destination left and fills the vacated low bits from the top of the source register, which itself is unchanged. ${SHIFT_NOTE}`,
    example: 'shld eax, ebx, 4',
    flags: SHIFT_FLAGS,
  }),
  define({
    mnemonic: 'shrd',
    icedMnemonics: ['Shrd'],
    group: 'shift',
    class: 'ordinary',
    summary: 'Double-precision shift right.',
    description: `Shifts the destination right and fills the vacated high bits from the bottom of the source register, which itself is unchanged. ${SHIFT_NOTE}`,
    example: 'shrd eax, ebx, 4',
    flags: SHIFT_FLAGS,
  }),

  define({
    mnemonic: 'bt',
    icedMnemonics: ['Bt'],
    group: 'bit',
    class: 'ordinary',
    summary: 'Bit test.',
    description:
      'Copies one bit of the first operand into CF. With a register bit offset and a memory operand the offset may reach far beyond the addressed dword.',
    example: 'bt eax, 3',
    flags: BIT_TEST_FLAGS,
  }),
  define({
    mnemonic: 'bts',
    icedMnemonics: ['Bts'],
    group: 'bit',
    class: 'ordinary',
    summary: 'Bit test and set.',
    description: 'Copies the selected bit into CF, then sets it. With LOCK it is an atomic test-and-set.',
    example: 'bts eax, ebx',
    flags: BIT_TEST_FLAGS,
  }),
  define({
    mnemonic: 'btr',
    icedMnemonics: ['Btr'],
    group: 'bit',
    class: 'ordinary',
    summary: 'Bit test and reset.',
    description: 'Copies the selected bit into CF, then clears it. With LOCK it is an atomic test-and-clear.',
    example: 'btr eax, 4',
    flags: BIT_TEST_FLAGS,
  }),
  define({
    mnemonic: 'btc',
    icedMnemonics: ['Btc'],
    group: 'bit',
    class: 'ordinary',
    summary: 'Bit test and complement.',
    description: 'Copies the selected bit into CF, then inverts it. With LOCK on a memory operand the toggle is atomic.',
    example: 'btc eax, 4',
    flags: BIT_TEST_FLAGS,
  }),
  define({
    mnemonic: 'bsf',
    icedMnemonics: ['Bsf'],
    group: 'bit',
    class: 'ordinary',
    summary: 'Bit scan forward (index of the lowest set bit).',
    description:
      'Stores in the destination the index of the least significant 1 bit of the source and clears ZF. A zero source sets ZF and leaves the destination undefined (on real CPUs, usually unchanged).',
    example: 'bsf eax, ebx',
    flags: BIT_SCAN_FLAGS,
  }),
  define({
    mnemonic: 'bsr',
    icedMnemonics: ['Bsr'],
    group: 'bit',
    class: 'ordinary',
    summary: 'Bit scan reverse (index of the highest set bit).',
    description:
      'Stores in the destination the index of the most significant 1 bit of the source and clears ZF. A zero source sets ZF and leaves the destination undefined.',
    example: 'bsr eax, ebx',
    flags: BIT_SCAN_FLAGS,
  }),
];
