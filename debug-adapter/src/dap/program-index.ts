// What the debugger looks up in a loaded program, indexed once at launch: the instruction address
// of each source line, the nearest line with code, instruction boundaries, and labels by name and
// by address. Requests then do map lookups and binary searches, never a pass over the program.
import * as path from 'node:path';
import type { LoadedProgram } from '../engine/engine.js';
import type { SymbolInfo } from '../asm/types.js';

interface FileLines {
  /** Lines with code, ascending. */
  lines: number[];
  /** Line → address of its first instruction. */
  address: Map<number, number>;
}

export interface Label {
  name: string;
  address: number;
  local: boolean;
}

export function normalizePath(file: string): string {
  return path.resolve(file);
}

export class ProgramIndex {
  private readonly files = new Map<string, FileLines>();
  /** Instruction start addresses from the source map, ascending and unique. */
  readonly instructionStarts: number[];
  /** Labels sorted by address (global before local at the same address). */
  private readonly labels: Label[];
  private readonly byName = new Map<string, SymbolInfo>();
  private readonly byLowerName = new Map<string, SymbolInfo>();
  private readonly labelAtAddress = new Map<number, string>();

  constructor(program: LoadedProgram | undefined) {
    const starts = new Set<number>();
    for (const entry of program?.sourceMap ?? []) {
      if (entry.kind !== 'instruction' || entry.size === 0) continue;
      starts.add(entry.address >>> 0);
      const key = normalizePath(entry.location.file);
      let f = this.files.get(key);
      if (f === undefined) {
        f = { lines: [], address: new Map() };
        this.files.set(key, f);
      }
      if (!f.address.has(entry.location.line)) f.address.set(entry.location.line, entry.address >>> 0);
      // A macro invocation's line stands for the first instruction of its expansion (breakpoints there).
      const call = entry.invocation;
      if (call !== undefined) {
        const callKey = normalizePath(call.file);
        let c = this.files.get(callKey);
        if (c === undefined) {
          c = { lines: [], address: new Map() };
          this.files.set(callKey, c);
        }
        if (!c.address.has(call.line)) c.address.set(call.line, entry.address >>> 0);
      }
    }
    for (const f of this.files.values()) f.lines = [...f.address.keys()].sort((a, b) => a - b);
    this.instructionStarts = [...starts].sort((a, b) => a - b);
    const labels: Label[] = [];
    for (const s of program?.symbols ?? []) {
      this.byName.set(s.name, s);
      if (!this.byLowerName.has(s.name.toLowerCase())) this.byLowerName.set(s.name.toLowerCase(), s);
      if (s.kind === 'equ') continue;
      labels.push({ name: s.name, address: s.value >>> 0, local: s.kind === 'local-label' });
    }
    labels.sort((a, b) => a.address - b.address || Number(a.local) - Number(b.local));
    this.labels = labels;
    for (const l of labels) if (!this.labelAtAddress.has(l.address)) this.labelAtAddress.set(l.address, l.name);
  }

  get hasSource(): boolean {
    return this.files.size > 0;
  }

  /** The address of a line with code, or of the nearest line with code (the next one, else the previous). */
  resolveLine(file: string, line: number): { line: number; address: number } | { reason: string } {
    const f = this.files.get(normalizePath(file));
    if (f === undefined) return { reason: `no code from ${path.basename(file)} in this program` };
    const exact = f.address.get(line);
    if (exact !== undefined) return { line, address: exact };
    const i = lowerBound(f.lines, line);
    const nearest = i < f.lines.length ? f.lines[i] : f.lines[f.lines.length - 1];
    return { line: nearest, address: f.address.get(nearest) as number };
  }

  /** A label's symbol by name (exact, then case-insensitive). */
  symbol(name: string): SymbolInfo | undefined {
    return this.byName.get(name) ?? this.byLowerName.get(name.toLowerCase());
  }

  /** The label defined exactly at an address (global preferred). */
  labelAt(address: number): string | undefined {
    return this.labelAtAddress.get(address >>> 0);
  }

  /** The nearest label at or below an address; `globalOnly` skips `.local` labels. */
  nearestLabel(address: number, globalOnly = false): Label | undefined {
    const a = address >>> 0;
    let lo = 0;
    let hi = this.labels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.labels[mid].address <= a) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0; i--) if (!globalOnly || !this.labels[i].local) return this.labels[i];
    return undefined;
  }

  /** Index of the first instruction start ≥ address. */
  instructionIndex(address: number): number {
    return lowerBound(this.instructionStarts, address >>> 0);
  }
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
