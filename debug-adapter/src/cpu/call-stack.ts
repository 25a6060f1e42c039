// The shadow call stack a debugger asks for (Cpu.trackCalls): every CALL, and every interrupt or
// exception the guest receives, pushes an entry; RET, RETF and IRET drop the entries they return
// through. Without a debugger none of this exists: Cpu.callStack is null, no op is wrapped (the
// block cache wraps CALL/RET/RETF/IRET only while tracking is on) and event delivery pays one
// null check.
//
// Entries are matched to returns by where their frame sits on the stack, not by counting, so
// code that leaves a routine without RET (longjmp, `add esp, 4` then `jmp`, a context switch)
// does not leave the stack out of step for long: a return drops every entry of its stack at or
// below the stack pointer it pops from, and a push drops the entries whose frame it overwrites.
// What is left can still be stale; the debugger checks entries against stack memory.
import { Mnemonic } from 'iced-x86';
import type { Cpu } from './cpu.js';
import type { EventKind } from './deliver.js';
import type { Exec, Op } from './op.js';
import { peekTranslation } from './mmu.js';
import { CS, SS } from './constants.js';

export type CallEntryKind = 'call' | 'interrupt' | 'exception' | 'software interrupt';

export interface CallEntry {
  kind: CallEntryKind;
  /** Where execution goes back to: the caller's next instruction, or the interrupted one (guest EIP). */
  returnEip: number;
  /** The CS selector of the caller, as pushed for interrupts (the guest's view under a VMM). */
  returnCs: number;
  /** The callee or handler (guest EIP) and its CS selector. */
  target: number;
  targetCs: number;
  /** Linear address of the stack top after the frame was pushed, and the SS selector then. */
  esp: number;
  ss: number;
  /** Linear address of the pushed return EIP (above the error code when there is one). */
  slot: number;
  /** Interrupt or exception vector; -1 for calls. */
  vector: number;
  /** The error code pushed with an exception; -1 when none. */
  errorCode: number;
}

const KIND_OF_EVENT: Record<EventKind, CallEntryKind> = {
  external: 'interrupt',
  exception: 'exception',
  software: 'software interrupt',
};

export const CALL_STACK_DEPTH = 1024;

export class CallStack {
  private entries: CallEntry[] = [];
  /** Entries dropped at the bottom because the stack was full (older frames are unknown). */
  dropped = 0;
  /** Pushes so far; a return leaves alone the entries pushed while it executed. */
  private pushes = 0;

  constructor(readonly maxDepth = CALL_STACK_DEPTH) {}

  get depth(): number {
    return this.entries.length;
  }

  /** The entries, oldest first. */
  snapshot(): CallEntry[] {
    return this.entries.slice();
  }

  clear(): void {
    this.entries = [];
    this.dropped = 0;
  }

  get pushCount(): number {
    return this.pushes;
  }

  /** A CALL has pushed `returnEip` (from code segment `returnCs`) and moved to `target`. */
  call(cpu: Cpu, returnEip: number, returnCs: number, target: number): void {
    const esp = stackTop(cpu);
    this.push({
      kind: 'call', returnEip: returnEip >>> 0, returnCs, target: target >>> 0, targetCs: cpu.segSel[CS],
      esp, ss: cpu.segSel[SS], slot: esp, vector: -1, errorCode: -1,
    });
  }

  /**
   * An interrupt or exception was delivered: its frame is at SS:ESP ([error code,] EIP, CS, ...)
   * in words of `size` bytes (the gate's size; looked up in the IDT when not given) and CS:EIP is
   * the handler. Hypervisors that deliver to the guest themselves call this after building the
   * frame the guest sees.
   */
  event(cpu: Cpu, vector: number, errorCode: number, kind: EventKind, size?: 2 | 4): void {
    const width = size ?? gateSize(cpu, vector);
    const esp = stackTop(cpu);
    const slot = (esp + (errorCode >= 0 ? width : 0)) >>> 0;
    const word = width === 4 ? 0xffffffff : 0xffff;
    this.push({
      kind: KIND_OF_EVENT[kind],
      returnEip: ((peek32(cpu, slot) ?? 0) & word) >>> 0,
      returnCs: (peek32(cpu, (slot + width) >>> 0) ?? 0) & 0xffff,
      target: cpu.eip >>> 0,
      targetCs: cpu.segSel[CS],
      esp,
      ss: cpu.segSel[SS],
      slot,
      vector,
      errorCode,
    });
  }

  /**
   * A RET, RETF or IRET executed with the stack at `oldSs`:`oldEsp` (linear) before it. Drops
   * the entries of that stack at or below it (the one returned through and any left behind);
   * after a return to another stack (a privilege change), every entry of the stack left.
   * Entries pushed since push number `since` (an interrupt a VMM injected in the same
   * instruction) stay on top.
   */
  returned(cpu: Cpu, oldSs: number, oldEsp: number, since: number): void {
    const e = this.entries;
    const keep = Math.max(0, e.length - (this.pushes - since));
    const leaving = cpu.segSel[SS] !== oldSs;
    let i = keep;
    while (i > 0) {
      const top = e[i - 1];
      if (top.ss !== oldSs || (!leaving && top.esp > oldEsp)) break;
      i--;
    }
    if (i < keep) e.splice(i, keep - i);
  }

  private push(entry: CallEntry): void {
    const e = this.entries;
    // Frames of this stack at or below the new one are gone: it has overwritten them.
    while (e.length > 0 && e[e.length - 1].ss === entry.ss && e[e.length - 1].esp <= entry.esp) e.pop();
    e.push(entry);
    this.pushes++;
    if (e.length > this.maxDepth) {
      // Drop the oldest in chunks so deep recursion does not move the whole array every call.
      const drop = e.length - this.maxDepth + (this.maxDepth >>> 4);
      e.splice(0, drop);
      this.dropped += drop;
    }
  }
}

/** Linear address of SS:ESP (SS:SP on a 16-bit stack). */
export function stackTop(cpu: Cpu): number {
  return (cpu.segBase[SS] + cpu.sp) >>> 0;
}

/** A dword at a linear address without faults or side effects (undefined: not mapped). */
export function peek32(cpu: Cpu, lin: number): number | undefined {
  if ((lin & 0xfff) <= 0xffc) {
    const t = peekTranslation(cpu, lin >>> 0);
    return t === null ? undefined : cpu.mem.read32(t.phys) >>> 0;
  }
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const t = peekTranslation(cpu, (lin + i) >>> 0);
    if (t === null) return undefined;
    v |= cpu.mem.read8(t.phys) << (8 * i);
  }
  return v >>> 0;
}

/** The frame word size of a gate natively: 2 in real mode, else the IDT gate's D bit. */
function gateSize(cpu: Cpu, vector: number): 2 | 4 {
  if (!cpu.protectedMode) return 2;
  const hi = peek32(cpu, (cpu.idtrBase + vector * 8 + 4) >>> 0) ?? 0x800;
  return (hi & 0x800) !== 0 ? 4 : 2;
}

/** Wraps the exec of a CALL, RET, RETF or IRET to keep the call stack; other ops come back as they are. */
export function trackingExec(op: Op): Exec {
  const exec = op.exec;
  switch (op.mnemonic) {
    case Mnemonic.Call:
      return (cpu, o) => {
        // The run loop has moved EIP past the CALL: it is the return address.
        const ret = cpu.eip;
        const cs = cpu.segSel[CS];
        exec(cpu, o);
        cpu.callStack?.call(cpu, ret, cs, cpu.eip);
      };
    case Mnemonic.Ret:
    case Mnemonic.Retf:
    case Mnemonic.Iret:
    case Mnemonic.Iretd:
      return (cpu, o) => {
        const ss = cpu.segSel[SS];
        const esp = stackTop(cpu);
        const since = cpu.callStack?.pushCount ?? 0;
        exec(cpu, o);
        cpu.callStack?.returned(cpu, ss, esp, since);
      };
    default:
      return exec;
  }
}
