// Integer arithmetic, decimal adjust and the atomic read-modify-write instructions. All innocuous.
import type { InstructionEntry } from '../types.js';
import { STATUS, define } from './common.js';

export const ARITH: readonly InstructionEntry[] = [
  define({
    mnemonic: 'add',
    icedMnemonics: ['Add'],
    group: 'arith',
    class: 'ordinary',
    summary: 'Integer addition.',
    description:
      'Adds the source operand to the destination and stores the sum in the destination. The same addition serves signed and unsigned numbers: CF reports an unsigned carry out of the top bit, OF a signed overflow. A memory destination may take a LOCK prefix.',
    example: 'add eax, ebx',
    flags: { read: [], written: STATUS },
  }),
  define({
    mnemonic: 'adc',
    icedMnemonics: ['Adc'],
    group: 'arith',
    class: 'ordinary',
    summary: 'Integer addition with the carry flag.',
    description:
      'Adds the source operand and the current CF to the destination. Chaining ADD on the low part with ADC on the higher parts adds numbers wider than one register.',
    example: 'adc eax, ebx',
    flags: { read: ['CF'], written: STATUS },
  }),
  define({
    mnemonic: 'sub',
    icedMnemonics: ['Sub'],
    group: 'arith',
    class: 'ordinary',
    summary: 'Integer subtraction.',
    description:
      'Subtracts the source operand from the destination and stores the difference in the destination. CF is set when an unsigned borrow occurs and OF on signed overflow.',
    example: 'sub eax, ebx',
    flags: { read: [], written: STATUS },
  }),
  define({
    mnemonic: 'sbb',
    icedMnemonics: ['Sbb'],
    group: 'arith',
    class: 'ordinary',
    summary: 'Integer subtraction with borrow.',
    description:
      'Subtracts the source operand plus the current CF from the destination; the multi-word counterpart of ADC. `sbb reg, reg` is a common idiom that turns CF into 0 or -1.',
    example: 'sbb eax, ebx',
    flags: { read: ['CF'], written: STATUS },
  }),
  define({
    mnemonic: 'cmp',
    icedMnemonics: ['Cmp'],
    group: 'arith',
    class: 'ordinary',
    summary: 'Compare two operands by subtraction.',
    description:
      'Computes destination minus source exactly as SUB does but throws the result away, keeping only the flags. A conditional jump, SETcc or CMOVcc usually follows.',
    example: 'cmp eax, ebx',
    flags: { read: [], written: STATUS },
  }),
  define({
    mnemonic: 'inc',
    icedMnemonics: ['Inc'],
    group: 'arith',
    class: 'ordinary',
    summary: 'Add one.',
    description:
      'Adds 1 to a register or memory operand. Unlike ADD it leaves CF untouched, which lets loops keep a carry alive across the counter update.',
    example: 'inc eax',
    flags: { read: [], written: ['PF', 'AF', 'ZF', 'SF', 'OF'] },
  }),
  define({
    mnemonic: 'dec',
    icedMnemonics: ['Dec'],
    group: 'arith',
    class: 'ordinary',
    summary: 'Subtract one.',
    description: 'Subtracts 1 from a register or memory operand, leaving CF unchanged; a common loop counter update followed by JNZ.',
    example: 'dec eax',
    flags: { read: [], written: ['PF', 'AF', 'ZF', 'SF', 'OF'] },
  }),
  define({
    mnemonic: 'neg',
    icedMnemonics: ['Neg'],
    group: 'arith',
    class: 'ordinary',
    summary: "Two's-complement negation.",
    description:
      'Replaces the operand with zero minus the operand. CF ends up clear only when the operand was zero; negating the most negative value leaves it unchanged and sets OF.',
    example: 'neg eax',
    flags: { read: [], written: STATUS },
  }),
  define({
    mnemonic: 'mul',
    icedMnemonics: ['Mul'],
    group: 'arith',
    class: 'ordinary',
    summary: 'Unsigned multiply into a double-width result.',
    description:
      'Multiplies AL, AX or EAX by the operand and leaves the double-width product in AX, DX:AX or EDX:EAX. CF and OF are both set when the upper half of the product is not zero; the other status flags are undefined.',
    example: 'mul ebx',
    flags: { read: [], written: ['CF', 'OF'], undefined: ['PF', 'AF', 'ZF', 'SF'] },
  }),
  define({
    mnemonic: 'imul',
    syntax: { duplicatesFirstOperand: true },
    icedMnemonics: ['Imul'],
    group: 'arith',
    class: 'ordinary',
    summary: 'Signed multiply.',
    description:
      'Signed multiplication in three forms: one operand (double-width result in EDX:EAX like MUL), two operands (destination times source, truncated) and three operands (source times an immediate). CF and OF report that the truncated result lost significant bits.',
    example: 'imul eax, ebx',
    flags: { read: [], written: ['CF', 'OF'], undefined: ['PF', 'AF', 'ZF', 'SF'] },
  }),
  define({
    mnemonic: 'div',
    icedMnemonics: ['Div'],
    group: 'arith',
    class: 'ordinary',
    summary: 'Unsigned divide.',
    description:
      'Divides AX, DX:AX or EDX:EAX by the operand, leaving the quotient in AL/AX/EAX and the remainder in AH/DX/EDX. A zero divisor or a quotient that does not fit raises #DE (vector 0). All status flags are undefined afterwards.',
    example: 'div ebx',
    flags: { read: [], written: [], undefined: STATUS },
  }),
  define({
    mnemonic: 'idiv',
    icedMnemonics: ['Idiv'],
    group: 'arith',
    class: 'ordinary',
    summary: 'Signed divide.',
    description:
      'Signed counterpart of DIV: the quotient is truncated toward zero and the remainder takes the sign of the dividend. Division by zero or a quotient out of range raises #DE.',
    example: 'idiv ebx',
    flags: { read: [], written: [], undefined: STATUS },
  }),

  // Decimal adjust (packed and unpacked BCD).
  define({
    mnemonic: 'daa',
    icedMnemonics: ['Daa'],
    group: 'bcd',
    class: 'ordinary',
    summary: 'Decimal adjust AL after addition.',
    description:
      'Corrects AL after adding two packed-BCD bytes so that it again holds two decimal digits, using AF and CF to detect digit carries. CF reports a decimal carry out of the byte.',
    example: 'daa',
    flags: { read: ['CF', 'AF'], written: ['CF', 'PF', 'AF', 'ZF', 'SF'], undefined: ['OF'] },
  }),
  define({
    mnemonic: 'das',
    icedMnemonics: ['Das'],
    group: 'bcd',
    class: 'ordinary',
    summary: 'Decimal adjust AL after subtraction.',
    description:
      'Corrects AL after subtracting two packed-BCD bytes, propagating decimal borrows through AF and CF.',
    example: 'das',
    flags: { read: ['CF', 'AF'], written: ['CF', 'PF', 'AF', 'ZF', 'SF'], undefined: ['OF'] },
  }),
  define({
    mnemonic: 'aaa',
    icedMnemonics: ['Aaa'],
    group: 'bcd',
    class: 'ordinary',
    summary: 'ASCII adjust after addition.',
    description:
      'Turns the sum of two unpacked BCD digits in AL into a valid digit; when a decimal carry occurs it increments AH and sets AF and CF. The upper nibble of AL is cleared.',
    example: 'aaa',
    flags: { read: ['AF'], written: ['CF', 'AF'], undefined: ['PF', 'ZF', 'SF', 'OF'] },
  }),
  define({
    mnemonic: 'aas',
    icedMnemonics: ['Aas'],
    group: 'bcd',
    class: 'ordinary',
    summary: 'ASCII adjust after subtraction.',
    description:
      'Turns the difference of two unpacked BCD digits in AL into a valid digit, decrementing AH and setting AF and CF when a decimal borrow occurs.',
    example: 'aas',
    flags: { read: ['AF'], written: ['CF', 'AF'], undefined: ['PF', 'ZF', 'SF', 'OF'] },
  }),
  define({
    mnemonic: 'aam',
    syntax: { defaultOperands: [10] },
    icedMnemonics: ['Aam'],
    group: 'bcd',
    class: 'ordinary',
    summary: 'ASCII adjust after multiplication (divide AL by a base).',
    description:
      'Splits AL into two digits: AH receives AL divided by the base (10 unless an immediate is given) and AL the remainder. A base of zero raises #DE.',
    example: 'aam',
    flags: { read: [], written: ['PF', 'ZF', 'SF'], undefined: ['CF', 'AF', 'OF'] },
  }),
  define({
    mnemonic: 'aad',
    syntax: { defaultOperands: [10] },
    icedMnemonics: ['Aad'],
    group: 'bcd',
    class: 'ordinary',
    summary: 'ASCII adjust before division (combine AH:AL in a base).',
    description:
      'Folds two unpacked digits into one binary byte: AL becomes AH times the base (10 unless an immediate is given) plus AL, and AH becomes zero, ready for a DIV.',
    example: 'aad',
    flags: { read: [], written: ['PF', 'ZF', 'SF'], undefined: ['CF', 'AF', 'OF'] },
  }),

  // Atomic read-modify-write (486 and Pentium additions).
  define({
    mnemonic: 'xadd',
    icedMnemonics: ['Xadd'],
    group: 'atomic',
    class: 'ordinary',
    summary: 'Exchange and add.',
    description:
      'Stores the sum of both operands in the destination and the old destination value in the source register. With LOCK on a memory destination it is an atomic fetch-and-add, the building block of counters and ticket locks.',
    example: 'xadd eax, ebx',
    flags: { read: [], written: STATUS },
  }),
  define({
    mnemonic: 'cmpxchg',
    icedMnemonics: ['Cmpxchg'],
    group: 'atomic',
    class: 'ordinary',
    summary: 'Compare and exchange.',
    description:
      'Compares the accumulator (AL/AX/EAX) with the destination. If they are equal the source is written to the destination and ZF is set; otherwise the destination is loaded into the accumulator and ZF is cleared. With LOCK it is the atomic compare-and-swap.',
    example: 'cmpxchg [ebx], ecx',
    flags: { read: [], written: STATUS },
  }),
  define({
    mnemonic: 'cmpxchg8b',
    icedMnemonics: ['Cmpxchg8b'],
    group: 'atomic',
    class: 'ordinary',
    summary: 'Compare and exchange eight bytes.',
    description:
      'Compares EDX:EAX with a 64-bit memory operand; when equal it stores ECX:EBX there and sets ZF, otherwise it loads the memory value into EDX:EAX and clears ZF. A register operand raises #UD. Used with LOCK for 64-bit atomic updates such as PAE page-table entries.',
    example: 'cmpxchg8b [esi]',
    flags: { read: [], written: ['ZF'] },
  }),
];
