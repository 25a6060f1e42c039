// What the "VM Exits" view shows for one debug session: exits and holes grouped by reason with
// their counts, and the latest entries of each group. The adapter rate-limits its `hyperstep.exit`
// events (entries past a cap are only counted as `dropped`), so the counts come from
// `hyperstep.stats` when it has them and the entries are the ones that arrived, the newest kept.
import type { ExitEventBody, StatsEventBody, VmmEventEntry } from './events.js';

export interface ExitGroup {
  /** `exit:REASON` or `hole:MNEMONIC`. */
  key: string;
  /** The reason (`CPUID`, `#GP`, `sched_op`, `popf` ...) or, for holes, the instruction. */
  label: string;
  /** `vmexit`, `trap`, `hypercall`, `callout`, `interrupt` or `hole`. */
  kind: string;
  /** Every exit or hole of this group so far (the listed entries may be fewer). */
  count: number;
  /** The entries kept, oldest first. */
  entries: VmmEventEntry[];
}

export function groupKey(e: VmmEventEntry): string {
  return e.kind === 'hole' ? `hole:${e.mnemonic}` : `exit:${e.reason}`;
}

export class ExitModel {
  private readonly kept: VmmEventEntry[] = [];
  /** Entries received per group (kept or not). */
  private readonly received = new Map<string, { label: string; kind: string; count: number }>();
  private stats: StatsEventBody | undefined;
  private droppedByAdapter = 0;
  private evicted = 0;

  constructor(private maxEvents: number) {}

  setMaxEvents(n: number): void {
    this.maxEvents = Math.max(1, Math.floor(n));
    this.trim();
  }

  add(body: ExitEventBody): void {
    for (const e of body.events) {
      const key = groupKey(e);
      const g = this.received.get(key);
      if (g === undefined) this.received.set(key, { label: e.kind === 'hole' ? e.mnemonic : e.reason, kind: e.kind, count: 1 });
      else g.count++;
      this.kept.push(e);
    }
    this.droppedByAdapter += body.dropped;
    this.trim();
  }

  setStats(stats: StatsEventBody): void {
    this.stats = stats;
  }

  clear(): void {
    this.kept.length = 0;
    this.received.clear();
    this.stats = undefined;
    this.droppedByAdapter = 0;
    this.evicted = 0;
  }

  get isEmpty(): boolean {
    return this.received.size === 0 && (this.stats === undefined || (this.stats.exits.total === 0 && this.stats.holes.total === 0));
  }

  /** Exits and holes counted but not listed: rate-limited by the adapter, or pushed out by `maxEvents`. */
  get unlisted(): number {
    return Math.max(0, this.total - this.kept.length);
  }

  /** Every exit and hole of the session so far. */
  get total(): number {
    const fromStats = this.stats === undefined ? 0 : this.stats.exits.total + this.stats.holes.total;
    return Math.max(fromStats, this.kept.length + this.evicted + this.droppedByAdapter);
  }

  get technique(): string | undefined {
    return this.stats?.technique;
  }

  /** Groups by count (largest first), then by name. */
  groups(): ExitGroup[] {
    const groups = new Map<string, ExitGroup>();
    for (const [key, g] of this.received) groups.set(key, { key, label: g.label, kind: g.kind, count: g.count, entries: [] });
    // Groups the adapter counted but whose entries were all dropped still show, with their counts.
    if (this.stats !== undefined) {
      const add = (prefix: 'exit' | 'hole', counts: Record<string, number>, kind: string): void => {
        for (const [label, n] of Object.entries(counts)) {
          const key = `${prefix}:${label}`;
          const g = groups.get(key);
          if (g === undefined) groups.set(key, { key, label, kind, count: n, entries: [] });
          else g.count = Math.max(g.count, n);
        }
      };
      add('exit', this.stats.exits.byReason, 'exit');
      add('hole', this.stats.holes.byInstruction, 'hole');
    }
    for (const e of this.kept) groups.get(groupKey(e))?.entries.push(e);
    return [...groups.values()].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  }

  private trim(): void {
    const excess = this.kept.length - this.maxEvents;
    if (excess > 0) {
      this.kept.splice(0, excess);
      this.evicted += excess;
    }
  }
}
