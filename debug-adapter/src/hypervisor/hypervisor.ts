// The interface every technique implements, and what the engine hands it. A technique installs
// itself on the CPU's intercept interface (debug-adapter/src/cpu/intercepts.ts) and reports every
// exit and hole to the event log.
import type { Cpu } from '../cpu/cpu.js';
import type { PcMachine } from '../machine/pc.js';
import type { EventLog } from './event-log.js';
import type { CostModel } from './cost-model.js';
import type { ExitRecord, SourcePosition, Technique } from './types.js';
import type { VirtualCpuState } from './virtual-state.js';
import type { SideBySide } from './binary-translation/bt.js';

export interface HypervisorContext {
  readonly cpu: Cpu;
  readonly machine: PcMachine;
  readonly log: EventLog;
  readonly costs: CostModel;
  /** Source line of a guest address, from the program's source map (undefined for images). */
  sourceAt(eip: number): SourcePosition | undefined;
}

/** Options for a technique, from the command line or the launch configuration. */
export interface HypervisorOptions {
  /** VT-x controls: NAME → VALUE, the vocabulary of issue 4 (`hlt-exiting`, `io-bitmap`, ...). */
  vmx?: Record<string, string | number | boolean>;
  /** trap-and-emulate: the physical ring the guest kernel runs in (1 by default, or 3). */
  guestRing?: 1 | 3;
  /**
   * binary-translation: 'ops' (default) translates into the engine's decoded form; 'x86' emits
   * real x86 code into a translation cache in VMM-private memory.
   */
  btMode?: 'ops' | 'x86';
}

/** A run ended by the hypervisor on the guest's request (Xen PV `sched_op` shutdown). */
export interface HypervisorStop {
  reason: 'poweroff' | 'crash' | 'reboot';
  /** ARCHITECTURE §6: 0 for poweroff, 2 for crash and other shutdowns. */
  exitStatus: number;
  message?: string;
}

export interface Hypervisor {
  readonly technique: Technique;
  /**
   * Takes over a CPU that the loader has put in the guest's entry state: builds the VMM's
   * structures, adjusts the physical state (de-privileging, shadow tables) and installs the
   * CPU intercepts.
   */
  start(context: HypervisorContext): void;
  /** What the guest believes its CPU state is (null when the VMM keeps no virtual state). */
  virtualState(): VirtualCpuState | null;
  /**
   * What the guest expects its CPU state to be: the bare-metal outcome of the instructions it
   * executed. Differs from virtualState() only where a sensitive instruction ran without reaching
   * the VMM (the holes of trap-and-emulate). Techniques without such holes leave this out, and
   * their virtual state is the guest's expectation.
   */
  bareMetalState?(): VirtualCpuState | null;
  /**
   * Set when the guest asked the hypervisor to end the run. The technique also sets
   * `cpu.attention` so the run loop notices at once.
   */
  pendingStop?(): HypervisorStop | null;
  /**
   * The guest address the CPU's EIP stands for (binary translation runs the guest from its
   * translation cache; every other technique returns EIP unchanged or leaves this out).
   */
  guestEip?(eip: number): number;
  /**
   * binary-translation: the translated block covering guest address `guest`, side by side with
   * the guest's instructions (null when no live translation covers it).
   */
  translation?(guest: number): SideBySide | null;
}

export type HypervisorFactory = (options: HypervisorOptions) => Hypervisor;

/** Records an exit with the next sequence number and the source line of its EIP. */
export function recordExit(context: HypervisorContext, technique: Technique, exit: Omit<ExitRecord, 'seq' | 'vcpu' | 'technique' | 'source'>): void {
  const eip = exit.eip >>> 0;
  context.log.exit({ ...exit, eip, seq: context.log.nextSeq(), vcpu: 0, technique, source: context.sourceAt(eip) });
}
