// The trap-and-emulate VMM's private memory and the physical descriptor tables it owns.
//
// Where the VMM lives: the machine has one PhysicalMemory, so the VMM reserves the top 128 KiB
// of guest RAM (guests are loaded at 1 MiB and must not touch that region; a guest that does
// corrupts the VMM, as it would a real VMM that shares its address space):
//
//   top - 0x20000  shadow GDT, 8192 entries (limit 0xFFFF)
//   top - 0x10000  physical IDT, 256 interrupt gates to the VMM's code selector
//   top - 0x0F800  the VMM's 32-bit TSS (no I/O bitmap: every port access at CPL > IOPL faults)
//   top - 0x0F000  ... top: the VMM's ring-0 stack (never used: see below)
//
// The CPU reaches the GDT through GDTR, a linear address: while the guest's paging is on, the
// region is reached through the guest's page tables (real VMMs map themselves into every guest
// address space; with 1:1 memory and no shadow paging yet, guests that enable paging without
// mapping the top of RAM make their *native* segment loads fault). The VMM itself reads its
// shadow descriptors by physical address, so reflection, IRET and emulated loads do not care.
//
// The shadow GDT keeps the guest's selector layout (index n of the guest's GDT is index n of the
// shadow), each code/data descriptor copied with its DPL raised to at least the guest's ring
// ("ring compression": DPL 0 → 1, or 0–2 → 3 with guestRing 3) and its accessed bit set. The
// VMM's own descriptors take the last three slots (0xFFE8 code, 0xFFF0 data, 0xFFF8 TSS); a guest
// GDT that reaches them is truncated there.
//
// The physical IDT only exists for realism: every exception and interrupt is intercepted by the
// CPU's `event` hook before the CPU would look at the IDT (that is the VMM's "every vector goes
// to the VMM"), including INT n, whose gate DPL check the VMM then performs itself.
import type { Cpu } from '../../cpu/cpu.js';
import type { Descriptor } from '../../cpu/protection/descriptors.js';

export const VMM_REGION_SIZE = 0x20000;
export const SHADOW_ENTRIES = 8192;
export const VMM_CS = 0xffe8;
export const VMM_DS = 0xfff0;
export const VMM_TSS = 0xfff8;
/** Shadow slots the guest's GDT may use (the VMM's three come after). */
export const GUEST_SLOTS = 8189;

export class VmmLayout {
  readonly base: number;
  readonly gdt: number;
  readonly idt: number;
  readonly tss: number;
  readonly stackTop: number;

  constructor(memorySize: number) {
    if (memorySize < 4 * 1024 * 1024) throw new Error('trap-and-emulate needs at least 4 MiB of guest RAM');
    this.base = memorySize - VMM_REGION_SIZE;
    this.gdt = this.base;
    this.idt = this.base + 0x10000;
    this.tss = this.base + 0x10800;
    this.stackTop = this.base + VMM_REGION_SIZE;
  }
}

/** Encodes a flat segment descriptor (base 0, limit 4 GiB, 32-bit) with access byte `access`. */
function flat(access: number): [number, number] {
  return [0x0000ffff, (0x00cf0000 | (access << 8)) | 0];
}

export class ShadowGdt {
  /** Guest entries copied last time (stale ones beyond are cleared on the next sync). */
  private copied = 0;

  constructor(
    private readonly cpu: Cpu,
    private readonly layout: VmmLayout,
    private readonly guestRing: number,
  ) {}

  /** Writes the VMM's own descriptors, IDT and TSS (once, at start). */
  installVmmStructures(): void {
    const mem = this.cpu.mem;
    const L = this.layout;
    for (let i = 0; i < SHADOW_ENTRIES * 8; i += 4) mem.write32(L.gdt + i, 0);
    const put = (sel: number, lo: number, hi: number): void => {
      mem.write32(L.gdt + (sel & 0xfff8), lo);
      mem.write32(L.gdt + (sel & 0xfff8) + 4, hi);
    };
    put(VMM_CS, ...flat(0x9b));
    put(VMM_DS, ...flat(0x93));
    // 32-bit available TSS, limit 0x67, base L.tss.
    put(VMM_TSS, ((L.tss & 0xffff) << 16) | 0x67, ((L.tss >>> 16) & 0xff) | 0x8900 | (L.tss & 0xff000000));
    // TSS: ESP0/SS0 = the VMM stack; I/O map base past the limit (no bitmap: all ports fault).
    for (let i = 0; i < 0x68; i += 4) mem.write32(L.tss + i, 0);
    mem.write32(L.tss + 4, L.stackTop);
    mem.write32(L.tss + 8, VMM_DS);
    mem.write32(L.tss + 0x64, 0xffff0000 | 0);
    // IDT: 256 32-bit interrupt gates, DPL 0, to a VMM entry point at the start of the stack page.
    const entry = L.tss + 0x800;
    mem.write8(entry, 0xf4); // hlt (never reached: the event hook intercepts every vector)
    for (let v = 0; v < 256; v++) {
      mem.write32(L.idt + v * 8, ((VMM_CS << 16) | (entry & 0xffff)) | 0);
      mem.write32(L.idt + v * 8 + 4, ((entry & 0xffff0000) | 0x8e00) | 0);
    }
  }

  /** Copies the guest's GDT (at its virtual GDTR) into the shadow, compressing DPLs. */
  sync(guestBase: number, guestLimit: number): void {
    const mem = this.cpu.mem;
    const n = Math.min(GUEST_SLOTS, Math.floor((guestLimit + 1) / 8));
    for (let i = 1; i < n; i++) {
      let lo = 0;
      let hi = 0;
      try {
        lo = this.cpu.readSystem32((guestBase + i * 8) >>> 0);
        hi = this.cpu.readSystem32((guestBase + i * 8 + 4) >>> 0);
      } catch {
        // unmapped guest GDT page: the shadow entry stays unusable (zero)
      }
      const [slo, shi] = this.compress(lo, hi);
      mem.write32(this.layout.gdt + i * 8, slo);
      mem.write32(this.layout.gdt + i * 8 + 4, shi);
    }
    for (let i = Math.max(n, 1); i < this.copied; i++) {
      mem.write32(this.layout.gdt + i * 8, 0);
      mem.write32(this.layout.gdt + i * 8 + 4, 0);
    }
    this.copied = n;
  }

  /** Ring compression of one descriptor: DPL raised to the guest ring; segments marked accessed. */
  compress(lo: number, hi: number): [number, number] {
    const dpl = (hi >>> 13) & 3;
    const isSegment = (hi & 0x1000) !== 0;
    const gate = !isSegment && [4, 0xc].includes((hi >>> 8) & 0xf);
    if (!isSegment && !gate) return [lo, hi]; // TSS and LDT descriptors: copied as they are
    let out = hi;
    if (dpl < this.guestRing) out = (out & ~0x6000) | (this.guestRing << 13);
    if (isSegment) out |= 0x100;
    return [lo, out | 0];
  }

  /** The shadow descriptor for a GDT selector (read physically), or null beyond the guest's part. */
  descriptor(selector: number): Descriptor | null {
    if ((selector & 4) !== 0) {
      // LDT selectors: the physical LDTR holds the guest's LDT (not compressed).
      const cpu = this.cpu;
      const off = selector & 0xfff8;
      if (cpu.ldtrSel === 0 || off + 7 > cpu.ldtrLimit) return null;
      const addr = (cpu.ldtrBase + off) >>> 0;
      return { lo: cpu.readSystem32(addr), hi: cpu.readSystem32((addr + 4) >>> 0), addr };
    }
    const off = selector & 0xfff8;
    if (off === 0 || off / 8 >= this.copied) return null;
    const phys = this.layout.gdt + off;
    return { lo: this.cpu.mem.read32(phys) | 0, hi: this.cpu.mem.read32(phys + 4) | 0, addr: phys };
  }
}
