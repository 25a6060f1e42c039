// What every scope of the Variables view shares: the view interface the VariablesView routes
// references through, the client's number format, and building variables.
import type { DebugProtocol } from '@vscode/debugprotocol';

/** The client's `format` argument: `hex` shows counts and other decimal values in hex. */
export interface Format {
  hex: boolean;
}

export const DECIMAL: Format = { hex: false };

export type SetVariableBody = DebugProtocol.SetVariableResponse['body'];

/** One group of scopes with the references it owns (every reference below 10000, fixed per view). */
export interface View {
  /** The scopes this view contributes to this run (none when it does not apply). */
  scopes(): DebugProtocol.Scope[];
  /** The children of `ref`, or undefined when this view does not own it. */
  variables(ref: number, format: Format): DebugProtocol.Variable[] | undefined;
  /** Sets a child of `ref` (throws a DapError with the reason when refused), or undefined when this view does not own it. */
  setVariable(ref: number, name: string, value: number, format: Format): SetVariableBody | undefined;
}

export function variable(name: string, value: string, extra: Partial<DebugProtocol.Variable> = {}): DebugProtocol.Variable {
  return { name, value, variablesReference: 0, ...extra };
}

/** A count or small decimal value in the client's format. */
export function num(value: number, format: Format): string {
  return format.hex ? `0x${value.toString(16)}` : String(value);
}

/** A bit of a register or control word: [name, bit number, meaning]. */
export type BitName = readonly [string, number, string];

export function bitChildren(value: number, table: readonly BitName[], format: Format): DebugProtocol.Variable[] {
  return table.map(([name, bit, meaning]) => variable(name, num((value >>> bit) & 1, format), { type: `${meaning} (bit ${bit})` }));
}
