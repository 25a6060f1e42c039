// Every sample guest (and the include files on their own) through the server: no assembler
// errors, and every request answered without an error on every kind of token.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Position } from 'vscode-languageserver-protocol';
import { LspClient, uriOf } from './client.js';
import { SAMPLE_INCLUDES, SAMPLES } from './text.js';

let client: LspClient;

beforeAll(async () => {
  client = LspClient.start();
  await client.initialize({ rootPath: SAMPLES });
});

afterAll(async () => {
  expect(await client.stop()).toBe(0);
});

/** One position in each distinct word of the text (its middle). */
function wordPositions(text: string): Position[] {
  const seen = new Set<string>();
  const out: Position[] = [];
  text.split('\n').forEach((line, n) => {
    for (const m of line.matchAll(/[%.$]?[\w.?@]+|[^\s\w]/g)) {
      if (seen.has(m[0])) continue;
      seen.add(m[0]);
      out.push({ line: n, character: m.index + (m[0].length >> 1) });
    }
  });
  return out;
}

const files = [
  ...fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.asm')).map((f) => path.join(SAMPLES, f)),
  ...fs.readdirSync(SAMPLE_INCLUDES).map((f) => path.join(SAMPLE_INCLUDES, f)),
];

describe.each(files.map((f) => [path.relative(SAMPLES, f), f]))('%s', (_name, file) => {
  it('assembles without errors and answers every request', async () => {
    const text = fs.readFileSync(file, 'utf8');
    const uri = uriOf(file);
    const diagnostics = await client.open(uri, text);
    expect(diagnostics.filter((d) => d.source === 'hyperstep-asm' && d.severity === 1)).toEqual([]);
    const td = { textDocument: { uri } };
    const lines = text.split('\n').length;
    await Promise.all([
      client.request('textDocument/documentSymbol', td),
      client.request('textDocument/foldingRange', td),
      client.request('textDocument/semanticTokens/full', td),
      client.request('textDocument/codeAction', { ...td, range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } }, context: { diagnostics } }),
      ...wordPositions(text).flatMap((position) => [
        client.request('textDocument/hover', { ...td, position }),
        client.request('textDocument/definition', { ...td, position }),
        client.request('textDocument/references', { ...td, position, context: { includeDeclaration: true } }),
        client.request('textDocument/completion', { ...td, position }),
      ]),
    ]);
    await client.close(uri);
  });
});
