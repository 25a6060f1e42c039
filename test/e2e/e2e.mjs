#!/usr/bin/env node
// End to end in a real VS Code (issue 7, deliverable 5): code-server from npm, driven by
// playwright-core in Debian's Chromium, offline.
//
//   npm run test:e2e            (= node test/e2e/e2e.mjs)
//
// 1. packages the extension (`npm run package` -> hyperstep-<version>.vsix), unless
//    HYPERSTEP_VSIX names a .vsix to use;
// 2. makes sure code-server is installed (scripts/e2e/install-code-server.sh, about a second when
//    it already is) in $HYPERSTEP_E2E_CACHE/code-server (default ~/.cache/hyperstep-e2e);
// 3. starts a fresh code-server (new user-data, extensions and home folders in a temporary
//    folder; --auth none on 127.0.0.1; telemetry, update checks and the marketplace off; its own
//    process group, ended at the end) and installs the .vsix with --install-extension;
// 4. opens a copy of samples/ (the repository's samples are never written to), opens
//    popf-hole.asm and checks that `popfd` is coloured unlike an ordinary instruction (`mov`) and
//    that "Developer: Inspect Editor Tokens and Scopes" shows a `.sensitive` scope on it;
// 5. starts the "popf-hole (trap-and-emulate)" launch configuration, continues from the entry
//    stop, waits for the stop on the POPF virtualization hole, expands EFLAGS in Variables and the
//    "Virtual CPU" scope and checks IF; checks that the VM Exits view lists exits with counts;
//    stops the session.
//
// Screenshots go to test-results/: e2e-01-sensitive-popf.png (the highlighted sensitive
// instruction), e2e-01b-sensitive-popf-scopes.png (its TextMate scopes), e2e-02-stopped-on-hole.png
// (the stop, EFLAGS expanded, the Virtual CPU scope), e2e-03-vm-exits.png (the VM Exits view), and
// e2e-99-failure.png plus e2e-code-server.log when something fails; the extension's own logs go
// to test-results/e2e-logs/ (their error lines are printed as warnings). Every wait
// is time-boxed; the whole run is bounded by HYPERSTEP_E2E_TIMEOUT seconds (default 300). Exit
// status 0 when every check passed, 1 otherwise (the message names the failed check).
//
// Environment: HYPERSTEP_VSIX (use this .vsix, do not package), HYPERSTEP_E2E_CACHE (cache
// folder), CHROMIUM (default /usr/bin/chromium), HYPERSTEP_E2E_KEEP=1 (keep the temporary
// folder: code-server's log, the workspace copy), HYPERSTEP_E2E_TIMEOUT (seconds).
/* global clearTimeout, fetch, getComputedStyle -- Node 20 globals; getComputedStyle runs in the page */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const cacheDir = process.env.HYPERSTEP_E2E_CACHE || path.join(os.homedir(), '.cache', 'hyperstep-e2e');
const codeServerDir = path.join(cacheDir, 'code-server');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const outDir = path.join(repo, 'test-results');
const keep = process.env.HYPERSTEP_E2E_KEEP === '1';
const overallSeconds = Number(process.env.HYPERSTEP_E2E_TIMEOUT || 300);

const SAMPLE = 'popf-hole.asm';
const LAUNCH = 'popf-hole (trap-and-emulate)';
const HOLE_TEXT = 'Virtualization hole: POPF';
const VIRTUAL_IF = 'guest 0 / VMM 1 / hardware 1';
const VTX_SAMPLE = 'vtx-exits.asm';
const VTX_LAUNCH = 'vtx-exits (vt-x)';

// ------------------------------------------------------------ timing, checks, processes
const t0 = Date.now();
const timings = [];
let last = t0;
/** Ends a timed step: `step` names it in the summary, `detail` only in the log line. */
const mark = (step, detail) => {
  const now = Date.now();
  timings.push([step, now - last]);
  console.log(`[${((now - t0) / 1000).toFixed(1).padStart(5)}s] ${step}${detail ? `: ${detail}` : ''} (${((now - last) / 1000).toFixed(1)}s)`);
  last = now;
};
class CheckFailed extends Error {}
const check = (ok, what, detail) => {
  if (!ok) throw new CheckFailed(`check failed: ${what}${detail === undefined ? '' : `\n    saw: ${detail}`}`);
  console.log(`    ok: ${what}`);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs a command to its end (time-boxed); resolves with its output, rejects on failure. */
const run = (cmd, args, { env = process.env, cwd = repo, timeoutMs = 120_000, echo = false } = {}) => new Promise((resolve, reject) => {
  const p = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const take = (d) => { out += d; if (echo) process.stderr.write(d); };
  p.stdout.on('data', take);
  p.stderr.on('data', take);
  const timer = setTimeout(() => { try { process.kill(-p.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
  p.on('error', (e) => { clearTimeout(timer); reject(e); });
  p.on('exit', (code, signal) => {
    clearTimeout(timer);
    if (code === 0) resolve(out);
    else reject(new Error(`${cmd} ${args.join(' ')} ${signal ? `was killed (${signal}; time limit ${timeoutMs / 1000} s)` : `exited ${code}`}:\n${out.trimEnd().split('\n').slice(-40).join('\n')}`));
  });
});

const freePort = () => new Promise((resolve, reject) => {
  const srv = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
    const { port } = srv.address();
    srv.close(() => resolve(port));
  });
});

async function loadPlaywright() {
  let file;
  try { file = createRequire(path.join(repo, 'package.json')).resolve('playwright-core'); } catch {
    throw new Error('playwright-core not found: run `npm ci` in the repository (it is a devDependency)');
  }
  const mod = await import(pathToFileURL(file).href);
  return mod.chromium ? mod : mod.default;
}

// ------------------------------------------------------------ preparation
async function vsixPath() {
  if (process.env.HYPERSTEP_VSIX) {
    const f = path.resolve(process.env.HYPERSTEP_VSIX);
    if (!fs.existsSync(f)) throw new Error(`HYPERSTEP_VSIX=${f} does not exist`);
    mark('vsix given', f);
    return f;
  }
  if (!pkg.scripts?.package) throw new Error('package.json has no "package" script (npm run package makes the .vsix); set HYPERSTEP_VSIX to test a given .vsix');
  const f = path.join(repo, `${pkg.name}-${pkg.version}.vsix`);
  const before = Date.now();
  await run('npm', ['run', '--silent', 'package'], { timeoutMs: 180_000 });
  if (!fs.existsSync(f) || fs.statSync(f).mtimeMs < before - 2000) throw new Error(`npm run package did not write ${f}`);
  mark('npm run package', `${path.basename(f)} (${Math.round(fs.statSync(f).size / 1024)} KiB)`);
  return f;
}

async function ensureTools() {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM`);
  }
  await run('bash', [path.join(repo, 'scripts', 'e2e', 'install-code-server.sh'), codeServerDir], { timeoutMs: 600_000, echo: true });
  mark('code-server install check', codeServerDir);
}

// ------------------------------------------------------------ code-server
async function startCodeServer(root, vsix) {
  const port = await freePort();
  const bin = path.join(codeServerDir, 'node_modules', '.bin', 'code-server');
  const dirs = { userData: path.join(root, 'user-data'), extensions: path.join(root, 'extensions'), home: path.join(root, 'home') };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(path.join(dirs.userData, 'User'));
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify({
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'chat.commandCenter.enabled': false,
    'window.commandCenter': false,
    'editor.minimap.enabled': false,
  }, null, 2));
  // XDG_* keep code-server's config.yaml and logs out of $HOME; an empty EXTENSIONS_GALLERY stops
  // every marketplace request.
  const env = { ...process.env, XDG_CONFIG_HOME: dirs.home, XDG_DATA_HOME: dirs.home, EXTENSIONS_GALLERY: '{}' };
  const common = ['--config', path.join(dirs.home, 'config.yaml'), '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  const installed = await run(bin, [...common, '--install-extension', vsix, '--force'], { env, timeoutMs: 60_000 });
  const listed = await run(bin, [...common, '--list-extensions', '--show-versions'], { env, timeoutMs: 60_000 });
  // The repository's own .vsix must show up under its id; a given HYPERSTEP_VSIX under any.
  const id = process.env.HYPERSTEP_VSIX ? '' : `${pkg.publisher}.${pkg.name}@${pkg.version}`;
  if (!/successfully installed/i.test(installed) || !listed.trim() || !listed.toLowerCase().includes(id.toLowerCase())) {
    throw new Error(`code-server --install-extension did not install ${id || path.basename(vsix)}:\n${installed}\n--list-extensions:\n${listed}`);
  }
  mark('--install-extension', `${path.basename(vsix)} -> ${listed.trim().split('\n').join(', ')}`);

  const proc = spawn(bin, [...common,
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
  ], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }); // its own process group
  const logFile = path.join(root, 'code-server.log');
  const log = fs.createWriteStream(logFile);
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const server = {
    url, port, logFile,
    // Ends code-server and everything it started (extension host, debug adapter, watchers):
    // the process group this script created, by its id.
    async stop() {
      const alive = () => { try { process.kill(-proc.pid, 0); return true; } catch { return false; } };
      if (alive()) process.kill(-proc.pid, 'SIGTERM');
      for (let i = 0; i < 50 && alive(); i++) await sleep(100);
      if (alive()) process.kill(-proc.pid, 'SIGKILL');
    },
  };
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`code-server exited early (${proc.exitCode}), see ${logFile}`);
    try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (i > 300) { await server.stop(); throw new Error('code-server did not answer /healthz within 30 s'); }
    await sleep(100);
  }
  mark('code-server start', `${url} (process group ${proc.pid})`);
  return server;
}

// ------------------------------------------------------------ workbench helpers
let page;
const shot = async (name) => {
  const file = path.join(outDir, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`    screenshot ${path.relative(repo, file)}`);
  return file;
};
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Opens a quick input with a key (F1 commands '>', Ctrl+P files, Ctrl+G line ':') and types. */
async function quickInput(key, text) {
  await page.keyboard.press(key);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  const prefix = { F1: '>', 'Control+G': ':' }[key] || '';
  await input.fill(prefix + text);
  return page.locator('.quick-input-widget .monaco-list-row');
}

/** Runs a command palette entry by its exact title. */
async function runCommand(title) {
  const rows = await quickInput('F1', title);
  const row = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(title)}$`) }) }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

async function openFile(rel) {
  const rows = await quickInput('Control+P', rel);
  await rows.first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: path.basename(rel) }).waitFor({ timeout: 15_000 });
  await page.locator('.editor-instance .view-lines').first().waitFor({ timeout: 15_000 });
}

async function goTo(line, col) {
  await quickInput('Control+G', col ? `${line}:${col}` : String(line));
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 });
}

/** Token spans of the visible lines of the active editor: text, class, computed colour. */
const editorLines = () => page.$$eval('.editor-instance .view-lines .view-line', (lines) => lines
  .map((l) => ({
    top: parseFloat(l.style.top),
    text: l.textContent.replace(/\u00a0/g, ' '),
    tokens: [...l.querySelectorAll(':scope > span > span')].map((s) => ({
      text: s.textContent.replace(/\u00a0/g, ' '), cls: s.className, color: getComputedStyle(s).color, weight: getComputedStyle(s).fontWeight,
    })),
  }))
  .sort((a, b) => a.top - b.top));

/** The first visible token whose text (trimmed) is exactly `word`. */
async function tokenOf(word) {
  for (const line of await editorLines()) {
    const t = line.tokens.find((k) => k.text.trim() === word);
    if (t) return { ...t, line: line.text };
  }
  return undefined;
}

/** Polls `probe` until it returns a truthy value or `ms` pass; returns the last value. */
async function until(ms, probe, every = 200) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v || Date.now() > end) return v;
    await sleep(every);
  }
}

const pane = (title) => page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) }).first();

async function expandPane(title) {
  const p = pane(title);
  await p.waitFor({ timeout: 15_000 });
  const header = p.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  await until(5_000, async () => (await header.getAttribute('aria-expanded')) === 'true');
  return p;
}

async function collapsePane(title) {
  const p = pane(title);
  if (!(await p.count())) return;
  const header = p.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'true') await header.click();
}

/** Rows of a tree pane as "name = value" (or the row's text for rows without a value). */
const treeRows = (p) => p.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => {
  const name = r.querySelector('.name')?.textContent?.replace(/\s*[=:]\s*$/, '');
  const value = r.querySelector('.value')?.textContent;
  // Custom tree views: the item's label and its description, apart.
  const label = [...r.querySelectorAll('.label-name, .label-description')].map((e) => e.textContent.trim()).filter(Boolean).join('  ');
  return {
    text: value !== undefined ? `${name} = ${value}` : label || r.textContent.trim(),
    expanded: r.getAttribute('aria-expanded'),
    level: Number(r.getAttribute('aria-level')),
    index: Number(r.getAttribute('data-index')),
  };
}));

/**
 * The row of a (virtualised) tree pane whose text matches `re`, scrolling the pane down from the
 * top when it is not rendered; undefined when it is not there.
 */
async function findRow(p, re, { after = -1 } = {}) {
  const list = p.locator('.monaco-list').first();
  const box = await list.boundingBox();
  if (!box) return undefined;
  await page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height / 2, 40));
  for (let i = 0; i < 40; i++) {
    const rows = p.locator('.monaco-list-row');
    const n = await rows.count();
    for (let k = 0; k < n; k++) {
      const row = rows.nth(k);
      const idx = Number(await row.getAttribute('data-index'));
      if (idx <= after) continue;
      if (re.test((await row.textContent()) || '')) {
        await row.scrollIntoViewIfNeeded().catch(() => {});
        return row;
      }
    }
    const before = await list.locator('.monaco-scrollable-element').first().evaluate((e) => e.querySelector('.monaco-list-rows')?.style.top);
    await page.mouse.wheel(0, Math.max(60, box.height / 2));
    await sleep(120);
    const now = await list.locator('.monaco-scrollable-element').first().evaluate((e) => e.querySelector('.monaco-list-rows')?.style.top);
    if (now === before && i > 0) break; // at the bottom
  }
  return undefined;
}

/** Scrolls a tree pane so that `row` is its first visible row. */
async function scrollRowToTop(p, row) {
  const list = p.locator('.monaco-list').first();
  for (let i = 0; i < 40; i++) {
    const [r, l] = [await row.boundingBox(), await list.boundingBox()];
    if (!r || !l || Math.abs(r.y - l.y) < 4) return;
    await page.mouse.move(l.x + l.width / 2, l.y + 10);
    await page.mouse.wheel(0, Math.max(-l.height / 2, Math.min(l.height / 2, r.y - l.y)));
    await sleep(100);
    const after = await row.boundingBox();
    if (after && after.y === r.y) return; // cannot scroll further
  }
}

/** Drags the sash right of the side bar so that long values (guest / VMM / hardware) fit. */
async function widenSideBar(width) {
  const bar = await page.locator('.part.sidebar').boundingBox();
  if (!bar) return;
  const y = bar.y + bar.height / 2;
  await page.mouse.move(bar.x + bar.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(bar.x + width / 2, y, { steps: 5 });
  await page.mouse.move(bar.x + width, y, { steps: 5 });
  await page.mouse.up();
  await page.mouse.move(bar.x + width + 200, 5); // off the sash (it stays highlighted under the mouse)
  const after = await page.locator('.part.sidebar').boundingBox();
  console.log(`    side bar ${Math.round(bar.width)} -> ${Math.round(after?.width ?? 0)} px wide`);
}

/** Moves the mouse off the side bar and waits until no hover is shown. */
async function noHover() {
  const panel = await page.locator('.part.panel').boundingBox().catch(() => null);
  await page.mouse.move(panel ? panel.x + panel.width / 2 : 900, panel ? panel.y + panel.height / 2 : 800);
  const hovers = page.locator('.workbench-hover, .monaco-hover:not(.hidden)');
  await until(3_000, async () => !(await hovers.evaluateAll((els) => els.some((e) => e.offsetParent !== null && e.getBoundingClientRect().height > 0))));
  await sleep(200);
}

async function expandRow(row) {
  if ((await row.getAttribute('aria-expanded')) === 'false') {
    await row.locator('.monaco-tl-twistie').first().click();
    await until(5_000, async () => (await row.getAttribute('aria-expanded')) === 'true');
  }
}

const visibleNotifications = () => page.locator('.notification-toast, .notifications-center .notification-list-item')
  .allInnerTexts().then((a) => a.map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean)).catch(() => []);

// ------------------------------------------------------------ the scenario
async function scenario(server, workspace) {
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view').first().waitFor({ timeout: 60_000 });
  mark('workbench loaded');
  await widenSideBar(460);

  // ---- 1. the sensitive instruction is highlighted
  await openFile(SAMPLE);
  const popfLine = fs.readFileSync(path.join(workspace, SAMPLE), 'utf8').split('\n').findIndex((l) => /^\s*popfd\b/.test(l)) + 1;
  check(popfLine > 0, `${SAMPLE} has a popfd line`);
  await goTo(popfLine);
  const langLabel = await until(15_000, async () => {
    const t = await page.locator('.statusbar-item[id="status.editor.mode"]').innerText().catch(() => '');
    return /plain ?text/i.test(t) ? '' : t;
  });
  console.log(`    language mode in the status bar: ${langLabel || '(still Plain Text)'}`);
  // TextMate colours arrive first, semantic tokens from the language server a little later: wait
  // until popfd is coloured differently from mov, or 20 s.
  const differ = async () => {
    const popf = await tokenOf('popfd');
    const mov = await tokenOf('mov');
    return popf && mov && (popf.color !== mov.color || popf.weight !== mov.weight) ? { popf, mov } : undefined;
  };
  const coloured = await until(20_000, differ, 250);
  const popf = coloured?.popf ?? await tokenOf('popfd');
  const mov = coloured?.mov ?? await tokenOf('mov');
  console.log(`    popfd: ${JSON.stringify(popf)}\n    mov:   ${JSON.stringify(mov)}`);
  check(popf && mov, 'popfd and mov are both on screen in the editor');
  check(!/\bmtk1\b/.test(popf.cls), 'popfd is coloured by the grammar (not plain text)', popf.cls);
  check(popf.color !== mov.color || popf.weight !== mov.weight,
    `popfd is coloured unlike an ordinary instruction (popfd ${popf.color}/${popf.weight}, mov ${mov.color}/${mov.weight})`);
  await page.mouse.move(700, 5);
  await shot('e2e-01-sensitive-popf');
  mark('colours read');

  const popfCol = fs.readFileSync(path.join(workspace, SAMPLE), 'utf8').split('\n')[popfLine - 1].search(/popfd/) + 2;
  await goTo(popfLine, popfCol);
  await runCommand('Developer: Inspect Editor Tokens and Scopes');
  const widget = page.locator('.token-inspect-widget');
  await widget.waitFor({ timeout: 10_000 });
  await until(5_000, async () => /textmate scopes/i.test(await widget.innerText()));
  const inspected = (await widget.innerText()).replace(/\s+/g, ' ').trim();
  console.log(`    Inspect Editor Tokens and Scopes on popfd: ${inspected.slice(0, 600)}`);
  check(/^popfd\b/.test(inspected) || inspected.includes('popfd'), 'the token inspector is on popfd', inspected.slice(0, 80));
  const scopes = inspected.split(/\s+/).filter((w) => w.includes('.sensitive'));
  check(scopes.length > 0, 'popfd has a TextMate scope containing ".sensitive"', inspected.slice(0, 300));
  console.log(`    sensitive scope(s): ${scopes.join(' ')}`);
  const semantic = inspected.match(/semantic token type (\S+)/);
  console.log(`    semantic token type: ${semantic ? semantic[1] : '(none: no semantic tokens from the language server at popfd)'}`);
  await shot('e2e-01b-sensitive-popf-scopes');
  await page.keyboard.press('Escape');
  await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
  mark('sensitive popfd checked');

  // ---- 2. debug: stop on the virtualization hole
  await runCommand('Debug: Select and Start Debugging');
  const cfg = page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(LAUNCH)}$`) }) }).first();
  await cfg.waitFor({ timeout: 15_000 });
  await cfg.click();
  await page.locator('.debug-toolbar').waitFor({ timeout: 60_000 });
  const callStack = await expandPane(/^Call Stack/i);
  // The launch configuration has stopOnEntry: the first stop is the entry; then continue.
  const firstStop = await until(60_000, async () => {
    const text = (await callStack.innerText().catch(() => '')).replace(/\s+/g, ' ');
    return /paused|virtualization hole/i.test(text) ? text : '';
  });
  check(/paused on entry/i.test(firstStop) || firstStop.includes(HOLE_TEXT), 'the debug session stopped on entry (stopOnEntry)',
    firstStop || (await callStack.innerText().catch(() => '')).replace(/\s+/g, ' '));
  mark('debug session started', `Call Stack: ${firstStop.slice(0, 160)}`);
  if (!firstStop.includes(HOLE_TEXT)) {
    await runCommand('Debug: Continue');
  }
  const exceptionWidget = page.locator('.exception-widget');
  const holeStop = await until(60_000, async () => {
    const text = (await callStack.innerText().catch(() => '')).replace(/\s+/g, ' ');
    return text.includes(HOLE_TEXT) && (await exceptionWidget.count()) > 0 ? text : '';
  });
  const notes = await visibleNotifications();
  check(holeStop, `the session stopped on the virtualization hole (Call Stack shows "${HOLE_TEXT}" and the editor shows the exception widget)`,
    `Call Stack: ${(await callStack.innerText().catch(() => '')).replace(/\s+/g, ' ')}; exception widgets: ${await exceptionWidget.count()}; notifications: ${notes.join(' | ')}`);
  const widgetText = (await exceptionWidget.first().innerText()).replace(/\s+/g, ' ').trim();
  console.log(`    exception widget: ${widgetText}`);
  check(widgetText.includes(HOLE_TEXT), `the exception widget reads "${HOLE_TEXT} ..."`, widgetText);
  const topLine = await page.locator('.editor-instance .debug-top-stack-frame-line').count();
  check(topLine > 0, 'the editor marks the top stack frame line');
  const tab = await page.locator('.tabs-container .tab.active').innerText();
  check(tab.includes(SAMPLE), `the stop is shown in ${SAMPLE}`, tab);
  mark('stopped on the POPF hole');

  // ---- 3. Variables: EFLAGS expanded (IF), Virtual CPU (IF guest / VMM / hardware)
  // Give Variables the whole side bar (the stop stays visible in the editor: the exception widget
  // and the top-frame line): fold the panes it shares the side bar with.
  for (const title of [/^Call Stack/i, /^Watch/i, /^Breakpoints/i, /VM Exits/i]) await collapsePane(title);
  const vars = await expandPane(/^Variables/i);
  await vars.locator('.monaco-list-row').first().waitFor({ timeout: 15_000 });
  const registers = await until(15_000, () => findRow(vars, /^Registers/));
  check(registers, 'Variables shows the "Registers" scope', (await treeRows(vars)).map((r) => r.text).join(' | '));
  await expandRow(registers);
  const eflags = await until(15_000, () => findRow(vars, /^EFLAGS\b/));
  check(eflags, 'Registers lists EFLAGS', (await treeRows(vars)).map((r) => r.text).join(' | '));
  console.log(`    EFLAGS row: ${(await eflags.innerText()).replace(/\s+/g, ' ')}`);
  await expandRow(eflags);
  check((await eflags.getAttribute('aria-expanded')) === 'true', 'EFLAGS is expanded');
  const eflagsIndex = Number(await eflags.getAttribute('data-index'));
  const flagIf = await until(10_000, () => findRow(vars, /^IF\b/, { after: eflagsIndex }));
  check(flagIf, 'EFLAGS has an IF child', (await treeRows(vars)).map((r) => r.text).join(' | '));
  const flagIfText = (await flagIf.innerText()).replace(/\s+/g, ' ').trim();
  console.log(`    EFLAGS.IF row: ${flagIfText}`);
  // The hole: POPF at ring 1 kept IF set on the real CPU although the guest cleared it.
  check(/=?\s*1\b|true|\bset\b/i.test(flagIfText.replace(/^IF\b/, '')), 'EFLAGS.IF (hardware) is 1: the POPF did not clear it', flagIfText);

  const vcpu = await until(10_000, () => findRow(vars, /^Virtual CPU/));
  check(vcpu, 'Variables shows the "Virtual CPU" scope', (await treeRows(vars)).map((r) => r.text).join(' | '));
  await expandRow(vcpu);
  const vcpuIndex = Number(await vcpu.getAttribute('data-index'));
  const vIf = await until(10_000, () => findRow(vars, /^IF\b/, { after: vcpuIndex }));
  check(vIf, 'Virtual CPU has an IF row', (await treeRows(vars)).map((r) => r.text).join(' | '));
  const vIfText = (await vIf.innerText()).replace(/\s+/g, ' ').trim();
  console.log(`    Virtual CPU IF row: ${vIfText}`);
  check(vIfText.includes(VIRTUAL_IF), `Virtual CPU IF reads "${VIRTUAL_IF}"`, vIfText);
  // For the screenshot: EFLAGS at the top of the list, so its flags and the Virtual CPU scope show.
  await scrollRowToTop(vars, eflags);
  await noHover();
  mark('variables checked');
  await shot('e2e-02-stopped-on-hole');

  // ---- 4. the VM Exits view
  await collapsePane(/^Variables/i);
  await expandPane(/^Call Stack/i);
  const exitsPane = await expandPane(/VM Exits/i);
  // A group of real exits (not only the hole), e.g. "#GP  19 × trap" or "EXTERNAL_INTERRUPT ...".
  const exitRows = await until(15_000, async () => {
    const rows = (await treeRows(exitsPane)).map((r) => r.text);
    return rows.some((t) => /^(#[A-Z]{2}|[A-Z][A-Z_]{2,})\b/.test(t) && !/hole/i.test(t) && /\d/.test(t)) ? rows : undefined;
  });
  const seen = exitRows ?? (await treeRows(exitsPane)).map((r) => r.text);
  console.log(`    VM Exits view: ${seen.join(' | ')}`);
  check(exitRows, 'the VM Exits view lists exits with a count (e.g. #GP or EXTERNAL_INTERRUPT)', seen.join(' | ') || '(empty)');
  await noHover();
  mark('VM Exits view checked');
  await shot('e2e-03-vm-exits');

  // ---- 5. stop the session
  await runCommand('Debug: Stop');
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 });
  mark('debug session stopped');

  // ---- 6. vt-x: step into the VM exit of a CPUID, then step out back to the guest
  // From the Explorer (the side bar shows Run and Debug now).
  await runCommand('View: Show Explorer');
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: VTX_SAMPLE }).first().click();
  await page.locator('.tabs-container .tab.active', { hasText: VTX_SAMPLE }).waitFor({ timeout: 15_000 });
  await runCommand('View: Show Run and Debug');
  const cpuidLine = fs.readFileSync(path.join(workspace, VTX_SAMPLE), 'utf8').split('\n').findIndex((l) => /^\s*cpuid\b/.test(l)) + 1;
  check(cpuidLine > 0, `${VTX_SAMPLE} has a cpuid line`);
  await goTo(cpuidLine);
  await runCommand('Debug: Toggle Breakpoint');
  await runCommand('Debug: Select and Start Debugging');
  const vtxCfg = page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRe(VTX_LAUNCH)}$`) }) }).first();
  await vtxCfg.waitFor({ timeout: 15_000 });
  await vtxCfg.click();
  await page.locator('.debug-toolbar').waitFor({ timeout: 60_000 });
  const stack = await expandPane(/^Call Stack/i);
  const stackText = async () => (await stack.innerText().catch(() => '')).replace(/\s+/g, ' ');
  check(await until(30_000, async () => /paused on entry/i.test(await stackText())), 'the vt-x session stopped on entry', await stackText());
  await runCommand('Debug: Continue');
  check(await until(30_000, async () => /paused on breakpoint/i.test(await stackText())), 'the vt-x session stopped at the cpuid breakpoint', await stackText());
  await runCommand('Debug: Step Into');
  const inVmm = await until(30_000, async () => ((await stackText()).includes('[VMM] CPUID exit') ? await stackText() : ''));
  check(inVmm, 'step-in on cpuid shows the "[VMM] CPUID exit" frame in Call Stack', await stackText());
  const listingTab = await until(15_000, async () => {
    const t = await page.locator('.tabs-container .tab.active').innerText().catch(() => '');
    return /VMM CPUID exit/.test(t) ? t : '';
  });
  check(listingTab, 'the editor shows the generated listing of the VMM\'s handling', await page.locator('.tabs-container .tab.active').innerText().catch(() => ''));
  const listing = (await page.locator('.editor-instance .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
  check(/VM exit: CPUID \(reason 10\)/.test(listing) && /VM entry: resume the guest/.test(listing), 'the listing runs from the exit to VM entry', listing.slice(0, 300));
  await noHover();
  await shot('e2e-04-step-into-vm-exit');
  mark('stepped into the CPUID exit');
  await runCommand('Debug: Step Out');
  const back = await until(30_000, async () => {
    const t = await stackText();
    return !t.includes('[VMM]') && t.includes(`${VTX_SAMPLE} ${cpuidLine + 1}:1`) ? t : '';
  });
  check(back, 'step-out returns to the guest, on the line after cpuid (no VMM frame left)', await stackText());
  await runCommand('Debug: Stop');
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 });
  mark('stepped out of the VMM');
}

// ------------------------------------------------------------ main
let server, browser, root, failed = false;
const outside = [];
/**
 * Copies the extension's own output channels (code-server writes them under user-data/logs) to
 * test-results/e2e-logs/ and reports their error lines: they do not fail the test, but a
 * language server that cannot start shows up here.
 */
function collectExtensionLogs() {
  const logs = root && path.join(root, 'user-data', 'logs');
  if (!logs || !fs.existsSync(logs)) return;
  const dest = path.join(outDir, 'e2e-logs');
  const errors = [];
  for (const f of fs.readdirSync(logs, { recursive: true })) {
    if (!/exthost\d*[\\/]hyperstep\.hyperstep[\\/].*\.log$/.test(f)) continue;
    fs.mkdirSync(dest, { recursive: true });
    const text = fs.readFileSync(path.join(logs, f), 'utf8');
    fs.writeFileSync(path.join(dest, path.basename(f)), text);
    const lines = text.split('\n').filter((l) => /\[error\]/.test(l));
    if (lines.length) errors.push(`${path.basename(f)}: ${lines.length} error lines, first: ${lines[0].replace(/^\S+ \S+ \[error\] /, '')}`);
  }
  if (fs.existsSync(dest)) console.log(`    extension logs copied to ${path.relative(repo, dest)}/`);
  for (const e of errors) console.log(`    WARNING: extension log ${e}`);
}

const stopAll = async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
  try { collectExtensionLogs(); } catch (e) { console.log(`    (could not copy the extension logs: ${e.message})`); }
  if (root && !keep) fs.rmSync(root, { recursive: true, force: true });
};
let watchdog;
const timeLimit = new Promise((_, reject) => {
  watchdog = setTimeout(() => reject(new CheckFailed(`the end-to-end test did not finish within ${overallSeconds} s (HYPERSTEP_E2E_TIMEOUT)`)), overallSeconds * 1000);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { stopAll().finally(() => process.exit(130)); });

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of fs.readdirSync(outDir)) if (/^e2e-(.*\.(png|log)|logs)$/.test(f)) fs.rmSync(path.join(outDir, f), { recursive: true });
  const { chromium } = await loadPlaywright();
  await ensureTools();
  const vsix = await vsixPath();

  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-e2e-'));
  const workspace = path.join(root, 'samples');
  fs.cpSync(path.join(repo, 'samples'), workspace, { recursive: true });
  server = await startCodeServer(root, vsix);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => console.log(`    page error: ${e.message.split('\n')[0]}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (/^(http|ws)s?:$/.test(u.protocol) && !['127.0.0.1', 'localhost'].includes(u.hostname)) outside.push(`${r.method()} ${u.origin}${u.pathname}`);
  });
  mark('chromium launch');

  await scenario(server, workspace);
  if (outside.length) console.log(`    note: requests to other hosts: ${outside.join(', ')}`);
}

try {
  const running = main();
  running.catch(() => {}); // after the time limit, its later failures (browser closed) are moot
  await Promise.race([running, timeLimit]);
} catch (e) {
  failed = true;
  console.error(`FAILED: ${e instanceof CheckFailed ? e.message : e.stack || e}`);
  if (page && !page.isClosed()) {
    const notes = await visibleNotifications();
    if (notes.length) console.error(`    notifications: ${notes.join(' | ')}`);
    await shot('e2e-99-failure').catch(() => {});
  }
  if (server?.logFile && fs.existsSync(server.logFile)) {
    const kept = path.join(outDir, 'e2e-code-server.log');
    fs.copyFileSync(server.logFile, kept);
    const tail = fs.readFileSync(server.logFile, 'utf8').split('\n').filter((l) => l.trim() && !/vsda/.test(l)).slice(-12).join('\n    ');
    if (tail) console.error(`    code-server log (last lines; all of it in ${path.relative(repo, kept)}):\n    ${tail}`);
  }
} finally {
  clearTimeout(watchdog);
  await stopAll();
  const total = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`timings (s): ${timings.map(([w, ms]) => `${w} ${(ms / 1000).toFixed(1)}`).join('; ')}`);
  console.log(`${failed ? 'FAILED' : 'PASSED'}: end-to-end test in ${total} s${keep && root ? ` (kept ${root})` : ''}; screenshots in ${path.relative(repo, outDir)}/`);
}
process.exit(failed ? 1 : 0);
