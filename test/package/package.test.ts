// `npm run package`: the .vsix that vsce makes from the built dist/ (the test setup builds it; this
// test runs the script's vsce step, with its flags, into a temporary folder). It must be small,
// hold what runs and nothing else, and run from a copy unpacked away from this checkout.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { readZip, type ZipEntry } from './zip.js';

const MAX_BYTES = 5 * 1024 * 1024;
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  main: string;
  icon: string;
  scripts: Record<string, string>;
  contributes: { grammars?: { path: string }[]; languages?: { configuration?: string }[]; walkthroughs: { steps: { media: { markdown: string } }[] }[] };
};

let work: string;
let vsix: string;
let entries: ZipEntry[];
let names: Set<string>;
/** The unpacked extension folder (the vsix's `extension/`). */
let unpacked: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-vsix-'));
  vsix = path.join(work, `${manifest.name}-${manifest.version}.vsix`);
  // The package script is `node scripts/build.mjs && vsce package FLAGS`; dist/ is already built.
  const m = /^node scripts\/build\.mjs && vsce package(?<flags>( --[a-z-]+)*)$/.exec(manifest.scripts.package);
  if (m === null) throw new Error(`unexpected package script: ${manifest.scripts.package}`);
  const flags = (m.groups?.flags ?? '').trim().split(/\s+/).filter((f) => f !== '');
  const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', ...flags, '--out', vsix], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`vsce package failed (status ${String(r.status)}):\n${r.stderr}${r.stdout}`);
  entries = readZip(fs.readFileSync(vsix));
  names = new Set(entries.map((e) => e.name));
  unpacked = path.join(work, 'unpacked');
  for (const e of entries) {
    const dest = path.join(unpacked, e.name);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, e.read());
  }
  unpacked = path.join(unpacked, 'extension');
}, 90_000);

afterAll(() => {
  if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
});

describe('the .vsix', () => {
  test('is under 5 MB', () => {
    expect(fs.statSync(vsix).size).toBeLessThan(MAX_BYTES);
  });

  test('holds the client, the adapter/server bundle, the decoder and its wasm, the grammar, samples, icon and walkthrough', () => {
    const required = [
      'extension/package.json',
      `extension/${manifest.main.replace(/^\.\//, '')}`,
      'extension/dist/hyperstep.js',
      'extension/dist/node_modules/iced-x86/package.json',
      'extension/dist/node_modules/iced-x86/iced_x86.js',
      'extension/dist/node_modules/iced-x86/iced_x86_bg.wasm',
      'extension/samples/hello.asm',
      'extension/samples/popf-hole.asm',
      'extension/samples/include/multiboot.inc',
      'extension/samples/.vscode/launch.json',
      `extension/${manifest.icon}`,
      ...(manifest.contributes.grammars ?? []).map((g) => `extension/${g.path.replace(/^\.\//, '')}`),
      ...(manifest.contributes.languages ?? []).flatMap((l) => (l.configuration === undefined ? [] : [`extension/${l.configuration.replace(/^\.\//, '')}`])),
      ...manifest.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => `extension/${s.media.markdown}`)),
    ];
    expect(required.filter((f) => !names.has(f))).toEqual([]);
    expect((manifest.contributes.grammars ?? []).length).toBeGreaterThan(0);
    expect([...names].some((n) => /^extension\/syntaxes\/.+\.tmLanguage\.json$/.test(n))).toBe(true);
  });

  test('holds nothing that does not run: no sources, tests, maps or development files', () => {
    const junk = [...names].filter(
      (n) =>
        /\.(ts|mts|map|tsbuildinfo|vsix|log)$/.test(n) ||
        /^extension\/(node_modules|debug-adapter|extension\/src|test|bench|scripts|bin|\.tmp|\.git|\.ci)\//.test(n) ||
        /^extension\/(tsconfig\.json|eslint\.config\.mjs|vitest\.config\.ts|package-lock\.json|\.vscodeignore|\.gitignore)$/.test(n),
    );
    expect(junk).toEqual([]);
    // Only the runtime files of the decoder, not its typings or tests.
    expect([...names].filter((n) => n.includes('iced-x86/')).sort()).toEqual(
      ['LICENSE.txt', 'iced_x86.js', 'iced_x86_bg.wasm', 'package.json'].map((f) => `extension/dist/node_modules/iced-x86/${f}`),
    );
  });
});

describe('the unpacked extension, away from this checkout', () => {
  const cli = (): string => path.join(unpacked, 'dist', 'hyperstep.js');

  test('its command line runs a sample (assembler, CPU, the iced-x86 wasm)', () => {
    const r = spawnSync(process.execPath, [cli(), 'run', path.join(unpacked, 'samples', 'hello.asm')], { cwd: work, encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Hello from a Hyperstep guest!\n');
    expect(r.status).toBe(1);
    const c = spawnSync(process.execPath, [cli(), 'compare', path.join(unpacked, 'samples', 'popf-hole.asm'), '--json'], { cwd: work, encoding: 'utf8', timeout: 30_000 });
    expect(c.status).toBe(0);
    expect((JSON.parse(c.stdout) as { techniques: unknown[] }).techniques.length).toBeGreaterThanOrEqual(4);
  });

  test('its debug adapter answers initialize over stdio', async () => {
    const proc = spawn(process.execPath, [cli(), 'dap'], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    const request = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'hyperstep', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' } });
    proc.stdin.write(`Content-Length: ${Buffer.byteLength(request)}\r\n\r\n${request}`);
    const response = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no initialize response: ${out}`)), 15_000);
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        const body = /\r\n\r\n(\{.*"command":"initialize".*\})/.exec(out);
        if (body !== null) {
          clearTimeout(timer);
          resolve(body[1]);
        }
      });
    });
    proc.stdin.end();
    await new Promise((resolve) => proc.on('exit', resolve));
    expect(JSON.parse(response)).toMatchObject({ success: true, body: { supportsConfigurationDoneRequest: true } });
  });

  test('its client bundle loads with its own copy of everything but `vscode`', () => {
    const script = `
      const Module = require('node:module');
      const load = Module._load;
      const vscode = new Proxy({}, { get: (_, key) => (key === '__esModule' ? true : class {}) });
      Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
      const ext = require(${JSON.stringify(path.join(unpacked, 'dist', 'extension.js'))});
      console.log(typeof ext.activate);
    `;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: work, encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function');
  });
});
