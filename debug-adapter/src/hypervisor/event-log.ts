// The stream of exits and holes of one run: counted by reason and by instruction, kept in a
// bounded ring for the debugger, and passed to listeners (the command line's --trace, the DAP).
import type { ExitRecord, HoleRecord, VmmEvent, VmmStatistics } from './types.js';

export type VmmEventListener = (event: VmmEvent) => void;

const DEFAULT_RING = 4096;

export class EventLog {
  private seq = 0;
  private exitsTotal = 0;
  private holesTotal = 0;
  private readonly exitsByReason = new Map<string, number>();
  private readonly holesByInstruction = new Map<string, number>();
  private readonly listeners: VmmEventListener[] = [];
  private readonly ring: VmmEvent[] = [];
  /** Modelled cycles spent in the VMM (exits and their handling). */
  vmmCycles = 0;

  constructor(private readonly ringSize = DEFAULT_RING) {}

  nextSeq(): number {
    return ++this.seq;
  }

  /** The sequence number of the latest event (0 before the first). */
  get lastSeq(): number {
    return this.seq;
  }

  onEvent(listener: VmmEventListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  exit(record: ExitRecord): void {
    this.exitsTotal++;
    this.exitsByReason.set(record.reason, (this.exitsByReason.get(record.reason) ?? 0) + 1);
    this.vmmCycles += record.cost;
    this.publish(record);
  }

  hole(record: HoleRecord): void {
    this.holesTotal++;
    this.holesByInstruction.set(record.mnemonic, (this.holesByInstruction.get(record.mnemonic) ?? 0) + 1);
    this.publish(record);
  }

  private publish(event: VmmEvent): void {
    if (this.ringSize > 0) {
      if (this.ring.length >= this.ringSize) this.ring.shift();
      this.ring.push(event);
    }
    for (const l of this.listeners) l(event);
  }

  /** The most recent events, oldest first. */
  recent(): readonly VmmEvent[] {
    return this.ring;
  }

  statistics(guestInstructions: number, instructionCost = 1): VmmStatistics {
    return {
      exits: { total: this.exitsTotal, byReason: Object.fromEntries([...this.exitsByReason].sort()) },
      holes: { total: this.holesTotal, byInstruction: Object.fromEntries([...this.holesByInstruction].sort()) },
      cycles: guestInstructions * instructionCost + this.vmmCycles,
    };
  }
}
