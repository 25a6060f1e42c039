// The statistics over time, the charts and the two pages: what they draw, that they stay inside
// the theme (classes, no colours of their own) and that guest text is escaped.
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { StatsEventBody } from '../../extension/src/model/events.js';
import { StatsSeries, MAX_POINTS } from '../../extension/src/model/stats-model.js';
import { barChart, compact, lineChart, niceScale } from '../../extension/src/model/charts.js';
import { compareRows, parseCompareOutput } from '../../extension/src/model/compare-result.js';
import { contentSecurityPolicy, escapeHtml, webviewPage } from '../../extension/src/model/html.js';
import { compareBody, costBars, statsBody } from '../../extension/src/model/pages.js';
import { REPO_ROOT } from '../helpers/paths.js';

function stats(instructions: number, byReason: Record<string, number>, holes = 0): StatsEventBody {
  const total = Object.values(byReason).reduce((a, b) => a + b, 0);
  return { technique: 'vt-x', instructions, cycles: instructions + total * 100, exits: { total, byReason }, holes: { total: holes, byInstruction: holes ? { popf: holes } : {} } };
}

describe('StatsSeries', () => {
  test('cumulative counts per reason over guest instructions, the top reasons apart and the rest as "other"', () => {
    const s = new StatsSeries();
    s.add(stats(100, { CPUID: 1 }));
    s.add(stats(200, { CPUID: 2, HLT: 1, A: 1, B: 1 }, 3));
    const series = s.series(2);
    expect(series.map((x) => [x.name, x.total])).toEqual([
      ['CPUID', 2],
      ['A', 1],
      ['other (2 reasons)', 2],
      ['holes', 3],
    ]);
    expect(series[0].points).toEqual([
      [0, 0],
      [100, 1],
      [200, 2],
    ]);
    expect(s.technique).toBe('vt-x');
  });

  test('a stop (same instruction count) replaces the point; a restart starts over; long runs are thinned', () => {
    const s = new StatsSeries();
    s.add(stats(100, { A: 1 }));
    s.add(stats(100, { A: 2 }));
    expect(s.points.map((p) => p.exitsByReason.A ?? 0)).toEqual([0, 2]);
    s.add(stats(50, { A: 1 }));
    expect(s.points.map((p) => p.instructions)).toEqual([50]);
    for (let i = 1; i <= 2 * MAX_POINTS; i++) s.add(stats(50 + i, { A: i }));
    expect(s.points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(s.latest.instructions).toBe(50 + 2 * MAX_POINTS);
  });
});

describe('charts', () => {
  test('scales and numbers', () => {
    expect(niceScale(0)).toEqual({ max: 1, step: 1 });
    expect(niceScale(87)).toEqual({ max: 100, step: 50 });
    expect(niceScale(1234).max).toBeGreaterThanOrEqual(1234);
    expect(compact(999)).toBe('999');
    expect(compact(12_345)).toBe('12.3k');
    expect(compact(3_400_000)).toBe('3.4M');
  });

  test('a line per series with theme classes and a legend; an empty chart says so', () => {
    const s = new StatsSeries();
    s.add(stats(1000, { CPUID: 8, IO_INSTRUCTION: 144 }));
    const svg = lineChart(s.series(), 'guest instructions', 'exits');
    expect(svg.match(/<path class="line s\d/g)).toHaveLength(2);
    expect(svg).toContain('IO_INSTRUCTION');
    expect(svg).not.toMatch(/#[0-9a-f]{3,6}\b|rgb\(/i);
    expect(lineChart([], 'x', 'y')).toContain('No exits yet');
  });

  test('bars are proportional and escaped', () => {
    const svg = barChart([{ label: 'a<b>', value: 100 }, { label: 'c', value: 50, highlight: true }], 'cycles');
    const widths = [...svg.matchAll(/<rect class="bar( differs)?" x="\d+" y="\d+" width="([\d.]+)"/g)].map((m) => Number(m[2]));
    expect(widths[0]).toBeCloseTo(widths[1] * 2, 0);
    expect(svg).toContain('a&lt;b&gt;');
    expect(svg).toContain('class="bar differs"');
  });
});

describe('pages', () => {
  test('the page allows nothing from outside: scripts and styles only with its nonce', () => {
    const html = webviewPage({ title: 't', cspSource: 'vscode-webview://x', nonce: 'N0nce', body: '<p>hi</p>' });
    expect(html).toContain(contentSecurityPolicy('vscode-webview://x', 'N0nce'));
    expect(contentSecurityPolicy('s', 'n')).toMatch(/^default-src 'none';/);
    expect(html).toContain('<script nonce="N0nce">');
    expect(html).toContain('<style nonce="N0nce">');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('var(--vscode-charts-blue)');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('the statistics page without a session, and with one', () => {
    expect(statsBody({})).toContain('No Hyperstep debug session yet');
    const s = new StatsSeries();
    s.add(stats(5000, { CPUID: 8 }, 2));
    const body = statsBody({ series: s, sessionName: 'vtx <test>', running: true, program: '/g/vtx-exits.asm' });
    expect(body).toContain('vtx &lt;test&gt;');
    expect(body).toContain('Exits by reason over time');
    expect(body).toContain('data-command="compare" data-arg="/g/vtx-exits.asm"');
  });
});

describe('compare, from the real command line', () => {
  const out = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'hyperstep.js'), 'compare', path.join(REPO_ROOT, 'samples', 'popf-hole.asm'), '--json'], { encoding: 'utf8' });

  test('its --json output parses, and the table marks trap-and-emulate as wrong', () => {
    expect(out.status).toBe(0);
    const result = parseCompareOutput(out.stdout);
    const rows = compareRows(result);
    expect(rows[0]).toMatchObject({ technique: 'native', serial: 'reference', relative: '1.00×', differs: false });
    const te = rows.find((r) => r.technique === 'trap-and-emulate');
    expect(te).toMatchObject({ serial: 'DIFFERENT', differs: true });
    expect(te?.holes).toMatch(/popf/);
    expect(rows.find((r) => r.technique === 'binary-translation')?.serial).toBe('same');
    expect(result.skipped.map((s) => s.technique)).toEqual(['paravirt']);
    const bars = costBars(result);
    expect(bars.map((b) => b.value)).toEqual(result.techniques.map((t) => t.cycles));
    const body = compareBody(result, '/x/popf-hole.asm');
    expect(body).toContain('popf-hole.asm under every technique');
    expect(body).toContain('<tr class="differs"><td>trap-and-emulate</td>');
    expect(body).toContain('CORRUPTED');
  });

  test('output of another shape is refused with what is wrong', () => {
    expect(() => parseCompareOutput('hyperstep compare x')).toThrow(/not JSON/);
    expect(() => parseCompareOutput('{"techniques": []}')).toThrow(/no technique/);
    expect(() => parseCompareOutput('{"techniques": [{"technique": "native"}]}')).toThrow(/techniques\[0\]/);
  });
});
