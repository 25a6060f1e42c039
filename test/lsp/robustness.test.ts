// Bad requests get error responses and the server keeps serving; the command line refuses the
// transports it does not offer; the process ends when the client goes away.
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, ResponseError } from 'vscode-languageserver-protocol';
import { CLI_BIN } from '../helpers/paths.js';
import { LspClient } from './client.js';

let client: LspClient;
const uri = 'file:///nonexistent/hyperstep-robust.asm';
const td = { textDocument: { uri } };

beforeAll(async () => {
  client = LspClient.start();
  await client.initialize();
  await client.open(uri, 'bits 32\nstart:\n    jmp start\n');
});

afterAll(async () => {
  expect(await client.stop()).toBe(0);
});

async function failure(method: string, params?: unknown): Promise<ResponseError<unknown>> {
  const e = await client.request(method, params).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ResponseError);
  return e as ResponseError<unknown>;
}

async function stillServing(): Promise<void> {
  const d = await client.request<{ uri: string }[]>('textDocument/definition', { ...td, position: { line: 2, character: 9 } });
  expect(d[0].uri).toBe(uri);
}

describe('bad requests', () => {
  it('are answered with errors, and the server goes on', async () => {
    expect((await failure('textDocument/hover', { position: { line: 0, character: 0 } })).code).toBe(ErrorCodes.InvalidParams);
    expect((await failure('textDocument/hover', { ...td })).message).toMatch(/position/);
    expect((await failure('textDocument/hover', { ...td, position: { line: -1, character: 'x' } })).code).toBe(ErrorCodes.InvalidParams);
    expect((await failure('textDocument/definition', { textDocument: { uri: 'file:///not/open.asm' }, position: { line: 0, character: 0 } })).message).toMatch(/not open/);
    expect((await failure('textDocument/rename', { ...td, position: { line: 1, character: 1 } })).code).toBe(ErrorCodes.InvalidParams);
    expect((await failure('textDocument/codeAction', { ...td, context: { diagnostics: [] } })).message).toMatch(/range/);
    expect((await failure('workspace/symbol', {})).code).toBe(ErrorCodes.InvalidParams);
    expect((await failure('hyperstep/noSuchMethod', {})).code).toBe(ErrorCodes.MethodNotFound);
    await stillServing();
  });

  it('positions past the end of the document answer nothing', async () => {
    expect(await client.request('textDocument/hover', { ...td, position: { line: 999, character: 999 } })).toBeNull();
    expect(await client.request('textDocument/definition', { ...td, position: { line: 999, character: 0 } })).toEqual([]);
    expect(await client.request('textDocument/completion', { ...td, position: { line: 999, character: 0 } })).toEqual([]);
  });

  it('notifications about unknown documents are ignored', async () => {
    await client.conn.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///never/opened.asm', version: 2 }, contentChanges: [{ text: 'x' }] });
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: 'file:///never/opened.asm' } });
    await stillServing();
  });

  it('documents that are not files, and CRLF line ends, are served too', async () => {
    const untitled = 'untitled:Untitled-1';
    const d = await client.open(untitled, 'bits 32\r\nstart:\r\n    jmp nowhere\r\n    cli\r\n');
    expect(d.filter((x) => x.severity === 1).map((x) => [x.range.start.line, x.range.start.character, x.range.end.character])).toEqual([[2, 8, 15]]);
    const def = await client.request<{ uri: string }[]>('textDocument/definition', { textDocument: { uri: untitled }, position: { line: 1, character: 2 } });
    expect(def[0].uri).toBe(untitled);
  });

  it('a body that is not JSON does not bring the server down', async () => {
    const junk = '{"jsonrpc": "2.0", "id": 99, "method": ';
    client.proc.stdin.write(`Content-Length: ${Buffer.byteLength(junk)}\r\n\r\n${junk}`);
    await stillServing();
  });
});

describe('the command line', () => {
  it('refuses the transports it does not offer', () => {
    for (const arg of ['--socket=5007', '--node-ipc', '--pipe=/tmp/x']) {
      const r = spawnSync(process.execPath, [CLI_BIN, 'lsp', arg], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(6);
      expect(r.stderr).toMatch(/not supported: the language server speaks over stdio/);
      expect(r.stdout).toBe('');
    }
    const extra = spawnSync(process.execPath, [CLI_BIN, 'lsp', 'extra'], { encoding: 'utf8', timeout: 30_000 });
    expect(extra.status).toBe(6);
    const help = spawnSync(process.execPath, [CLI_BIN, 'lsp', '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/usage: hyperstep lsp \[--stdio\]/);
    expect(spawnSync(process.execPath, [CLI_BIN, '--help'], { encoding: 'utf8' }).stdout).toMatch(/lsp \[--stdio\]/);
  });

  it('serves without --stdio too, and ends when stdin closes', async () => {
    const proc = spawn(process.execPath, [CLI_BIN, 'lsp', '--clientProcessId=' + process.pid], { stdio: ['pipe', 'pipe', 'pipe'] });
    const other = new LspClient(proc);
    const init = await other.initialize();
    expect(init.serverInfo?.name).toBe('hyperstep');
    proc.stdin.end();
    expect(await other.exitPromise).not.toBeNull();
  });
});
