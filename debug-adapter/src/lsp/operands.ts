// Operand shapes (what the knowledge base matches forms on) from operand tokens, and the
// instruction of an arbitrary line of text (the assembler's source map gives lines after macro
// expansion, which the outline never saw).
import { evaluateConstant } from '../asm/constant.js';
import type { OperandShape } from '../isa/index.js';
import { scanLine, splitOperands, type OperandTokens, type Token } from './scan.js';
import { SIZE_KEYWORDS, wordClass } from './vocabulary.js';

const SIZE_WORDS = new Set([...SIZE_KEYWORDS, 'strict', 'short', 'near']);

/** A value for a symbol (an EQU constant or a label address), if known. */
export type SymbolValue = (name: string) => number | undefined;

export function operandShape(op: OperandTokens, lookup?: SymbolValue): OperandShape {
  const toks = op.tokens.filter((t) => !(t.kind === 'id' && SIZE_WORDS.has(t.text.toLowerCase())));
  const far = toks.some((t) => t.kind === 'id' && t.text.toLowerCase() === 'far');
  if (toks.some((t) => t.kind === 'op' && t.text === '[')) return far ? { kind: 'far' } : { kind: 'mem' };
  if (toks.length === 1 && toks[0].kind === 'id' && wordClass(toks[0].text) === 'register') return { kind: 'reg', name: toks[0].text.toLowerCase() };
  if (far || toks.some((t) => t.kind === 'op' && t.text === ':')) return { kind: 'far' };
  return { kind: 'imm', value: constantValue(toks, lookup) };
}

/** The value of an expression of numbers and known symbols (`COM1 + 5`), if it has one. */
export function constantValue(toks: readonly Token[], lookup?: SymbolValue): number | undefined {
  if (toks.length === 0 || toks.some((t) => t.kind === 'pp')) return undefined;
  const parts: string[] = [];
  for (const t of toks) {
    if (t.kind !== 'id') parts.push(t.text);
    else {
      const v = lookup?.(t.text);
      if (v === undefined) return undefined;
      parts.push(`(${v})`);
    }
  }
  try {
    const v = evaluateConstant(parts.join(' '));
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
  } catch {
    return undefined;
  }
}

export interface ParsedInstruction {
  mnemonic: string;
  operands: OperandTokens[];
}

const parsed = new Map<string, ParsedInstruction | null>();
const PARSED_LIMIT = 20_000;

/**
 * The instruction a line holds (after an optional label and prefixes), or undefined. Lines are
 * remembered, since a program repeats the same lines (and macro expansions) many times.
 */
export function instructionOfText(text: string): ParsedInstruction | undefined {
  const known = parsed.get(text);
  if (known !== undefined) return known ?? undefined;
  const t = scanLine(text).tokens;
  let i = 0;
  const colon = t[1]?.kind === 'op' && t[1].text === ':';
  if (t[0]?.kind === 'pp' || (t[0]?.kind === 'id' && (colon || wordClass(t[0].text) === undefined))) i = colon ? 2 : 1;
  while (t[i]?.kind === 'id' && wordClass(t[i].text) === 'prefix') i++;
  if (t[i]?.kind === 'id' && t[i].text.toLowerCase() === 'times') {
    i++;
    while (i < t.length && !(t[i].kind === 'id' && wordClass(t[i].text) === 'mnemonic')) i++;
  }
  const w = t[i];
  const result = w?.kind === 'id' && wordClass(w.text) === 'mnemonic' ? { mnemonic: w.text.toLowerCase(), operands: splitOperands(t.slice(i + 1)) } : undefined;
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(text, result ?? null);
  return result;
}
