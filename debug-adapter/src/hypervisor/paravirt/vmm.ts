// paravirt: a Xen-style x86_32 PV hypervisor (the guest's source was changed to call it).
//
// The guest. A Multiboot image carrying a `__xen_guest` string (pv-guest.ts). At start the VMM
// de-privileges it as Xen starts a 32-bit PV kernel: CS = FLAT_RING1_CS (0xE019), SS/DS/ES/FS/GS =
// FLAT_RING1_DS (0xE021) — flat ring-1 segments in the reserved part of the GDT (entries 7168+) —
// IOPL 0, physical IF 1, and ESI = the address of start_info. The guest's virtual interrupt flag
// is `shared_info.vcpu_info[0].evtchn_upcall_mask` (a byte it writes itself: 1 = disabled).
//
// Memory (M = RAM size; the top 128 KiB are reserved in the e820 map, so the guest never uses it):
//   M - 0x24000  start_info page            (ESI at entry; layout in abi.ts START_INFO)
//   M - 0x23000  shared_info page           (start_info.shared_info; abi.ts SHARED_INFO)
//   M - 0x22000  hypercall page             (always start_info + 0x2000; also written to the
//                                            guest's own page when __xen_guest has HYPERCALL_PAGE=pfn)
//   M - 0x20000  VMM private: physical GDT (64 KiB), +0x10000 IDT, +0x10800 TSS, +0x11000 a HLT
//                stub, +0x12000 the page table mapping this region at 0xFFC00000 once the guest's
//                paging is on, stack up to M. Guest pointers into it (or beyond RAM) get -EFAULT.
//
// Hypercalls. `int 0x82` (EAX = number, EBX ECX EDX ESI EDI = arguments, result in EAX) reaches the
// VMM through the CPU's `event` hook (a software interrupt, EIP already past it). Each one is an
// exit {kind 'hypercall', reason = Xen name, reasonNumber, details = arguments and result}.
// Implemented: set_trap_table, set_gdt, stack_switch, set_callbacks, fpu_taskswitch,
// sched_op_compat, update_descriptor, set_timer_op, xen_version, console_io, vm_assist, iret,
// sched_op (yield, block, shutdown; not poll), callback_op, event_channel_op, mmu_update,
// mmuext_op, update_va_mapping (paging: see "memory management" below). Every other number
// answers -ENOSYS, as Xen does for numbers it has no handler for.
//
// Traps. Every exception the guest raises (a privileged instruction at ring 1 gives #GP; HLT, CLI,
// IN/OUT, LGDT, MOV CRn included) goes to the VMM first and is bounced to the guest through its
// trap table (set_trap_table) as Xen does: a frame on the guest kernel stack of [error code,] EIP,
// CS (bits 16-23 = the saved upcall mask), EFLAGS (IF = !mask), plus ESP and SS when guest user
// code (ring 3) was interrupted — then the stack from stack_switch. Trap-table flag bit 2 masks
// events on entry. No handler for a vector: the domain is crashed (exit status 2), as Xen does.
// INT n from the guest goes through the trap table when the entry's DPL (flags bits 1:0) is at
// least the caller's ring; otherwise it becomes #GP(vector*8+2).
//
// Events. set_timer_op arms a one-shot timer in Xen system time (ns; 1 tick of the virtual clock =
// 1 ns). The VMM owns the machine's PIT and PIC (the guest cannot reach ports at IOPL 0): it
// programs PIT channel 0 in mode 0 for the deadline and unmasks only IRQ0 while a timer is armed.
// At the deadline VIRQ_TIMER is sent to the port bound by EVTCHNOP_bind_virq: evtchn_pending bit,
// then (unless evtchn_mask has the port) evtchn_pending_sel and evtchn_upcall_pending. The upcall
// (a bounce frame to the event callback of set_callbacks, with the mask set) is delivered when
// evtchn_upcall_mask is 0: at once, after any hypercall (the guest's irq_enable forces one with
// xen_version when it finds an event pending), after HYPERVISOR_iret, and when SCHEDOP_block
// unmasks. SCHEDOP_block halts the vCPU until an event is pending. Not modelled: Xen's default
// 100 Hz periodic VIRQ_TIMER (vcpu_op periodic timers), multiple vCPUs, event channels beyond 32,
// interdomain/IPI channels, call gates and LDTs in the guest's GDT. The failsafe callback is
// entered when a data segment cannot be reloaded on the way back from a hypercall (see
// reloadDataSegments).
import type { Cpu } from '../../cpu/cpu.js';
import type { EventKind } from '../../cpu/deliver.js';
import type { InterceptDecision, Intercepts } from '../../cpu/intercepts.js';
import { CR0_PG, CR0_WP, CS, DS, ES, FS, GS, SS, FLAG_IF, FLAG_IOPL, FLAG_NT, FLAG_RF, FLAG_TF, FLAG_VM, VEC_GP, VEC_PF, exceptionName } from '../../cpu/constants.js';
import { type Descriptor, descDpl, descPresent, isCodeDesc, isConformingCode, isDataDesc, isReadableCode, isWritableData, loadCache } from '../../cpu/protection/descriptors.js';
import { peekTranslation } from '../../cpu/mmu.js';
import { PIT_HZ } from '../../machine/pit.js';
import { recordExit } from '../hypervisor.js';
import type { Hypervisor, HypervisorContext, HypervisorOptions, HypervisorStop } from '../hypervisor.js';
import type { ExitKind } from '../types.js';
import { emptyVirtualState, type VirtualCpuState } from '../virtual-state.js';
import * as X from './abi.js';
import { findXenGuestString, hypercallPagePfn, isPvGuest } from './pv-guest.js';

const TECHNIQUE = 'paravirt' as const;
const VMM_REGION = 0x20000;
/** Where the VMM region is mapped while the guest's paging is on (the last PDE, in Xen's hole). */
const VMM_WINDOW = 0xffc00000;
const PTE_P = 1;
const PTE_RW = 2;
const PTE_PS = 0x80;
const PTE_AD = 0x60;
const PV_PAGES = 0x24000;
const MASTER_PIC_DATA = 0x21;
const SLAVE_PIC_DATA = 0xa1;

/** Vectors whose exception pushes an error code. */
const ERROR_CODE_VECTORS = new Set([8, 10, 11, 12, 13, 14, 17]);

interface TrapEntry {
  flags: number;
  cs: number;
  address: number;
}

interface Callback {
  cs: number;
  eip: number;
}

interface Outcome {
  /** Value for EAX (undefined: EAX is not written, e.g. iret). */
  result?: number;
  action: string;
  details?: Record<string, number | string | boolean>;
  extraCost?: number;
}

/** A hypercall's argument error: the negative errno to return. */
class HypercallError extends Error {
  constructor(readonly errno: number, message: string) {
    super(message);
  }
}

const ERRNO_NAMES: Record<number, string> = {
  [X.EPERM]: 'EPERM', [X.ENOENT]: 'ENOENT', [X.EFAULT]: 'EFAULT', [X.EEXIST]: 'EEXIST', [X.EINVAL]: 'EINVAL', [X.ENOSYS]: 'ENOSYS',
};

export class PvVmm implements Hypervisor {
  readonly technique = TECHNIQUE;
  private ctx: HypervisorContext | null = null;
  private stop: HypervisorStop | null = null;
  // Layout (physical addresses).
  private guestTop = 0;
  private gdt = 0;
  private idt = 0;
  private tss = 0;
  /** start_info, shared_info and hypercall page addresses (guest-visible). */
  startInfo = 0;
  sharedInfo = 0;
  hypercallPage = 0;
  /** The guest's own hypercall page (HYPERCALL_PAGE=pfn in __xen_guest), or -1. */
  guestHypercallPage = -1;
  // Guest-registered state.
  private readonly traps = new Map<number, TrapEntry>();
  private eventCallback: Callback | null = null;
  private failsafeCallback: Callback | null = null;
  /** callback_op's CALLBACKF_mask_events for the failsafe callback (set_callbacks leaves events as they are). */
  private failsafeMasksEvents = false;
  private kernelSs = 0;
  private kernelSp = 0;
  private gdtFrames: number[] = [];
  private gdtEntries = 0;
  /** Event channel port → the VIRQ bound to it. */
  private readonly ports = new Map<number, number>();
  private timerDeadline: number | null = null;
  private blocked = false;
  /** L2 (page directory) frames pinned with MMUEXT_PIN_L2_TABLE, and L1 frames pinned with PIN_L1_TABLE. */
  private readonly pinnedL2 = new Set<number>();
  private readonly pinnedL1 = new Set<number>();
  /** The guest's page directory frame (MMUEXT_NEW_BASEPTR), or null while it runs without paging. */
  private baseFrame: number | null = null;
  /** The VMM's page table mapping its region at VMM_WINDOW once paging is on. */
  private vmmPageTable = 0;
  /** Bytes written with CONSOLEIO_write (the serial output of the run, for tests and the DAP). */
  consoleBytes = 0;
  /** Times the failsafe callback was entered. */
  failsafeEntries = 0;

  constructor(options: HypervisorOptions) {
    void options;
  }

  private get c(): HypervisorContext {
    if (this.ctx === null) throw new Error('paravirt: not started');
    return this.ctx;
  }

  pendingStop(): HypervisorStop | null {
    return this.stop;
  }

  virtualState(): VirtualCpuState {
    const v = emptyVirtualState();
    if (this.ctx === null) return v;
    const cpu = this.ctx.cpu;
    v.cpl = cpu.cpl === 3 ? 3 : 0;
    v.interruptFlag = cpu.mem.read8(this.sharedInfo + X.VCPU_INFO.evtchn_upcall_mask) === 0;
    v.iopl = 0;
    v.cr0 = cpu.cr0;
    v.cr2 = cpu.mem.read32(this.sharedInfo + X.VCPU_INFO.arch_cr2);
    v.cr3 = cpu.cr3;
    v.cr4 = cpu.cr4;
    v.gdtr = { base: this.gdtFrames.length > 0 ? this.gdtFrames[0] * 0x1000 : 0, limit: Math.max(0, this.gdtEntries * 8 - 1) };
    v.idtr = { base: 0, limit: 0 };
    return v;
  }

  // ---- start ---------------------------------------------------------------------------------

  start(context: HypervisorContext): void {
    this.ctx = context;
    const cpu = context.cpu;
    const mem = cpu.mem;
    if (!cpu.protectedMode) throw new Error('paravirt runs protected-mode Multiboot guests only');
    if (mem.size < 4 * 1024 * 1024) throw new Error('paravirt needs at least 4 MiB of guest RAM');
    this.guestTop = mem.size - VMM_REGION;
    const info = findXenGuestString(mem.bytes, this.guestTop);
    const verdict = isPvGuest(info === null ? new Uint8Array(0) : Buffer.from(info.text + '\0', 'latin1'));
    if (!verdict.pv) throw new Error(`paravirt: ${verdict.why}`);
    const base = this.guestTop;
    this.gdt = base;
    this.idt = base + 0x10000;
    this.tss = base + 0x10800;
    this.vmmPageTable = base + 0x12000;
    this.startInfo = mem.size - PV_PAGES;
    this.sharedInfo = this.startInfo + 0x1000;
    this.hypercallPage = this.startInfo + 0x2000;
    for (let a = this.startInfo; a < mem.size; a += 4) mem.write32(a, 0);

    this.buildGdtIdtTss(cpu);
    this.buildStartInfo(cpu);
    this.buildSharedInfo(cpu);
    this.fillHypercallPage(this.hypercallPage);
    const pfn = info === null ? null : hypercallPagePfn(info);
    if (pfn !== null && pfn * 0x1000 + 0x1000 <= this.startInfo) {
      this.guestHypercallPage = pfn * 0x1000;
      this.fillHypercallPage(this.guestHypercallPage);
    }

    // De-privilege: flat ring-1 segments, the VMM's tables, IOPL 0, IF 1, ESI = start_info.
    cpu.gdtrBase = this.gdt;
    cpu.gdtrLimit = 0xffff;
    cpu.idtrBase = this.idt;
    cpu.idtrLimit = 0x7ff;
    cpu.trSel = X.HYPERVISOR_TSS;
    cpu.trBase = this.tss;
    cpu.trLimit = 0x67;
    cpu.trAttr = 0x8b;
    cpu.ldtrSel = 0;
    cpu.ldtrBase = 0;
    cpu.ldtrLimit = 0;
    cpu.ldtrAttr = 0;
    const ds = this.descriptor(X.FLAT_RING1_DS);
    const cs = this.descriptor(X.FLAT_RING1_CS);
    if (ds === null || cs === null) throw new Error('paravirt: reserved GDT entries missing');
    for (const seg of [ES, SS, DS, FS, GS]) loadCache(cpu, seg, X.FLAT_RING1_DS, ds);
    loadCache(cpu, CS, X.FLAT_RING1_CS, cs);
    cpu.setEflags((cpu.getEflags() & ~FLAG_IOPL) | FLAG_IF);
    cpu.r32[6] = this.startInfo;
    // The VMM owns the interrupt controller and the timer: everything masked until set_timer_op.
    // PIT channel 0 in mode 0 with a count of 1: it stops after one (masked) edge, so a guest
    // blocked with no timer armed is seen as one that can never wake.
    this.io(MASTER_PIC_DATA, 0xff);
    this.io(SLAVE_PIC_DATA, 0xff);
    this.io(0x43, 0x30);
    this.io(0x40, 1);
    this.io(0x40, 0);
    cpu.blocks.flushAll();
    cpu.intercepts = this.intercepts();
  }

  private buildGdtIdtTss(cpu: Cpu): void {
    const mem = cpu.mem;
    for (let i = 0; i < 0x10000; i += 4) mem.write32(this.gdt + i, 0);
    // The VMM's segments cover 4 GiB; the guest's flat segments stop below HYPERVISOR_VIRT_START
    // (limit 0xF57FF pages), as Xen's x86_32 guest segments do, so the guest cannot reach the VMM
    // window at VMM_WINDOW even though its pages are supervisor pages (ring 1 is supervisor).
    const flat = (sel: number, access: number): void => {
      const guest = (access & 0x60) !== 0;
      const limit = guest ? (X.HYPERVISOR_VIRT_START >>> 12) - 1 : 0xfffff;
      mem.write32(this.gdt + (sel & 0xfff8), limit & 0xffff);
      mem.write32(this.gdt + (sel & 0xfff8) + 4, (0x00c00000 | (limit & 0xf0000) | (access << 8)) | 0);
    };
    flat(X.HYPERVISOR_CS, 0x9b);
    flat(X.HYPERVISOR_DS, 0x93);
    flat(X.FLAT_RING1_CS, 0xbb);
    flat(X.FLAT_RING1_DS, 0xb3);
    flat(X.FLAT_RING3_CS, 0xfb);
    flat(X.FLAT_RING3_DS, 0xf3);
    const t = this.tss;
    mem.write32(this.gdt + X.HYPERVISOR_TSS, ((t & 0xffff) << 16) | 0x67);
    mem.write32(this.gdt + X.HYPERVISOR_TSS + 4, ((t >>> 16) & 0xff) | 0x8900 | (t & 0xff000000));
    for (let i = 0; i < 0x68; i += 4) mem.write32(t + i, 0);
    mem.write32(t + 4, this.gdt + VMM_REGION);
    mem.write32(t + 8, X.HYPERVISOR_DS);
    mem.write32(t + 0x64, 0xffff0000 | 0);
    for (let i = 0; i < 1024; i++) {
      const off = i * 0x1000;
      mem.write32(this.vmmPageTable + i * 4, off < VMM_REGION ? ((this.gdt + off) | PTE_P | PTE_RW | PTE_AD) | 0 : 0);
    }
    const stub = this.gdt + 0x11000;
    mem.write8(stub, 0xf4); // never reached: the event hook takes every vector first
    for (let v = 0; v < 256; v++) {
      const dpl = v === X.HYPERCALL_VECTOR ? 1 : 0;
      mem.write32(this.idt + v * 8, ((X.HYPERVISOR_CS << 16) | (stub & 0xffff)) | 0);
      mem.write32(this.idt + v * 8 + 4, ((stub & 0xffff0000) | 0x8e00 | (dpl << 13)) | 0);
    }
  }

  private buildStartInfo(cpu: Cpu): void {
    const mem = cpu.mem;
    const si = this.startInfo;
    const S = X.START_INFO;
    mem.writeBytes(si + S.magic, Buffer.from(X.START_INFO_MAGIC + '\0', 'latin1'));
    mem.write32(si + S.nr_pages, this.guestTop >>> 12);
    mem.write32(si + S.shared_info, this.sharedInfo);
    // The Multiboot command line (EBX = MBI, flags bit 2) becomes start_info.cmd_line.
    const mbi = cpu.r32[3] >>> 0;
    if (mbi + 20 <= this.guestTop && (mem.read32(mbi) & 4) !== 0) {
      const p = mem.read32(mbi + 16) >>> 0;
      for (let i = 0; i < X.MAX_GUEST_CMDLINE - 1 && p + i < this.guestTop; i++) {
        const b = mem.read8(p + i);
        if (b === 0) break;
        mem.write8(si + S.cmd_line + i, b);
      }
    }
  }

  private buildSharedInfo(cpu: Cpu): void {
    const mem = cpu.mem;
    const v0 = this.sharedInfo + X.SHARED_INFO.vcpu0;
    mem.write8(v0 + X.VCPU_INFO.evtchn_upcall_mask, 1); // events masked until the guest enables them
    // vcpu_time_info: system_time = ((tsc - tsc_timestamp) << 1) * 0x80000000 >> 32 = TSC ticks = ns.
    mem.write32(v0 + X.VCPU_INFO.time_tsc_to_system_mul, 0x80000000 | 0);
    mem.write8(v0 + X.VCPU_INFO.time_tsc_shift, 1);
    // All 32 ports start unmasked; the wallclock is the epoch (wc_sec = wc_nsec = 0).
    mem.write32(this.sharedInfo + X.SHARED_INFO.evtchn_mask, 0);
  }

  /** 128 stubs of 32 bytes: `mov eax, N; int 0x82; ret`, slot 23 `push eax; mov eax, 23; int 0x82`. */
  private fillHypercallPage(at: number): void {
    const mem = this.c.cpu.mem;
    for (let nr = 0; nr < 128; nr++) {
      const slot = at + nr * 32;
      for (let i = 0; i < 32; i++) mem.write8(slot + i, 0xcc);
      const code = nr === X.HC.iret
        ? [0x50, 0xb8, nr, 0, 0, 0, 0xcd, X.HYPERCALL_VECTOR]
        : [0xb8, nr, 0, 0, 0, 0xcd, X.HYPERCALL_VECTOR, 0xc3];
      code.forEach((b, i) => mem.write8(slot + i, b));
    }
  }

  private intercepts(): Intercepts {
    return {
      event: (cpu, vector, errorCode, kind) => this.event(cpu, vector, errorCode, kind),
    };
  }

  // ---- every exception and interrupt ---------------------------------------------------------

  private event(cpu: Cpu, vector: number, errorCode: number, kind: EventKind): InterceptDecision {
    if (this.stop !== null) return 'handled';
    if (kind === 'software' && vector === X.HYPERCALL_VECTOR) {
      this.hypercall(cpu);
    } else if (kind === 'external') {
      this.external(cpu, vector);
    } else if (kind === 'software') {
      this.softwareInterrupt(cpu, vector);
    } else {
      this.exception(cpu, vector, errorCode);
    }
    // The run loop must look again: a timer deadline, a halt or a stop may have changed.
    cpu.attention = true;
    return 'handled';
  }

  private exception(cpu: Cpu, vector: number, errorCode: number): void {
    const eip = cpu.eip >>> 0;
    const text = this.textAt(cpu, eip);
    const details: Record<string, number | string | boolean> = { vector };
    if (ERROR_CODE_VECTORS.has(vector)) details.errorCode = errorCode < 0 ? 0 : errorCode;
    if (vector === VEC_GP && text !== '') details.mnemonic = text.split(' ')[0];
    if (vector === VEC_PF) {
      details.cr2 = cpu.cr2 >>> 0;
      cpu.mem.write32(this.sharedInfo + X.VCPU_INFO.arch_cr2, cpu.cr2);
    }
    const action = this.bounceTrap(cpu, vector, ERROR_CODE_VECTORS.has(vector) ? Math.max(0, errorCode) : -1);
    const costs = this.c.costs;
    this.exit('trap', exceptionName(vector), vector, eip, text, details, costs.trapRoundTrip + costs.reflectEvent, action);
  }

  private softwareInterrupt(cpu: Cpu, vector: number): void {
    const eip = cpu.opEip >>> 0;
    const text = this.textAt(cpu, eip);
    const entry = this.traps.get(vector);
    const costs = this.c.costs;
    if (entry !== undefined && entry.address !== 0 && (entry.flags & 3) >= (cpu.segSel[CS] & 3)) {
      const action = this.bounceTrap(cpu, vector, -1);
      this.exit('trap', 'INT', vector, eip, text, { vector }, costs.trapRoundTrip + costs.reflectEvent, action);
      return;
    }
    // Not permitted from this ring (or no handler): #GP(vector*8+2) at the INT instruction.
    cpu.eip = eip;
    const action = this.bounceTrap(cpu, VEC_GP, vector * 8 + 2);
    this.exit('trap', '#GP', VEC_GP, eip, text, { vector: VEC_GP, errorCode: vector * 8 + 2, softwareInterrupt: vector }, costs.trapRoundTrip + costs.reflectEvent, action);
  }

  /** Bounces an exception or INT n to the guest's trap table; crashes the domain without a handler. */
  private bounceTrap(cpu: Cpu, vector: number, errorCode: number): string {
    const entry = this.traps.get(vector);
    const name = exceptionName(vector);
    if (entry === undefined || entry.address === 0) {
      this.crash(`unhandled ${name} at EIP 0x${hex(cpu.eip)}: no handler in the guest's trap table (set_trap_table)`);
      return `crashed the domain: no trap-table entry for ${name}`;
    }
    if (cpu.exceptionWatch !== null) cpu.exceptionWatch(vector, errorCode, cpu.eip);
    const ok = this.bounce(cpu, entry.cs, entry.address, errorCode, (entry.flags & X.TI_MASK_EVENTS) !== 0);
    if (ok) cpu.callStack?.event(cpu, vector, errorCode, 'exception', 4);
    return ok ? `bounced ${name} through the guest's trap table to ${hex(entry.cs, 4)}:${hex(entry.address)}` : `crashed the domain while bouncing ${name}`;
  }

  /**
   * Builds Xen's bounce frame and enters the guest at cs:eip. False (and the domain crashed) when
   * the frame cannot be written or the selectors are unusable.
   */
  private bounce(cpu: Cpu, cs: number, eip: number, errorCode: number, maskEvents: boolean, extra: number[] = []): boolean {
    const mem = cpu.mem;
    const maskAt = this.sharedInfo + X.VCPU_INFO.evtchn_upcall_mask;
    const mask = mem.read8(maskAt) !== 0 ? 1 : 0;
    const code = this.descriptor(cs);
    if (code === null || !descPresent(code) || !isCodeDesc(code) || descDpl(code) !== 1) {
      this.crash(`bad callback code selector 0x${hex(cs, 4)}`);
      return false;
    }
    const fromUser = cpu.cpl === 3;
    let esp = cpu.r32[4] >>> 0;
    let ssBase = cpu.segBase[SS] >>> 0;
    let stack: Descriptor | null = null;
    const frame: number[] = [];
    if (fromUser) {
      stack = this.descriptor(this.kernelSs);
      if (stack === null || !descPresent(stack) || !isWritableData(stack) || descDpl(stack) !== 1) {
        this.crash(`no usable kernel stack for an event from ring 3 (stack_switch SS 0x${hex(this.kernelSs, 4)})`);
        return false;
      }
      frame.push(cpu.segSel[SS], esp);
      esp = this.kernelSp >>> 0;
      ssBase = descBaseOf(stack);
    }
    const flags = (cpu.getEflags() & ~(FLAG_IF | FLAG_IOPL)) | (mask === 0 ? FLAG_IF : 0);
    frame.push(flags >>> 0, ((cpu.segSel[CS] & 0xffff) | (mask << 16)) >>> 0, cpu.eip >>> 0);
    if (errorCode >= 0) frame.push(errorCode);
    frame.push(...extra);
    for (const word of frame) {
      esp = (esp - 4) >>> 0;
      if (!this.writeGuest32((ssBase + esp) >>> 0, word)) {
        this.crash(`cannot write the bounce frame on the guest stack at 0x${hex(ssBase + esp)}`);
        return false;
      }
    }
    if (stack !== null) loadCache(cpu, SS, (this.kernelSs & 0xfffc) | 1, stack);
    loadCache(cpu, CS, (cs & 0xfffc) | 1, code);
    cpu.r32[4] = esp | 0;
    cpu.eip = eip >>> 0;
    cpu.setEflags((cpu.getEflags() & ~(FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM | FLAG_IOPL)) | FLAG_IF);
    if (maskEvents) mem.write8(maskAt, 1);
    cpu.halted = false;
    this.blocked = false;
    return true;
  }

  // ---- events: the timer VIRQ and the upcall --------------------------------------------------

  private external(cpu: Cpu, vector: number): void {
    // End of interrupt on the PICs the VMM owns.
    if (vector >= 0x70 && vector < 0x78) this.io(0xa0, 0x20);
    this.io(0x20, 0x20);
    const costs = this.c.costs;
    const deadline = this.timerDeadline;
    let action: string;
    if (deadline !== null && cpu.time >= deadline) {
      this.timerDeadline = null;
      this.armPit(cpu);
      const sent = this.sendVirq(cpu, X.VIRQ_TIMER);
      const delivered = this.deliverPendingUpcall(cpu);
      action = `timer deadline reached: VIRQ_TIMER ${sent}${delivered ? '; upcall delivered to the event callback' : ''}`;
    } else {
      this.armPit(cpu);
      action = deadline === null ? 'no timer armed: ignored' : 'timer not yet due: PIT re-armed';
    }
    if (this.blocked && this.stop === null) cpu.halted = true; // still waiting for an event
    this.exit('interrupt', 'EXTERNAL_INTERRUPT', undefined, cpu.eip >>> 0, '', { vector }, costs.trapRoundTrip, action);
  }

  /** Marks a VIRQ's port pending (Xen's evtchn_set_pending); describes what happened. */
  private sendVirq(cpu: Cpu, virq: number): string {
    let port = -1;
    for (const [p, v] of this.ports) if (v === virq) port = p;
    if (port < 0) return 'not bound to a port: dropped';
    return `on port ${port}: ${this.setPending(cpu, port)}`;
  }

  private setPending(cpu: Cpu, port: number): string {
    const mem = cpu.mem;
    const si = this.sharedInfo;
    const word = port >>> 5;
    const bit = 1 << (port & 31);
    const pendingAt = si + X.SHARED_INFO.evtchn_pending + word * 4;
    const pending = mem.read32(pendingAt);
    if ((pending & bit) !== 0) return 'already pending';
    mem.write32(pendingAt, pending | bit);
    if ((mem.read32(si + X.SHARED_INFO.evtchn_mask + word * 4) & bit) !== 0) return 'pending (port masked)';
    const selAt = si + X.VCPU_INFO.evtchn_pending_sel;
    mem.write32(selAt, mem.read32(selAt) | (1 << word));
    mem.write8(si + X.VCPU_INFO.evtchn_upcall_pending, 1);
    if (this.blocked) {
      this.blocked = false;
      cpu.halted = false;
    }
    return 'pending';
  }

  /** Delivers the event upcall if one is pending and not masked; true when delivered. */
  private deliverPendingUpcall(cpu: Cpu): boolean {
    const mem = cpu.mem;
    const si = this.sharedInfo;
    if (this.stop !== null || this.eventCallback === null) return false;
    if (mem.read8(si + X.VCPU_INFO.evtchn_upcall_pending) === 0) return false;
    if (mem.read8(si + X.VCPU_INFO.evtchn_upcall_mask) !== 0) return false;
    if (this.blocked) {
      this.blocked = false;
    }
    const ok = this.bounce(cpu, this.eventCallback.cs, this.eventCallback.eip, -1, true);
    // An upcall has no vector: the debugger's stack marks it as an event-channel upcall.
    if (ok) cpu.callStack?.event(cpu, -1, -1, 'external', 4);
    return ok;
  }

  private armPit(cpu: Cpu): void {
    if (this.timerDeadline === null) {
      this.io(MASTER_PIC_DATA, 0xff);
      return;
    }
    const delta = Math.max(1, this.timerDeadline - cpu.time);
    const count = Math.min(0xffff, Math.max(1, Math.ceil((delta * PIT_HZ) / 1e9)));
    this.io(0x43, 0x30); // channel 0, lobyte/hibyte, mode 0 (interrupt on terminal count)
    this.io(0x40, count & 0xff);
    this.io(0x40, count >>> 8);
    this.io(MASTER_PIC_DATA, 0xfe);
  }

  private io(port: number, value: number): void {
    const { machine, cpu } = this.c;
    machine.advanceTo(Math.max(machine.now, cpu.time));
    machine.ioWrite(port, 1, value);
  }

  // ---- hypercalls ----------------------------------------------------------------------------

  private hypercall(cpu: Cpu): void {
    const eip = cpu.opEip >>> 0;
    const nr = cpu.r32[0] >>> 0;
    const a = [cpu.r32[3] >>> 0, cpu.r32[1] >>> 0, cpu.r32[2] >>> 0, cpu.r32[6] >>> 0, cpu.r32[7] >>> 0];
    const name = X.hypercallName(nr);
    let out: Outcome;
    try {
      out = this.dispatch(cpu, nr, a);
    } catch (e) {
      if (!(e instanceof HypercallError)) throw e;
      out = { result: -e.errno, action: `returned -${ERRNO_NAMES[e.errno] ?? e.errno} (${e.message})` };
    }
    if (out.result !== undefined) cpu.r32[0] = out.result | 0;
    const details: Record<string, number | string | boolean> = { ebx: a[0], ecx: a[1], edx: a[2], esi: a[3], edi: a[4], ...out.details };
    if (out.result !== undefined) details.result = out.result | 0;
    let action = out.action;
    if (this.stop === null) {
      const failsafe = this.reloadDataSegments(cpu);
      if (failsafe !== '') action += `; ${failsafe}`;
    }
    if (this.stop === null && !this.blocked && this.deliverPendingUpcall(cpu)) action += '; pending event upcall delivered';
    const costs = this.c.costs;
    this.exit('hypercall', name, nr, eip, this.textAt(cpu, eip), details, costs.hypercallRoundTrip + (out.extraCost ?? 0), action);
  }

  private dispatch(cpu: Cpu, nr: number, a: number[]): Outcome {
    switch (nr) {
      case X.HC.console_io: return this.consoleIo(cpu, a);
      case X.HC.sched_op: return this.schedOp(cpu, a[0], a[1], false);
      case X.HC.sched_op_compat: return this.schedOp(cpu, a[0], a[1], true);
      case X.HC.set_trap_table: return this.setTrapTable(a[0]);
      case X.HC.set_callbacks:
        this.eventCallback = { cs: fixRpl(a[0]), eip: a[1] };
        this.failsafeCallback = { cs: fixRpl(a[2]), eip: a[3] };
        this.failsafeMasksEvents = false;
        return { result: 0, action: `event callback ${hex(fixRpl(a[0]), 4)}:${hex(a[1])}, failsafe ${hex(fixRpl(a[2]), 4)}:${hex(a[3])}` };
      case X.HC.callback_op: return this.callbackOp(a[0], a[1]);
      case X.HC.iret: return this.iret(cpu);
      case X.HC.stack_switch:
        this.kernelSs = fixRpl(a[0]);
        this.kernelSp = a[1];
        cpu.mem.write32(this.tss + 12, a[1]);
        cpu.mem.write32(this.tss + 16, this.kernelSs);
        return { result: 0, action: `kernel stack ${hex(this.kernelSs, 4)}:${hex(a[1])}` };
      case X.HC.set_timer_op: return this.setTimer(cpu, a[0], a[1]);
      case X.HC.event_channel_op: return this.eventChannelOp(cpu, a[0], a[1]);
      case X.HC.xen_version: return this.xenVersion(a[0], a[1]);
      case X.HC.set_gdt: return this.setGdt(cpu, a[0], a[1]);
      case X.HC.update_descriptor: return this.updateDescriptor(cpu, a);
      case X.HC.fpu_taskswitch:
        cpu.cr0 = a[0] !== 0 ? cpu.cr0 | 8 : cpu.cr0 & ~8;
        return { result: 0, action: `CR0.TS ${a[0] !== 0 ? 'set' : 'cleared'}` };
      case X.HC.mmu_update: return this.mmuUpdate(cpu, a);
      case X.HC.mmuext_op: return this.mmuextOp(cpu, a);
      case X.HC.update_va_mapping: return this.updateVaMapping(cpu, a);
      case X.HC.vm_assist:
        if ((a[0] !== X.VMASST_CMD_enable && a[0] !== X.VMASST_CMD_disable) || a[1] > 31) throw new HypercallError(X.EINVAL, 'unknown command or type');
        return { result: 0, action: `vm_assist ${a[0] === 0 ? 'enable' : 'disable'} type ${a[1]} (accepted, no effect here)` };
      default:
        return { result: -X.ENOSYS, action: `returned -ENOSYS: ${X.hypercallName(nr)} is not implemented by this hypervisor` };
    }
  }

  private consoleIo(cpu: Cpu, a: number[]): Outcome {
    const [cmd, count, buf] = a;
    if (cmd === X.CONSOLEIO_write) {
      const bytes = this.readGuest(buf, count);
      if (bytes === null) throw new HypercallError(X.EFAULT, `buffer 0x${hex(buf)}+${count} is not guest memory`);
      for (const b of bytes) this.io(0x3f8, b);
      this.consoleBytes += bytes.length;
      return { result: 0, action: `wrote ${bytes.length} byte${bytes.length === 1 ? '' : 's'} to the console`, details: { cmd: 'write', count }, extraCost: this.c.costs.deviceAccess };
    }
    if (cmd === X.CONSOLEIO_read) {
      if (count > 0 && this.readGuest(buf, count) === null) throw new HypercallError(X.EFAULT, `buffer 0x${hex(buf)}+${count} is not guest memory`);
      const got: number[] = [];
      const { machine } = this.c;
      machine.advanceTo(Math.max(machine.now, cpu.time));
      while (got.length < count && (machine.ioRead(0x3fd, 1) & 1) !== 0) got.push(machine.ioRead(0x3f8, 1));
      this.writeGuest(buf, Uint8Array.from(got));
      return { result: got.length, action: `read ${got.length} byte${got.length === 1 ? '' : 's'} of console input`, details: { cmd: 'read', count }, extraCost: this.c.costs.deviceAccess };
    }
    throw new HypercallError(X.ENOSYS, `unknown console_io command ${cmd}`);
  }

  private schedOp(cpu: Cpu, cmd: number, arg: number, compat: boolean): Outcome {
    switch (cmd) {
      case X.SCHEDOP_yield:
        return { result: 0, action: 'yield (the only vCPU runs on)', details: { cmd: 'yield' } };
      case X.SCHEDOP_block: {
        const mem = cpu.mem;
        mem.write8(this.sharedInfo + X.VCPU_INFO.evtchn_upcall_mask, 0);
        if (mem.read8(this.sharedInfo + X.VCPU_INFO.evtchn_upcall_pending) !== 0) {
          return { result: 0, action: 'block: events unmasked, one already pending (no sleep)', details: { cmd: 'block' } };
        }
        this.blocked = true;
        cpu.halted = true;
        cpu.attention = true;
        return { result: 0, action: `block: events unmasked, vCPU halted until an event${this.timerDeadline === null ? ' (no timer armed)' : ''}`, details: { cmd: 'block' } };
      }
      case X.SCHEDOP_shutdown: {
        let reason = arg;
        if (!compat) {
          const r = this.readGuest32(arg);
          if (r === null) throw new HypercallError(X.EFAULT, `sched_shutdown at 0x${hex(arg)} is not guest memory`);
          reason = r;
        }
        if (reason > X.SHUTDOWN_soft_reset) throw new HypercallError(X.EINVAL, `unknown shutdown reason ${reason}`);
        const rname = X.SHUTDOWN_NAMES[reason];
        const where = `at EIP 0x${hex(cpu.opEip)}`;
        if (reason === X.SHUTDOWN_poweroff) this.stop = { reason: 'poweroff', exitStatus: 0, message: `the guest powered off (sched_op shutdown) ${where}` };
        else if (reason === X.SHUTDOWN_crash) this.stop = { reason: 'crash', exitStatus: 2, message: `the guest reported a crash (sched_op shutdown SHUTDOWN_crash) ${where}` };
        else if (reason === X.SHUTDOWN_reboot || reason === X.SHUTDOWN_soft_reset) this.stop = { reason: 'reboot', exitStatus: 2, message: `the guest asked for a ${rname} (sched_op shutdown) ${where}` };
        else this.stop = { reason: 'crash', exitStatus: 2, message: `the guest shut down with reason ${rname} (sched_op shutdown) ${where}` };
        cpu.attention = true;
        return { result: 0, action: `shutdown: ${rname}`, details: { cmd: 'shutdown', reason: rname } };
      }
      default:
        throw new HypercallError(X.ENOSYS, `sched_op command ${cmd} is not implemented`);
    }
  }

  private setTrapTable(ptr: number): Outcome {
    if (ptr === 0) {
      this.traps.clear();
      return { result: 0, action: 'trap table cleared' };
    }
    const entries: [number, TrapEntry][] = [];
    for (let i = 0; i < 1024; i++) {
      const raw = this.readGuest(ptr + i * X.TRAP_INFO_SIZE, X.TRAP_INFO_SIZE);
      if (raw === null) throw new HypercallError(X.EFAULT, `trap_info[${i}] at 0x${hex(ptr + i * 8)} is not guest memory`);
      const address = (raw[4] | (raw[5] << 8) | (raw[6] << 16) | (raw[7] << 24)) >>> 0;
      if (address === 0) {
        for (const [v, e] of entries) this.traps.set(v, e);
        return { result: 0, action: `trap table: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} set`, details: { entries: entries.length } };
      }
      entries.push([raw[0], { flags: raw[1], cs: fixRpl(raw[2] | (raw[3] << 8)), address }]);
    }
    throw new HypercallError(X.EINVAL, 'trap table not terminated within 1024 entries');
  }

  private callbackOp(cmd: number, arg: number): Outcome {
    if (cmd !== X.CALLBACKOP_register) throw new HypercallError(X.ENOSYS, `callback_op command ${cmd} is not implemented`);
    const raw = this.readGuest(arg, 12);
    if (raw === null) throw new HypercallError(X.EFAULT, `callback_register at 0x${hex(arg)} is not guest memory`);
    const type = raw[0] | (raw[1] << 8);
    const flags = raw[2] | (raw[3] << 8);
    const cs = fixRpl(raw[4] | (raw[5] << 8));
    const eip = (raw[8] | (raw[9] << 8) | (raw[10] << 16) | (raw[11] << 24)) >>> 0;
    if (type === X.CALLBACKTYPE_event) this.eventCallback = { cs, eip };
    else if (type === X.CALLBACKTYPE_failsafe) {
      this.failsafeCallback = { cs, eip };
      this.failsafeMasksEvents = (flags & X.CALLBACKF_mask_events) !== 0;
    }
    else throw new HypercallError(X.EINVAL, `callback type ${type} is not supported`);
    return { result: 0, action: `${type === 0 ? 'event' : 'failsafe'} callback ${hex(cs, 4)}:${hex(eip)}` };
  }

  /** HYPERVISOR_iret: pops EAX, EIP, CS, EFLAGS (and ESP, SS to ring 3); mask = !EFLAGS.IF. */
  private iret(cpu: Cpu): Outcome {
    const esp = cpu.r32[4] >>> 0;
    const base = cpu.segBase[SS] >>> 0;
    const words: number[] = [];
    for (let i = 0; i < 6; i++) {
      const w = this.readGuest32((base + esp + i * 4) >>> 0);
      if (w === null) {
        if (i < 4) {
          this.crash(`HYPERVISOR_iret: cannot read the iret frame at 0x${hex(base + esp)}`);
          return { action: 'crashed the domain: unreadable iret frame' };
        }
        break;
      }
      words.push(w);
    }
    const [eax, eip, csWord, flags] = words;
    const cs = fixRpl(csWord & 0xffff);
    const rpl = cs & 3;
    const code = this.descriptor(cs);
    if (code === null || !isCodeDesc(code) || !descPresent(code) || descDpl(code) !== rpl) {
      this.crash(`HYPERVISOR_iret to a bad code selector 0x${hex(cs, 4)}`);
      return { action: 'crashed the domain: bad iret CS' };
    }
    if (rpl === 3) {
      if (words.length < 6) {
        this.crash('HYPERVISOR_iret: cannot read ESP/SS of a return to ring 3');
        return { action: 'crashed the domain' };
      }
      const ss = words[5] & 0xffff;
      const sd = this.descriptor(ss);
      if (sd === null || (ss & 3) !== 3 || !isWritableData(sd) || descDpl(sd) !== 3) {
        this.crash(`HYPERVISOR_iret to a bad stack selector 0x${hex(ss, 4)}`);
        return { action: 'crashed the domain: bad iret SS' };
      }
      loadCache(cpu, SS, ss, sd);
      cpu.r32[4] = words[4] | 0;
    } else {
      cpu.r32[4] = (esp + 16) | 0;
    }
    loadCache(cpu, CS, cs, code);
    cpu.eip = eip >>> 0;
    cpu.r32[0] = eax | 0;
    const keep = FLAG_TF | FLAG_NT | 0x00000cd5 | 0x00040000 | 0x00200000; // status flags, DF, OF, TF, NT, AC, ID
    cpu.setEflags(((flags & keep) | FLAG_IF) >>> 0);
    const unmasked = (flags & FLAG_IF) !== 0;
    cpu.mem.write8(this.sharedInfo + X.VCPU_INFO.evtchn_upcall_mask, unmasked ? 0 : 1);
    return { action: `returned to ${hex(cs, 4)}:${hex(eip)}, events ${unmasked ? 'unmasked' : 'masked'}`, details: { eip, cs, eflags: flags } };
  }

  private setTimer(cpu: Cpu, lo: number, hi: number): Outcome {
    const timeout = hi * 0x100000000 + lo;
    if (timeout === 0) {
      this.timerDeadline = null;
      this.armPit(cpu);
      return { result: 0, action: 'timer cancelled', details: { timeout: 0 } };
    }
    const now = cpu.time;
    if (timeout <= now) {
      this.timerDeadline = null;
      this.armPit(cpu);
      const sent = this.sendVirq(cpu, X.VIRQ_TIMER);
      return { result: 0, action: `deadline ${timeout} ns already passed (now ${now}): VIRQ_TIMER ${sent}`, details: { timeout } };
    }
    this.timerDeadline = timeout;
    this.armPit(cpu);
    return { result: 0, action: `one-shot timer at ${timeout} ns (in ${timeout - now} ns)`, details: { timeout } };
  }

  private eventChannelOp(cpu: Cpu, cmd: number, arg: number): Outcome {
    const mem = cpu.mem;
    switch (cmd) {
      case X.EVTCHNOP_bind_virq: {
        const raw = this.readGuest(arg, 12);
        if (raw === null) throw new HypercallError(X.EFAULT, `evtchn_bind_virq at 0x${hex(arg)} is not guest memory`);
        const virq = u32(raw, 0);
        const vcpu = u32(raw, 4);
        if (virq >= X.NR_VIRQS) throw new HypercallError(X.EINVAL, `VIRQ ${virq} out of range`);
        if (vcpu !== 0) throw new HypercallError(X.ENOENT, `vCPU ${vcpu} does not exist`);
        for (const v of this.ports.values()) if (v === virq) throw new HypercallError(X.EEXIST, `VIRQ ${virq} is already bound`);
        let port = 1; // port 0 is reserved, as in Xen
        while (this.ports.has(port) && port < X.NR_PORTS) port++;
        if (port >= X.NR_PORTS) throw new HypercallError(X.ENOSYS, 'no free event channel port');
        this.ports.set(port, virq);
        this.writeGuest32(arg + 8, port);
        return { result: 0, action: `bound VIRQ ${virq} to port ${port}`, details: { cmd: 'bind_virq', virq, port } };
      }
      case X.EVTCHNOP_close:
      case X.EVTCHNOP_send:
      case X.EVTCHNOP_unmask: {
        const port = this.readGuest32(arg);
        if (port === null) throw new HypercallError(X.EFAULT, `port argument at 0x${hex(arg)} is not guest memory`);
        if (port >= X.NR_PORTS) throw new HypercallError(X.EINVAL, `port ${port} out of range`);
        const cmdName = cmd === X.EVTCHNOP_close ? 'close' : cmd === X.EVTCHNOP_send ? 'send' : 'unmask';
        if (cmd === X.EVTCHNOP_close) {
          if (!this.ports.delete(port)) throw new HypercallError(X.EINVAL, `port ${port} is not bound`);
          return { result: 0, action: `closed port ${port}`, details: { cmd: cmdName, port } };
        }
        if (cmd === X.EVTCHNOP_send) {
          // Xen: sending on a VIRQ-bound (or free) port is -EINVAL; only IPI/interdomain ports send.
          throw new HypercallError(X.EINVAL, `port ${port} is not an interdomain or IPI channel`);
        }
        const word = port >>> 5;
        const bit = 1 << (port & 31);
        const maskAt = this.sharedInfo + X.SHARED_INFO.evtchn_mask + word * 4;
        mem.write32(maskAt, mem.read32(maskAt) & ~bit);
        let note = '';
        if ((mem.read32(this.sharedInfo + X.SHARED_INFO.evtchn_pending + word * 4) & bit) !== 0) {
          const selAt = this.sharedInfo + X.VCPU_INFO.evtchn_pending_sel;
          mem.write32(selAt, mem.read32(selAt) | (1 << word));
          mem.write8(this.sharedInfo + X.VCPU_INFO.evtchn_upcall_pending, 1);
          note = ' (pending: upcall flagged)';
        }
        return { result: 0, action: `unmasked port ${port}${note}`, details: { cmd: cmdName, port } };
      }
      default:
        throw new HypercallError(X.ENOSYS, `event_channel_op command ${cmd} is not implemented`);
    }
  }

  private xenVersion(cmd: number, arg: number): Outcome {
    const str = (s: string, size: number): Outcome => {
      const bytes = new Uint8Array(size);
      bytes.set(Buffer.from(s, 'latin1').subarray(0, size - 1));
      if (!this.writeGuest(arg, bytes)) throw new HypercallError(X.EFAULT, `buffer at 0x${hex(arg)} is not guest memory`);
      return { result: 0, action: `returned "${s}"`, details: { cmd } };
    };
    switch (cmd) {
      case X.XENVER_version:
        return { result: (X.XEN_MAJOR << 16) | X.XEN_MINOR, action: `version ${X.XEN_MAJOR}.${X.XEN_MINOR}`, details: { cmd } };
      case X.XENVER_extraversion: return str(X.XEN_EXTRAVERSION, 16);
      case X.XENVER_capabilities: return str(X.XEN_CAPABILITIES, 1024);
      case X.XENVER_platform_parameters:
        if (!this.writeGuest32(arg, X.HYPERVISOR_VIRT_START)) throw new HypercallError(X.EFAULT, `buffer at 0x${hex(arg)} is not guest memory`);
        return { result: 0, action: `virt_start 0x${hex(X.HYPERVISOR_VIRT_START)}`, details: { cmd } };
      case X.XENVER_get_features: {
        const idx = this.readGuest32(arg);
        if (idx === null || !this.writeGuest32(arg + 4, 0)) throw new HypercallError(X.EFAULT, `xen_feature_info at 0x${hex(arg)} is not guest memory`);
        return { result: 0, action: `feature submap ${idx}: none`, details: { cmd } };
      }
      case X.XENVER_pagesize:
        return { result: 4096, action: 'page size 4096', details: { cmd } };
      default:
        throw new HypercallError(X.ENOSYS, `xen_version command ${cmd} is not implemented`);
    }
  }

  /** Xen's check_descriptor for x86_32, simplified: code/data with DPL 0 are raised to DPL 1; system descriptors refused. */
  private checkDescriptor(lo: number, hi: number): [number, number] | null {
    if ((hi & 0x8000) === 0) return [lo, hi]; // not present: anything goes
    if ((hi & 0x1000) === 0) return null; // system descriptors (LDT, TSS, gates) are not accepted here
    if (((hi >>> 13) & 3) === 0) hi = (hi & ~0x6000) | 0x2000;
    return [lo | 0, hi | 0];
  }

  private setGdt(cpu: Cpu, listPtr: number, entries: number): Outcome {
    if (entries > X.FIRST_RESERVED_GDT_ENTRY) throw new HypercallError(X.EINVAL, `${entries} entries reach Xen's reserved GDT area (limit ${X.FIRST_RESERVED_GDT_ENTRY})`);
    const nframes = Math.ceil((entries * 8) / 0x1000);
    const frames: number[] = [];
    for (let i = 0; i < nframes; i++) {
      const f = this.readGuest32(listPtr + i * 4);
      if (f === null) throw new HypercallError(X.EFAULT, `frame_list[${i}] at 0x${hex(listPtr + i * 4)} is not guest memory`);
      if (f >= this.startInfo >>> 12) throw new HypercallError(X.EINVAL, `frame 0x${hex(f)} is not a guest page`);
      frames.push(f);
    }
    const mem = cpu.mem;
    const descs: [number, number][] = [];
    for (let e = 0; e < entries; e++) {
      const at = frames[e >>> 9] * 0x1000 + (e & 511) * 8;
      const d = this.checkDescriptor(mem.read32(at), mem.read32(at + 4));
      if (d === null) throw new HypercallError(X.EINVAL, `descriptor ${e} (selector 0x${hex(e * 8, 4)}) is not allowed`);
      descs.push(d);
    }
    for (let e = 0; e < X.FIRST_RESERVED_GDT_ENTRY; e++) {
      const [lo, hi] = e < entries && e > 0 ? descs[e] : [0, 0];
      mem.write32(this.gdt + e * 8, lo);
      mem.write32(this.gdt + e * 8 + 4, hi);
    }
    this.gdtFrames = frames;
    this.gdtEntries = entries;
    return { result: 0, action: `GDT: ${entries} guest entries from ${nframes} frame${nframes === 1 ? '' : 's'} (DPL 0 raised to 1)`, details: { entries, frames: nframes } };
  }

  private updateDescriptor(cpu: Cpu, a: number[]): Outcome {
    const [paLo, paHi, lo, hi] = a;
    if (paHi !== 0 || (paLo & 7) !== 0 || paLo + 8 > this.startInfo) throw new HypercallError(X.EINVAL, `machine address 0x${hex(paHi)}${hex(paLo)} is not an aligned guest address`);
    const d = this.checkDescriptor(lo, hi);
    if (d === null) throw new HypercallError(X.EINVAL, 'descriptor not allowed (system descriptor)');
    const mem = cpu.mem;
    mem.write32(paLo, d[0]);
    mem.write32(paLo + 4, d[1]);
    const page = paLo >>> 12;
    const i = this.gdtFrames.indexOf(page);
    let note = '';
    if (i >= 0) {
      const entry = i * 512 + ((paLo & 0xfff) >>> 3);
      if (entry < this.gdtEntries && entry > 0) {
        mem.write32(this.gdt + entry * 8, d[0]);
        mem.write32(this.gdt + entry * 8 + 4, d[1]);
        note = ` (GDT entry ${entry}, selector 0x${hex(entry * 8, 4)})`;
      }
    }
    return { result: 0, action: `descriptor at 0x${hex(paLo)} updated${note}` };
  }



  // ---- the failsafe callback ------------------------------------------------------------------
  //
  // Xen x86_32 reloads the guest's DS, ES, FS and GS on every return to the guest; when a reload
  // faults (the selector no longer names a usable descriptor — e.g. the guest changed its GDT with
  // set_gdt or update_descriptor under a loaded selector, or returns to ring 3 with a ring-1 data
  // segment loaded) it zeroes the segments that failed and enters the failsafe callback with
  // DS, ES, FS, GS (the values that were loaded, DS lowest) pushed below the usual EIP, CS, EFLAGS
  // [ESP, SS] frame. This VMM does that check on the way back from every hypercall (including
  // HYPERVISOR_iret). No failsafe callback registered: the domain is crashed, as Xen does.

  /** Reloads DS/ES/FS/GS as Xen's exit path does; enters the failsafe callback when one fails. */
  private reloadDataSegments(cpu: Cpu): string {
    const segs = [DS, ES, FS, GS];
    const names = ['DS', 'ES', 'FS', 'GS'];
    const saved = segs.map((seg) => cpu.segSel[seg] & 0xffff);
    const bad: string[] = [];
    const cpl = cpu.cpl;
    saved.forEach((sel, i) => {
      if ((sel & 0xfffc) === 0) return;
      const d = this.descriptor(sel);
      const usable = d !== null && descPresent(d) && (isDataDesc(d) || isReadableCode(d)) &&
        (isConformingCode(d) || descDpl(d) >= Math.max(cpl, sel & 3));
      if (!usable) bad.push(names[i]);
    });
    if (bad.length === 0) return '';
    const what = `${bad.join(', ')} (${saved.map((s, i) => `${names[i]}=${hex(s, 4)}`).join(' ')}) cannot be reloaded`;
    const cb = this.failsafeCallback;
    if (cb === null || cb.eip === 0) {
      this.crash(`${what} and no failsafe callback is registered`);
      return `crashed the domain: ${what}`;
    }
    segs.forEach((seg, i) => {
      if (bad.includes(names[i])) cpu.setNullSegment(seg, 0);
    });
    // Pushed in this order, so DS ends up lowest: [DS, ES, FS, GS, EIP, CS, EFLAGS (, ESP, SS)].
    if (!this.bounce(cpu, cb.cs, cb.eip, -1, this.failsafeMasksEvents, [saved[3], saved[2], saved[1], saved[0]])) return `crashed the domain while entering the failsafe callback`;
    this.failsafeEntries++;
    return `${what}: zeroed and entered the failsafe callback at ${hex(cb.cs, 4)}:${hex(cb.eip)}`;
  }

  // ---- memory management: mmu_update, mmuext_op, update_va_mapping -------------------------
  //
  // Machine address = guest-physical address (1:1: the domain's pseudo-physical map is the
  // identity, so an MFN is a PFN and start_info carries no mfn_list). The CPU walks 32-bit
  // two-level (non-PAE) tables, so entries are 32 bits: the high halves of mmu_update's u64
  // ptr/val and update_va_mapping's pte_hi must be 0 (-EINVAL otherwise).
  //
  // Page types, Xen-style but computed rather than reference-counted: the L2 frames are the
  // current base (NEW_BASEPTR) and the pinned L2s; the L1 frames are the pinned L1s and every
  // frame a present guest-slot PDE of an L2 points at. Validation (Xen's get_page_from_l1e/l2e):
  //   - an L1 entry may map a domain frame (below the reserved top 128 KiB) or start_info,
  //     shared_info and the hypercall page; never the VMM region (-EINVAL); and never a
  //     page-table frame writably (-EINVAL: PV page tables are read-only to the guest, so every
  //     change goes through the hypervisor; the VMM sets CR0.WP so ring 1 cannot ignore that);
  //   - an L2 entry in the guest slots (< 982, below HYPERVISOR_VIRT_START) may point at a domain
  //     frame whose entries all validate as L1 entries; no 4 MiB pages (PS, -EINVAL); slots 982+
  //     belong to the hypervisor (-EPERM, as Xen refuses updates of its L2 slots);
  //   - mmu_update to a frame that is neither an L1 nor an L2: -EINVAL (Xen would treat it as a
  //     writable data page; this VMM refuses, so every mmu_update is a page-table update).
  //
  // Paging. Xen starts a PV guest with paging on; this VMM starts it without (linear = physical).
  // The first MMUEXT_NEW_BASEPTR turns paging on (CR0.PG | CR0.WP) after loading CR3 — there is no
  // way back, as under Xen. At every NEW_BASEPTR the VMM owns the L2's slots 982..1023: it clears
  // them and puts its own page table in slot 1023, mapping the VMM region (GDT, IDT, TSS) at
  // VMM_WINDOW = 0xFFC00000 (supervisor pages; the guest's segment limits end at
  // HYPERVISOR_VIRT_START); the physical GDTR/IDTR/TR then point into the window. The guest must
  // itself map what it still uses (its code, data and stack; start_info, shared_info and the
  // hypercall page, at any address — pvops.inc maps them 1:1).

  private guestFrameOk(f: number): boolean {
    if (f < this.guestTop >>> 12) return true;
    return f === this.startInfo >>> 12 || f === this.sharedInfo >>> 12 || f === this.hypercallPage >>> 12;
  }

  private l2Frames(extra?: number): Set<number> {
    const set = new Set(this.pinnedL2);
    if (this.baseFrame !== null) set.add(this.baseFrame);
    if (extra !== undefined) set.add(extra);
    return set;
  }

  /** Page-table frames: L2s (plus `extraL2`) and L1s (plus `extraL1`). */
  private ptFrames(extraL2?: number, extraL1?: number): { l2: Set<number>; l1: Set<number> } {
    const mem = this.c.cpu.mem;
    const l2 = this.l2Frames(extraL2);
    const l1 = new Set(this.pinnedL1);
    if (extraL1 !== undefined) l1.add(extraL1);
    for (const f of l2) {
      for (let i = 0; i < X.FIRST_XEN_L2_SLOT; i++) {
        const e = mem.read32(f * 0x1000 + i * 4);
        if ((e & PTE_P) !== 0 && (e & PTE_PS) === 0) l1.add(e >>> 12);
      }
    }
    return { l2, l1 };
  }

  private checkL1e(val: number, pt: { l2: Set<number>; l1: Set<number> }): void {
    if ((val & PTE_P) === 0) return;
    const f = val >>> 12;
    if (!this.guestFrameOk(f)) throw new HypercallError(X.EINVAL, `frame 0x${hex(f, 5)} is not the domain's`);
    if ((val & PTE_RW) !== 0 && (pt.l1.has(f) || pt.l2.has(f))) {
      throw new HypercallError(X.EINVAL, `writable mapping of page-table frame 0x${hex(f, 5)}`);
    }
  }

  private checkL2e(index: number, val: number, pt: { l2: Set<number>; l1: Set<number> }): void {
    if (index >= X.FIRST_XEN_L2_SLOT) throw new HypercallError(X.EPERM, `L2 slot ${index} belongs to the hypervisor`);
    if ((val & PTE_P) === 0) return;
    if ((val & PTE_PS) !== 0) throw new HypercallError(X.EINVAL, `L2 slot ${index}: 4 MiB pages are not allowed`);
    const f = val >>> 12;
    if (f >= this.guestTop >>> 12) throw new HypercallError(X.EINVAL, `L2 slot ${index}: frame 0x${hex(f, 5)} is not the domain's`);
    if (pt.l2.has(f)) throw new HypercallError(X.EINVAL, `L2 slot ${index}: frame 0x${hex(f, 5)} is an L2 (linear page tables are not supported)`);
    const mem = this.c.cpu.mem;
    const withThis = { l2: pt.l2, l1: new Set(pt.l1).add(f) };
    for (let i = 0; i < 1024; i++) this.checkL1e(mem.read32(f * 0x1000 + i * 4), withThis);
  }

  private validateL2(f: number): void {
    if (f >= this.guestTop >>> 12) throw new HypercallError(X.EINVAL, `frame 0x${hex(f, 5)} is not the domain's`);
    const pt = this.ptFrames(f);
    const mem = this.c.cpu.mem;
    for (let i = 0; i < X.FIRST_XEN_L2_SLOT; i++) this.checkL2e(i, mem.read32(f * 0x1000 + i * 4), pt);
  }

  private domain(foreigndom: number): void {
    if ((foreigndom & 0xffff) !== X.DOMID_SELF) throw new HypercallError(X.ESRCH, `domain ${foreigndom & 0xffff} does not exist (only DOMID_SELF)`);
  }

  /** Runs `count` requests of `size` bytes at `list`; writes the done count; errors carry it. */
  private batch(what: string, list: number, count: number, size: number, done: number, foreigndom: number,
    one: (raw: Uint8Array, i: number) => string): Outcome {
    this.domain(foreigndom);
    const notes: string[] = [];
    let i = 0;
    const finish = (): void => {
      if (done !== 0 && !this.writeGuest32(done, i)) throw new HypercallError(X.EFAULT, `done count at 0x${hex(done)} is not guest memory`);
    };
    try {
      for (; i < count; i++) {
        const raw = this.readGuest((list + i * size) >>> 0, size);
        if (raw === null) throw new HypercallError(X.EFAULT, `${what}[${i}] at 0x${hex(list + i * size)} is not guest memory`);
        notes.push(one(raw, i));
      }
    } catch (e) {
      if (e instanceof HypercallError) {
        finish();
        throw new HypercallError(e.errno, `${what}[${i}]: ${e.message} (${i} done)`);
      }
      throw e;
    }
    finish();
    return { result: 0, action: `${count} ${what} op${count === 1 ? '' : 's'}${notes.length > 0 ? ': ' + notes.slice(0, 4).join('; ') : ''}${notes.length > 4 ? '; ...' : ''}`, details: { count } };
  }

  private mmuUpdate(cpu: Cpu, a: number[]): Outcome {
    const [list, count, done, foreigndom] = a;
    const mem = cpu.mem;
    const out = this.batch('mmu_update', list, count, X.MMU_UPDATE_SIZE, done, foreigndom, (raw) => {
      const ptrLo = u32(raw, 0);
      const ptrHi = u32(raw, 4);
      const val = u32(raw, 8);
      const valHi = u32(raw, 12);
      const cmd = ptrLo & 3;
      const addr = (ptrLo & ~3) >>> 0;
      if (ptrHi !== 0 || valHi !== 0) throw new HypercallError(X.EINVAL, 'address or entry beyond 32 bits (non-PAE tables here)');
      if (cmd === X.MMU_MACHPHYS_UPDATE) {
        if (val !== addr >>> 12) throw new HypercallError(X.EINVAL, `M2P: machine frame 0x${hex(addr >>> 12, 5)} is pseudo-physical frame 0x${hex(addr >>> 12, 5)} (1:1), not 0x${hex(val, 5)}`);
        return `M2P ${hex(addr >>> 12, 5)} = ${hex(val, 5)} (identity)`;
      }
      if (cmd !== X.MMU_NORMAL_PT_UPDATE && cmd !== X.MMU_PT_UPDATE_PRESERVE_AD) throw new HypercallError(X.ENOSYS, `mmu_update command ${cmd}`);
      const frame = addr >>> 12;
      if (frame >= this.guestTop >>> 12) throw new HypercallError(X.EINVAL, `machine address 0x${hex(addr)} is not the domain's`);
      const pt = this.ptFrames();
      const old = mem.read32(addr);
      const next = cmd === X.MMU_PT_UPDATE_PRESERVE_AD ? ((val & ~PTE_AD) | (old & PTE_AD)) >>> 0 : val;
      const index = (addr & 0xfff) >>> 2;
      if (pt.l2.has(frame)) {
        this.checkL2e(index, next, pt);
        mem.write32(addr, next);
        if (frame === this.baseFrame) cpu.flushTlb(); // a change to the live directory: flushed, as Xen does for L2 updates
        return `L2 ${hex(frame, 5)}[${index}] = ${hex(next)}`;
      }
      if (pt.l1.has(frame)) {
        this.checkL1e(next, pt);
        mem.write32(addr, next);
        return `L1 ${hex(frame, 5)}[${index}] = ${hex(next)}`;
      }
      throw new HypercallError(X.EINVAL, `frame 0x${hex(frame, 5)} is not a page-table page (not a pinned or current L2, nor an L1 of one)`);
    });
    return { ...out, extraCost: this.c.costs.hypercallRoundTrip / 4 * count };
  }

  private mmuextOp(cpu: Cpu, a: number[]): Outcome {
    const [list, count, done, foreigndom] = a;
    return this.batch('mmuext_op', list, count, X.MMUEXT_OP_SIZE, done, foreigndom, (raw) => {
      const cmd = u32(raw, 0);
      const arg1 = u32(raw, 4);
      const name = X.MMUEXT_NAMES[cmd] ?? `cmd ${cmd}`;
      switch (cmd) {
        case X.MMUEXT_NEW_BASEPTR: return this.newBaseptr(cpu, arg1);
        case X.MMUEXT_TLB_FLUSH_LOCAL:
        case X.MMUEXT_TLB_FLUSH_MULTI:
        case X.MMUEXT_TLB_FLUSH_ALL:
          cpu.flushTlb();
          return `${name}: TLB flushed (one vCPU)`;
        case X.MMUEXT_INVLPG_LOCAL:
        case X.MMUEXT_INVLPG_MULTI:
        case X.MMUEXT_INVLPG_ALL:
          cpu.flushTlbPage(arg1);
          return `${name} 0x${hex(arg1)}`;
        case X.MMUEXT_PIN_L2_TABLE:
          if (this.pinnedL2.has(arg1)) throw new HypercallError(X.EINVAL, `frame 0x${hex(arg1, 5)} is already pinned`);
          this.validateL2(arg1);
          this.pinnedL2.add(arg1);
          return `pinned L2 0x${hex(arg1, 5)}`;
        case X.MMUEXT_PIN_L1_TABLE: {
          if (this.pinnedL1.has(arg1)) throw new HypercallError(X.EINVAL, `frame 0x${hex(arg1, 5)} is already pinned`);
          if (arg1 >= this.guestTop >>> 12) throw new HypercallError(X.EINVAL, `frame 0x${hex(arg1, 5)} is not the domain's`);
          const pt = this.ptFrames(undefined, arg1);
          for (let i = 0; i < 1024; i++) this.checkL1e(cpu.mem.read32(arg1 * 0x1000 + i * 4), pt);
          this.pinnedL1.add(arg1);
          return `pinned L1 0x${hex(arg1, 5)}`;
        }
        case X.MMUEXT_UNPIN_TABLE:
          if (!this.pinnedL2.delete(arg1) && !this.pinnedL1.delete(arg1)) throw new HypercallError(X.EINVAL, `frame 0x${hex(arg1, 5)} is not pinned`);
          return `unpinned 0x${hex(arg1, 5)}`;
        case X.MMUEXT_PIN_L3_TABLE:
        case X.MMUEXT_PIN_L4_TABLE:
          throw new HypercallError(X.EINVAL, `${name}: two-level paging here`);
        default:
          throw new HypercallError(X.ENOSYS, `mmuext_op ${name} is not implemented`);
      }
    });
  }

  private newBaseptr(cpu: Cpu, mfn: number): string {
    this.validateL2(mfn);
    const mem = cpu.mem;
    const at = mfn * 0x1000;
    for (let i = X.FIRST_XEN_L2_SLOT; i < 1023; i++) mem.write32(at + i * 4, 0);
    mem.write32(at + 1023 * 4, (this.vmmPageTable | PTE_P | PTE_RW | PTE_AD) | 0);
    const first = this.baseFrame === null;
    this.baseFrame = mfn;
    cpu.cr3 = at | 0;
    if (first) {
      cpu.cr0 = (cpu.cr0 | CR0_PG | CR0_WP) | 0;
      cpu.modeChanged();
      const win = (p: number): number => (VMM_WINDOW + (p - this.gdt)) >>> 0;
      cpu.gdtrBase = win(this.gdt);
      cpu.idtrBase = win(this.idt);
      cpu.trBase = win(this.tss);
    }
    cpu.flushTlb();
    return `CR3 = 0x${hex(at)}${first ? ', paging turned on (CR0.PG|WP), VMM mapped at 0x' + hex(VMM_WINDOW) : ''}, TLB flushed`;
  }

  private updateVaMapping(cpu: Cpu, a: number[]): Outcome {
    const [va, lo, hi, flags] = a;
    if (va >= X.HYPERVISOR_VIRT_START) throw new HypercallError(X.EINVAL, `va 0x${hex(va)} is in the hypervisor's area`);
    if (hi !== 0) throw new HypercallError(X.EINVAL, 'pte_hi must be 0 (non-PAE tables here)');
    if (this.baseFrame === null || !cpu.paging) throw new HypercallError(X.EINVAL, 'no page tables yet (MMUEXT_NEW_BASEPTR first)');
    const mem = cpu.mem;
    const pde = mem.read32(this.baseFrame * 0x1000 + (va >>> 22) * 4);
    if ((pde & PTE_P) === 0 || (pde & PTE_PS) !== 0) throw new HypercallError(X.EINVAL, `no L1 maps va 0x${hex(va)}`);
    const flush = flags & X.UVMF_FLUSHTYPE_MASK;
    if (flush === X.UVMF_FLUSHTYPE_MASK) throw new HypercallError(X.EINVAL, 'flush type 3');
    const mask = flags & ~X.UVMF_FLUSHTYPE_MASK;
    if (mask !== X.UVMF_LOCAL && mask !== X.UVMF_ALL && this.readGuest32(mask) === null) {
      throw new HypercallError(X.EFAULT, `vcpumask at 0x${hex(mask)} is not guest memory`);
    }
    const pteAddr = (pde & ~0xfff) + ((va >>> 12) & 0x3ff) * 4;
    this.checkL1e(lo, this.ptFrames());
    mem.write32(pteAddr, lo);
    if (flush === X.UVMF_TLB_FLUSH) cpu.flushTlb();
    else if (flush === X.UVMF_INVLPG) cpu.flushTlbPage(va);
    const how = flush === X.UVMF_TLB_FLUSH ? 'TLB flushed' : flush === X.UVMF_INVLPG ? 'INVLPG' : 'no flush';
    return { result: 0, action: `va 0x${hex(va)} -> PTE 0x${hex(lo)} (${how})`, details: { va, pte: lo, flags } };
  }

  // ---- helpers -------------------------------------------------------------------------------

  private crash(message: string): void {
    const cpu = this.c.cpu;
    this.stop ??= { reason: 'crash', exitStatus: 2, message: `paravirt: domain crashed: ${message}` };
    cpu.attention = true;
  }

  /** A descriptor of the physical GDT (guest entries and Xen's reserved ones), or null for null/absent. */
  private descriptor(sel: number): Descriptor | null {
    if ((sel & 0xfff8) === 0 || (sel & 4) !== 0) return null;
    const addr = this.gdt + (sel & 0xfff8);
    const lo = this.c.cpu.mem.read32(addr) | 0;
    const hi = this.c.cpu.mem.read32(addr + 4) | 0;
    if ((lo | hi) === 0) return null;
    // Descriptor.addr is linear (the CPU sets the accessed bit through it): the window once paging is on.
    return { lo, hi, addr: this.baseFrame === null ? addr : (VMM_WINDOW + (addr - this.gdt)) >>> 0 };
  }

  /** Physical address of guest linear `lin`, or null when unmapped or outside the guest's memory. */
  private phys(lin: number): number | null {
    if (lin >= X.HYPERVISOR_VIRT_START) return null;
    const t = peekTranslation(this.c.cpu, lin >>> 0);
    if (t === null || t.phys >= this.guestTop) return null;
    return t.phys;
  }

  private readGuest(lin: number, len: number): Uint8Array | null {
    if (len < 0 || len > 0x100000 || lin + len > 0x100000000) return null;
    const out = new Uint8Array(len);
    const mem = this.c.cpu.mem;
    for (let i = 0; i < len; i++) {
      const p = this.phys((lin + i) >>> 0);
      if (p === null) return null;
      out[i] = mem.read8(p);
    }
    return out;
  }

  private writeGuest(lin: number, data: Uint8Array): boolean {
    for (let i = 0; i < data.length; i++) if (this.phys((lin + i) >>> 0) === null) return false;
    const mem = this.c.cpu.mem;
    for (let i = 0; i < data.length; i++) mem.write8(this.phys((lin + i) >>> 0) ?? 0, data[i]);
    return true;
  }

  private readGuest32(lin: number): number | null {
    const b = this.readGuest(lin, 4);
    return b === null ? null : u32(b, 0);
  }

  private writeGuest32(lin: number, value: number): boolean {
    return this.writeGuest(lin, Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff));
  }

  private textAt(cpu: Cpu, eip: number): string {
    return cpu.opAt(eip)?.text ?? '';
  }


  private exit(kind: ExitKind, reason: string, reasonNumber: number | undefined, eip: number, instruction: string,
    details: Record<string, number | string | boolean>, cost: number, action: string): void {
    recordExit(this.c, TECHNIQUE, { kind, reason, reasonNumber, eip, instruction, details, cost, action });
  }

  /** The failsafe callback the guest registered (recorded; see the header comment). */
  get failsafe(): { cs: number; eip: number } | null {
    return this.failsafeCallback;
  }
}

/** A selector the guest gave with RPL 0 names its own ring 1 (Xen's fixup of guest selectors). */
function fixRpl(sel: number): number {
  sel &= 0xffff;
  return (sel & 3) === 0 && (sel & 0xfff8) !== 0 ? sel | 1 : sel;
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function hex(n: number, width = 8): string {
  return (n >>> 0).toString(16).padStart(width, '0');
}

function descBaseOf(d: Descriptor): number {
  return (((d.lo >>> 16) & 0xffff) | ((d.hi & 0xff) << 16) | (d.hi & 0xff000000)) >>> 0;
}
