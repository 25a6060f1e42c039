// `exits [N]`: the last exits and holes of the run, one a line, from the hypervisor's event log.
import * as path from 'node:path';
import type { VmmEvent } from '../../hypervisor/types.js';
import { hex } from '../format.js';
import { parseCount, type ConsoleContext } from './context.js';

const DEFAULT_COUNT = 10;
const MAX_COUNT = 4096;

function formatEvent(e: VmmEvent): string {
  const where = e.source === undefined ? '' : ` ${path.basename(e.source.file)}:${e.source.line}`;
  const text = e.instruction === '' ? '' : ` \`${e.instruction}\``;
  if (e.kind === 'hole') return `#${e.seq} hole ${e.mnemonic} at ${hex(e.eip)}${where}${text} -> ${e.message}`;
  const reason = e.reasonNumber === undefined ? e.reason : `${e.reason} (${e.reasonNumber})`;
  return `#${e.seq} ${e.kind} ${reason} at ${hex(e.eip)}${where}${text} -> ${e.action}`;
}

export function exitsCommand(ctx: ConsoleContext, args: string): string {
  const { engine } = ctx;
  const count = args.trim() === '' ? DEFAULT_COUNT : parseCount(args, 'N', MAX_COUNT);
  if (engine.hypervisor === null) return 'no exits: the guest runs natively (launch it with a technique such as vt-x or trap-and-emulate)';
  const events = engine.log.recent();
  if (events.length === 0) return `no exits or holes yet under ${engine.technique}`;
  const shown = events.slice(-count);
  const stats = engine.statistics();
  const total = stats.exits.total + stats.holes.total;
  const head = `last ${shown.length} of ${total} exits and holes under ${engine.technique} (${stats.exits.total} exits, ${stats.holes.total} holes), oldest first:`;
  return [head, ...shown.map(formatEvent)].join('\n');
}
