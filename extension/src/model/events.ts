// The bodies of the adapter's custom events, checked on arrival: a body of another shape (an older
// or newer adapter) is dropped rather than breaking a view.
import type { ExitEventBody, StatsEventBody, VmmEventEntry } from '../../../debug-adapter/src/dap/vmm-events.js';

export type { ExitEntry, ExitEventBody, HoleEntry, StatsEventBody, VmmEventEntry } from '../../../debug-adapter/src/dap/vmm-events.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isCountMap = (v: unknown): v is Record<string, number> => isObject(v) && Object.values(v).every((n) => typeof n === 'number');

function isEntry(v: unknown): v is VmmEventEntry {
  if (!isObject(v) || typeof v.seq !== 'number' || typeof v.eip !== 'string' || typeof v.instruction !== 'string') return false;
  if (v.source !== undefined && !(isObject(v.source) && typeof v.source.path === 'string' && typeof v.source.line === 'number')) return false;
  if (v.kind === 'hole') return typeof v.mnemonic === 'string';
  return typeof v.kind === 'string' && typeof v.reason === 'string' && typeof v.cost === 'number';
}

/** The body of `hyperstep.exit`, with malformed entries left out; undefined when it is not one. */
export function asExitEventBody(body: unknown): ExitEventBody | undefined {
  if (!isObject(body) || !Array.isArray(body.events)) return undefined;
  const events = body.events.filter(isEntry);
  const dropped = typeof body.dropped === 'number' ? body.dropped : 0;
  return { events, dropped: dropped + (body.events.length - events.length) };
}

/** The body of `hyperstep.stats`, or undefined when it is not one. */
export function asStatsEventBody(body: unknown): StatsEventBody | undefined {
  if (!isObject(body) || typeof body.technique !== 'string' || typeof body.instructions !== 'number' || typeof body.cycles !== 'number') return undefined;
  const { exits, holes } = body;
  if (!isObject(exits) || typeof exits.total !== 'number' || !isCountMap(exits.byReason)) return undefined;
  if (!isObject(holes) || typeof holes.total !== 'number' || !isCountMap(holes.byInstruction)) return undefined;
  return body as unknown as StatsEventBody;
}
