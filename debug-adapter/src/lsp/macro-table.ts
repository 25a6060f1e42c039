// The macros an analysis knows: every %macro / %define of the main file and its includes, found
// by name with nasm's case rules (%imacro and %idefine names match in any case).
import type { MacroDefinition } from './scan.js';

export interface LocatedMacro {
  def: MacroDefinition;
  /** The file that defines it. */
  file: string;
}

export class MacroTable {
  private readonly exact = new Map<string, LocatedMacro[]>();
  private readonly folded = new Map<string, LocatedMacro[]>();

  constructor(macros: Iterable<LocatedMacro>) {
    for (const m of macros) {
      const map = m.def.ci ? this.folded : this.exact;
      const key = m.def.ci ? m.def.name.toLowerCase() : m.def.name;
      const list = map.get(key) ?? [];
      list.push(m);
      map.set(key, list);
    }
  }

  find(name: string): readonly LocatedMacro[] {
    const a = this.exact.get(name) ?? [];
    const b = this.folded.get(name.toLowerCase()) ?? [];
    return b.length === 0 ? a : a.length === 0 ? b : [...a, ...b];
  }

  /** True when a multi-line macro of that name exists (what a statement can start with). */
  hasMulti(name: string): boolean {
    return this.find(name).some((m) => m.def.multi);
  }

  /** True when a single-line macro of that name exists (what an operand can use). */
  hasSingle(name: string): boolean {
    return this.find(name).some((m) => !m.def.multi);
  }

  all(): LocatedMacro[] {
    return [...this.exact.values(), ...this.folded.values()].flat();
  }
}
