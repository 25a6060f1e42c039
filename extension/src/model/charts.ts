// Charts as plain SVG markup (no library, nothing fetched): a line chart of cumulative exits by
// reason over guest time, and a bar chart of modelled cost by technique. Colours are classes the
// page's stylesheet maps to the theme (html.ts).
import { escapeHtml, SERIES_COLOURS } from './html.js';
import type { Series } from './stats-model.js';

const W = 640;
const H = 260;
const M = { left: 56, right: 16, top: 12, bottom: 36 };

/** 1234 → "1.2k", 3_400_000 → "3.4M". */
export function compact(v: number): string {
  const a = Math.abs(v);
  const fmt = (x: number, unit: string): string => `${x >= 100 ? Math.round(x) : Number(x.toFixed(1))}${unit}`;
  if (a >= 1e9) return fmt(v / 1e9, 'G');
  if (a >= 1e6) return fmt(v / 1e6, 'M');
  if (a >= 1e4) return fmt(v / 1e3, 'k');
  return String(Math.round(v));
}

/** A round upper bound and tick step for values up to `max` (1, 2 or 5 × 10^n per step). */
export function niceScale(max: number, ticks = 4): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 1 };
  const raw = max / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * p >= raw) ?? 10) * p;
  return { max: Math.ceil(max / step) * step, step };
}

const f = (v: number): string => (Math.round(v * 10) / 10).toString();

export function lineChart(series: Series[], xLabel: string, yLabel: string): string {
  if (series.length === 0) return '<p class="note">No exits yet.</p>';
  const maxX = Math.max(1, ...series.flatMap((s) => s.points.map(([x]) => x)));
  const y = niceScale(Math.max(...series.flatMap((s) => s.points.map(([, v]) => v))));
  const x = niceScale(maxX);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const px = (v: number): number => M.left + (v / x.max) * pw;
  const py = (v: number): number => M.top + ph - (v / y.max) * ph;
  const parts: string[] = [];
  for (let t = 0; t <= y.max + y.step / 2; t += y.step) {
    parts.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${f(py(t))}" y2="${f(py(t))}"/>`);
    parts.push(`<text x="${M.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${compact(t)}</text>`);
  }
  for (let t = 0; t <= x.max + x.step / 2; t += x.step) {
    parts.push(`<text x="${f(px(t))}" y="${H - M.bottom + 16}" text-anchor="middle">${compact(t)}</text>`);
  }
  parts.push(`<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}"/>`);
  parts.push(`<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${M.top + ph}" y2="${M.top + ph}"/>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 4}" text-anchor="middle">${escapeHtml(xLabel)}</text>`);
  series.forEach((s, i) => {
    const c = i % SERIES_COLOURS.length;
    const d = s.points.map(([vx, vy], j) => `${j === 0 ? 'M' : 'L'}${f(px(vx))},${f(py(vy))}`).join(' ');
    parts.push(`<path class="line s${c}${s.name === 'holes' ? ' dashed' : ''}" d="${d}"><title>${escapeHtml(`${s.name}: ${s.total.toLocaleString('en-US')}`)}</title></path>`);
  });
  const legend = series
    .map((s, i) => `<li><span class="swatch sw${i % SERIES_COLOURS.length}"></span>${escapeHtml(s.name)} <span class="muted">${s.total.toLocaleString('en-US')}</span></li>`)
    .join('');
  return `<svg role="img" aria-label="${escapeHtml(yLabel)}" viewBox="0 0 ${W} ${H}" width="100%">${parts.join('')}</svg><ul class="legend">${legend}</ul>`;
}

export interface Bar {
  label: string;
  value: number;
  /** Shown after the value, e.g. `1.95× native`. */
  note?: string;
  highlight?: boolean;
}

export function barChart(bars: Bar[], valueLabel: string): string {
  if (bars.length === 0) return '<p class="note">Nothing to show.</p>';
  const rowH = 28;
  const left = 150;
  const right = 170;
  const height = bars.length * rowH + 24;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const pw = W - left - right;
  const rows = bars.map((b, i) => {
    const y = i * rowH + 4;
    const w = Math.max(1, (b.value / max) * pw);
    const value = `${b.value.toLocaleString('en-US')}${b.note === undefined ? '' : ` · ${b.note}`}`;
    return (
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(b.label)}</text>` +
      `<rect class="bar${b.highlight === true ? ' differs' : ''}" x="${left}" y="${y}" width="${f(w)}" height="${rowH - 10}"><title>${escapeHtml(`${b.label}: ${value}`)}</title></rect>` +
      `<text x="${f(left + w + 6)}" y="${y + 15}">${escapeHtml(value)}</text>`
    );
  });
  rows.push(`<text x="${left}" y="${height - 4}">${escapeHtml(valueLabel)}</text>`);
  return `<svg role="img" aria-label="${escapeHtml(valueLabel)}" viewBox="0 0 ${W} ${height}" width="100%">${rows.join('')}</svg>`;
}
