// The instruction knowledge base: every IA-32 integer and system instruction this project
// supports, one entry per mnemonic, in family order. Entries live in instructions/*.ts; every
// lookup (index.ts), the hover docs (docs.ts) and the iced mapping (iced.ts) derive from this array.
import type { InstructionEntry } from './types.js';
import { ARITH } from './instructions/arith.js';
import { CONDITIONAL } from './instructions/conditional.js';
import { CONTROL } from './instructions/control.js';
import { FLAG_OPS } from './instructions/flags.js';
import { IO } from './instructions/io.js';
import { LOGIC } from './instructions/logic.js';
import { PROCESSOR } from './instructions/processor.js';
import { STACK } from './instructions/stack.js';
import { STRING } from './instructions/string.js';
import { SVM } from './instructions/svm.js';
import { SYSTEM } from './instructions/system.js';
import { TRANSFER } from './instructions/transfer.js';
import { VMX } from './instructions/vmx.js';

export const INSTRUCTIONS: readonly InstructionEntry[] = [
  ...ARITH,
  ...LOGIC,
  ...TRANSFER,
  ...STACK,
  ...STRING,
  ...IO,
  ...CONTROL,
  ...CONDITIONAL,
  ...FLAG_OPS,
  ...SYSTEM,
  ...PROCESSOR,
  ...VMX,
  ...SVM,
];
