// Descriptors (SDM vol. 3A §3.4.5, §5.8, §6.11): reading them from the GDT/LDT, decoding their
// fields, setting accessed and busy bits; stack frames built on a stack that is not (yet) SS;
// ring stacks from the TSS. Shared by segment loads, far transfers and interrupt delivery.
import type { Cpu } from '../cpu.js';
import { SEG_BIG, SEG_DOWN, SEG_READ, SEG_WRITE } from '../cpu.js';
import { translate } from '../mmu.js';
import { CpuFault } from '../fault.js';
import { CS, DS, ES, FS, GS, VEC_SS, VEC_TS } from '../constants.js';

/** One 8-byte descriptor as two little-endian dwords, with where it lives (linear address). */
export interface Descriptor {
  lo: number;
  hi: number;
  addr: number;
}

// System descriptor types (S = 0), SDM table 3-2.
export const SYS_TSS16_AVAIL = 1;
export const SYS_LDT = 2;
export const SYS_TSS16_BUSY = 3;
export const SYS_CALL_GATE16 = 4;
export const SYS_TASK_GATE = 5;
export const SYS_INT_GATE16 = 6;
export const SYS_TRAP_GATE16 = 7;
export const SYS_TSS32_AVAIL = 9;
export const SYS_TSS32_BUSY = 0xb;
export const SYS_CALL_GATE32 = 0xc;
export const SYS_INT_GATE32 = 0xe;
export const SYS_TRAP_GATE32 = 0xf;

/** Error code naming a selector (SDM §6.13): index and TI kept, RPL bits replaced by EXT. */
export function selectorError(selector: number, ext = 0): number {
  return (selector & 0xfffc) | ext;
}

export function isNullSelector(selector: number): boolean {
  return (selector & 0xfffc) === 0;
}

/**
 * Linear address of the descriptor a selector names, or -1 when its index lies beyond the
 * GDT or LDT limit (an LDT selector with no usable LDT loaded is beyond the limit too).
 */
export function descriptorAddress(cpu: Cpu, selector: number): number {
  const offset = selector & 0xfff8;
  if ((selector & 4) !== 0) {
    if (isNullSelector(cpu.ldtrSel) || (cpu.ldtrAttr & 0x80) === 0) return -1;
    if (offset + 7 > cpu.ldtrLimit) return -1;
    return (cpu.ldtrBase + offset) >>> 0;
  }
  if (offset + 7 > cpu.gdtrLimit) return -1;
  return (cpu.gdtrBase + offset) >>> 0;
}

/** Reads the descriptor at a linear address (supervisor access, as the processor does). */
export function readDescriptorAt(cpu: Cpu, addr: number): Descriptor {
  return { lo: cpu.readSystem32(addr), hi: cpu.readSystem32((addr + 4) >>> 0), addr };
}

/** The descriptor for `selector`, or the fault (vector, error code) when it is out of the table. */
export function fetchDescriptor(cpu: Cpu, selector: number, vector: number, errorCode: number): Descriptor {
  const addr = descriptorAddress(cpu, selector);
  if (addr < 0) throw new CpuFault(vector, errorCode);
  return readDescriptorAt(cpu, addr);
}

/** The descriptor for `selector`, or null when it is outside the table (LAR, LSL, VERR, VERW). */
export function tryDescriptor(cpu: Cpu, selector: number): Descriptor | null {
  const addr = descriptorAddress(cpu, selector);
  return addr < 0 ? null : readDescriptorAt(cpu, addr);
}

// ---- fields -----------------------------------------------------------------------------------

export function descBase(d: Descriptor): number {
  return ((d.lo >>> 16) | ((d.hi & 0xff) << 16) | (d.hi & 0xff000000)) >>> 0;
}

/** Byte-granular limit (scaled by 4 KiB with G = 1). */
export function descLimit(d: Descriptor): number {
  const raw = (d.lo & 0xffff) | (d.hi & 0xf0000);
  return (d.hi & 0x800000) !== 0 ? ((raw << 12) | 0xfff) >>> 0 : raw;
}

/** Descriptor bits 40–55 as the segment caches keep them (limit 19:16 masked out). */
export function descAttr(d: Descriptor): number {
  return (d.hi >>> 8) & 0xf0ff;
}

export function descDpl(d: Descriptor): number {
  return (d.hi >>> 13) & 3;
}

export function descPresent(d: Descriptor): boolean {
  return (d.hi & 0x8000) !== 0;
}

/** The 4-bit type field. */
export function descType(d: Descriptor): number {
  return (d.hi >>> 8) & 0xf;
}

/** S = 1: a code or data segment (S = 0: system descriptor or gate). */
export function isSegmentDesc(d: Descriptor): boolean {
  return (d.hi & 0x1000) !== 0;
}

export function isCodeDesc(d: Descriptor): boolean {
  return (d.hi & 0x1800) === 0x1800;
}

export function isDataDesc(d: Descriptor): boolean {
  return (d.hi & 0x1800) === 0x1000;
}

export function isConformingCode(d: Descriptor): boolean {
  return (d.hi & 0x1c00) === 0x1c00;
}

export function isReadableCode(d: Descriptor): boolean {
  return (d.hi & 0x1a00) === 0x1a00;
}

export function isWritableData(d: Descriptor): boolean {
  return (d.hi & 0x1a00) === 0x1200;
}

/** Default operand size / stack size bit (D/B). */
export function descBig(d: Descriptor): boolean {
  return (d.hi & 0x400000) !== 0;
}

/** Gate fields: target selector, offset (16-bit gates use the low word only), parameter count. */
export function gateSelector(d: Descriptor): number {
  return d.lo >>> 16;
}

export function gateOffset(d: Descriptor, is32: boolean): number {
  return is32 ? ((d.lo & 0xffff) | (d.hi & 0xffff0000)) >>> 0 : d.lo & 0xffff;
}

export function gateParamCount(d: Descriptor): number {
  return d.hi & 0x1f;
}

// ---- side effects ---------------------------------------------------------------------------

/** Sets the accessed bit of a code or data segment descriptor in memory (SDM §3.4.5.1). */
export function markAccessed(cpu: Cpu, d: Descriptor): void {
  if ((d.hi & 0x100) !== 0) return;
  d.hi |= 0x100;
  cpu.writeSystem8((d.addr + 5) >>> 0, (d.hi >>> 8) & 0xff);
}

/** Loads a segment register's cache from a descriptor, setting the accessed bit first. */
export function loadCache(cpu: Cpu, seg: number, selector: number, d: Descriptor): void {
  markAccessed(cpu, d);
  cpu.setSegmentCache(seg, selector, descBase(d), descLimit(d), descAttr(d));
}

/**
 * After a return to an outer ring (RETF, IRET): ES, DS, FS and GS that the new CPL may not use —
 * data or non-conforming code with DPL < CPL — are loaded with a null selector (SDM RET/IRET).
 */
export function invalidateDataSegments(cpu: Cpu): void {
  for (const seg of [ES, DS, FS, GS]) {
    const attr = cpu.segAttr[seg];
    const conformingCode = (attr & 0x1c) === 0x1c;
    const dpl = (attr >>> 5) & 3;
    if (attr === 0 || conformingCode) continue;
    if (dpl < cpu.cpl) cpu.setNullSegment(seg, 0);
  }
}

/** Calls the intercept interface when CPL changed. */
export function noteCpl(cpu: Cpu, before: number): void {
  if (cpu.cpl !== before) cpu.intercepts?.modeChanged?.(cpu, 'cpl');
}

/** Loads CS from a descriptor with the given RPL and makes that RPL the CPL. */
export function loadCodeSegment(cpu: Cpu, selector: number, d: Descriptor, cpl: number): void {
  loadCache(cpu, CS, (selector & 0xfffc) | cpl, d);
  cpu.cpl = cpl;
}

// ---- stacks ----------------------------------------------------------------------------------

/** Physical address of a linear access with an explicit privilege (user = CPL 3 rules). */
export function physFor(cpu: Cpu, lin: number, write: boolean, user: boolean): number {
  if (!cpu.paging) return lin;
  if (!user) return cpu.physSystem(lin, write);
  if (cpu.cpl === 3) return cpu.phys(lin, write);
  return translate(cpu, lin, write, true);
}

/** Segment-cache view of a stack segment a frame is built on. */
export interface StackSegment {
  base: number;
  limit: number;
  /** SEG_* access summary (SEG_WRITE, SEG_DOWN, SEG_BIG). */
  acc: number;
}

export function stackOfDescriptor(d: Descriptor): StackSegment {
  const type = descType(d);
  return {
    base: descBase(d),
    limit: descLimit(d),
    acc: SEG_READ | SEG_WRITE | ((type & 4) !== 0 ? SEG_DOWN : 0) | (descBig(d) ? SEG_BIG : 0),
  };
}

export function currentStack(cpu: Cpu, seg: number): StackSegment {
  return { base: cpu.segBase[seg] >>> 0, limit: cpu.segLimit[seg], acc: cpu.segAcc[seg] };
}

/**
 * Pushes collected on a stack and written only when every one of them has passed its limit and
 * paging checks — so a frame that faults half-way leaves memory and registers as they were.
 */
export class StackFrame {
  private readonly writes: number[] = [];
  /** The stack pointer (SP in 16-bit stacks) after the pushes so far. */
  sp: number;
  private readonly big: boolean;

  constructor(
    private readonly cpu: Cpu,
    private readonly stack: StackSegment,
    /** Full ESP the frame starts from (its upper half survives on 16-bit stacks). */
    private readonly esp: number,
    /** Privilege of the accesses: the CPL the stack belongs to is 3. */
    private readonly user: boolean,
    /** Error code of the #SS raised when a push leaves the segment. */
    private readonly ssError: number,
  ) {
    this.big = (stack.acc & SEG_BIG) !== 0;
    this.sp = this.big ? esp >>> 0 : esp & 0xffff;
  }

  push(size: 2 | 4, value: number): void {
    const sp = this.big ? (this.sp - size) >>> 0 : (this.sp - size) & 0xffff;
    const s = this.stack;
    const last = sp + size - 1;
    if ((s.acc & SEG_WRITE) === 0) throw new CpuFault(VEC_SS, this.ssError);
    if ((s.acc & SEG_DOWN) === 0) {
      if (last > s.limit) throw new CpuFault(VEC_SS, this.ssError);
    } else if (sp <= s.limit || last > (this.big ? 0xffffffff : 0xffff)) {
      throw new CpuFault(VEC_SS, this.ssError);
    }
    const lin = (s.base + sp) >>> 0;
    // Translate (and so check) every page the write touches before anything is written.
    physFor(this.cpu, lin, true, this.user);
    if ((lin & 0xfff) > 0x1000 - size) physFor(this.cpu, (lin + size - 1) >>> 0, true, this.user);
    this.writes.push(lin, size, value);
    this.sp = sp;
  }

  /** The ESP value after the pushes. */
  get finalEsp(): number {
    return this.big ? this.sp | 0 : ((this.esp & 0xffff0000) | this.sp) | 0;
  }

  /** Writes every push to memory. */
  commit(): void {
    const w = this.writes;
    const mem = this.cpu.mem;
    for (let i = 0; i < w.length; i += 3) {
      const lin = w[i];
      const size = w[i + 1];
      const value = w[i + 2];
      if ((lin & 0xfff) <= 0x1000 - size) {
        const phys = physFor(this.cpu, lin, true, this.user);
        if (size === 4) mem.write32(phys, value);
        else mem.write16(phys, value & 0xffff);
      } else {
        for (let b = 0; b < size; b++) {
          mem.write8(physFor(this.cpu, (lin + b) >>> 0, true, this.user), (value >>> (8 * b)) & 0xff);
        }
      }
    }
    w.length = 0;
  }
}

/**
 * SS:ESP for an inner ring from the current TSS (32-bit TSS: ESPn at 4 + 8n, SSn at 8 + 8n;
 * 16-bit TSS: SPn at 2 + 4n, SSn at 4 + 4n). #TS(TSS selector) when it lies beyond the TSS limit.
 */
export function ringStackFromTss(cpu: Cpu, ring: number, ext: number): { ss: number; esp: number } {
  const is32 = (cpu.trAttr & 8) !== 0;
  if (is32) {
    const at = (ring << 3) + 4;
    if (at + 5 > cpu.trLimit) throw new CpuFault(VEC_TS, selectorError(cpu.trSel, ext));
    return {
      esp: cpu.readSystem32((cpu.trBase + at) >>> 0) >>> 0,
      ss: cpu.readSystem16((cpu.trBase + at + 4) >>> 0),
    };
  }
  const at = (ring << 2) + 2;
  if (at + 3 > cpu.trLimit) throw new CpuFault(VEC_TS, selectorError(cpu.trSel, ext));
  return {
    esp: cpu.readSystem16((cpu.trBase + at) >>> 0),
    ss: cpu.readSystem16((cpu.trBase + at + 2) >>> 0),
  };
}

/**
 * Checks the stack segment named by the TSS for a switch to ring `dpl` (SDM INT n / CALL
 * pseudocode): #TS(EXT) for a null selector, #TS(SS) for a bad one, #SS(SS) when not present.
 */
export function innerStackDescriptor(cpu: Cpu, ss: number, dpl: number, ext: number): Descriptor {
  if (isNullSelector(ss)) throw new CpuFault(VEC_TS, ext);
  const err = selectorError(ss, ext);
  const d = fetchDescriptor(cpu, ss, VEC_TS, err);
  if ((ss & 3) !== dpl || descDpl(d) !== dpl || !isWritableData(d)) throw new CpuFault(VEC_TS, err);
  if (!descPresent(d)) throw new CpuFault(VEC_SS, err);
  return d;
}
