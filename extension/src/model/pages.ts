// The markup of the two Hyperstep pages: the comparison of every technique on one guest, and the
// statistics of the running session. Everything that comes from the guest is escaped.
import * as path from 'node:path';
import { barChart, lineChart, type Bar } from './charts.js';
import { compareRows, type CompareResult } from './compare-result.js';
import { button, escapeHtml } from './html.js';
import type { StatsSeries } from './stats-model.js';

const td = (text: string, num = false): string => `<td${num ? ' class="num"' : ''}>${escapeHtml(text)}</td>`;

export function costBars(result: CompareResult): Bar[] {
  const rows = compareRows(result);
  return result.techniques.map((r, i) => ({
    label: r.technique,
    value: r.cycles,
    note: i === 0 ? 'reference' : `${rows[i].relative} native`,
    highlight: rows[i].differs,
  }));
}

export const COST_NOTE = 'Modelled cycles: one per guest instruction plus the modelled cost of every exit, trap, hypercall or translation callout.';

export function compareBody(result: CompareResult, file: string): string {
  const rows = compareRows(result);
  const table = [
    '<table><thead><tr><th>technique</th><th>serial output</th><th>exit status</th><th>instructions</th><th>exits</th><th>exits by reason</th><th>holes</th><th>cycles</th><th>cost</th></tr></thead><tbody>',
    ...rows.map(
      (r) =>
        `<tr${r.differs ? ' class="differs"' : ''}>${td(r.technique)}${td(r.serial)}${td(r.status)}${td(r.instructions, true)}${td(r.exits, true)}${td(r.topReasons)}${td(r.holes)}${td(r.cycles, true)}${td(r.relative, true)}</tr>`,
    ),
    '</tbody></table>',
  ].join('');
  const skipped = result.skipped.length === 0 ? '' : `<h2>Not run</h2><ul>${result.skipped.map((s) => `<li><b>${escapeHtml(s.technique)}</b>: ${escapeHtml(s.why)}</li>`).join('')}</ul>`;
  const serial = result.techniques
    .map((r, i) => `<details${i > 0 && !r.sameSerialAsNative ? ' open' : ''}><summary>${escapeHtml(r.technique)}${i > 0 && !r.sameSerialAsNative ? ' (differs from native)' : ''}</summary><pre>${escapeHtml(r.serial)}</pre></details>`)
    .join('');
  return [
    `<h1>${escapeHtml(path.basename(file))} under every technique</h1>`,
    `<p class="note">The same guest, run to its end under each technique; its serial output is compared with the native run. ${escapeHtml(COST_NOTE)}</p>`,
    table,
    '<h2>Modelled cost by technique</h2>',
    barChart(costBars(result), 'modelled cycles (red: serial output differs from native)'),
    skipped,
    '<h2>Serial output</h2>',
    serial,
    `<p>${button('Run again', 'rerun')}${button('Open statistics', 'statistics')}</p>`,
  ].join('\n');
}

export interface StatsPageState {
  /** The session's series, if a session ran. */
  series?: StatsSeries;
  sessionName?: string;
  running?: boolean;
  /** The program the session debugs (for the compare button). */
  program?: string;
  compare?: { file: string; result: CompareResult };
}

export function statsBody(s: StatsPageState): string {
  const out: string[] = ['<h1>Hyperstep statistics</h1>'];
  if (s.series === undefined) {
    out.push('<p class="note">No Hyperstep debug session yet: start one (F5 on a guest .asm file) and its exits appear here as the guest runs.</p>');
  } else {
    const p = s.series.latest;
    const exits = Object.values(p.exitsByReason).reduce((a, b) => a + b, 0);
    out.push(
      `<p>${escapeHtml(s.sessionName ?? 'session')} · <b>${escapeHtml(s.series.technique ?? '?')}</b> · ${s.running === true ? 'running' : 'stopped'}</p>`,
      '<table><tbody>',
      `<tr><th>guest instructions</th>${td(p.instructions.toLocaleString('en-US'), true)}</tr>`,
      `<tr><th>exits</th>${td(exits.toLocaleString('en-US'), true)}</tr>`,
      `<tr><th>holes</th>${td(p.holes.toLocaleString('en-US'), true)}</tr>`,
      `<tr><th>modelled cycles</th>${td(p.cycles.toLocaleString('en-US'), true)}</tr>`,
      '</tbody></table>',
      '<h2>Exits by reason over time</h2>',
      lineChart(s.series.series(), 'guest instructions retired', 'cumulative exits by reason'),
    );
  }
  out.push('<h2>Modelled cost by technique</h2>');
  if (s.compare !== undefined) {
    out.push(`<p class="note">${escapeHtml(path.basename(s.compare.file))}, every technique run to its end. ${escapeHtml(COST_NOTE)}</p>`);
    out.push(barChart(costBars(s.compare.result), 'modelled cycles (red: serial output differs from native)'));
  }
  if (s.program !== undefined) {
    const again = s.compare !== undefined && s.compare.file === s.program;
    out.push(`<p>${button(`${again ? 'Compare again' : 'Compare'}: run ${path.basename(s.program)} under every technique`, 'compare', s.program)}</p>`);
  } else if (s.compare === undefined) {
    out.push('<p class="note">Run "Hyperstep: Compare All Techniques" on a guest file to see what each technique costs.</p>');
  }
  return out.join('\n');
}
