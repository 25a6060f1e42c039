// Operand-pattern matching for variants (operand-form-dependent classes).
import { registerClass } from './registers.js';
import type { InstructionEntry, OperandPattern, OperandShape, Variant } from './types.js';

/** Whether one written operand fits a pattern. */
export function operandMatches(pattern: OperandPattern, shape: OperandShape | undefined): boolean {
  if (!shape || shape.kind !== pattern.kind) return false;
  if (pattern.kind === 'reg' && shape.kind === 'reg') {
    const name = shape.name.toLowerCase();
    if (pattern.name !== undefined && pattern.name !== name) return false;
    return pattern.class === undefined || registerClass(name) === pattern.class;
  }
  if (pattern.kind === 'imm' && shape.kind === 'imm') {
    return pattern.value === undefined || shape.value === pattern.value;
  }
  return true;
}

/** The first variant of `entry` whose pattern fits `operands`, if any. */
export function matchVariant(entry: InstructionEntry, operands: readonly OperandShape[]): Variant | undefined {
  return entry.variants.find(({ match }) =>
    match.position === undefined
      ? operands.some((op) => operandMatches(match.operand, op))
      : operandMatches(match.operand, operands[match.position]),
  );
}
