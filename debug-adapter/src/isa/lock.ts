// Which instructions accept a LOCK prefix (Intel SDM vol. 2, LOCK: "the LOCK prefix can be
// prepended only to the following instructions and only to those forms where the destination
// operand is a memory operand"); any other use raises #UD.

/** NASM spellings of the instructions LOCK may prefix (memory destination forms only). */
export const LOCKABLE_MNEMONICS: readonly string[] = [
  'add', 'adc', 'and', 'btc', 'btr', 'bts', 'cmpxchg', 'cmpxchg8b', 'dec', 'inc', 'neg', 'not', 'or', 'sbb',
  'sub', 'xor', 'xadd', 'xchg',
];
