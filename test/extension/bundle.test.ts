// dist/extension.js (built by the test setup) loads in a bare Node with a stand-in for the
// `vscode` module, exports activate/deactivate, and leaves the engine and its wasm decoder
// unloaded until an inline debug session asks for them.
import { expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

test('the client bundle loads without the engine', () => {
  const script = `
    const Module = require('node:module');
    const load = Module._load;
    // Every export of the stand-in is an empty class; __esModule keeps esbuild's interop from copying keys.
    const vscode = new Proxy({}, { get: (_, key) => (key === '__esModule' ? true : class {}) });
    Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
    const ext = require(${JSON.stringify(path.join(REPO_ROOT, 'dist', 'extension.js'))});
    const iced = Object.keys(require.cache).filter((k) => k.includes('iced_x86'));
    console.log(JSON.stringify({ activate: typeof ext.activate, deactivate: typeof ext.deactivate, iced }));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ activate: 'function', deactivate: 'function', iced: [] });
});
