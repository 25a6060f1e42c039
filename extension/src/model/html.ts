// Webview pages: escaping, the content security policy (nothing from outside, scripts and styles
// only with the page's nonce) and the small script every Hyperstep page shares. Colours are VS
// Code's theme variables, so a page follows the theme as it changes.
import { randomBytes } from 'node:crypto';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface PageOptions {
  title: string;
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  /** Markup for the page's main element (already escaped). */
  body: string;
}

/** Series colours in order: the theme's chart colours. */
export const SERIES_COLOURS = ['blue', 'orange', 'green', 'purple', 'yellow', 'red', 'foreground'] as const;

const STYLE = `
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 16px 16px; }
h1 { font-size: 1.4em; font-weight: 600; } h2 { font-size: 1.15em; font-weight: 600; margin-top: 1.6em; }
p.note, .muted { color: var(--vscode-descriptionForeground); }
table { border-collapse: collapse; margin: 8px 0; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); vertical-align: top; }
th { font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.differs td { color: var(--vscode-errorForeground); }
code, pre { font-family: var(--vscode-editor-font-family); }
pre { background: var(--vscode-textCodeBlock-background); padding: 6px 8px; white-space: pre-wrap; }
button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 12px; cursor: pointer; margin-right: 6px; }
button:hover { background: var(--vscode-button-hoverBackground); }
svg { max-width: 720px; }
svg text { fill: var(--vscode-foreground); font-size: 11px; font-family: var(--vscode-font-family); }
svg .axis { stroke: var(--vscode-charts-lines, var(--vscode-foreground)); stroke-width: 1; opacity: 0.6; }
svg .grid { stroke: var(--vscode-charts-lines, var(--vscode-foreground)); stroke-width: 1; opacity: 0.15; }
svg .line { fill: none; stroke-width: 2; }
svg .dashed { stroke-dasharray: 5 3; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; }
${SERIES_COLOURS.map((c, i) => `svg .s${i} { stroke: var(--vscode-charts-${c}); } svg .f${i} { fill: var(--vscode-charts-${c}); } .sw${i} { background: var(--vscode-charts-${c}); }`).join('\n')}
svg .bar { fill: var(--vscode-charts-blue); } svg .bar.differs { fill: var(--vscode-charts-red); }
`;

// Renders what the extension posts and sends button clicks back; no other logic lives in the page.
const SCRIPT = `
const vscode = acquireVsCodeApi();
const main = document.getElementById('main');
window.addEventListener('message', (event) => {
  const m = event.data;
  if (m && m.type === 'render' && typeof m.html === 'string') main.innerHTML = m.html;
});
document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('[data-command]') : null;
  if (target) vscode.postMessage({ command: target.getAttribute('data-command'), arg: target.getAttribute('data-arg') });
});
`;

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return `default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
}

export function webviewPage(o: PageOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(o.cspSource, o.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(o.title)}</title>
<style nonce="${o.nonce}">${STYLE}</style>
</head>
<body>
<main id="main">${o.body}</main>
<script nonce="${o.nonce}">${SCRIPT}</script>
</body>
</html>`;
}

/** A button that posts `{command, arg}` to the extension. */
export function button(label: string, command: string, arg?: string): string {
  return `<button data-command="${escapeHtml(command)}"${arg === undefined ? '' : ` data-arg="${escapeHtml(arg)}"`}>${escapeHtml(label)}</button>`;
}
