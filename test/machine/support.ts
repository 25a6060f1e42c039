// Shared helpers for the machine tests: guest images built by the real nasm, and a recorder
// for interrupt lines.
import path from 'node:path';
import { nasmAssemble } from '../helpers/nasm.js';
import { REPO_ROOT } from '../helpers/paths.js';

export const SAMPLES_INCLUDE = path.join(REPO_ROOT, 'samples', 'include');

/** Assembles `source` with `nasm -f bin` (samples/include on the include path). */
export function nasmImage(source: string): Uint8Array {
  const result = nasmAssemble(source, { includeDirs: [SAMPLES_INCLUDE] });
  if (!result.ok) throw new Error(`nasm rejected a test image:\n${result.stderr}`);
  return result.bytes;
}

/** Records the level changes of an interrupt line, with the tick they happened at. */
export class LineRecorder {
  level = false;
  readonly edges: { at: number; level: boolean }[] = [];

  constructor(private readonly now: () => number = () => 0) {}

  readonly set = (level: boolean): void => {
    if (level !== this.level) this.edges.push({ at: this.now(), level });
    this.level = level;
  };

  risingEdges(): number[] {
    return this.edges.filter((e) => e.level).map((e) => e.at);
  }
}

/** floor(a * b / c) in exact integer arithmetic. */
export function mulDivFloor(a: number, b: number, c: number): number {
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** ceil(a * b / c) in exact integer arithmetic. */
export function mulDivCeil(a: number, b: number, c: number): number {
  const n = BigInt(a) * BigInt(b);
  const d = BigInt(c);
  return Number((n + d - 1n) / d);
}
