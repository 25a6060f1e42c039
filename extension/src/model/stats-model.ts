// The statistics of one debug session over time: each `hyperstep.stats` body is a point whose
// x is the guest's retired instructions (the machine's virtual time, so a paused session draws no
// flat stretch) and whose values are the cumulative exits by reason.
import type { StatsEventBody } from './events.js';

export interface StatsPoint {
  instructions: number;
  cycles: number;
  exitsByReason: Record<string, number>;
  holes: number;
}

export interface Series {
  name: string;
  /** [instructions, cumulative count] pairs, in order. */
  points: [number, number][];
  total: number;
}

/** Points kept per session; past it every other point is dropped, so long runs keep their shape. */
export const MAX_POINTS = 400;

export class StatsSeries {
  private readonly list: StatsPoint[] = [{ instructions: 0, cycles: 0, exitsByReason: {}, holes: 0 }];
  technique: string | undefined;

  add(stats: StatsEventBody): void {
    this.technique = stats.technique;
    const point: StatsPoint = { instructions: stats.instructions, cycles: stats.cycles, exitsByReason: { ...stats.exits.byReason }, holes: stats.holes.total };
    const last = this.list[this.list.length - 1];
    if (point.instructions < last.instructions) {
      // A restart: the machine's time began again.
      this.list.length = 0;
    } else if (point.instructions === last.instructions && this.list.length > 1) {
      this.list.pop();
    }
    this.list.push(point);
    if (this.list.length > MAX_POINTS) {
      const thinned = this.list.filter((_, i) => i % 2 === 0 || i === this.list.length - 1);
      this.list.splice(0, this.list.length, ...thinned);
    }
  }

  get points(): readonly StatsPoint[] {
    return this.list;
  }

  get latest(): StatsPoint {
    return this.list[this.list.length - 1];
  }

  /**
   * Cumulative exits per reason over time: the `top` reasons with most exits, the rest summed as
   * "other", and holes as their own series when there are any.
   */
  series(top = 6): Series[] {
    const latest = this.latest;
    const reasons = Object.entries(latest.exitsByReason)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([r]) => r);
    const shown = reasons.slice(0, top);
    const rest = reasons.slice(top);
    const out: Series[] = shown.map((name) => ({
      name,
      points: this.list.map((p) => [p.instructions, p.exitsByReason[name] ?? 0] as [number, number]),
      total: latest.exitsByReason[name] ?? 0,
    }));
    if (rest.length > 0) {
      const sumRest = (p: StatsPoint): number => rest.reduce((s, r) => s + (p.exitsByReason[r] ?? 0), 0);
      out.push({ name: `other (${rest.length} reasons)`, points: this.list.map((p) => [p.instructions, sumRest(p)] as [number, number]), total: sumRest(latest) });
    }
    if (latest.holes > 0) out.push({ name: 'holes', points: this.list.map((p) => [p.instructions, p.holes] as [number, number]), total: latest.holes });
    return out;
  }
}
