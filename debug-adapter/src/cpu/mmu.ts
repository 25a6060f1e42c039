// 32-bit two-level paging (SDM 4.3): 4 KiB pages and 4 MiB pages with CR4.PSE, U/S and R/W
// checks (CR0.WP for supervisor writes), accessed and dirty bits, and the TLB the CPU consults.
// A TLB entry grants write only once the dirty bit is set, so the first write always walks.
import type { Cpu } from './cpu.js';
import { PF_P, PF_U, PF_W, VEC_PF } from './constants.js';
import { CpuFault } from './fault.js';

const P = 1;
const RW = 2;
const US = 4;
const ACCESSED = 0x20;
const DIRTY = 0x40;
const PS = 0x80;

export interface WalkResult {
  phys: number;
  /** Effective permissions: user accessible, writable (by the PDE and PTE together). */
  user: boolean;
  writable: boolean;
  large: boolean;
  pdeAddr: number;
  pteAddr: number;
}

/** Walks the page tables without side effects (debugger address translation). */
export function peekTranslation(cpu: Cpu, lin: number): WalkResult | null {
  if (!cpu.paging) return { phys: lin >>> 0, user: true, writable: true, large: false, pdeAddr: -1, pteAddr: -1 };
  const mem = cpu.mem;
  const pdeAddr = ((cpu.cr3 & ~0xfff) + ((lin >>> 22) << 2)) >>> 0;
  const pde = mem.read32(pdeAddr);
  if ((pde & P) === 0) return null;
  if ((pde & PS) !== 0 && cpu.pse) {
    return {
      phys: ((pde & 0xffc00000) | (lin & 0x3fffff)) >>> 0,
      user: (pde & US) !== 0,
      writable: (pde & RW) !== 0,
      large: true,
      pdeAddr,
      pteAddr: -1,
    };
  }
  const pteAddr = ((pde & ~0xfff) + (((lin >>> 12) & 0x3ff) << 2)) >>> 0;
  const pte = mem.read32(pteAddr);
  if ((pte & P) === 0) return null;
  return {
    phys: ((pte & ~0xfff) | (lin & 0xfff)) >>> 0,
    user: (pde & pte & US) !== 0,
    writable: (pde & pte & RW) !== 0,
    large: false,
    pdeAddr,
    pteAddr,
  };
}

function pageFault(cpu: Cpu, lin: number, present: boolean, write: boolean, user: boolean): never {
  cpu.cr2 = lin | 0;
  throw new CpuFault(VEC_PF, (present ? PF_P : 0) | (write ? PF_W : 0) | (user ? PF_U : 0));
}

/** TLB miss: walks the tables, checks the access, sets A/D bits, fills the TLB. */
export function translate(cpu: Cpu, lin: number, write: boolean, user: boolean): number {
  const mem = cpu.mem;
  const pdeAddr = ((cpu.cr3 & ~0xfff) + ((lin >>> 22) << 2)) >>> 0;
  let pde = mem.read32(pdeAddr);
  if ((pde & P) === 0) pageFault(cpu, lin, false, write, user);
  const large = (pde & PS) !== 0 && cpu.pse;
  let pte = 0;
  let pteAddr = 0;
  let perm: number;
  if (large) {
    perm = pde;
  } else {
    pteAddr = ((pde & ~0xfff) + (((lin >>> 12) & 0x3ff) << 2)) >>> 0;
    pte = mem.read32(pteAddr);
    if ((pte & P) === 0) pageFault(cpu, lin, false, write, user);
    perm = pde & pte;
  }
  const canWrite = user ? (perm & RW) !== 0 : (perm & RW) !== 0 || !cpu.writeProtect;
  if (user && (perm & US) === 0) pageFault(cpu, lin, true, write, user);
  if (write && !canWrite) pageFault(cpu, lin, true, write, user);

  if ((pde & ACCESSED) === 0 || (large && write && (pde & DIRTY) === 0)) {
    pde |= ACCESSED | (large && write ? DIRTY : 0);
    mem.write32(pdeAddr, pde);
  }
  let dirty: boolean;
  let frame: number;
  if (large) {
    dirty = (pde & DIRTY) !== 0;
    frame = (pde & 0xffc00000) | (lin & 0x3ff000);
  } else {
    if ((pte & ACCESSED) === 0 || (write && (pte & DIRTY) === 0)) {
      pte |= ACCESSED | (write ? DIRTY : 0);
      mem.write32(pteAddr, pte);
    }
    dirty = (pte & DIRTY) !== 0;
    frame = pte & ~0xfff;
  }
  const entry = frame | 1 | (canWrite && dirty ? 2 : 0);
  const page = lin >>> 12;
  if (user) cpu.tlbUser[page] = entry;
  else cpu.tlbSup[page] = entry;
  cpu.tlbFilled.push(page);
  if (cpu.tlbFilled.length > 65536) flushTlb(cpu);
  return ((frame & ~0xfff) | (lin & 0xfff)) >>> 0;
}

export function flushTlb(cpu: Cpu): void {
  for (const page of cpu.tlbFilled) {
    cpu.tlbSup[page] = 0;
    cpu.tlbUser[page] = 0;
  }
  cpu.tlbFilled.length = 0;
}

export function flushTlbPage(cpu: Cpu, lin: number): void {
  cpu.tlbSup[lin >>> 12] = 0;
  cpu.tlbUser[lin >>> 12] = 0;
}

export interface TlbEntry {
  /** Linear page address (4 KiB aligned). */
  linear: number;
  /** Physical page address. */
  phys: number;
  /** A write hits without a walk (writable and already dirty). */
  write: boolean;
  /** Cached for user-mode (CPL 3) accesses; otherwise for supervisor accesses. */
  user: boolean;
}

/** The cached translations, by linear page then supervisor before user; reads only (the debugger's `info tlb`). */
export function tlbEntries(cpu: Cpu): TlbEntry[] {
  const pages = [...new Set(cpu.tlbFilled)].sort((a, b) => a - b);
  const out: TlbEntry[] = [];
  for (const page of pages) {
    for (const [table, user] of [[cpu.tlbSup, false], [cpu.tlbUser, true]] as const) {
      const entry = table[page];
      if (entry === 0) continue;
      out.push({ linear: (page << 12) >>> 0, phys: (entry & ~0xfff) >>> 0, write: (entry & 2) !== 0, user });
    }
  }
  return out;
}
