// Words for the "VM Exits" view: one line per group and per entry, and a tooltip with every field.
import * as path from 'node:path';
import type { VmmEventEntry } from './events.js';
import type { ExitGroup } from './exit-model.js';

const KIND_WORD: Record<string, string> = {
  vmexit: 'VM exit',
  trap: 'trap',
  hypercall: 'hypercall',
  callout: 'translation callout',
  interrupt: 'interrupt',
  hole: 'hole',
  exit: 'exit',
};

export function groupLabel(g: ExitGroup): string {
  return g.kind === 'hole' ? `${g.label.toUpperCase()} (hole)` : g.label;
}

export function groupDescription(g: ExitGroup): string {
  const listed = g.entries.length < g.count ? ` (${g.entries.length} listed)` : '';
  return `${g.count.toLocaleString('en-US')} × ${KIND_WORD[g.kind] ?? g.kind}${listed}`;
}

export function sourceText(e: VmmEventEntry): string | undefined {
  return e.source === undefined ? undefined : `${path.basename(e.source.path)}:${e.source.line}`;
}

export function entryLabel(e: VmmEventEntry): string {
  const text = e.instruction.trim() === '' ? '(between instructions)' : e.instruction.trim();
  return `#${e.seq} ${text}`;
}

export function entryDescription(e: VmmEventEntry): string {
  return sourceText(e) ?? e.eip;
}

/** Every field of an entry, one per line (Markdown-free plain text). */
export function entryTooltip(e: VmmEventEntry): string {
  const lines = [`${KIND_WORD[e.kind] ?? e.kind} #${e.seq} at ${e.eip}${e.source === undefined ? '' : ` (${sourceText(e)})`}`, `instruction: ${e.instruction || '(between instructions)'}`];
  if (e.kind === 'hole') {
    lines.push(`expected: ${e.expected}`, `observed: ${e.observed}`, e.message);
  } else {
    lines.push(`reason: ${e.reason}${e.reasonNumber === undefined ? '' : ` (${e.reasonNumber})`}`);
    if (e.qualification !== undefined) lines.push(`qualification: 0x${(e.qualification >>> 0).toString(16)}`);
    for (const [k, v] of Object.entries(e.details)) lines.push(`${k}: ${typeof v === 'number' && v > 9 ? `0x${(v >>> 0).toString(16)}` : String(v)}`);
    lines.push(`action: ${e.action}`, `cost: ${e.cost} cycles`);
  }
  return lines.join('\n');
}
