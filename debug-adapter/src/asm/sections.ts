// Sections of a flat binary, laid out as `nasm -f bin` does: .text first at the origin, the other
// progbits sections after it in the order they were declared, then the nobits sections; each
// aligned to its alignment (4 by default, raised by `align` inside it), gaps filled with zeros.
import type { SectionAttrs } from './parser.js';

const DEFAULT_ALIGN = 4n;

export class Section {
  declared = false;
  nobits: boolean;
  align = DEFAULT_ALIGN;
  private raised = 0n;
  /** Address of the section's first byte (from the previous pass's layout). */
  start = 0n;
  /** Fixed start address from `start=`, if any. */
  fixedStart: bigint | undefined;
  offset = 0n;
  size = 0n;
  private buffer = new Uint8Array(256);

  constructor(
    readonly name: string,
    readonly order: number,
  ) {
    this.nobits = name === '.bss';
  }

  reset(): void {
    this.offset = 0n;
    this.buffer.fill(0);
  }

  configure(attrs: SectionAttrs, evaluate: (e: NonNullable<SectionAttrs['align']>) => bigint | undefined): void {
    if (attrs.nobits) this.nobits = true;
    if (attrs.progbits) this.nobits = false;
    if (attrs.align) {
      const a = evaluate(attrs.align);
      if (a !== undefined && a > 0n) this.align = a;
    }
    if (attrs.start) this.fixedStart = evaluate(attrs.start);
  }

  raiseAlignment(n: bigint): void {
    if (n > this.raised) this.raised = n;
  }

  effectiveAlign(): bigint {
    return this.raised > this.align ? this.raised : this.align;
  }

  write(bytes: Uint8Array): void {
    const at = Number(this.offset);
    const need = at + bytes.length;
    if (need > this.buffer.length) {
      let cap = this.buffer.length * 2;
      while (cap < need) cap *= 2;
      const grown = new Uint8Array(cap);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer.set(bytes, at);
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, Number(this.size));
  }
}

function alignUp(v: bigint, a: bigint): bigint {
  return a > 1n ? ((v + a - 1n) / a) * a : v;
}

/** Places the sections after a pass; returns true when any section moved. */
export function layoutSections(sections: Section[], org: bigint): boolean {
  let moved = false;
  const place = (s: Section, at: bigint) => {
    if (s.start !== at) moved = true;
    s.start = at;
  };
  for (const s of sections) s.size = s.offset;
  const text = sections.find((s) => s.name === '.text');
  const progbits = sections.filter((s) => !s.nobits && s !== text && (s.declared || s.size > 0n)).sort((a, b) => a.order - b.order);
  const nobits = sections.filter((s) => s.nobits && s !== text).sort((a, b) => a.order - b.order);
  let cursor = org;
  const ordered = [...(text && !text.nobits ? [text] : []), ...progbits, ...(text?.nobits ? [text] : []), ...nobits];
  for (const s of ordered) {
    const at = s.fixedStart ?? (s === text ? org : alignUp(cursor, s.effectiveAlign()));
    place(s, at);
    cursor = at + s.size;
  }
  return moved;
}
