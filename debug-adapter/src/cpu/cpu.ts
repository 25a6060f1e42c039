// The IA-32 CPU: architectural state, lazily evaluated arithmetic flags, memory access through
// segmentation and paging, and the run loop over cached decoded blocks. Instruction semantics
// live in ./ops, protected-mode transfers and delivery in ./protection, paging in ./mmu.
import type { PhysicalMemory } from '../machine/memory.js';
import type { CpuBus } from './bus.js';
import {
  ARITH_FLAGS, CR0_PE, CR0_PG, CR0_ET, CR0_WP, CR4_PSE, CS, DS, ES, FLAG_AF, FLAG_CF, FLAG_DF,
  FLAG_FIXED1, FLAG_IF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_TF, FLAG_ZF, FLAG_RF, FS, GS, SS,
  VEC_DB, VEC_DF, VEC_GP, VEC_SS, WRITABLE_FLAGS, isContributory, VEC_PF, exceptionName,
} from './constants.js';
import { CpuFault } from './fault.js';
import { BlockCache, type Block } from './block-cache.js';
import { translate, flushTlb, flushTlbPage } from './mmu.js';
import { deliverEvent, type EventKind } from './deliver.js';
import { CallStack } from './call-stack.js';
import type { Intercepts } from './intercepts.js';
import type { Op } from './op.js';

/** Lazy-flag producers: which operation last set the arithmetic flags. */
export const LZ_ADD = 0;
export const LZ_SUB = 1;
/** Result-only flags (logic ops, shifts): ZF, SF, PF from the result; CF/OF/AF materialized. */
export const LZ_RESULT = 2;

export type StopKind = 'budget' | 'breakpoint' | 'halted' | 'shutdown' | 'device' | 'idle' | 'attention';

export interface ShutdownInfo {
  /** One line: the exception chain and the EIP where it started. */
  reason: string;
  eip: number;
}

export class Cpu {
  // General registers: one buffer seen as 32-, 16- and 8-bit registers.
  readonly regBuffer = new ArrayBuffer(32);
  readonly r32 = new Int32Array(this.regBuffer);
  readonly r16 = new Uint16Array(this.regBuffer);
  readonly r8 = new Uint8Array(this.regBuffer);

  eip = 0;
  /** EIP of the instruction being executed (faults report it). */
  opEip = 0;
  /** 0xFFFF in 16-bit code segments, 0xFFFFFFFF in 32-bit ones. */
  ipMask = 0xffff;

  // EFLAGS: materialized bits, plus the arithmetic flags in `lazyMask` still to be computed.
  flagBits = FLAG_FIXED1;
  lazyMask = 0;
  lzOp = 0;
  lzA = 0;
  lzB = 0;
  lzR = 0;
  /** Operand width in bits of the last flag-producing operation (8, 16, 32). */
  lzW = 32;

  // Segment registers (ES CS SS DS FS GS): selector and descriptor cache.
  readonly segSel = new Int32Array(6);
  readonly segBase = new Int32Array(6);
  readonly segLimit = new Uint32Array(6);
  /** Descriptor bits 40–55 (access byte, then the flags nibble at bits 12–15). */
  readonly segAttr = new Int32Array(6);
  /** Access summary for the fast path: SEG_READ | SEG_WRITE | SEG_DOWN | SEG_BIG. */
  readonly segAcc = new Uint8Array(6);

  cr0 = CR0_ET;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  readonly dr = new Int32Array(8);

  gdtrBase = 0;
  gdtrLimit = 0xffff;
  idtrBase = 0;
  idtrLimit = 0x3ff;
  // LDTR and TR: selector plus cache.
  ldtrSel = 0;
  ldtrBase = 0;
  ldtrLimit = 0;
  ldtrAttr = 0;
  trSel = 0;
  trBase = 0;
  trLimit = 0xffff;
  trAttr = 0x8b;

  cpl = 0;
  code32 = false;
  stack32 = false;
  paging = false;
  /** Page-size extension active (CR4.PSE). */
  pse = false;
  /** Supervisor writes honour read-only pages (CR0.WP). */
  writeProtect = false;

  /** Model-specific registers that hold a value (see msr.ts for the documented set). */
  readonly msrs = new Map<number, bigint>();
  tscOffset = 0;

  /** Instructions retired since power-on (updated at the end of each block). */
  retired = 0;
  /** Instructions of the current block retired so far (so time is exact mid-block). */
  blockRetired = 0;
  /** Virtual time spent halted (ticks that passed with no instruction retiring). */
  idle = 0;
  halted = false;
  /** Set when the run loop must re-examine the machine after the current instruction. */
  attention = false;
  /** A debugger asked the run to end after the current instruction (requestDebugStop). */
  private debugStop = false;
  /**
   * Called for every guest data access through linear addresses (the debugger's memory data
   * breakpoints); null when nothing watches, which keeps the access paths at one test.
   */
  memoryWatch: ((lin: number, size: number, write: boolean) => void) | null = null;
  /**
   * Called when an exception reaches the guest's own handler: delivered through the IDT, or
   * reflected by a VMM (which calls it itself). `eip` is the instruction the exception belongs to.
   */
  exceptionWatch: ((vector: number, errorCode: number, eip: number) => void) | null = null;
  /** Interrupts are held off until after the next instruction (STI, MOV SS, POP SS). */
  interruptShadow = false;
  shutdown: ShutdownInfo | null = null;

  // TLB: per linear page, physical page | 1 (read ok) | 2 (write ok); 0 = miss.
  readonly tlbSup = new Int32Array(1 << 20);
  readonly tlbUser = new Int32Array(1 << 20);
  readonly tlbFilled: number[] = [];

  intercepts: Intercepts | null = null;
  /** The shadow call stack while a debugger tracks calls (trackCalls); null otherwise. */
  callStack: CallStack | null = null;
  /** Linear addresses of instruction breakpoints (ops decoded there get `breakpoint`). */
  readonly breakpoints = new Set<number>();
  /** Set when the run stopped at a breakpoint; the next run executes that instruction. */
  private resumeAt = -1;
  stoppedAtBreakpoint = false;
  readonly blocks: BlockCache;
  readonly mem: PhysicalMemory;

  /** Value an I/O intercept returns for a port read it handled. */
  ioValue = 0;

  /** Physical address staged by a read-modify-write operand access for its write back. */
  rmwLinear = 0;

  /** Exception being delivered, for double-fault and triple-fault detection (-1: none). */
  private delivering = -1;
  private faultChain: string[] = [];

  constructor(readonly bus: CpuBus) {
    this.mem = bus.memory;
    this.blocks = new BlockCache(this);
    this.reset();
  }

  /** Power-on state (SDM 9.1.1), then real mode at F000:FFF0 as on a PC. */
  reset(): void {
    this.r32.fill(0);
    this.r32[2] = 0x543; // EDX: family 5, model 4, stepping 3 (a Pentium MMX-class part)
    this.setEflags(FLAG_FIXED1);
    this.cr0 = CR0_ET;
    this.cr2 = this.cr3 = this.cr4 = 0;
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0 | 0;
    this.dr[7] = 0x400;
    for (let s = 0; s < 6; s++) this.loadRealSegment(s, 0);
    this.loadRealSegment(CS, 0xf000);
    this.segBase[CS] = 0xffff0000 | 0;
    this.eip = 0xfff0;
    this.gdtrBase = this.idtrBase = 0;
    this.gdtrLimit = this.idtrLimit = 0xffff;
    this.idtrLimit = 0x3ff;
    this.ldtrSel = this.ldtrBase = this.ldtrLimit = 0;
    this.trSel = this.trBase = 0;
    this.trLimit = 0xffff;
    this.trAttr = 0x8b;
    this.cpl = 0;
    this.msrs.clear();
    this.tscOffset = 0;
    this.halted = false;
    this.shutdown = null;
    this.interruptShadow = false;
    this.delivering = -1;
    this.callStack?.clear();
    this.modeChanged();
  }

  // ---- flags --------------------------------------------------------------------------------

  setLazy(op: number, a: number, b: number, r: number, width: number, mask: number): void {
    this.lzOp = op;
    this.lzA = a;
    this.lzB = b;
    this.lzR = r;
    this.lzW = width;
    this.lazyMask = mask;
  }

  /** Sets the six arithmetic flags from an addition (ADD, ADC, INC keeps CF itself). */
  flagsAdd(a: number, b: number, r: number, width: number): void {
    this.lzOp = LZ_ADD;
    this.lzA = a;
    this.lzB = b;
    this.lzR = r;
    this.lzW = width;
    this.lazyMask = ARITH_FLAGS;
  }

  flagsSub(a: number, b: number, r: number, width: number): void {
    this.lzOp = LZ_SUB;
    this.lzA = a;
    this.lzB = b;
    this.lzR = r;
    this.lzW = width;
    this.lazyMask = ARITH_FLAGS;
  }

  /** Logic result: CF = OF = AF = 0, ZF SF PF from the result. */
  flagsLogic(r: number, width: number): void {
    this.flagBits &= ~(FLAG_CF | FLAG_OF | FLAG_AF);
    this.lzOp = LZ_RESULT;
    this.lzR = r;
    this.lzW = width;
    this.lazyMask = FLAG_ZF | FLAG_SF | FLAG_PF;
  }

  /** ZF, SF and PF from a result; the caller has set CF, OF and AF explicitly. */
  flagsResult(r: number, width: number): void {
    this.lzOp = LZ_RESULT;
    this.lzR = r;
    this.lzW = width;
    this.lazyMask = FLAG_ZF | FLAG_SF | FLAG_PF;
  }

  private lazyFlag(flag: number): number {
    const w = this.lzW;
    const top = w - 1;
    const r = this.lzR;
    switch (flag) {
      case FLAG_ZF:
        return (w === 32 ? r : r & ((1 << w) - 1)) === 0 ? 1 : 0;
      case FLAG_SF:
        return (r >>> top) & 1;
      case FLAG_PF:
        return PARITY[r & 0xff];
    }
    const a = this.lzA;
    const b = this.lzB;
    switch (flag) {
      case FLAG_CF:
        return this.lzOp === LZ_ADD
          ? (((a & b) | ((a ^ b) & ~r)) >>> top) & 1
          : (((~a & b) | (~(a ^ b) & r)) >>> top) & 1;
      case FLAG_OF:
        return this.lzOp === LZ_ADD
          ? (((a ^ r) & (b ^ r)) >>> top) & 1
          : (((a ^ b) & (a ^ r)) >>> top) & 1;
      default: // AF
        return ((a ^ b ^ r) >>> 4) & 1;
    }
  }

  /** Reads one arithmetic flag (FLAG_CF, ...) as 0 or 1. */
  flag(flag: number): number {
    if ((this.lazyMask & flag) !== 0) return this.lazyFlag(flag);
    return (this.flagBits & flag) !== 0 ? 1 : 0;
  }

  cf(): number {
    return (this.lazyMask & FLAG_CF) !== 0 ? this.lazyFlag(FLAG_CF) : this.flagBits & FLAG_CF;
  }

  zf(): boolean {
    if ((this.lazyMask & FLAG_ZF) !== 0) {
      const w = this.lzW;
      return (w === 32 ? this.lzR : this.lzR & ((1 << w) - 1)) === 0;
    }
    return (this.flagBits & FLAG_ZF) !== 0;
  }

  sf(): number {
    return (this.lazyMask & FLAG_SF) !== 0 ? (this.lzR >>> (this.lzW - 1)) & 1 : (this.flagBits >>> 7) & 1;
  }

  of(): number {
    return (this.lazyMask & FLAG_OF) !== 0 ? this.lazyFlag(FLAG_OF) : (this.flagBits >>> 11) & 1;
  }

  /** Sets or clears one flag, materializing it. */
  setFlag(flag: number, on: boolean | number): void {
    this.lazyMask &= ~flag;
    if (on) this.flagBits |= flag;
    else this.flagBits &= ~flag;
  }

  /** The full EFLAGS value. */
  getEflags(): number {
    let bits = this.flagBits;
    const lazy = this.lazyMask;
    if (lazy !== 0) {
      bits &= ~lazy;
      if (lazy & FLAG_CF && this.lazyFlag(FLAG_CF)) bits |= FLAG_CF;
      if (lazy & FLAG_PF && this.lazyFlag(FLAG_PF)) bits |= FLAG_PF;
      if (lazy & FLAG_AF && this.lazyFlag(FLAG_AF)) bits |= FLAG_AF;
      if (lazy & FLAG_ZF && this.lazyFlag(FLAG_ZF)) bits |= FLAG_ZF;
      if (lazy & FLAG_SF && this.lazyFlag(FLAG_SF)) bits |= FLAG_SF;
      if (lazy & FLAG_OF && this.lazyFlag(FLAG_OF)) bits |= FLAG_OF;
    }
    return bits >>> 0;
  }

  /** Replaces EFLAGS (no privilege filtering: callers apply POPF/IRET rules first). */
  setEflags(value: number): void {
    const before = this.flagBits;
    this.flagBits = (value & WRITABLE_FLAGS) | FLAG_FIXED1;
    this.lazyMask = 0;
    if ((before ^ this.flagBits) & (FLAG_IF | FLAG_TF)) this.attention = true;
  }

  /** Replaces the arithmetic flags only (SAHF, POPF's arithmetic part). */
  setArithFlags(value: number, mask: number): void {
    const bits = this.getEflags();
    this.setEflags((bits & ~mask) | (value & mask));
  }

  get interruptsEnabled(): boolean {
    return (this.flagBits & FLAG_IF) !== 0;
  }

  get iopl(): number {
    return (this.flagBits >>> 12) & 3;
  }

  get df(): boolean {
    return (this.flagBits & FLAG_DF) !== 0;
  }

  // ---- modes ---------------------------------------------------------------------------------

  get protectedMode(): boolean {
    return (this.cr0 & CR0_PE) !== 0;
  }

  /** Recomputes the cached mode bits after CR0/CR4/CS/SS changes; drops cached translations. */
  modeChanged(): void {
    this.code32 = this.protectedMode && (this.segAttr[CS] & 0x4000) !== 0;
    this.ipMask = this.code32 ? 0xffffffff : 0xffff;
    this.stack32 = this.protectedMode && (this.segAttr[SS] & 0x4000) !== 0;
    const paging = (this.cr0 & CR0_PG) !== 0;
    const pse = (this.cr4 & CR4_PSE) !== 0;
    const wp = (this.cr0 & CR0_WP) !== 0;
    if (paging !== this.paging || pse !== this.pse || wp !== this.writeProtect) flushTlb(this);
    this.paging = paging;
    this.pse = pse;
    this.writeProtect = wp;
    this.attention = true;
  }

  // ---- segments ------------------------------------------------------------------------------

  /** Loads a segment register the real-mode way: base = selector * 16, the cache keeps its limit. */
  loadRealSegment(seg: number, selector: number): void {
    this.segSel[seg] = selector & 0xffff;
    this.segBase[seg] = (selector & 0xffff) << 4;
    if (!this.protectedMode || this.segAttr[seg] === 0) {
      // Power-on caches: 64 KiB, read/write data (code for CS), present.
      this.segLimit[seg] = 0xffff;
      this.segAttr[seg] = seg === CS ? 0x9b : 0x93;
    }
    this.refreshSegmentAccess(seg);
    if (seg === CS || seg === SS) this.modeChanged();
  }

  /** Loads a descriptor cache directly (the loader's entry state, protection code, debuggers). */
  setSegmentCache(seg: number, selector: number, base: number, limit: number, attr: number): void {
    this.segSel[seg] = selector & 0xffff;
    this.segBase[seg] = base | 0;
    this.segLimit[seg] = limit >>> 0;
    this.segAttr[seg] = attr & 0xf0ff;
    this.refreshSegmentAccess(seg);
    if (seg === CS) this.cpl = this.protectedMode ? selector & 3 : 0;
    if (seg === CS || seg === SS) this.modeChanged();
  }

  /** Marks a segment register unusable (a null selector loaded into DS/ES/FS/GS). */
  setNullSegment(seg: number, selector: number): void {
    this.segSel[seg] = selector & 0xffff;
    this.segBase[seg] = 0;
    this.segLimit[seg] = 0;
    this.segAttr[seg] = 0;
    this.segAcc[seg] = 0;
  }

  refreshSegmentAccess(seg: number): void {
    const attr = this.segAttr[seg];
    if ((attr & 0x80) === 0 && this.protectedMode) {
      this.segAcc[seg] = 0;
      return;
    }
    const type = attr & 0xf;
    let acc: number;
    if (!this.protectedMode) acc = SEG_READ | SEG_WRITE;
    else if ((type & 8) !== 0) acc = (type & 2) !== 0 ? SEG_READ : 0; // code: readable?
    else acc = SEG_READ | ((type & 2) !== 0 ? SEG_WRITE : 0) | ((type & 4) !== 0 ? SEG_DOWN : 0);
    if ((attr & 0x4000) !== 0) acc |= SEG_BIG;
    this.segAcc[seg] = acc;
  }

  /** Raises the fault a bad segment access gets: #SS(0) for SS, #GP(0) otherwise. */
  segmentFault(seg: number): never {
    throw new CpuFault(seg === SS ? VEC_SS : VEC_GP, 0);
  }

  /** Linear address of a segment:offset access of `size` bytes, after type and limit checks. */
  linear(seg: number, offset: number, size: number, write: boolean): number {
    const acc = this.segAcc[seg];
    if ((acc & (write ? SEG_WRITE : SEG_READ)) === 0) this.segmentFault(seg);
    const last = offset + size - 1;
    if ((acc & SEG_DOWN) === 0) {
      if (last > this.segLimit[seg]) this.segmentFault(seg);
    } else if (offset <= this.segLimit[seg] || last > ((acc & SEG_BIG) !== 0 ? 0xffffffff : 0xffff)) {
      this.segmentFault(seg);
    }
    return (this.segBase[seg] + offset) >>> 0;
  }

  // ---- memory --------------------------------------------------------------------------------

  /** Physical address for a linear access by the current privilege (CPL 3 = user). */
  phys(lin: number, write: boolean): number {
    if (!this.paging) return lin;
    const entry = this.cpl === 3 ? this.tlbUser[lin >>> 12] : this.tlbSup[lin >>> 12];
    if ((entry & (write ? 2 : 1)) !== 0) return ((entry & ~0xfff) | (lin & 0xfff)) >>> 0;
    return translate(this, lin, write, this.cpl === 3);
  }

  /** Physical address for a supervisor access (descriptor tables, TSS, IDT). */
  physSystem(lin: number, write: boolean): number {
    if (!this.paging) return lin;
    const entry = this.tlbSup[lin >>> 12];
    if ((entry & (write ? 2 : 1)) !== 0) return ((entry & ~0xfff) | (lin & 0xfff)) >>> 0;
    return translate(this, lin, write, false);
  }

  readLin8(lin: number): number {
    if (this.memoryWatch !== null) this.memoryWatch(lin, 1, false);
    return this.mem.read8(this.phys(lin, false));
  }

  readLin16(lin: number): number {
    if ((lin & 0xfff) === 0xfff) return this.readLin8(lin) | (this.readLin8((lin + 1) >>> 0) << 8);
    if (this.memoryWatch !== null) this.memoryWatch(lin, 2, false);
    return this.mem.read16(this.phys(lin, false));
  }

  readLin32(lin: number): number {
    if ((lin & 0xfff) > 0xffc) return (this.readLin16(lin) | (this.readLin16((lin + 2) >>> 0) << 16)) | 0;
    if (this.memoryWatch !== null) this.memoryWatch(lin, 4, false);
    return this.mem.read32(this.phys(lin, false)) | 0;
  }

  writeLin8(lin: number, v: number): void {
    if (this.memoryWatch !== null) this.memoryWatch(lin, 1, true);
    this.mem.write8(this.phys(lin, true), v & 0xff);
  }

  writeLin16(lin: number, v: number): void {
    if (this.memoryWatch !== null) this.memoryWatch(lin, 2, true);
    if ((lin & 0xfff) === 0xfff) {
      const hi = this.phys((lin + 1) >>> 0, true); // both pages checked before either is written
      this.mem.write8(this.phys(lin, true), v & 0xff);
      this.mem.write8(hi, (v >>> 8) & 0xff);
      return;
    }
    this.mem.write16(this.phys(lin, true), v & 0xffff);
  }

  writeLin32(lin: number, v: number): void {
    if (this.memoryWatch !== null) this.memoryWatch(lin, 4, true);
    if ((lin & 0xfff) > 0xffc) {
      this.phys((lin + 3) >>> 0, true);
      this.phys(lin, true);
      this.writeLin16(lin, v & 0xffff);
      this.writeLin16((lin + 2) >>> 0, v >>> 16);
      return;
    }
    this.mem.write32(this.phys(lin, true), v);
  }

  rd8(seg: number, off: number): number {
    return this.readLin8(this.linear(seg, off, 1, false));
  }

  rd16(seg: number, off: number): number {
    return this.readLin16(this.linear(seg, off, 2, false));
  }

  /** 32-bit read, returned as a signed int32. */
  rd32(seg: number, off: number): number {
    return this.readLin32(this.linear(seg, off, 4, false));
  }

  wr8(seg: number, off: number, v: number): void {
    this.writeLin8(this.linear(seg, off, 1, true), v);
  }

  wr16(seg: number, off: number, v: number): void {
    this.writeLin16(this.linear(seg, off, 2, true), v);
  }

  wr32(seg: number, off: number, v: number): void {
    this.writeLin32(this.linear(seg, off, 4, true), v);
  }

  /** Read for a read-modify-write: checks write access first, remembers the linear address. */
  rmwRead(seg: number, off: number, size: number): number {
    const lin = this.linear(seg, off, size, true);
    this.phys(lin, true);
    if (size > 1 && (lin & 0xfff) > 0x1000 - size) this.phys((lin + size - 1) >>> 0, true);
    this.rmwLinear = lin;
    return size === 1 ? this.readLin8(lin) : size === 2 ? this.readLin16(lin) : this.readLin32(lin);
  }

  rmwWrite(size: number, v: number): void {
    const lin = this.rmwLinear;
    if (size === 1) this.writeLin8(lin, v);
    else if (size === 2) this.writeLin16(lin, v);
    else this.writeLin32(lin, v);
  }

  readSized(seg: number, off: number, size: number): number {
    return size === 1 ? this.rd8(seg, off) : size === 2 ? this.rd16(seg, off) : this.rd32(seg, off);
  }

  writeSized(seg: number, off: number, size: number, v: number): void {
    if (size === 1) this.wr8(seg, off, v);
    else if (size === 2) this.wr16(seg, off, v);
    else this.wr32(seg, off, v);
  }

  /** Supervisor reads and writes of system structures by linear address (GDT, IDT, TSS). */
  readSystem32(lin: number): number {
    if ((lin & 0xfff) > 0xffc) return (this.readSystem16(lin) | (this.readSystem16((lin + 2) >>> 0) << 16)) | 0;
    return this.mem.read32(this.physSystem(lin, false)) | 0;
  }

  readSystem16(lin: number): number {
    if ((lin & 0xfff) === 0xfff) {
      return this.mem.read8(this.physSystem(lin, false)) | (this.mem.read8(this.physSystem((lin + 1) >>> 0, false)) << 8);
    }
    return this.mem.read16(this.physSystem(lin, false));
  }

  writeSystem8(lin: number, v: number): void {
    this.mem.write8(this.physSystem(lin, true), v);
  }

  writeSystem16(lin: number, v: number): void {
    this.writeSystem8(lin, v & 0xff);
    this.writeSystem8((lin + 1) >>> 0, (v >>> 8) & 0xff);
  }

  writeSystem32(lin: number, v: number): void {
    this.writeSystem16(lin, v & 0xffff);
    this.writeSystem16((lin + 2) >>> 0, v >>> 16);
  }

  // ---- stack ---------------------------------------------------------------------------------

  get sp(): number {
    return this.stack32 ? this.r32[4] >>> 0 : this.r16[8];
  }

  set sp(v: number) {
    if (this.stack32) this.r32[4] = v;
    else this.r16[8] = v & 0xffff;
  }

  push(size: number, v: number): void {
    const sp = this.stack32 ? (this.r32[4] - size) >>> 0 : (this.r16[8] - size) & 0xffff;
    if (size === 4) this.wr32(SS, sp, v);
    else this.wr16(SS, sp, v);
    if (this.stack32) this.r32[4] = sp;
    else this.r16[8] = sp;
  }

  /** Reads the value `depth` bytes above the stack top without popping. */
  peek(size: number, depth: number): number {
    const sp = this.stack32 ? (this.r32[4] + depth) >>> 0 : (this.r16[8] + depth) & 0xffff;
    return size === 4 ? this.rd32(SS, sp) : this.rd16(SS, sp);
  }

  pop(size: number): number {
    const v = this.peek(size, 0);
    this.sp = this.sp + size;
    return v;
  }

  // ---- I/O -----------------------------------------------------------------------------------

  ioRead(port: number, size: 1 | 2 | 4): number {
    this.attention = true;
    return this.bus.ioRead(port, size);
  }

  ioWrite(port: number, size: 1 | 2 | 4, value: number): void {
    this.attention = true;
    this.bus.ioWrite(port, size, value);
  }

  // ---- time ----------------------------------------------------------------------------------

  /** Virtual time in ticks (1 tick = 1 ns; one instruction retires per tick). */
  get time(): number {
    return this.retired + this.blockRetired + this.idle;
  }

  // ---- execution -----------------------------------------------------------------------------

  /**
   * Runs until `maxRetired` instructions have retired in total, or something needs the caller:
   * a halt that cannot resume, shutdown, a device stop request, or `attentionStops` events.
   */
  run(maxRetired: number): StopKind {
    for (;;) {
      if (this.debugStop) {
        this.debugStop = false;
        return 'attention';
      }
      if (this.stoppedAtBreakpoint) {
        this.stoppedAtBreakpoint = false;
        return 'breakpoint';
      }
      if (this.shutdown) return 'shutdown';
      if (this.bus.stopRequested()) return 'device';
      const now = this.time;
      let deadline = this.bus.nextDeadline();
      if (deadline <= now) {
        this.bus.advanceTo(now);
        deadline = this.bus.nextDeadline();
      }
      if (this.interruptShadow) {
        this.interruptShadow = false;
        if (this.retired >= maxRetired) return 'budget';
        this.execute(this.retired + 1, (this.flagBits & FLAG_TF) !== 0);
        continue;
      }
      if ((this.flagBits & FLAG_IF) !== 0 && this.bus.intrPending()) {
        this.halted = false;
        this.deliverExternal(this.bus.acknowledgeInterrupt());
        if (this.shutdown) return 'shutdown';
      }
      if (this.halted) {
        if ((this.flagBits & FLAG_IF) === 0) return 'halted';
        if (deadline === Infinity) return 'idle';
        this.idle += deadline - now;
        continue;
      }
      if (this.retired >= maxRetired) return 'budget';
      const limit = Math.min(maxRetired, deadline === Infinity ? maxRetired : this.retired + (deadline - now));
      this.execute(limit, (this.flagBits & FLAG_TF) !== 0);
    }
  }

  /**
   * Ends the current run() after the instruction in progress (or at once between instructions),
   * with the stop kind 'attention'. A debugger calls this from an exit, hole or watch listener.
   */
  requestDebugStop(): void {
    this.debugStop = true;
    this.attention = true;
  }

  /** Executes decoded blocks until `limit` instructions have retired or attention is needed. */
  private execute(limit: number, singleStep: boolean): void {
    // singleStep: EFLAGS.TF was set before the instruction, so a #DB trap follows it.
    if (this.debugStop) return;
    this.attention = false;
    while (this.retired < limit) {
      let block: Block;
      try {
        block = this.blocks.fetch();
        const translate = this.intercepts?.translateBlock;
        if (translate !== undefined && this.cpl !== 3) block = translate(this, block);
      } catch (e) {
        this.opEip = this.eip;
        this.handleFault(e);
        return;
      }
      const ops = block.ops;
      let n = ops.length;
      if (singleStep || n > limit - this.retired) n = singleStep ? 1 : limit - this.retired;
      const tfBefore = singleStep;
      let i = 0;
      try {
        for (; i < n; i++) {
          const op = ops[i];
          if (op.breakpoint && this.breakpointHit()) break;
          this.blockRetired = i;
          this.opEip = this.eip;
          this.eip = ((this.eip + op.len) & this.ipMask) >>> 0;
          op.exec(this, op);
          if (this.attention) {
            i++;
            break;
          }
        }
      } catch (e) {
        this.retired += i;
        this.blockRetired = 0;
        this.eip = this.opEip;
        this.handleFault(e);
        return;
      }
      this.retired += i;
      this.blockRetired = 0;
      if (tfBefore && !this.stoppedAtBreakpoint) {
        // Single-step trap after the instruction (SDM 17.3.1.4): #DB with DR6.BS.
        this.dr[6] |= 0x4000;
        this.deliverEvent(VEC_DB, -1, 'exception');
        return;
      }
      if (this.attention) return;
    }
  }

  /** At a breakpoint: stop, unless this is the instruction the last stop was at. */
  private breakpointHit(): boolean {
    const lin = (this.segBase[CS] + this.eip) >>> 0;
    if (!this.breakpoints.has(lin)) return false;
    if (this.resumeAt === lin) {
      this.resumeAt = -1;
      return false;
    }
    this.resumeAt = lin;
    this.stoppedAtBreakpoint = true;
    this.attention = true;
    return true;
  }

  /** Replaces the breakpoint set (decoded code is dropped so ops pick up the new marks). */
  setBreakpoints(linear: Iterable<number>): void {
    this.breakpoints.clear();
    for (const a of linear) this.breakpoints.add(a >>> 0);
    this.blocks.flushAll();
    this.resumeAt = -1;
  }

  /**
   * Starts or stops keeping the shadow call stack. Decoded code is dropped: CALL, RET, RETF and
   * IRET are wrapped only in blocks decoded while tracking is on.
   */
  trackCalls(on: boolean): void {
    if (on === (this.callStack !== null)) return;
    this.callStack = on ? new CallStack() : null;
    this.blocks.flushAll();
  }

  private handleFault(e: unknown): void {
    if (!(e instanceof CpuFault)) throw e;
    this.halted = false;
    this.deliverEvent(e.vector, e.errorCode, 'exception');
  }

  /** A hardware interrupt from the interrupt controller. */
  deliverExternal(vector: number): void {
    this.deliverEvent(vector, -1, 'external');
  }

  /**
   * Delivers an exception or interrupt, applying the double-fault and triple-fault rules
   * (SDM 6.15, table 6-5). Faults raised while delivering are themselves delivered.
   */
  deliverEvent(vector: number, errorCode: number, kind: EventKind): void {
    const outer = this.delivering;
    if (outer === -1) this.faultChain = [];
    this.faultChain.push(errorCode >= 0 ? `${exceptionName(vector)}(0x${errorCode.toString(16)})` : exceptionName(vector));
    if (outer !== -1 && kind === 'exception') {
      if (outer === VEC_DF) {
        this.tripleFault();
        return;
      }
      const benign = !isContributory(vector) && vector !== VEC_PF;
      const outerPf = outer === VEC_PF;
      if (!benign && (isContributory(outer) || (outerPf && (isContributory(vector) || vector === VEC_PF)))) {
        vector = VEC_DF;
        errorCode = 0;
        this.faultChain.push('#DF');
      }
    }
    if (this.faultChain.length > 6) {
      this.tripleFault();
      return;
    }
    this.delivering = vector;
    const eip = this.eip;
    try {
      if (this.intercepts?.event?.(this, vector, errorCode, kind) === 'handled') return;
      if (kind === 'exception' && this.exceptionWatch !== null) this.exceptionWatch(vector, errorCode, eip);
      deliverEvent(this, vector, errorCode, kind);
      this.flagBits &= ~FLAG_RF;
      if (this.callStack !== null) this.callStack.event(this, vector, errorCode, kind);
    } catch (e) {
      if (!(e instanceof CpuFault)) throw e;
      // A fault while delivering INT n/INT3/INTO is reported at the instruction itself.
      this.eip = kind === 'software' ? this.opEip : eip;
      this.deliverEvent(e.vector, e.errorCode, 'exception');
    } finally {
      this.delivering = outer;
    }
    this.attention = true;
  }

  private tripleFault(): void {
    if (this.shutdown) return;
    this.faultChain.push('triple fault');
    const eip = this.opEip >>> 0;
    this.shutdown = {
      reason: `triple fault: ${this.faultChain.join(' -> ')} at EIP 0x${eip.toString(16).padStart(8, '0')}`,
      eip,
    };
    if (this.intercepts?.shutdown) this.intercepts.shutdown(this, this.shutdown);
    this.attention = true;
  }

  /** Invalidates every cached translation and decoded block (CR3 reload, INVLPG all, tests). */
  flushTlb(): void {
    flushTlb(this);
  }

  flushTlbPage(lin: number): void {
    flushTlbPage(this, lin);
  }

  /**
   * The decoded instruction at CS:`eip` (from the block cache, decoding it if needed), or null
   * when it cannot be fetched. EIP is left as it was; for hypervisors and the debugger.
   */
  opAt(eip: number): Op | null {
    const saved = this.eip;
    try {
      this.eip = eip >>> 0;
      return this.blocks.fetch().ops[0] ?? null;
    } catch (e) {
      if (e instanceof CpuFault) return null;
      throw e;
    } finally {
      this.eip = saved;
    }
  }

  /** Segment-relative read of code bytes for the decoder (fetch permission is checked there). */
  get csBase(): number {
    return this.segBase[CS] >>> 0;
  }

  /** Data segment register names for debugger displays. */
  static readonly segmentOrder = [ES, CS, SS, DS, FS, GS] as const;
}

export const SEG_READ = 1;
export const SEG_WRITE = 2;
export const SEG_DOWN = 4;
export const SEG_BIG = 8;

/** PF for each byte value: 1 when the number of set bits is even. */
export const PARITY = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let n = 0;
    for (let b = i; b !== 0; b &= b - 1) n++;
    t[i] = (n & 1) === 0 ? 1 : 0;
  }
  return t;
})();

export { DS, ES, FS, GS, SS, CS, FLAG_DF, FLAG_IF, FLAG_TF };
