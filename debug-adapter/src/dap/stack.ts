// Stack frames: the current instruction, then the shadow call stack the CPU keeps while the
// debugger is attached (cpu/call-stack.ts) — every CALL, interrupt and exception since power-on,
// entries checked against stack memory — then the EBP chain ([EBP] = caller's EBP, [EBP+4] =
// return address) below it, for code entered before tracking began, entries dropped at the depth
// bound, or an engine that keeps no shadow stack. The shadow stack needs no frame pointers, so
// routines that never set up EBP still show up. Frames are named by the nearest label; a caller
// is placed at the line of its call, interrupted code at the instruction that was interrupted; an
// interrupt or exception is a frame of its own (presentationHint 'label') between the handler and
// the code it interrupted, which VS Code's Call Stack view shows as a separator row.
import type { Engine } from '../engine/engine.js';
import { peek32, stackTop, type CallEntry } from '../cpu/call-stack.js';
import { EXCEPTION_MNEMONICS, SS } from '../cpu/constants.js';
import type { ProgramIndex } from './program-index.js';

export interface Frame {
  /** Guest EIP of the frame (the return address for callers, the interrupted EIP below an interrupt). */
  eip: number;
  name: string;
  file?: string;
  line?: number;
  /** 'label' marks an interrupt or exception boundary: no code location of its own. */
  presentationHint?: 'normal' | 'label' | 'subtle';
}

const MAX_FRAMES = 64;

export function frameName(index: ProgramIndex, eip: number): string {
  const label = index.nearestLabel(eip, true);
  return label === undefined ? `0x${(eip >>> 0).toString(16).padStart(8, '0')}` : label.name;
}

/** Where a frame's line is: the instruction at its EIP, or the call just before it (callers). */
type Placement = 'here' | 'call';

function codeFrame(engine: Engine, index: ProgramIndex, eip: number, placement: Placement): Frame {
  let at = eip;
  if (placement === 'call') {
    const i = index.instructionIndex(eip) - 1;
    if (i >= 0) at = index.instructionStarts[i];
  }
  const pos = engine.sourceAt(at);
  return { eip, name: frameName(index, at), file: pos?.file, line: pos?.line };
}

/**
 * The shadow stack's entries that still stand, newest first: an entry is dropped when the stack
 * has been unwound past it without a return (it lies below the stack pointer of the frame above
 * it) or when its return address is no longer on the stack.
 */
function liveEntries(engine: Engine): CallEntry[] {
  const cpu = engine.cpu;
  const entries = cpu.callStack?.snapshot() ?? [];
  const live: CallEntry[] = [];
  let ss = cpu.segSel[SS];
  let floor = stackTop(cpu);
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e.ss === ss && e.esp < floor) continue;
    const word = peek32(cpu, e.slot);
    if (word === undefined) continue;
    if (word !== e.returnEip && !(e.returnEip <= 0xffff && (word & 0xffff) === e.returnEip)) continue;
    live.push(e);
    ss = e.ss;
    floor = e.esp + 1;
  }
  return live;
}

/** The IRQ line a vector stands for with the interrupt controllers' current vector bases. */
function irqOf(engine: Engine, vector: number): number | undefined {
  const { master, slave } = engine.machine.pic;
  if (vector >= master.irqBase && vector < master.irqBase + 8) return vector - master.irqBase;
  if (vector >= slave.irqBase && vector < slave.irqBase + 8) return 8 + vector - slave.irqBase;
  return undefined;
}

export function boundaryName(engine: Engine, e: CallEntry): string {
  if (e.vector < 0) return '── event upcall (Xen event channel) ──';
  const v = `0x${e.vector.toString(16).padStart(2, '0')}`;
  const mnemonic = EXCEPTION_MNEMONICS[e.vector];
  let detail: string[] = [];
  if (e.kind === 'interrupt') {
    const irq = irqOf(engine, e.vector);
    if (irq !== undefined) detail = [`IRQ${irq}`];
  } else if (mnemonic !== undefined && e.vector < 32) {
    detail = [mnemonic];
  }
  if (e.errorCode >= 0) detail.push(`error code 0x${e.errorCode.toString(16)}`);
  return `── ${e.kind} ${v}${detail.length > 0 ? ` (${detail.join(', ')})` : ''} ──`;
}

interface EbpFrame {
  ret: number;
  /** Linear address of the return address. */
  slot: number;
}

/** Return addresses up the EBP chain (32-bit code only). */
function ebpChain(engine: Engine, index: ProgramIndex, limit: number): EbpFrame[] {
  const cpu = engine.cpu;
  const out: EbpFrame[] = [];
  if (!cpu.code32) return out;
  const ssBase = cpu.segBase[SS] >>> 0;
  let ebp = cpu.r32[5] >>> 0;
  const esp = cpu.r32[4] >>> 0;
  // A frame pointer below the stack pointer is stale (no frame set up yet).
  while (out.length < limit && ebp !== 0 && ebp >= esp) {
    const slot = (ssBase + ebp + 4) >>> 0;
    const saved = peek32(cpu, (ssBase + ebp) >>> 0);
    const ret = peek32(cpu, slot);
    if (saved === undefined || ret === undefined) break;
    // Only return addresses into the program's code make frames (no garbage from data words).
    if (index.hasSource && engine.sourceAt(ret) === undefined && index.nearestLabel(ret) === undefined) break;
    out.push({ ret, slot });
    if (saved <= ebp) break; // the chain goes up the stack, or it ends
    ebp = saved;
  }
  return out;
}

export function stackFrames(engine: Engine, index: ProgramIndex, limit = MAX_FRAMES): Frame[] {
  const frames = [codeFrame(engine, index, engine.guestEip, 'here')];
  const live = liveEntries(engine);
  for (const e of live) {
    if (frames.length >= limit) break;
    if (e.kind === 'call') {
      frames.push(codeFrame(engine, index, e.returnEip, 'call'));
      continue;
    }
    frames.push({ eip: e.returnEip, name: boundaryName(engine, e), presentationHint: 'label' });
    // INT n returns past itself; a fault returns to the faulting instruction, an interrupt to the next one to run.
    frames.push(codeFrame(engine, index, e.returnEip, e.kind === 'software interrupt' ? 'call' : 'here'));
  }
  // The EBP chain only walks the current stack: below a shadow stack that switched stacks it would
  // describe the wrong one.
  const ss = engine.cpu.segSel[SS];
  if (frames.length < limit && live.every((e) => e.ss === ss)) {
    const bottom = live.length > 0 ? live[live.length - 1].slot : -1;
    for (const f of ebpChain(engine, index, limit)) {
      if (f.slot > bottom) frames.push(codeFrame(engine, index, f.ret, 'call'));
    }
  }
  return frames.slice(0, limit);
}
