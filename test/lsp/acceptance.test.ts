// Issue 7's acceptance items for the language server, over JSON-RPC against `hyperstep lsp`: a
// broken file gets diagnostics on the right lines; hover on `popf` says it is sensitive but not
// privileged; definition of a label jumps to it; a paravirtualize code action is offered on `cli`.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CodeAction, Hover, Location } from 'vscode-languageserver-protocol';
import { LspClient, uriOf } from './client.js';
import { FIXTURES, lineOf, positionOf, SAMPLES } from './text.js';

let client: LspClient;

beforeAll(async () => {
  client = LspClient.start();
  await client.initialize({ configuration: false });
});

afterAll(async () => {
  expect(await client.stop()).toBe(0);
});

it('a broken file gets diagnostics on the right lines', async () => {
  const file = path.join(FIXTURES, 'broken.asm');
  const text = fs.readFileSync(file, 'utf8');
  const d = await client.open(uriOf(file), text);
  const errorLines = d.filter((x) => x.severity === 1).map((x) => x.range.start.line + 1).sort((a, b) => a - b);
  expect(errorLines).toEqual([4, 7, 9, 10]);
});

it('hover on popf explains that it is sensitive but not privileged', async () => {
  const file = path.join(SAMPLES, 'popf-hole.asm');
  const text = fs.readFileSync(file, 'utf8');
  const uri = uriOf(file);
  await client.open(uri, text);
  const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, '    popfd', 0, 6) });
  const value = (h.contents as { value: string }).value;
  expect(value).toMatch(/sensitive/i);
  expect(value).toMatch(/not privileged/i);
  expect(value).toMatch(/trap-and-emulate/);
});

it('definition of a label jumps to it', async () => {
  const file = path.join(SAMPLES, 'popf-hole.asm');
  const text = fs.readFileSync(file, 'utf8');
  const d = await client.request<Location[]>('textDocument/definition', { textDocument: { uri: uriOf(file) }, position: positionOf(text, 'jnz .corrupted', 0, 6) });
  expect(d).toEqual([{ uri: uriOf(file), range: { start: { line: lineOf(text, '.corrupted:'), character: 0 }, end: { line: lineOf(text, '.corrupted:'), character: 10 } } }]);
});

it('a paravirtualize code action is offered on cli', async () => {
  const file = path.join(SAMPLES, 'popf-hole.asm');
  const text = fs.readFileSync(file, 'utf8');
  const line = lineOf(text, '    cli\n');
  const a = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri: uriOf(file) },
    range: { start: { line, character: 4 }, end: { line, character: 7 } },
    context: { diagnostics: [] },
  });
  expect(a.map((x) => x.title)).toContain('Paravirtualize: cli → irq_disable (pv_ops)');
});
