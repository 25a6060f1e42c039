// Loading DS, ES, FS, GS and SS (MOV, POP, LDS/LES/LFS/LGS/LSS): real mode, and protected mode
// with the SDM's checks (MOV — Move, "Operation" for segment registers; SDM vol. 3A §5.5–5.7).
import type { Cpu } from '../cpu.js';
import { CpuFault } from '../fault.js';
import { SS, VEC_GP, VEC_NP, VEC_SS } from '../constants.js';
import {
  descDpl,
  descPresent,
  fetchDescriptor,
  isConformingCode,
  isDataDesc,
  isNullSelector,
  isReadableCode,
  isWritableData,
  loadCache,
  selectorError,
} from './descriptors.js';

/**
 * MOV/POP/LxS to a segment register other than CS.
 *
 * Protected mode, SS: a null selector is #GP(0); an index beyond the table limit, RPL ≠ CPL,
 * anything but a writable data segment, or DPL ≠ CPL is #GP(selector); not present is
 * #SS(selector). DS/ES/FS/GS: a null selector loads an unusable register (faults come on use);
 * otherwise the descriptor must be data or readable code, and unless it is conforming code its
 * DPL must be ≥ both CPL and RPL (#GP(selector)); not present is #NP(selector). The accessed bit
 * is set in the descriptor.
 *
 * Loading SS holds interrupts (and single-step traps) off until after the next instruction, as MOV
 * SS and POP SS do; LSS passes `inhibitInterrupts = false` (it loads SS:ESP in one instruction).
 */
export function loadSegment(cpu: Cpu, seg: number, selector: number, inhibitInterrupts = true): void {
  selector &= 0xffff;
  if (!cpu.protectedMode) {
    cpu.loadRealSegment(seg, selector);
  } else if (seg === SS) {
    loadStackSegment(cpu, selector);
  } else {
    loadDataSegment(cpu, seg, selector);
  }
  if (seg === SS && inhibitInterrupts) {
    cpu.interruptShadow = true;
    cpu.attention = true;
  }
}

function loadStackSegment(cpu: Cpu, selector: number): void {
  if (isNullSelector(selector)) throw new CpuFault(VEC_GP, 0);
  const err = selectorError(selector);
  const d = fetchDescriptor(cpu, selector, VEC_GP, err);
  if ((selector & 3) !== cpu.cpl || !isWritableData(d) || descDpl(d) !== cpu.cpl) throw new CpuFault(VEC_GP, err);
  if (!descPresent(d)) throw new CpuFault(VEC_SS, err);
  loadCache(cpu, SS, selector, d);
}

function loadDataSegment(cpu: Cpu, seg: number, selector: number): void {
  if (isNullSelector(selector)) {
    cpu.setNullSegment(seg, selector);
    return;
  }
  const err = selectorError(selector);
  const d = fetchDescriptor(cpu, selector, VEC_GP, err);
  if (!isDataDesc(d) && !isReadableCode(d)) throw new CpuFault(VEC_GP, err);
  if (!isConformingCode(d)) {
    const dpl = descDpl(d);
    if ((selector & 3) > dpl || cpu.cpl > dpl) throw new CpuFault(VEC_GP, err);
  }
  if (!descPresent(d)) throw new CpuFault(VEC_NP, err);
  loadCache(cpu, seg, selector, d);
}

