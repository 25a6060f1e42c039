// The trap-and-emulate VMM's private memory and the physical descriptor tables it owns.
//
// Where the VMM lives: the machine has one PhysicalMemory, so the VMM reserves the top 192 KiB
// of guest RAM (guests are loaded at 1 MiB and must not touch that region; a guest that does
// corrupts the VMM, as it would a real VMM that shares its address space):
//
//   top - 0x30000  shadow LDT, 8192 entries (the guest's current LDT, compressed like the GDT)
//   top - 0x20000  shadow GDT, 8192 entries (limit 0xFFFF)
//   top - 0x10000  physical IDT, 256 interrupt gates to the VMM's code selector
//   top - 0x0F800  the VMM's 32-bit TSS (no I/O bitmap: every port access at CPL > IOPL faults)
//   top - 0x0F000  the VMM's page table (maps the region at VMM_LINEAR while guest paging is on)
//   top - 0x0E000  ... top: the VMM's ring-0 stack (never used: see below)
//
// The CPU reaches the GDT, LDT, IDT and TSS through linear addresses. While the guest's paging
// is off those are the physical addresses above. While it is on, the VMM maps its region at
// VMM_LINEAR (the top 4 MiB of the linear address space, 0xFFC00000) by putting one PDE in the
// guest's page directory that points at the VMM's own page table, and the physical GDTR, IDTR,
// LDTR and TR bases point there (VmmLayout.linear). A real VMM does this in its *shadow* page
// tables, invisible to the guest; with guest-physical memory mapped 1:1 and no shadow paging yet,
// this VMM writes the PDE into the guest's own directory (re-checked at every VMM entry and
// after every emulated CR0/CR3/CR4 write). Documented simplification: a guest that uses the top
// 4 MiB of its linear address space, or that reads PDE 1023 back, sees the VMM. The VMM itself
// reads and writes its tables by physical address.
//
// The shadow GDT keeps the guest's selector layout (index n of the guest's GDT is index n of the
// shadow), each code/data descriptor copied with its DPL raised to at least the guest's ring
// ("ring compression": DPL 0 → 1, or 0–2 → 3 with guestRing 3). The accessed bit is copied as the
// guest has it: when the CPU sets it in the shadow (a native segment load), the next sync copies
// it back into the guest's descriptor, and the VMM's own loads set it in both. The VMM's own
// descriptors take the last three slots (0xFFE8 code, 0xFFF0 data, 0xFFF8 TSS); a guest GDT that
// reaches them is truncated there. The guest's LDT (after an emulated LLDT) is shadowed the same
// way in the shadow LDT; the physical LDTR keeps the guest's selector and limit with the shadow's
// base.
//
// The guest may write its GDT/LDT at any time (a real VMM write-protects those pages to notice);
// this one re-copies them at every VMM entry, and a native segment load that faults on a stale
// shadow entry is retried after the re-copy (the fault reaches the VMM first: see vmm.ts).
//
// The physical IDT only exists for realism: every exception and interrupt is intercepted by the
// CPU's `event` hook before the CPU would look at the IDT (that is the VMM's "every vector goes
// to the VMM"), including INT n, whose gate DPL check the VMM then performs itself.
import type { Cpu } from '../../cpu/cpu.js';
import type { Descriptor } from '../../cpu/protection/descriptors.js';

export const VMM_REGION_SIZE = 0x30000;
export const SHADOW_ENTRIES = 8192;
export const VMM_CS = 0xffe8;
export const VMM_DS = 0xfff0;
export const VMM_TSS = 0xfff8;
/** Shadow slots the guest's GDT may use (the VMM's three come after). */
export const GUEST_SLOTS = 8189;
/** Where the VMM region appears in the linear address space while the guest's paging is on. */
export const VMM_LINEAR = 0xffc00000;
const PDE_INDEX = VMM_LINEAR >>> 22;

export class VmmLayout {
  readonly base: number;
  readonly gdt: number;
  readonly ldt: number;
  readonly idt: number;
  readonly tss: number;
  readonly pageTable: number;
  readonly stackTop: number;

  constructor(memorySize: number) {
    if (memorySize < 4 * 1024 * 1024) throw new Error('trap-and-emulate needs at least 4 MiB of guest RAM');
    this.base = memorySize - VMM_REGION_SIZE;
    this.ldt = this.base;
    this.gdt = this.base + 0x10000;
    this.idt = this.base + 0x20000;
    this.tss = this.base + 0x20800;
    this.pageTable = this.base + 0x21000;
    this.stackTop = this.base + VMM_REGION_SIZE;
  }

  /** The linear address of a VMM physical address: itself without paging, else in the VMM window. */
  linear(phys: number, paging: boolean): number {
    return paging ? (VMM_LINEAR + (phys - this.base)) >>> 0 : phys;
  }
}

/** Encodes a flat segment descriptor (base 0, limit 4 GiB, 32-bit) with access byte `access`. */
function flat(access: number): [number, number] {
  return [0x0000ffff, (0x00cf0000 | (access << 8)) | 0];
}

const ACCESSED = 0x100;

/** One shadowed descriptor table (the GDT or the LDT). */
class ShadowTable {
  /** Entries copied last time (stale ones beyond are cleared on the next sync). */
  copied = 0;

  constructor(
    private readonly cpu: Cpu,
    private readonly at: number,
    private readonly compress: (lo: number, hi: number) => [number, number],
    private readonly firstEntry: number,
  ) {}

  /**
   * Copies `n` guest entries from linear `guestBase`, compressing DPLs; accessed bits the CPU set
   * in the shadow since the last copy go back to the guest first. True when a shadow entry changed.
   */
  sync(guestBase: number, n: number): boolean {
    const mem = this.cpu.mem;
    let changed = false;
    for (let i = this.firstEntry; i < n; i++) {
      let lo = 0;
      let hi = 0;
      const lin = (guestBase + i * 8) >>> 0;
      try {
        lo = this.cpu.readSystem32(lin);
        hi = this.cpu.readSystem32((lin + 4) >>> 0);
      } catch {
        // unmapped guest page: the shadow entry becomes unusable (zero)
      }
      const [slo, compressedHi] = this.compress(lo, hi);
      let shi = compressedHi;
      const olo = mem.read32(this.at + i * 8) | 0;
      const ohi = mem.read32(this.at + i * 8 + 4) | 0;
      if (olo === slo && (ohi & ~ACCESSED) === (shi & ~ACCESSED) && (ohi & ACCESSED) !== 0 && (shi & ACCESSED) === 0 && (hi & 0x1000) !== 0) {
        // The CPU loaded this segment natively and marked the shadow: mark the guest's, as bare metal would have.
        try {
          this.cpu.writeSystem8((lin + 5) >>> 0, ((hi >>> 8) | 1) & 0xff);
        } catch {
          // the guest's GDT page went away: nothing to mark
        }
        shi |= ACCESSED;
      }
      if (olo !== slo || ohi !== shi) {
        mem.write32(this.at + i * 8, slo);
        mem.write32(this.at + i * 8 + 4, shi);
        changed = true;
      }
    }
    for (let i = Math.max(n, this.firstEntry); i < this.copied; i++) {
      if ((mem.read32(this.at + i * 8) | mem.read32(this.at + i * 8 + 4)) !== 0) changed = true;
      mem.write32(this.at + i * 8, 0);
      mem.write32(this.at + i * 8 + 4, 0);
    }
    this.copied = n;
    return changed;
  }

  /**
   * The shadow descriptor at an entry about to be loaded by the VMM (read physically), or null
   * beyond the copied part. Loading marks it accessed, in the shadow and in the guest's table.
   */
  load(index: number, guestBase: number): Descriptor | null {
    if (index < this.firstEntry || index >= this.copied) return null;
    const phys = this.at + index * 8;
    const lo = this.cpu.mem.read32(phys) | 0;
    let hi = this.cpu.mem.read32(phys + 4) | 0;
    if ((hi & 0x1000) !== 0 && (hi & ACCESSED) === 0) {
      hi |= ACCESSED;
      this.cpu.mem.write32(phys + 4, hi);
      try {
        const lin = (guestBase + index * 8 + 4) >>> 0;
        this.cpu.writeSystem8((lin + 1) >>> 0, ((this.cpu.readSystem32(lin) >>> 8) | 1) & 0xff);
      } catch {
        // unmapped guest page
      }
    }
    return { lo, hi, addr: phys };
  }
}

export class ShadowGdt {
  private readonly gdt: ShadowTable;
  private readonly ldt: ShadowTable;
  private guestGdtBase = 0;
  private guestLdtBase = 0;
  /** The guest's LDT is shadowed (an LDT was loaded by an emulated LLDT). */
  private ldtActive = false;

  constructor(
    private readonly cpu: Cpu,
    private readonly layout: VmmLayout,
    private readonly guestRing: number,
  ) {
    const compress = (lo: number, hi: number): [number, number] => this.compress(lo, hi);
    this.gdt = new ShadowTable(cpu, layout.gdt, compress, 1);
    this.ldt = new ShadowTable(cpu, layout.ldt, compress, 0);
  }

  /** Writes the VMM's own descriptors, IDT, TSS and page table (once, at start). */
  installVmmStructures(): void {
    const mem = this.cpu.mem;
    const L = this.layout;
    for (let i = 0; i < SHADOW_ENTRIES * 8 * 2; i += 4) mem.write32(L.ldt + i, 0); // LDT and GDT
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
    // IDT: 256 32-bit interrupt gates, DPL 0, to a VMM entry point at the start of the stack.
    const entry = L.pageTable + 0x1000;
    mem.write8(entry, 0xf4); // hlt (never reached: the event hook intercepts every vector)
    for (let v = 0; v < 256; v++) {
      mem.write32(L.idt + v * 8, ((VMM_CS << 16) | (entry & 0xffff)) | 0);
      mem.write32(L.idt + v * 8 + 4, ((entry & 0xffff0000) | 0x8e00) | 0);
    }
    // Page table for the VMM window: the region's pages, present, writable, supervisor.
    for (let i = 0; i < 1024; i++) {
      const off = i * 0x1000;
      mem.write32(L.pageTable + i * 4, off < VMM_REGION_SIZE ? ((L.base + off) | 0x63) | 0 : 0);
    }
  }

  /**
   * While the guest's paging is on, makes sure PDE 1023 of the current page directory maps the
   * VMM window; true when it had to be (re)written (the caller flushes the TLB).
   */
  mapWindow(): boolean {
    const cpu = this.cpu;
    const pdeAddr = ((cpu.cr3 & ~0xfff) + PDE_INDEX * 4) >>> 0;
    if (pdeAddr + 4 > cpu.mem.size) return false;
    const want = (this.layout.pageTable | 0x63) | 0;
    if ((cpu.mem.read32(pdeAddr) | 0) === want) return false;
    cpu.mem.write32(pdeAddr, want);
    return true;
  }

  /** Copies the guest's GDT (at its virtual GDTR) into the shadow; true when the shadow changed. */
  sync(guestBase: number, guestLimit: number): boolean {
    this.guestGdtBase = guestBase;
    let changed = this.gdt.sync(guestBase, Math.min(GUEST_SLOTS, Math.floor((guestLimit + 1) / 8)));
    if (this.ldtActive && this.ldt.sync(this.guestLdtBase, this.ldt.copied)) changed = true;
    return changed;
  }

  /** Shadows the guest's LDT (base and limit from its descriptor), or drops it (null LDT). */
  setLdt(guestBase: number, guestLimit: number | null): void {
    this.guestLdtBase = guestBase;
    this.ldtActive = guestLimit !== null;
    this.ldt.sync(guestBase, guestLimit === null ? 0 : Math.min(SHADOW_ENTRIES, Math.floor((guestLimit + 1) / 8)));
  }

  /** Ring compression of one descriptor: DPL raised to the guest ring (gates and segments). */
  compress(lo: number, hi: number): [number, number] {
    const dpl = (hi >>> 13) & 3;
    const isSegment = (hi & 0x1000) !== 0;
    const gate = !isSegment && [4, 0xc].includes((hi >>> 8) & 0xf);
    if (!isSegment && !gate) return [lo, hi]; // TSS and LDT descriptors: copied as they are
    let out = hi;
    if (dpl < this.guestRing) out = (out & ~0x6000) | (this.guestRing << 13);
    return [lo, out | 0];
  }

  /** The shadow descriptor's two words for a selector as the CPU would find them, or null beyond the table. */
  peek(selector: number): [number, number] | null {
    const index = (selector & 0xfff8) >>> 3;
    const ldt = (selector & 4) !== 0;
    if (ldt && !this.ldtActive) return null;
    const table = ldt ? this.ldt : this.gdt;
    if (index >= table.copied && !(index >= GUEST_SLOTS && !ldt)) return null;
    const at = (ldt ? this.layout.ldt : this.layout.gdt) + index * 8;
    return [this.cpu.mem.read32(at) | 0, this.cpu.mem.read32(at + 4) | 0];
  }

  /**
   * The shadow descriptor for a selector, about to be loaded by the VMM (read physically; marked
   * accessed in the shadow and in the guest's table), or null beyond the guest's part.
   */
  descriptor(selector: number): Descriptor | null {
    const index = (selector & 0xfff8) >>> 3;
    if ((selector & 4) !== 0) return this.ldtActive ? this.ldt.load(index, this.guestLdtBase) : null;
    return this.gdt.load(index, this.guestGdtBase);
  }
}
