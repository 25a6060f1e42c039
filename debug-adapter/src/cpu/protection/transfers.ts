// Protected-mode far transfers: JMP and CALL to code segments and through call gates, RETF and
// IRET, including calls to inner rings with a stack switch and parameter copying, and returns to
// outer rings (SDM vol. 3A §5.8, and the JMP, CALL, RET and IRET "Operation" sections).
// Real mode never comes here: the instruction compilers handle it inline.
//
// Not implemented (documented departures):
// - Task switching: JMP/CALL to a TSS or task gate raise #GP(selector), and IRET with NT = 1 (a
//   return to the previous task) raises #GP(0).
// - Virtual-8086 mode: IRET at CPL 0 popping EFLAGS with VM = 1 raises #GP(0) instead of
//   entering virtual-8086 mode (the issue makes VM86 optional; EFLAGS.VM is never set).
import type { Cpu } from '../cpu.js';
import { CpuFault } from '../fault.js';
import {
  CS, FLAG_AC, FLAG_AF, FLAG_CF, FLAG_DF, FLAG_ID, FLAG_IF, FLAG_IOPL, FLAG_NT, FLAG_OF,
  FLAG_PF, FLAG_RF, FLAG_SF, FLAG_TF, FLAG_VM, FLAG_ZF, SS, VEC_GP, VEC_NP, VEC_SS,
} from '../constants.js';
import {
  SYS_CALL_GATE16,
  SYS_CALL_GATE32,
  StackFrame,
  currentStack,
  type Descriptor,
  descBig,
  descDpl,
  descLimit,
  descPresent,
  descType,
  fetchDescriptor,
  gateOffset,
  gateParamCount,
  gateSelector,
  innerStackDescriptor,
  invalidateDataSegments,
  isCodeDesc,
  isConformingCode,
  isNullSelector,
  isSegmentDesc,
  isWritableData,
  loadCache,
  loadCodeSegment,
  markAccessed,
  noteCpl,
  ringStackFromTss,
  selectorError,
  stackOfDescriptor,
} from './descriptors.js';

/**
 * Checks a code segment named directly by JMP/CALL: conforming needs DPL ≤ CPL; non-conforming
 * needs RPL ≤ CPL and DPL = CPL (#GP(selector)); not present is #NP(selector).
 */
function checkDirectCode(cpu: Cpu, selector: number, d: Descriptor, err: number): void {
  if (isConformingCode(d)) {
    if (descDpl(d) > cpu.cpl) throw new CpuFault(VEC_GP, err);
  } else if ((selector & 3) > cpu.cpl || descDpl(d) !== cpu.cpl) {
    throw new CpuFault(VEC_GP, err);
  }
  if (!descPresent(d)) throw new CpuFault(VEC_NP, err);
}

/** A call gate's checks: gate DPL ≥ CPL and ≥ RPL (#GP(gate)); present (#NP(gate)). */
function checkCallGate(cpu: Cpu, selector: number, gate: Descriptor, err: number): void {
  const dpl = descDpl(gate);
  if (dpl < cpu.cpl || (selector & 3) > dpl) throw new CpuFault(VEC_GP, err);
  if (!descPresent(gate)) throw new CpuFault(VEC_NP, err);
}

/** The code segment a call gate names: null #GP(0); not code #GP(sel); absent #NP(sel). */
function gateTarget(cpu: Cpu, gate: Descriptor): { selector: number; code: Descriptor } {
  const selector = gateSelector(gate);
  if (isNullSelector(selector)) throw new CpuFault(VEC_GP, 0);
  const err = selectorError(selector);
  const code = fetchDescriptor(cpu, selector, VEC_GP, err);
  if (!isCodeDesc(code) || descDpl(code) > cpu.cpl) throw new CpuFault(VEC_GP, err);
  return { selector, code };
}

function isCallGate(d: Descriptor): boolean {
  const type = descType(d);
  return !isSegmentDesc(d) && (type === SYS_CALL_GATE16 || type === SYS_CALL_GATE32);
}

/** The descriptor a JMP/CALL names; null selector is #GP(0), outside the table #GP(selector). */
function farTarget(cpu: Cpu, selector: number): Descriptor {
  if (isNullSelector(selector)) throw new CpuFault(VEC_GP, 0);
  return fetchDescriptor(cpu, selector, VEC_GP, selectorError(selector));
}

function jumpTo(cpu: Cpu, selector: number, code: Descriptor, eip: number): void {
  if (eip > descLimit(code)) throw new CpuFault(VEC_GP, 0);
  loadCodeSegment(cpu, selector, code, cpu.cpl);
  cpu.eip = eip;
}

/** JMP ptr16:16/32 or JMP m16:16/32 in protected mode. */
export function farJump(cpu: Cpu, selector: number, offset: number, osz: 2 | 4): void {
  selector &= 0xffff;
  const d = farTarget(cpu, selector);
  const err = selectorError(selector);
  if (isCodeDesc(d)) {
    checkDirectCode(cpu, selector, d, err);
    jumpTo(cpu, selector, d, osz === 2 ? offset & 0xffff : offset >>> 0);
    return;
  }
  if (!isCallGate(d)) throw new CpuFault(VEC_GP, err); // data, LDT, TSS, task gate ...
  checkCallGate(cpu, selector, d, err);
  const { selector: target, code } = gateTarget(cpu, d);
  const terr = selectorError(target);
  // A jump never changes privilege: non-conforming targets must have DPL = CPL.
  if (!isConformingCode(code) && descDpl(code) !== cpu.cpl) throw new CpuFault(VEC_GP, terr);
  if (!descPresent(code)) throw new CpuFault(VEC_NP, terr);
  jumpTo(cpu, target, code, gateOffset(d, descType(d) === SYS_CALL_GATE32));
}

/** CALL ptr16:16/32 or CALL m16:16/32 in protected mode. */
export function farCall(cpu: Cpu, selector: number, offset: number, osz: 2 | 4): void {
  selector &= 0xffff;
  const d = farTarget(cpu, selector);
  const err = selectorError(selector);
  if (isCodeDesc(d)) {
    checkDirectCode(cpu, selector, d, err);
    callAtSamePrivilege(cpu, selector, d, osz === 2 ? offset & 0xffff : offset >>> 0, osz);
    return;
  }
  if (!isCallGate(d)) throw new CpuFault(VEC_GP, err);
  checkCallGate(cpu, selector, d, err);
  const { selector: target, code } = gateTarget(cpu, d);
  const terr = selectorError(target);
  if (!descPresent(code)) throw new CpuFault(VEC_NP, terr);
  const gate32 = descType(d) === SYS_CALL_GATE32;
  const size = gate32 ? 4 : 2;
  const eip = gateOffset(d, gate32);
  const dpl = descDpl(code);
  const oldCpl = cpu.cpl;

  if (!isConformingCode(code) && dpl < cpu.cpl) {
    // More privilege: new stack from the TSS, parameters copied from the caller's stack.
    const { ss, esp } = ringStackFromTss(cpu, dpl, 0);
    const stackDesc = innerStackDescriptor(cpu, ss, dpl, 0);
    const count = gateParamCount(d);
    const params: number[] = [];
    for (let i = 0; i < count; i++) params.push(cpu.peek(size, i * size));
    const frame = new StackFrame(cpu, stackOfDescriptor(stackDesc), esp, false, selectorError(ss));
    frame.push(size, cpu.segSel[SS]);
    frame.push(size, cpu.r32[4]);
    for (let i = count - 1; i >= 0; i--) frame.push(size, params[i]);
    frame.push(size, cpu.segSel[CS]);
    frame.push(size, cpu.eip);
    if (eip > descLimit(code)) throw new CpuFault(VEC_GP, 0);
    markAccessed(cpu, stackDesc);
    markAccessed(cpu, code);
    frame.commit();
    loadCache(cpu, SS, ss, stackDesc);
    cpu.r32[4] = frame.finalEsp;
    loadCodeSegment(cpu, target, code, dpl);
    cpu.eip = eip;
    noteCpl(cpu, oldCpl);
    return;
  }
  // Same privilege through the gate (conforming target, or DPL = CPL).
  callAtSamePrivilege(cpu, target, code, eip, size);
}

/** Pushes CS:EIP on the current stack (every push checked before any is written) and jumps. */
function callAtSamePrivilege(cpu: Cpu, selector: number, code: Descriptor, eip: number, size: 2 | 4): void {
  const frame = new StackFrame(cpu, currentStack(cpu, SS), cpu.r32[4], cpu.cpl === 3, 0);
  frame.push(size, cpu.segSel[CS]);
  frame.push(size, cpu.eip);
  if (eip > descLimit(code)) throw new CpuFault(VEC_GP, 0);
  markAccessed(cpu, code);
  frame.commit();
  cpu.r32[4] = frame.finalEsp;
  jumpTo(cpu, selector, code, eip);
}

/**
 * The return code segment of RETF/IRET: null #GP(0); outside the table, not code, RPL < CPL,
 * conforming with DPL > RPL or non-conforming with DPL ≠ RPL: #GP(selector); absent #NP(selector).
 */
function returnCode(cpu: Cpu, selector: number): Descriptor {
  if (isNullSelector(selector)) throw new CpuFault(VEC_GP, 0);
  const err = selectorError(selector);
  const d = fetchDescriptor(cpu, selector, VEC_GP, err);
  const rpl = selector & 3;
  if (!isCodeDesc(d) || rpl < cpu.cpl) throw new CpuFault(VEC_GP, err);
  if (isConformingCode(d) ? descDpl(d) > rpl : descDpl(d) !== rpl) throw new CpuFault(VEC_GP, err);
  if (!descPresent(d)) throw new CpuFault(VEC_NP, err);
  return d;
}

/**
 * The outer ring's stack popped by RETF/IRET: null #GP(0); outside the table, RPL ≠ return
 * RPL, not writable data, DPL ≠ return RPL: #GP(selector); absent #SS(selector).
 */
function returnStack(cpu: Cpu, selector: number, rpl: number): Descriptor {
  if (isNullSelector(selector)) throw new CpuFault(VEC_GP, 0);
  const err = selectorError(selector);
  const d = fetchDescriptor(cpu, selector, VEC_GP, err);
  if ((selector & 3) !== rpl || !isWritableData(d) || descDpl(d) !== rpl) throw new CpuFault(VEC_GP, err);
  if (!descPresent(d)) throw new CpuFault(VEC_SS, err);
  return d;
}

/** Moves the stack pointer of the current stack by `bytes` (SP only on 16-bit stacks). */
function release(cpu: Cpu, bytes: number): void {
  cpu.sp = cpu.sp + bytes;
}

/** Loads SS:ESP for the outer ring and releases `extra` bytes on it (ESP's upper half kept on 16-bit stacks). */
function switchToOuterStack(cpu: Cpu, ss: number, stack: Descriptor, esp: number, extra: number): void {
  loadCache(cpu, SS, ss, stack);
  if (descBig(stack)) cpu.r32[4] = (esp + extra) | 0;
  else cpu.r16[8] = (esp + extra) & 0xffff;
}

/** RETF / RETF imm16 in protected mode. */
export function farReturn(cpu: Cpu, osz: 2 | 4, extraPop: number): void {
  const eipRaw = cpu.peek(osz, 0);
  const selector = cpu.peek(osz, osz) & 0xffff;
  const code = returnCode(cpu, selector);
  const eip = osz === 2 ? eipRaw & 0xffff : eipRaw >>> 0;
  const rpl = selector & 3;
  const oldCpl = cpu.cpl;
  if (rpl === cpu.cpl) {
    if (eip > descLimit(code)) throw new CpuFault(VEC_GP, 0);
    markAccessed(cpu, code);
    release(cpu, 2 * osz + extraPop);
    loadCodeSegment(cpu, selector, code, rpl);
    cpu.eip = eip;
    return;
  }
  // Return to an outer ring: the caller's SS:ESP lie above the parameters.
  const esp = cpu.peek(osz, 2 * osz + extraPop);
  const ss = cpu.peek(osz, 3 * osz + extraPop) & 0xffff;
  const stack = returnStack(cpu, ss, rpl);
  if (eip > descLimit(code)) throw new CpuFault(VEC_GP, 0);
  markAccessed(cpu, code);
  markAccessed(cpu, stack);
  loadCodeSegment(cpu, selector, code, rpl);
  cpu.eip = eip;
  switchToOuterStack(cpu, ss, stack, osz === 2 ? esp & 0xffff : esp, extraPop);
  invalidateDataSegments(cpu);
  noteCpl(cpu, oldCpl);
}

const IRET_FLAGS16 = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_TF | FLAG_DF | FLAG_OF | FLAG_NT;
const IRET_FLAGS32 = IRET_FLAGS16 | FLAG_RF | FLAG_AC | FLAG_ID;

/** IRET / IRETD in protected mode. */
export function interruptReturn(cpu: Cpu, osz: 2 | 4): void {
  const current = cpu.getEflags();
  if ((current & FLAG_NT) !== 0) throw new CpuFault(VEC_GP, 0); // task return: not supported
  const eipRaw = cpu.peek(osz, 0);
  const selector = cpu.peek(osz, osz) & 0xffff;
  const popped = cpu.peek(osz, 2 * osz);
  const temp = osz === 2 ? (current & 0xffff0000) | (popped & 0xffff) : popped;
  if ((temp & FLAG_VM) !== 0 && cpu.cpl === 0) throw new CpuFault(VEC_GP, 0); // no virtual-8086 mode
  const code = returnCode(cpu, selector);
  const eip = osz === 2 ? eipRaw & 0xffff : eipRaw >>> 0;
  const rpl = selector & 3;
  const oldCpl = cpu.cpl;

  // EFLAGS by the privilege of the IRET itself (SDM: before CPL changes).
  let mask = osz === 4 ? IRET_FLAGS32 : IRET_FLAGS16;
  if (cpu.cpl <= cpu.iopl) mask |= FLAG_IF;
  if (cpu.cpl === 0) mask |= FLAG_IOPL;
  const eflags = ((current & ~mask) | (temp & mask)) >>> 0;

  if (rpl === cpu.cpl) {
    if (eip > descLimit(code)) throw new CpuFault(VEC_GP, 0);
    markAccessed(cpu, code);
    release(cpu, 3 * osz);
    loadCodeSegment(cpu, selector, code, rpl);
    cpu.eip = eip;
    setFlags(cpu, current, eflags);
    return;
  }
  const esp = cpu.peek(osz, 3 * osz);
  const ss = cpu.peek(osz, 4 * osz) & 0xffff;
  const stack = returnStack(cpu, ss, rpl);
  if (eip > descLimit(code)) throw new CpuFault(VEC_GP, 0);
  markAccessed(cpu, code);
  markAccessed(cpu, stack);
  setFlags(cpu, current, eflags);
  loadCodeSegment(cpu, selector, code, rpl);
  cpu.eip = eip;
  switchToOuterStack(cpu, ss, stack, osz === 2 ? esp & 0xffff : esp, 0);
  invalidateDataSegments(cpu);
  noteCpl(cpu, oldCpl);
}

function setFlags(cpu: Cpu, before: number, after: number): void {
  cpu.setEflags(after);
  if (((before ^ after) & FLAG_IOPL) !== 0) cpu.intercepts?.modeChanged?.(cpu, 'eflags');
}
