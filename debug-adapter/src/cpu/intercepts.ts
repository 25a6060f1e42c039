// The one interface through which a hypervisor technique sees the CPU (ARCHITECTURE §5).
// `native` installs none, and the run loop then pays nothing: instruction-level hooks are
// compiled into an Op only when intercepts are installed (decode.ts wraps the Op's exec), and
// event-level hooks are a single null check on paths that are already slow (I/O, CPUID,
// exception delivery, control-register writes).
import type { Cpu, ShutdownInfo } from './cpu.js';
import type { Op } from './op.js';
import type { EventKind } from './deliver.js';
import type { Block } from './block-cache.js';

/** What the hook decided: let the CPU carry on natively, or the VMM has done the work. */
export type InterceptDecision = 'native' | 'handled';

export type ModeChange = 'cr0' | 'cr3' | 'cr4' | 'cpl' | 'gdtr' | 'idtr' | 'ldtr' | 'tr' | 'eflags';

export interface Intercepts {
  /**
   * Before an instruction whose knowledge-base class is not ordinary (privileged,
   * IOPL-sensitive, sensitive-unprivileged, hypercall, vmx, svm) executes. Returning 'handled'
   * skips the native semantics (EIP already points past the instruction).
   */
  beforeSensitive?(cpu: Cpu, op: Op): InterceptDecision;
  /** After such an instruction executed natively (to compare what the guest observed). */
  afterSensitive?(cpu: Cpu, op: Op): void;
  /** Port I/O about to happen (after the CPU's own IOPL/bitmap checks passed). */
  io?(cpu: Cpu, port: number, size: 1 | 2 | 4, write: boolean, value: number): InterceptDecision;
  /** Exception or interrupt about to be delivered through the IDT. */
  event?(cpu: Cpu, vector: number, errorCode: number, kind: EventKind): InterceptDecision;
  /**
   * CPUID, HLT, RDTSC, RDMSR/WRMSR, MOV CR/DR, INVLPG about to execute natively; also PAUSE,
   * which is ordinary for the knowledge base but a VT-x exit under PAUSE exiting.
   */
  special?(cpu: Cpu, op: Op, what: 'cpuid' | 'hlt' | 'rdtsc' | 'rdmsr' | 'wrmsr' | 'cr-read' | 'cr-write' | 'dr-read' | 'dr-write' | 'invlpg' | 'pause'): InterceptDecision;
  /**
   * A decoded block about to run at CPL 0–2: the hypervisor may return another block to run
   * instead (binary translation runs kernel code from its translation cache this way).
   */
  translateBlock?(cpu: Cpu, block: Block): Block;
  /** The CR0 value SMSW shows the guest (VT-x: owned bits from the CR0 read shadow). */
  visibleCr0?(cpu: Cpu): number;
  /** After the processor's mode changed (CR writes, CPL changes, descriptor-table loads). */
  modeChanged?(cpu: Cpu, what: ModeChange): void;
  /** The CPU shut down (triple fault). */
  shutdown?(cpu: Cpu, info: ShutdownInfo): void;
}
