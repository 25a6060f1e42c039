// The hypervisor core's shared vocabulary (ARCHITECTURE §5): one exit record shape for every
// technique, hole events, and the interface a technique implements.
import type { Technique } from '../isa/index.js';

export type { Technique };

export type ExitKind = 'trap' | 'vmexit' | 'hypercall' | 'callout' | 'interrupt';

export interface SourcePosition {
  file: string;
  line: number;
}

/** One transfer of control from guest to VMM. */
export interface ExitRecord {
  seq: number;
  vcpu: number;
  technique: Technique;
  kind: ExitKind;
  /**
   * VT-x basic exit reason names (`CPUID`, `IO_INSTRUCTION`, ...), traps as `#GP`, `#PF`, ...,
   * hypercalls by their Xen names, translation callouts by mnemonic.
   */
  reason: string;
  /** Numeric reason where one exists (VT-x basic exit reason, exception vector, hypercall number). */
  reasonNumber?: number;
  /** Guest EIP of the instruction (or of the interrupted instruction). */
  eip: number;
  source?: SourcePosition;
  /** NASM text of the instruction, or '' for events between instructions. */
  instruction: string;
  /** Exit qualification (VT-x layouts), when the exit kind defines one. */
  qualification?: number;
  /** Decoded details: port, size, direction, CR number, MSR, vector, error code ... */
  details: Record<string, number | string | boolean>;
  /** Modelled cycles for the exit and its handling. */
  cost: number;
  /** What the VMM did: 'emulated', 'reflected #GP to the guest', 'injected vector 0x20', ... */
  action: string;
}

/** A sensitive instruction that ran without reaching the VMM and observed something bare metal would not. */
export interface HoleRecord {
  seq: number;
  vcpu: number;
  technique: Technique;
  kind: 'hole';
  mnemonic: string;
  eip: number;
  source?: SourcePosition;
  instruction: string;
  /** What the guest would observe on bare metal, and what it observed. */
  expected: string;
  observed: string;
  /** One line: "POPF: guest asked IF=0; IF stays 1". */
  message: string;
}

export type VmmEvent = ExitRecord | HoleRecord;

export interface VmmStatistics {
  exits: { total: number; byReason: Record<string, number> };
  holes: { total: number; byInstruction: Record<string, number> };
  /** Modelled cycles: guest instructions at one cycle each plus every exit's cost. */
  cycles: number;
}
