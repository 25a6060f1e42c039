// Protected-mode delivery of exceptions and interrupts through the IDT (SDM vol. 3A §6.10–6.14
// and the INT n/INTO/INT3 "Operation" section): gate lookup and checks, the stack switch to an
// inner ring through the TSS, the frame, and the EFLAGS changes.
//
// Not implemented (documented departures):
// - Task gates in the IDT: task switching is not part of this CPU model, so a task gate is
//   treated like an invalid IDT entry, #GP(vector·8 + 2 + EXT).
// - Virtual-8086 mode does not exist here (EFLAGS.VM is never set), so the VM86 frame (GS, FS,
//   DS, ES pushed) never arises.
// - RF is not set in the EFLAGS image pushed for fault-class exceptions (P6 and later set it;
//   QEMU does not): it only matters for instruction breakpoints, which are not implemented.
import type { Cpu } from '../cpu.js';
import type { EventKind } from '../deliver.js';
import { CpuFault } from '../fault.js';
import {
  CS, FLAG_IF, FLAG_NT, FLAG_RF, FLAG_TF, FLAG_VM, SS, VEC_GP, VEC_NP,
} from '../constants.js';
import {
  SYS_INT_GATE16,
  SYS_INT_GATE32,
  SYS_TRAP_GATE16,
  SYS_TRAP_GATE32,
  StackFrame,
  currentStack,
  descDpl,
  descLimit,
  descPresent,
  descType,
  fetchDescriptor,
  gateOffset,
  gateSelector,
  innerStackDescriptor,
  isCodeDesc,
  isConformingCode,
  isNullSelector,
  isSegmentDesc,
  loadCache,
  loadCodeSegment,
  markAccessed,
  noteCpl,
  readDescriptorAt,
  ringStackFromTss,
  selectorError,
  stackOfDescriptor,
} from './descriptors.js';

/**
 * Delivers `vector` through the IDT. `errorCode` is pushed when ≥ 0. `kind` decides the gate
 * DPL check (software interrupts only) and the EXT bit of error codes raised on the way
 * (set for exceptions and external interrupts, clear for INT n/INT3/INTO — SDM §6.13).
 */
export function deliverProtected(cpu: Cpu, vector: number, errorCode: number, kind: EventKind): void {
  const ext = kind === 'software' ? 0 : 1;
  const idtError = vector * 8 + 2 + ext;

  // The gate.
  if (vector * 8 + 7 > cpu.idtrLimit) throw new CpuFault(VEC_GP, idtError);
  const gate = readDescriptorAt(cpu, (cpu.idtrBase + vector * 8) >>> 0);
  const gateType = descType(gate);
  if (isSegmentDesc(gate)) throw new CpuFault(VEC_GP, idtError);
  if (gateType !== SYS_INT_GATE16 && gateType !== SYS_INT_GATE32 && gateType !== SYS_TRAP_GATE16 && gateType !== SYS_TRAP_GATE32) {
    throw new CpuFault(VEC_GP, idtError); // task gates included: no task switching (see above)
  }
  if (kind === 'software' && descDpl(gate) < cpu.cpl) throw new CpuFault(VEC_GP, vector * 8 + 2);
  if (!descPresent(gate)) throw new CpuFault(VEC_NP, idtError);
  const gate32 = (gateType & 8) !== 0;
  const interruptGate = (gateType & 1) === 0;

  // The handler's code segment.
  const selector = gateSelector(gate);
  if (isNullSelector(selector)) throw new CpuFault(VEC_GP, ext);
  const csError = selectorError(selector, ext);
  const code = fetchDescriptor(cpu, selector, VEC_GP, csError);
  const dpl = descDpl(code);
  if (!isCodeDesc(code) || dpl > cpu.cpl) throw new CpuFault(VEC_GP, csError);
  if (!descPresent(code)) throw new CpuFault(VEC_NP, csError);
  const offset = gateOffset(gate, gate32);
  const size = gate32 ? 4 : 2;
  const eflags = cpu.getEflags();
  const oldCpl = cpu.cpl;

  if (!isConformingCode(code) && dpl < cpu.cpl) {
    // Inter-privilege: switch to the ring-`dpl` stack named by the TSS.
    const { ss, esp } = ringStackFromTss(cpu, dpl, ext);
    const stackDesc = innerStackDescriptor(cpu, ss, dpl, ext);
    const frame = new StackFrame(cpu, stackOfDescriptor(stackDesc), esp, false, selectorError(ss, ext));
    frame.push(size, cpu.segSel[SS]);
    frame.push(size, cpu.r32[4]);
    frame.push(size, eflags);
    frame.push(size, cpu.segSel[CS]);
    frame.push(size, cpu.eip);
    if (errorCode >= 0) frame.push(size, errorCode);
    if (offset > descLimit(code)) throw new CpuFault(VEC_GP, ext);
    markAccessed(cpu, stackDesc);
    markAccessed(cpu, code);
    frame.commit();
    loadCache(cpu, SS, ss, stackDesc);
    cpu.r32[4] = frame.finalEsp;
    loadCodeSegment(cpu, selector, code, dpl);
  } else {
    // Same privilege (or a conforming handler, which runs at the current CPL).
    const frame = new StackFrame(cpu, currentStack(cpu, SS), cpu.r32[4], cpu.cpl === 3, ext);
    frame.push(size, eflags);
    frame.push(size, cpu.segSel[CS]);
    frame.push(size, cpu.eip);
    if (errorCode >= 0) frame.push(size, errorCode);
    if (offset > descLimit(code)) throw new CpuFault(VEC_GP, ext);
    markAccessed(cpu, code);
    frame.commit();
    cpu.r32[4] = frame.finalEsp;
    loadCodeSegment(cpu, selector, code, cpu.cpl);
  }
  cpu.eip = offset;
  let clear = FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM;
  if (interruptGate) clear |= FLAG_IF;
  cpu.setEflags(eflags & ~clear);
  noteCpl(cpu, oldCpl);
}
