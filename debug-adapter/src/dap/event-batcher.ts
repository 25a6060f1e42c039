// Batching with a rate limit, over an injectable clock so it can be tested without waiting:
// items are kept (up to a cap, the rest only counted) and handed on at most once per interval by
// a timer, or at once by flush().

export type TimerHandle = unknown;

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Node's timers, unref'd: a pending batch never keeps the process alive. */
export const nodeTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface BatcherOptions<T> {
  /** Minimum time between two timer-driven batches. */
  intervalMs: number;
  /** Items kept per batch; later ones are only counted as dropped. */
  cap: number;
  timers: Timers;
  emit: (items: T[], dropped: number) => void;
}

export class Batcher<T> {
  private items: T[] = [];
  private dropped = 0;
  private timer: TimerHandle | undefined;
  private lastEmit = -Infinity;
  private disposed = false;

  constructor(private readonly options: BatcherOptions<T>) {}

  /** Called for every item, possibly millions of times a second: no clock read unless a timer must be armed. */
  push(item: T): void {
    if (this.items.length < this.options.cap) this.items.push(item);
    else this.dropped++;
    if (this.timer === undefined && !this.disposed) this.arm();
  }

  get pending(): number {
    return this.items.length + this.dropped;
  }

  /** Emits what is batched now, whatever the rate limit says. */
  flush(): void {
    this.disarm();
    this.emit();
  }

  /** Forgets the batch and never emits again. */
  dispose(): void {
    this.disposed = true;
    this.disarm();
    this.items = [];
    this.dropped = 0;
  }

  private arm(): void {
    const { timers, intervalMs } = this.options;
    const delay = Math.max(0, this.lastEmit + intervalMs - timers.now());
    this.timer = timers.setTimeout(() => {
      this.timer = undefined;
      this.emit();
    }, delay);
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit(): void {
    if (this.disposed || (this.items.length === 0 && this.dropped === 0)) return;
    const items = this.items;
    const dropped = this.dropped;
    this.items = [];
    this.dropped = 0;
    this.lastEmit = this.options.timers.now();
    this.options.emit(items, dropped);
  }
}
