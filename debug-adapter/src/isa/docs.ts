// Hover text for an entry (Markdown), built from the table only.
import { NATIVE_BY_CLASS } from './instructions/common.js';
import { matchVariant } from './match.js';
import type { Flag, InstructionEntry, OperandShape, Privilege, VmmTechnique } from './types.js';
import { VMM_TECHNIQUES } from './types.js';

const INNOCUOUS = 'innocuous: same behaviour at every privilege level, no privileged state touched';

const flagList = (flags: readonly Flag[] | undefined): string =>
  flags && flags.length > 0 ? flags.join(' ') : '—';

function privilegeLine(p: Privilege): string {
  const base = p.cpl0 ? 'CPL 0 only' : p.iopl ? 'CPL ≤ IOPL (else the I/O bitmap or #GP)' : 'any CPL';
  return p.conditional ? `${base}. ${p.conditional}` : base;
}

/**
 * Markdown hover text for an entry. With `operands`, the form they select (a variant) decides the
 * class, flags, privilege, VT-x exit and technique lines; all variants are listed either way.
 */
export function markdownDoc(entry: InstructionEntry, operands?: readonly OperandShape[]): string {
  const variant = operands ? matchVariant(entry, operands) : undefined;
  const cls = variant?.class ?? entry.class;
  const why = variant?.why ?? entry.why ?? INNOCUOUS;
  const flags = variant?.flags ?? entry.flags;
  const privilege = variant?.privilege ?? entry.privilege;
  const vtx = variant ? variant.vtx : entry.vtx;
  const technique = (t: VmmTechnique): string => variant?.techniques?.[t] ?? entry.techniques[t];

  const lines: string[] = [];
  lines.push(`**${entry.mnemonic}** — ${entry.summary}`);
  if (entry.aliases.length > 0) lines.push('', `Also written: ${entry.aliases.map((a) => `\`${a}\``).join(', ')}`);
  lines.push('', entry.description, '');
  lines.push(`**Class:** \`${cls}\`${variant ? ` (form \`${variant.form}\`)` : ''} — ${why}`);
  const others = entry.variants.filter((v) => v !== variant);
  if (others.length > 0) {
    lines.push('', '**Forms with their own class:**');
    for (const v of others) lines.push(`- \`${v.form}\` — \`${v.class}\`: ${v.why}`);
  }
  lines.push('');
  const undef = flags.undefined && flags.undefined.length > 0 ? `; undefined ${flagList(flags.undefined)}` : '';
  lines.push(`- **Flags:** reads ${flagList(flags.read)}; writes ${flagList(flags.written)}${undef}`);
  lines.push(`- **Privilege:** ${privilegeLine(privilege)}`);
  if (vtx) lines.push(`- **VT-x exit:** \`${vtx.exitReason}\` — ${vtx.condition}`);
  lines.push('', '**Per technique:**');
  lines.push(`- *native*: ${NATIVE_BY_CLASS[cls]}`);
  for (const t of VMM_TECHNIQUES) lines.push(`- *${t}*: ${technique(t)}`);
  return lines.join('\n');
}
