// Custom events for the extension's views: `hyperstep.exit` (VM exits and holes, batched and
// rate-limited) and `hyperstep.stats` (counters by reason).
import type { Engine } from '../engine/engine.js';
import type { ExitKind, Technique, VmmEvent, VmmStatistics } from '../hypervisor/index.js';
import { Batcher, nodeTimers, type TimerHandle, type Timers } from './event-batcher.js';
import { hex } from './format.js';

export type SendEvent = (event: string, body: unknown) => void;

export const EXIT_EVENT = 'hyperstep.exit';
export const STATS_EVENT = 'hyperstep.stats';
/** Minimum time between two `hyperstep.exit` events while the guest runs. */
export const EXIT_INTERVAL_MS = 100;
/** Minimum time between two `hyperstep.stats` events while the guest runs. */
export const STATS_INTERVAL_MS = 500;
/** Entries per `hyperstep.exit` event; the rest of a batch is only counted in `dropped`. */
export const EXIT_BATCH_CAP = 500;

export interface EntrySource {
  path: string;
  line: number;
}

export interface ExitEntry {
  seq: number;
  kind: ExitKind;
  /** `CPUID`, `#GP`, a hypercall name, a callout mnemonic ... */
  reason: string;
  reasonNumber?: number;
  /** Guest EIP, `0x%08x`. */
  eip: string;
  source?: EntrySource;
  instruction: string;
  qualification?: number;
  details: Record<string, number | string | boolean>;
  action: string;
  /** Modelled cycles. */
  cost: number;
}

export interface HoleEntry {
  seq: number;
  kind: 'hole';
  mnemonic: string;
  eip: string;
  source?: EntrySource;
  instruction: string;
  expected: string;
  observed: string;
  message: string;
}

export type VmmEventEntry = ExitEntry | HoleEntry;

/** Body of `hyperstep.exit`: the exits and holes since the previous one, oldest first. */
export interface ExitEventBody {
  events: VmmEventEntry[];
  /** Exits and holes in this batch that were not sent (the counters in `hyperstep.stats` still include them). */
  dropped: number;
}

/** Body of `hyperstep.stats`. */
export interface StatsEventBody extends VmmStatistics {
  technique: Technique;
  /** Guest instructions retired since power-on. */
  instructions: number;
}

/** What the stream reads from the engine (an Engine, or a stand-in in tests). */
export type EventSource = Pick<Engine, 'log' | 'technique' | 'instructions' | 'statistics'>;

export function toEntry(e: VmmEvent): VmmEventEntry {
  const source = e.source === undefined ? undefined : { path: e.source.file, line: e.source.line };
  if (e.kind === 'hole') {
    const hole: HoleEntry = {
      seq: e.seq, kind: 'hole', mnemonic: e.mnemonic, eip: hex(e.eip), instruction: e.instruction, expected: e.expected, observed: e.observed, message: e.message,
    };
    if (source !== undefined) hole.source = source;
    return hole;
  }
  const exit: ExitEntry = {
    seq: e.seq, kind: e.kind, reason: e.reason, eip: hex(e.eip), instruction: e.instruction, details: e.details, action: e.action, cost: e.cost,
  };
  if (e.reasonNumber !== undefined) exit.reasonNumber = e.reasonNumber;
  if (e.qualification !== undefined) exit.qualification = e.qualification;
  if (source !== undefined) exit.source = source;
  return exit;
}

export class VmmEventStream {
  private readonly batcher: Batcher<VmmEvent>;
  private readonly unsubscribe: () => void;
  private statsTimer: TimerHandle | undefined;
  /** An exit or hole since the last stats (a halted guest can take interrupts without retiring instructions). */
  private eventsSinceStats = false;
  private instructionsAtStats: number;
  private disposed = false;

  constructor(
    private readonly engine: EventSource,
    private readonly send: SendEvent,
    private readonly timers: Timers = nodeTimers,
  ) {
    // The batch keeps the log's own records (no copy per exit); entries are built when it is sent.
    this.batcher = new Batcher<VmmEvent>({
      intervalMs: EXIT_INTERVAL_MS,
      cap: EXIT_BATCH_CAP,
      timers,
      emit: (records, dropped) => {
        const body: ExitEventBody = { events: records.map(toEntry), dropped };
        this.send(EXIT_EVENT, body);
      },
    });
    const batcher = this.batcher;
    this.unsubscribe = engine.log.onEvent((event) => {
      this.eventsSinceStats = true;
      batcher.push(event);
    });
    this.instructionsAtStats = engine.instructions;
    this.armStats();
  }

  /** Sends whatever is batched now (the session calls this before every stopped or exited event). */
  flush(): void {
    if (this.disposed) return;
    this.batcher.flush();
    this.sendStats();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    this.batcher.dispose();
    if (this.statsTimer !== undefined) this.timers.clearTimeout(this.statsTimer);
    this.statsTimer = undefined;
  }

  statistics(): StatsEventBody {
    const s = this.engine.statistics();
    return { technique: this.engine.technique, instructions: this.engine.instructions, exits: s.exits, holes: s.holes, cycles: s.cycles };
  }

  private sendStats(): void {
    this.eventsSinceStats = false;
    this.instructionsAtStats = this.engine.instructions;
    this.send(STATS_EVENT, this.statistics());
    this.armStats();
  }

  // The engine says nothing when it runs or stops, so progress is polled: cheap, and quiet while stopped.
  private armStats(): void {
    if (this.statsTimer !== undefined) this.timers.clearTimeout(this.statsTimer);
    this.statsTimer = this.timers.setTimeout(() => {
      this.statsTimer = undefined;
      if (this.disposed) return;
      if (this.eventsSinceStats || this.engine.instructions !== this.instructionsAtStats) this.sendStats();
      else this.armStats();
    }, STATS_INTERVAL_MS);
  }
}
