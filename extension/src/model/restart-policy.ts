// When the language server's connection closes: restart a server that had been running, a few
// times at most within a window; never restart one that never started (a missing or broken
// server would only fail again and again).
export const MAX_RESTARTS = 3;
export const RESTART_WINDOW_MS = 3 * 60_000;

export class RestartPolicy {
  private running = false;
  private readonly restarts: number[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** The server answered initialize. */
  started(): void {
    this.running = true;
  }

  /** The connection closed: restart it? */
  shouldRestart(): boolean {
    if (!this.running) return false;
    this.running = false;
    const t = this.now();
    while (this.restarts.length > 0 && t - this.restarts[0] > RESTART_WINDOW_MS) this.restarts.shift();
    if (this.restarts.length >= MAX_RESTARTS) return false;
    this.restarts.push(t);
    return true;
  }
}
