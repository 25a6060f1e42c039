// Custom events for the extension's views: `hyperstep.exit` (VM exits and holes, batched and
// rate-limited) and `hyperstep.stats` (counters by reason).
import type { Engine } from '../engine/engine.js';

export type SendEvent = (event: string, body: unknown) => void;

export class VmmEventStream {
  constructor(
    _engine: Engine,
    _send: SendEvent,
  ) {}

  /** Sends whatever is batched now (the session calls this before every stopped or exited event). */
  flush(): void {}

  dispose(): void {}
}
