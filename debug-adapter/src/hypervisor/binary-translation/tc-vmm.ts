// binary-translation, 'x86' mode: guest kernel code runs from a translation cache (TC) of real x86
// bytes in VMM-private memory, built block by block (the emitter is tc-emitter.ts).
//
// Memory. The VMM reserves the top 256 KiB of RAM (as trap-and-emulate does; guests are loaded
// at 1 MiB and must not touch it): its first page is a page table mapping the region, the rest is
// the TC. The CPU fetches TC code through CS:EIP like any code: with the guest's paging off at
// the region's physical address, with paging on at VMM_LINEAR (0xFFC00000, trap-emulate's window)
// by one PDE the VMM keeps in the guest's page directory (the same documented simplification as
// trap-and-emulate: a guest that reads PDE 1023 back sees it). The TC is laid out for one linear
// placement, so a change of paging mode or CR3 flushes it ("epoch").
//
// Physical ring (a documented choice): the translated kernel runs at physical ring 0, not
// de-privileged. That is safe because every sensitive, privileged or IOPL-sensitive instruction
// is translated to a callout, so none executes natively in kernel mode, and the callout emulates
// it with the CPU's own semantics against the CPU state, which with the kernel at ring 0 *is* the
// virtual CPU state (no holes). Ring 1 (trap-emulate's shadow GDT) is not done yet because it is
// more than a descriptor swap: the IDENT far transfers (far JMP, far RET) and the guest's own
// interrupt/exception gates name ring-0 selectors, which at CPL 1 fault (#GP on a far RET to RPL
// 0) or change privilege, so they would all have to become callouts; every callout would then
// have to run the instruction against a virtual CPL 0 rather than the CPU's CPL; and the IDT
// would need shadowing so that delivery lands on ring-1 copies. Until then a sensitive
// instruction that escaped translation would run natively rather than trap — the translator
// classifies every instruction it copies with the knowledge base (op.virtClass), so none does.
//
// Callouts. A callout is `ud2` at a TC address the VMM knows; the #UD reaches the VMM through the
// CPU's `event` hook before the guest's IDT is consulted. The VMM sets EIP to the guest address,
// runs the original instruction (so anything it pushes or reports is a guest address), counts it
// as retired, and resumes at the next TC instruction — or, when the instruction transferred
// control or changed CS, paging or CR3, at the guest address it left EIP at. A fault raised by the
// emulated instruction is delivered with the guest EIP. Instructions that expose EIP without being
// sensitive (indirect CALL, INT n, far CALL) use the same path, uncounted as exits ('emulate').
//
// Dispatch and chaining. The CPU asks the `translateBlock` hook for every block it is about to
// run at CPL < 3: a block inside the TC runs as is; a block at a guest address is the dispatcher
// — it finds (or translates) the guest block's translation and moves EIP into the TC. Direct
// branches are emitted straight to the target's translation when it exists at translation time,
// else to the guest address (arriving there is a dispatch); indirect ones (JMP r/m, RET, IRET)
// are copied and land on guest addresses, so the dispatcher is the indirect-branch lookup.
//
// Retired instructions. The jumps the translator adds (`link` in tc-emitter.ts: a block's
// fall-through jump, the jump after a CALL's push, LOOP's two ways out) are not guest
// instructions: the CPU runs them from ops that give their retirement back (tcRun), so
// `cpu.retired` and the virtual time — RDTSC, the PIT's deadlines, the run loop's budget — count
// exactly what native execution counts, and interrupts arrive after the same guest instruction.
// The push of a CALL stands for the CALL (one guest instruction); a callout retires its
// instruction in the VMM, the `ud2` itself retires nothing.
//
// Speed. A TC block the CPU has run before carries the block to run on the CPU's own block object,
// so the per-block hook is one property read; guest addresses are reached only by indirect
// branches (RET, JMP r/m) and not-yet-chained branches, which go through `dispatch`. A block that
// loops back to its own start is chained when it is translated.
//
// Guest-visible EIP. Every TC instruction start maps to the guest address the CPU state stands
// for (`guestEip`); the `event` hook rewrites EIP before any exception or interrupt is delivered,
// so frames the guest sees hold guest EIPs. The debugger should report `guestEip(cpu.eip)`.
//
// Coherence. The VMM chains itself in front of PhysicalMemory's code-write listener and marks the
// guest pages that have translations as code pages: a write to bytes a translation came from
// invalidates it — its TC entry is overwritten with `ud2` (a stamp: arriving there, from a stale
// chained jump, exits to the dispatcher with the guest address), and if EIP is inside it EIP goes
// back to the guest address. Translations are also checked against the CPU's decoded block at
// dispatch (a re-decoded block with other bytes is an invalidation too).
//
// Not flat 32-bit code (real mode, 16-bit code, CS base ≠ 0 or limit < 4 GiB) and blocks with
// debugger breakpoints are run by the Op-form translator of the first mode (bt.ts), which this VMM
// keeps inside itself: still no sensitive instruction runs untranslated there.
import type { Cpu } from '../../cpu/cpu.js';
import type { Block } from '../../cpu/block-cache.js';
import type { Op } from '../../cpu/op.js';
import type { Intercepts } from '../../cpu/intercepts.js';
import { CS, FLAG_IF, FLAG_TF, VEC_UD } from '../../cpu/constants.js';
import { CpuFault } from '../../cpu/fault.js';
import { PAGE_SHIFT, PAGE_SIZE, type CodeWriteListener } from '../../machine/memory.js';
import type { Hypervisor, HypervisorContext, HypervisorFactory, HypervisorOptions } from '../hypervisor.js';
import { recordExit } from '../hypervisor.js';
import { emptyVirtualState, type VirtualCpuState } from '../virtual-state.js';
import { VMM_LINEAR } from '../trap-emulate/shadow.js';
import { BinaryTranslationVmm, type SideBySide, type TranslationStatistics } from './bt.js';
import { calloutName } from './translator.js';
import { emitBlock, UD2, type TcBlock, type TcInstr } from './tc-emitter.js';

const TECHNIQUE = 'binary-translation' as const;
/** VMM-private region at the top of RAM: one page table page, then the TC. */
export const TC_REGION_SIZE = 0x40000;
const TC_OFFSET = PAGE_SIZE;

export interface X86TranslationStatistics extends TranslationStatistics {
  mode: 'x86';
  /** Arrivals at a stale (stamped) TC entry, sent back to the dispatcher. */
  staleExits: number;
  /** Whole-TC flushes (paging mode or CR3 changed, TC full). */
  flushes: number;
  /** Non-sensitive instructions run by the VMM because they expose EIP (indirect CALL, INT n). */
  emulations: number;
  /** Direct branches back-patched to a translation made after them. */
  chainsPatched: number;
  /** Dispatches (a kernel block started at a guest address). */
  dispatches: number;
  /** What the Op-form fallback (non-flat code, breakpoints) did. */
  fallback: TranslationStatistics;
}

interface Live {
  block: TcBlock;
  /** Physical address of the guest block's first byte. */
  phys: number;
  /** Physical pages (and byte ranges) the guest block came from. */
  ranges: { page: number; from: number; to: number }[];
  /** The CPU block it was made from (a different object means the CPU re-decoded the bytes). */
  cpuBlock: Block;
  guestBytes: Uint8Array;
}

export class X86TranslationVmm implements Hypervisor {
  readonly technique = TECHNIQUE;
  private ctx: HypervisorContext | null = null;
  private readonly fallbackVmm: BinaryTranslationVmm;
  private fallbackTranslate: ((cpu: Cpu, block: Block) => Block) | null = null;
  private base = 0;
  private tcSize = 0;
  private nextTc = 0;
  private epochPaging = false;
  private epochCr3 = 0;
  /** Guest linear address → live translation (current epoch). */
  private readonly blocks = new Map<number, Live>();
  /** TC linear address of every emitted instruction → what it stands for (current epoch). */
  private readonly byTc = new Map<number, TcInstr>();
  /** Stamped (invalidated) block entries → their guest address. */
  private readonly stamped = new Map<number, number>();
  /** Guest address → TC rel32 fields of direct branches still aimed at it (chained on translation). */
  private readonly pending = new Map<number, number[]>();
  private chainsPatched = 0;
  /** Guest physical page → translations made from it. */
  private readonly byPage = new Map<number, Set<Live>>();
  /** TC address whose emulated instruction just faulted (its #UD is not a callout again). */
  private faultFrom = -1;
  private blocksTranslated = 0;
  private instructionsTranslated = 0;
  private cacheBytesEmitted = 0;
  private invalidations = 0;
  private translationCycles = 0;
  private calloutsTotal = 0;
  private readonly calloutsByMnemonic = new Map<string, number>();
  private staleExits = 0;
  private flushes = 0;
  private emulations = 0;
  private dispatches = 0;

  constructor(options: HypervisorOptions) {
    this.fallbackVmm = new BinaryTranslationVmm(options);
  }

  private get c(): HypervisorContext {
    if (this.ctx === null) throw new Error('binary-translation (x86): not started');
    return this.ctx;
  }

  start(context: HypervisorContext): void {
    this.ctx = context;
    const cpu = context.cpu;
    if (cpu.mem.size < 4 * 1024 * 1024) throw new Error('binary-translation (x86 mode) needs at least 4 MiB of guest RAM');
    this.base = cpu.mem.size - TC_REGION_SIZE;
    this.tcSize = TC_REGION_SIZE - TC_OFFSET;
    // The window's page table: the region's pages, supervisor, read/write.
    for (let i = 0; i < TC_REGION_SIZE / PAGE_SIZE; i++) cpu.mem.write32(this.base + i * 4, (this.base + i * PAGE_SIZE) | 3);
    this.fallbackVmm.start(context);
    this.fallbackTranslate = cpu.intercepts?.translateBlock ?? null;
    const intercepts: Intercepts = {
      ...cpu.intercepts,
      // The hot path, once per block the CPU runs: a TC block it has seen before runs as marked.
      translateBlock: (c, block) => (block as RunMarked)[TC_RUN] ?? this.dispatch(c, block),
      event: (c, vector, _err, kind) => this.event(c, vector, kind),
    };
    cpu.intercepts = intercepts;
    // Coherence: in front of the CPU's own listener, which it then calls.
    let prior: CodeWriteListener = () => undefined;
    prior = cpu.mem.onCodeWrite((addr, length) => {
      this.codeWritten(addr, length);
      prior(addr, length);
      const page = addr >>> PAGE_SHIFT;
      if ((this.byPage.get(page)?.size ?? 0) > 0) cpu.mem.markCode(page);
    });
    this.epochPaging = cpu.paging;
    this.epochCr3 = cpu.cr3;
  }

  // ---- addresses ------------------------------------------------------------------------------

  private tcLinearBase(): number {
    return this.epochPaging ? (VMM_LINEAR + TC_OFFSET) >>> 0 : this.base + TC_OFFSET;
  }

  private inTc(lin: number): boolean {
    const b = this.tcLinearBase();
    return lin >= b && lin < b + this.tcSize;
  }

  private tcPhys(lin: number): number {
    return this.base + TC_OFFSET + (lin - this.tcLinearBase());
  }

  /** The guest EIP the CPU state stands for (EIP itself outside the TC). For the debugger. */
  guestEip(eip: number): number {
    const e = eip >>> 0;
    if (!this.inTc(e)) return e;
    return this.stamped.get(e) ?? this.byTc.get(e)?.guest ?? e;
  }

  private static flat32(cpu: Cpu): boolean {
    return cpu.code32 && cpu.segBase[CS] === 0 && cpu.segLimit[CS] >>> 0 === 0xffffffff;
  }

  // ---- dispatcher -----------------------------------------------------------------------------

  private dispatch(cpu: Cpu, block: Block): Block {
    const eip = cpu.eip >>> 0;
    if (X86TranslationVmm.flat32(cpu) && this.inTc(eip) && cpu.paging === this.epochPaging) return this.tcRun(block);
    if (!X86TranslationVmm.flat32(cpu) || (cpu.flagBits & FLAG_TF) !== 0 || block.ops.some((op) => op.breakpoint)) {
      return this.fallbackTranslate !== null ? this.fallbackTranslate(cpu, block) : block;
    }
    this.ensureEpoch(cpu);
    this.dispatches++;
    let live = this.blocks.get(eip);
    if (live !== undefined && live.cpuBlock !== block) {
      const phys = cpu.phys(eip, false);
      if (phys !== live.phys || !sameBytes(live.guestBytes, block)) {
        this.invalidate(cpu, live);
        this.invalidations++;
        live = undefined;
      } else {
        live.cpuBlock = block;
      }
    }
    if (live === undefined) live = this.translate(cpu, block);
    cpu.eip = live.block.tc;
    return this.tcRun(cpu.blocks.fetch());
  }

  /**
   * A CPU block inside the TC, as the CPU runs it: the translator's synthetic instructions (the
   * `link` jumps: block ends, a CALL's jump after its push, LOOP's two ways out) retire nothing
   * the guest can see, so each gives its retirement back as it executes. The CPU adds a block's
   * executed ops to `retired` at its end and uses `retired + blockRetired` as the time mid-block,
   * so an op that decrements `retired` keeps both exactly at the native count (RDTSC, the PIT's
   * deadlines and the run loop's budget all see guest instructions only). Cached per CPU block
   * (a rewritten TC byte makes the CPU decode a new block, hence a new wrapper).
   */
  // The mark is set on the CPU's own block object, so the next fetch of it costs one property
  // read. It stays valid for as long as the object lives: the CPU reaches a cached TC block only
  // with EIP in the TC, which only happens through dispatch (flat 32-bit code, no TF, no
  // breakpoints, this epoch) — callouts that change CS, paging, CR3 or TF leave the TC, events
  // are delivered at guest EIPs — and rewritten TC bytes, a flush or new breakpoints make the CPU
  // decode new block objects.
  private tcRun(block: Block): Block {
    let ops: Op[] | null = null;
    const tracking = this.c.cpu.callStack !== null;
    for (let i = 0; i < block.ops.length; i++) {
      const op = block.ops[i];
      const ti = this.byTc.get(op.linear >>> 0);
      if (ti === undefined || ti.bytes.length !== op.len) continue;
      let replacement: Op;
      if (ti.kind === 'link') replacement = synthetic(op);
      else if (ti.kind === 'call-push' && tracking && ti.op !== undefined) replacement = callPush(op, ti.op);
      else continue;
      if (ops === null) ops = block.ops.slice();
      ops[i] = replacement;
    }
    const run: Block = ops === null ? block : { ...block, ops };
    (block as RunMarked)[TC_RUN] = run;
    return run;
  }

  /** A new epoch when paging or CR3 changed: the TC is laid out for one linear placement. */
  private ensureEpoch(cpu: Cpu): void {
    if (cpu.paging !== this.epochPaging || (cpu.paging && cpu.cr3 !== this.epochCr3)) this.flush(cpu);
    if (cpu.paging) {
      const pde = ((cpu.cr3 & ~0xfff) + (VMM_LINEAR >>> 22) * 4) >>> 0;
      const want = (this.base | 3) >>> 0;
      if (cpu.mem.read32(pde) >>> 0 !== want) {
        cpu.mem.write32(pde, want);
        cpu.flushTlb();
      }
    }
  }

  private flush(cpu: Cpu): void {
    this.flushes++;
    this.blocks.clear();
    this.byTc.clear();
    this.stamped.clear();
    this.byPage.clear();
    this.pending.clear();
    this.nextTc = 0;
    this.epochPaging = cpu.paging;
    this.epochCr3 = cpu.cr3;
    cpu.blocks.flushAll();
  }

  private translate(cpu: Cpu, block: Block): Live {
    const ops = block.ops;
    const worst = ops.length * 16 + 16;
    if (this.nextTc + worst > this.tcSize) this.flush(cpu);
    const tc = (this.tcLinearBase() + this.nextTc) >>> 0;
    const t = emitBlock(ops, tc, (g) => this.blocks.get(g)?.block.tc ?? null);
    cpu.mem.writeBytes(this.tcPhys(tc), t.bytes);
    this.nextTc += t.bytes.length;
    for (const ti of t.instrs) this.byTc.set(ti.tc, ti);
    this.stamped.delete(tc);
    // Its own unchained branches first (a loop back to its own start is chained right away).
    for (const u of t.unchained) {
      const list = this.pending.get(u.target);
      if (list === undefined) this.pending.set(u.target, [u.relAt]);
      else list.push(u.relAt);
    }
    // Chaining: branches to this guest address (earlier blocks', its own) now go straight here.
    for (const relAt of this.pending.get(t.guest) ?? []) {
      cpu.mem.write32(this.tcPhys(relAt), (tc - (relAt + 4)) | 0);
      this.chainsPatched++;
    }
    this.pending.delete(t.guest);
    // Where the guest bytes came from (a block may cross one page boundary).
    const ranges: Live['ranges'] = [];
    const first = t.guest;
    const phys = cpu.phys(first, false);
    const guestBytes = new Uint8Array(t.guestLength);
    let off = 0;
    for (const op of ops) {
      guestBytes.set(op.bytes, off);
      off += op.len;
    }
    let lin = first;
    const end = (first + t.guestLength) >>> 0;
    while (lin < end) {
      const p = cpu.phys(lin, false);
      const inPage = PAGE_SIZE - (p & (PAGE_SIZE - 1));
      const n = Math.min(inPage, end - lin);
      ranges.push({ page: p >>> PAGE_SHIFT, from: p & (PAGE_SIZE - 1), to: (p & (PAGE_SIZE - 1)) + n });
      lin = (lin + n) >>> 0;
    }
    const live: Live = { block: t, phys, ranges, cpuBlock: block, guestBytes };
    this.blocks.set(first, live);
    for (const r of ranges) {
      let set = this.byPage.get(r.page);
      if (set === undefined) {
        set = new Set();
        this.byPage.set(r.page, set);
      }
      set.add(live);
      cpu.mem.markCode(r.page);
    }
    this.blocksTranslated++;
    this.instructionsTranslated += ops.length;
    this.cacheBytesEmitted += t.bytes.length;
    const cost = ops.length * this.c.costs.translateInstruction;
    this.translationCycles += cost;
    this.c.log.vmmCycles += cost;
    return live;
  }

  /** Drops a translation: its entry becomes a stamp that exits to the dispatcher. */
  private invalidate(cpu: Cpu, live: Live): void {
    const t = live.block;
    if (this.blocks.get(t.guest) === live) this.blocks.delete(t.guest);
    for (const r of live.ranges) this.byPage.get(r.page)?.delete(live);
    this.stamped.set(t.tc, t.guest);
    cpu.mem.writeBytes(this.tcPhys(t.tc), UD2);
    const eip = cpu.eip >>> 0;
    if (eip >= t.tc && eip < t.tc + t.bytes.length) {
      const ti = this.byTc.get(eip);
      if (ti !== undefined) cpu.eip = ti.guest;
    }
    cpu.attention = true;
  }

  /** A write to a code page: translations made from the written bytes are invalidated. */
  private codeWritten(addr: number, length: number): void {
    if (addr >= this.base && addr < this.base + TC_REGION_SIZE) return;
    const page = addr >>> PAGE_SHIFT;
    const set = this.byPage.get(page);
    if (set === undefined || set.size === 0) return;
    const from = addr & (PAGE_SIZE - 1);
    const to = from + length;
    const cpu = this.c.cpu;
    for (const live of [...set]) {
      if (live.ranges.some((r) => r.page === page && r.from < to && from < r.to)) {
        this.invalidate(cpu, live);
        this.invalidations++;
      }
    }
  }

  // ---- events and callouts --------------------------------------------------------------------

  private event(cpu: Cpu, vector: number, kind: string): 'native' | 'handled' {
    const a = cpu.eip >>> 0;
    if (!this.inTc(a) || !X86TranslationVmm.flat32(cpu)) return 'native';
    if (vector === VEC_UD && kind === 'exception' && a !== this.faultFrom) {
      const stamp = this.stamped.get(a);
      if (stamp !== undefined) {
        this.staleExits++;
        cpu.eip = stamp;
        return 'handled';
      }
      const ti = this.byTc.get(a);
      if (ti !== undefined && (ti.kind === 'callout' || ti.kind === 'emulate') && ti.op !== undefined) return this.callout(cpu, ti);
    }
    this.faultFrom = -1;
    const ti = this.byTc.get(a);
    if (ti === undefined) throw new Error(`binary-translation (x86): no guest address for TC 0x${a.toString(16)}`);
    cpu.eip = ti.guest;
    return 'native';
  }

  private callout(cpu: Cpu, ti: TcInstr): 'handled' {
    const op = ti.op;
    if (op === undefined) return 'handled';
    const g = ti.guest;
    const next = (g + op.len) >>> 0;
    const cs = cpu.segSel[CS];
    const paging = cpu.paging;
    const cr3 = cpu.cr3;
    const invalidations = this.invalidations;
    cpu.opEip = g;
    cpu.eip = next;
    try {
      op.exec(cpu, op);
    } catch (e) {
      if (e instanceof CpuFault) {
        // Delivered by the CPU with EIP back at the TC address; the event hook maps it to `g`.
        this.faultFrom = ti.tc;
        cpu.eip = ti.tc;
      }
      throw e;
    }
    cpu.retired++;
    if (ti.kind === 'callout') this.record(cpu, op, g);
    else this.emulations++;
    const same = cpu.eip >>> 0 === next && cpu.segSel[CS] === cs && cpu.paging === paging && cpu.cr3 === cr3 && cpu.cpl !== 3 && (cpu.flagBits & FLAG_TF) === 0 && X86TranslationVmm.flat32(cpu);
    // Resume in the TC after the callout unless control went elsewhere or code was invalidated.
    if (same && this.invalidations === invalidations && this.byTc.has((ti.tc + 2) >>> 0)) cpu.eip = (ti.tc + 2) >>> 0;
    return 'handled';
  }

  private record(cpu: Cpu, op: TcInstr['op'] & object, eip: number): void {
    const ctx = this.c;
    const name = calloutName(op.text, op);
    this.calloutsTotal++;
    this.calloutsByMnemonic.set(name, (this.calloutsByMnemonic.get(name) ?? 0) + 1);
    recordExit(ctx, TECHNIQUE, {
      kind: 'callout',
      reason: name,
      eip,
      instruction: op.text,
      details: { guestLinear: op.linear >>> 0, cpl: cpu.cpl, mode: 'x86' },
      cost: ctx.costs.calloutRoundTrip + ctx.costs.emulateInstruction,
      action: 'emulated',
    });
  }

  // ---- reporting ------------------------------------------------------------------------------

  virtualState(): VirtualCpuState {
    const v = emptyVirtualState();
    if (this.ctx === null) return v;
    const cpu = this.ctx.cpu;
    const fl = cpu.getEflags();
    v.cpl = cpu.cpl;
    v.interruptFlag = (fl & FLAG_IF) !== 0;
    v.iopl = (fl >>> 12) & 3;
    v.cr0 = cpu.cr0;
    v.cr2 = cpu.cr2;
    v.cr3 = cpu.cr3;
    v.cr4 = cpu.cr4;
    v.gdtr = { base: cpu.gdtrBase >>> 0, limit: cpu.gdtrLimit };
    v.idtr = { base: cpu.idtrBase >>> 0, limit: cpu.idtrLimit };
    v.ldtr = { selector: cpu.ldtrSel, base: cpu.ldtrBase >>> 0, limit: cpu.ldtrLimit };
    v.tr = { selector: cpu.trSel, base: cpu.trBase >>> 0, limit: cpu.trLimit };
    return v;
  }

  statistics(): X86TranslationStatistics {
    let cacheBytes = 0;
    for (const live of this.blocks.values()) cacheBytes += live.block.bytes.length;
    const fb = this.fallbackVmm.statistics();
    const byMnemonic = new Map(this.calloutsByMnemonic);
    for (const [k, n] of Object.entries(fb.calloutsByMnemonic)) byMnemonic.set(k, (byMnemonic.get(k) ?? 0) + n);
    return {
      mode: 'x86',
      blocksTranslated: this.blocksTranslated + fb.blocksTranslated,
      instructionsTranslated: this.instructionsTranslated + fb.instructionsTranslated,
      cacheBytes,
      cacheBytesEmitted: this.cacheBytesEmitted,
      callouts: this.calloutsTotal + fb.callouts,
      calloutsByMnemonic: Object.fromEntries([...byMnemonic].sort()),
      invalidations: this.invalidations + fb.invalidations,
      translationCycles: this.translationCycles + fb.translationCycles,
      staleExits: this.staleExits,
      flushes: this.flushes,
      emulations: this.emulations,
      dispatches: this.dispatches,
      chainsPatched: this.chainsPatched,
      fallback: fb,
    };
  }

  /**
   * The live translation covering guest address `guest`, side by side with the guest's code. TC
   * lines carry the original's text for identical copies; the debugger disassembles the others
   * from the translation cache.
   */
  translation(guest: number): SideBySide | null {
    const addr = guest >>> 0;
    let best: TcBlock | null = null;
    for (const live of this.blocks.values()) {
      const b = live.block;
      if (addr >= b.guest && addr < b.guest + b.guestLength && (best === null || b.guest > best.guest)) best = b;
    }
    if (best === null) return this.fallbackVmm.sideBySide(addr);
    const hexBytes = (bytes: Uint8Array) => Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(' ');
    const seen = new Set<number>();
    const guestLines: SideBySide['guest'] = [];
    for (const i of best.instrs) {
      if (i.op === undefined || seen.has(i.guest)) continue;
      seen.add(i.guest);
      guestLines.push({ address: i.guest, bytes: hexBytes(i.op.bytes), text: i.op.text });
    }
    return {
      tc: best.tc,
      tcLength: best.bytes.length,
      guest: guestLines,
      translation: best.instrs.map((i) => ({
        kind: i.kind,
        guest: i.guest,
        address: i.tc,
        bytes: hexBytes(i.bytes),
        text: i.kind === 'ident' && i.op !== undefined ? i.op.text : '',
      })),
    };
  }

  /** The live x86 translation of the block starting at guest address `guest` (tests, debugger). */
  translationAt(guest: number): TcBlock | null {
    return this.blocks.get(guest >>> 0)?.block ?? null;
  }
}

/** Where a CPU block inside the TC keeps the block the CPU really runs (see tcRun). */
const TC_RUN = Symbol('bt-x86-run');
type RunMarked = Block & { [TC_RUN]?: Block };

/** A translator-made jump: runs as itself, retires nothing (see tcRun). */
function synthetic(op: Op): Op {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(op) as object) as Op, op);
  const exec = op.exec;
  copy.exec = (cpu, o) => {
    exec(cpu, o);
    cpu.retired--;
  };
  return copy;
}

/**
 * The `push imm32` a CALL rel32 became, while a debugger keeps the shadow call stack: the push is
 * the call as the guest sees it (its return address on the stack), so it records `call` with
 * guest addresses. The CPU's call tracking never sees it: the TC holds no CALL instruction.
 */
function callPush(op: Op, call: Op): Op {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(op) as object) as Op, op);
  const exec = op.exec;
  const ret = (call.linear + call.len) >>> 0;
  const target = (ret + call.imm) >>> 0;
  copy.exec = (cpu, o) => {
    exec(cpu, o);
    cpu.callStack?.call(cpu, ret, cpu.segSel[CS], target);
  };
  return copy;
}

function sameBytes(bytes: Uint8Array, block: Block): boolean {
  let off = 0;
  for (const op of block.ops) {
    if (off + op.len > bytes.length) return false;
    for (let i = 0; i < op.len; i++) if (bytes[off + i] !== op.bytes[i]) return false;
    off += op.len;
  }
  return off === bytes.length;
}

/** The x86-translation-cache mode of binary translation. */
export const btX86Factory: HypervisorFactory = (options) => new X86TranslationVmm(options);
