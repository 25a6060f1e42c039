// Decoded basic blocks, cached by the physical address of their first byte. A write to bytes
// that decoded code came from drops every block of that page (self-modifying code); writes to
// data that merely shares a page with code cost one lookup in the page's coverage map. A block
// that runs across a page boundary is decoded afresh each time and never cached.
import type { Cpu } from './cpu.js';
import type { Op } from './op.js';
import { decodeBlock } from './decode.js';
import { trackingExec } from './call-stack.js';
import { CS, VEC_GP } from './constants.js';
import { CpuFault } from './fault.js';
import { PAGE_SHIFT, PAGE_SIZE } from '../machine/memory.js';

export interface Block {
  ops: Op[];
  code32: boolean;
  /** Bytes covered, for the CS-limit check on reuse. */
  byteLength: number;
}

const MAX_INSTRUCTION = 15;
const DECODE_WINDOW = 512;

export class BlockCache {
  /**
   * Per physical page, its blocks by offset. Pre-sized for all of RAM: a sparse array (code near
   * the top of RAM, such as a translation cache) would drop V8 into slow dictionary storage.
   */
  private pages: (Block[] | undefined)[];
  /** Per physical page with blocks: 1 for each byte some cached block was decoded from. */
  private coverage: (Uint8Array | undefined)[] = [];
  /** Blocks decoded since creation (statistics). */
  decoded = 0;
  invalidations = 0;

  constructor(private readonly cpu: Cpu) {
    this.pages = this.emptyPages();
    cpu.mem.onCodeWrite((addr, length) => this.codeWritten(addr, length));
  }

  private codeWritten(addr: number, length: number): void {
    const page = addr >>> PAGE_SHIFT;
    const covered = this.coverage[page];
    if (covered !== undefined) {
      const from = addr & (PAGE_SIZE - 1);
      const to = Math.min(PAGE_SIZE, from + length);
      let hit = false;
      for (let i = from; i < to; i++) if (covered[i] !== 0) hit = true;
      if (!hit) return;
    }
    this.invalidatePage(page);
  }

  invalidatePage(page: number): void {
    if (this.pages[page] !== undefined) {
      this.pages[page] = undefined;
      this.invalidations++;
    }
    this.coverage[page] = undefined;
    this.cpu.mem.clearCode(page);
    this.cpu.attention = true;
  }

  private markBreakpoints(ops: Op[]): void {
    const set = this.cpu.breakpoints;
    if (set.size === 0) return;
    for (const op of ops) op.breakpoint = set.has(op.linear);
  }

  /** While a debugger tracks calls, CALL, RET, RETF and IRET also keep the shadow call stack. */
  private markCalls(ops: Op[]): void {
    if (this.cpu.callStack === null) return;
    for (const op of ops) op.exec = trackingExec(op);
  }

  /** Drops every decoded block (intercepts changed, memory restored). */
  flushAll(): void {
    for (let page = 0; page < this.pages.length; page++) {
      if (this.pages[page] !== undefined) this.cpu.mem.clearCode(page);
    }
    this.pages = this.emptyPages();
    this.coverage = [];
  }

  private emptyPages(): (Block[] | undefined)[] {
    return new Array<Block[] | undefined>(this.cpu.mem.size >>> PAGE_SHIFT).fill(undefined);
  }

  /** The block at CS:EIP, decoding it on first use. Raises #GP/#PF as an instruction fetch would. */
  fetch(): Block {
    const cpu = this.cpu;
    const eip = cpu.eip;
    const limit = cpu.segLimit[CS];
    if (eip > limit) throw new CpuFault(VEC_GP, 0);
    const lin = (cpu.segBase[CS] + eip) >>> 0;
    const phys = cpu.phys(lin, false);
    const page = this.pages[phys >>> PAGE_SHIFT];
    if (page !== undefined) {
      const block = page[phys & (PAGE_SIZE - 1)];
      if (block !== undefined && block.code32 === cpu.code32 && eip + block.byteLength - 1 <= limit) return block;
    }
    return this.decode(lin, phys, eip, limit);
  }

  private decode(lin: number, phys: number, eip: number, limit: number): Block {
    const cpu = this.cpu;
    const bitness = cpu.code32 ? 32 : 16;
    const inPage = PAGE_SIZE - (phys & (PAGE_SIZE - 1));
    // A window large enough for most blocks; a block cut short by it simply ends there.
    const window = Math.min(inPage, DECODE_WINDOW);
    const maxBytes = Math.min(window, limit - eip + 1);
    let run = decodeBlock(cpu.mem.readBytes(phys, window), bitness, lin, maxBytes, eip);
    this.markBreakpoints(run.ops);
    this.markCalls(run.ops);
    if (run.ops.length > 0) {
      const block: Block = { ops: run.ops, code32: cpu.code32, byteLength: run.length };
      this.decoded++;
      let map = this.pages[phys >>> PAGE_SHIFT];
      if (map === undefined) {
        map = [];
        this.pages[phys >>> PAGE_SHIFT] = map;
      }
      map[phys & (PAGE_SIZE - 1)] = block;
      let covered = this.coverage[phys >>> PAGE_SHIFT];
      if (covered === undefined) {
        covered = new Uint8Array(PAGE_SIZE);
        this.coverage[phys >>> PAGE_SHIFT] = covered;
      }
      covered.fill(1, phys & (PAGE_SIZE - 1), (phys & (PAGE_SIZE - 1)) + run.length);
      cpu.mem.markCode(phys >>> PAGE_SHIFT);
      return block;
    }
    // The first instruction runs past the page (or the CS limit): gather its bytes one by one
    // through the MMU, so a fetch fault names the right address; this block is not cached.
    const bytes = new Uint8Array(MAX_INSTRUCTION);
    let have = 0;
    for (; have < MAX_INSTRUCTION; have++) {
      if (eip + have > limit) break;
      bytes[have] = cpu.mem.read8(cpu.phys((lin + have) >>> 0, false));
    }
    run = decodeBlock(bytes.subarray(0, have), bitness, lin, have, eip);
    this.markBreakpoints(run.ops);
    this.markCalls(run.ops);
    if (run.ops.length === 0) throw new CpuFault(VEC_GP, 0); // runs past the CS limit
    return { ops: run.ops.slice(0, 1), code32: cpu.code32, byteLength: run.ops[0].len };
  }
}
