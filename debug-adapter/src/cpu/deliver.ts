// Exception and interrupt delivery: the real-mode interrupt vector table here, protected mode
// through the IDT in ./protection/interrupts.ts.
import type { Cpu } from './cpu.js';
import { CS, FLAG_AC, FLAG_IF, FLAG_RF, FLAG_TF, VEC_GP } from './constants.js';
import { CpuFault } from './fault.js';
import { deliverProtected } from './protection/interrupts.js';

/**
 * How the event arose: an exception, a hardware interrupt, or a software interrupt instruction
 * (INT n, INT3 and INTO are 'software': gate DPL is checked, EIP is past the instruction).
 */
export type EventKind = 'exception' | 'external' | 'software';

export function deliverEvent(cpu: Cpu, vector: number, errorCode: number, kind: EventKind): void {
  if (cpu.protectedMode) deliverProtected(cpu, vector, errorCode, kind);
  else deliverReal(cpu, vector);
}

/** Real mode: push FLAGS, CS, IP; clear IF, TF, AC; jump through the 4-byte IVT entry. */
function deliverReal(cpu: Cpu, vector: number): void {
  const entry = vector * 4;
  if (entry + 3 > cpu.idtrLimit) throw new CpuFault(VEC_GP, vector * 8 + 2);
  const lin = (cpu.idtrBase + entry) >>> 0;
  const ip = cpu.readSystem16(lin);
  const cs = cpu.readSystem16((lin + 2) >>> 0);
  const flags = cpu.getEflags();
  cpu.push(2, flags & 0xffff);
  cpu.push(2, cpu.segSel[CS]);
  cpu.push(2, cpu.eip & 0xffff);
  cpu.setEflags(flags & ~(FLAG_IF | FLAG_TF | FLAG_AC | FLAG_RF));
  cpu.loadRealSegment(CS, cs);
  cpu.eip = ip;
}
