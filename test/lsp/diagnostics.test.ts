// Diagnostics over JSON-RPC: the assembler's errors and warnings on the right lines with exact
// ranges, an error of an included file reported on its %include line (and on its own line when
// the include is open too), updates after didChange, and broken input of every kind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient, uriOf } from './client.js';
import { FIXTURES, lineOf, positionOf, SAMPLE_INCLUDES } from './text.js';

let client: LspClient;
let tmp: string;

beforeAll(async () => {
  client = LspClient.start();
  client.settings = { technique: 'native' };
  await client.initialize();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-lsp-diag-'));
});

afterAll(async () => {
  expect(await client.stop()).toBe(0);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const messageOf = (d: Diagnostic): string => (typeof d.message === 'string' ? d.message : d.message.value);
const asm = (d: Diagnostic[]) => d.filter((x) => x.source === 'hyperstep-asm');
const errors = (d: Diagnostic[]) => asm(d).filter((x) => x.severity === DiagnosticSeverity.Error);

describe('a broken file', () => {
  const file = path.join(FIXTURES, 'broken.asm');
  const text = fs.readFileSync(file, 'utf8');
  let diagnostics: Diagnostic[];

  beforeAll(async () => {
    diagnostics = await client.open(uriOf(file), text);
  });

  it('has its errors on the lines the assembler names, and nowhere else', () => {
    const lines = errors(diagnostics).map((d) => d.range.start.line).sort((a, b) => a - b);
    expect(lines).toEqual([lineOf(text, '%include'), lineOf(text, 'undefined_symbol'), lineOf(text, '[ebx+ecx*3]'), lineOf(text, 'frobnicate')]);
  });

  it('gives exact ranges: the undefined symbol, the bad address', () => {
    const undef = errors(diagnostics).find((d) => /undefined_symbol/.test(messageOf(d)))!;
    expect(undef.message).toBe("symbol `undefined_symbol' not defined");
    const at = positionOf(text, 'undefined_symbol');
    expect(undef.range).toEqual({ start: at, end: { line: at.line, character: at.character + 'undefined_symbol'.length } });
    const ea = errors(diagnostics).find((d) => /effective address/.test(messageOf(d)))!;
    const lineText = text.split('\n')[ea.range.start.line];
    expect(lineText.slice(ea.range.start.character, ea.range.end.character)).toBe('[ebx+ecx*3]');
  });

  it('keeps warnings as warnings', () => {
    const w = asm(diagnostics).filter((d) => d.severity === DiagnosticSeverity.Warning);
    expect(w.map((d) => d.range.start.line)).toEqual([lineOf(text, '0x1234')]);
    expect(w[0].message).toMatch(/exceeds bounds/);
  });

  it('reports an error in an included file on the %include line, pointing at the place', () => {
    const inc = errors(diagnostics).find((d) => d.range.start.line === lineOf(text, '%include'))!;
    expect(inc.message).toBe('in included file broken-part.inc:3: invalid combination of opcode and operands');
    expect(text.split('\n')[inc.range.start.line].slice(inc.range.start.character, inc.range.end.character)).toBe('"broken-part.inc"');
    expect(inc.relatedInformation).toHaveLength(1);
    expect(inc.relatedInformation![0].location.uri).toBe(uriOf(path.join(FIXTURES, 'broken-part.inc')));
    expect(inc.relatedInformation![0].location.range.start.line).toBe(2);
  });

  it('shows the included file its own error, on its own line, when it is open too', async () => {
    const inc = path.join(FIXTURES, 'broken-part.inc');
    const own = await client.open(uriOf(inc), fs.readFileSync(inc, 'utf8'));
    expect(errors(own).map((d) => [d.range.start.line, d.range.start.character, d.message])).toEqual([[2, 4, 'invalid combination of opcode and operands']]);
    await client.close(uriOf(inc));
  });

  it('follows edits: fixing an error removes it, a new mistake appears on its line', async () => {
    const uri = uriOf(file);
    const at = positionOf(text, 'undefined_symbol');
    const fixed = await client.change(uri, 2, [{ range: { start: at, end: { line: at.line, character: at.character + 'undefined_symbol'.length } }, text: 'start' }]);
    expect(errors(fixed).some((d) => /undefined_symbol/.test(messageOf(d)))).toBe(false);
    expect(errors(fixed)).toHaveLength(3);
    const jmp = positionOf(text, 'jmp start');
    const broken = await client.change(uri, 3, [{ range: { start: jmp, end: { line: jmp.line, character: jmp.character + 3 } }, text: 'jnx' }]);
    expect(errors(broken).map((d) => d.range.start.line)).toContain(jmp.line);
    const restored = await client.change(uri, 4, text);
    expect(errors(restored)).toHaveLength(4);
  });

  it('clears the diagnostics of a closed document', async () => {
    const cleared = client.waitForDiagnostics(uriOf(file));
    await client.close(uriOf(file));
    expect((await cleared).diagnostics).toEqual([]);
  });
});

describe('documents that change under the server', () => {
  it('re-analyses a document when an open file it includes changes', async () => {
    const main = path.join(tmp, 'main.asm');
    const inc = path.join(tmp, 'part.inc');
    fs.writeFileSync(inc, 'part: ret\n');
    const mainText = 'bits 32\n%include "part.inc"\ncall part\n';
    fs.writeFileSync(main, mainText);
    expect(errors(await client.open(uriOf(main), mainText))).toEqual([]);
    await client.open(uriOf(inc), 'part: ret\n');
    // Renaming the label in the (unsaved) include breaks the call in main.asm.
    const mainAgain = client.waitForDiagnostics(uriOf(main));
    await client.change(uriOf(inc), 2, 'renamed: ret\n');
    const d = (await mainAgain).diagnostics;
    expect(errors(d).map((x) => [x.range.start.line, x.message])).toEqual([[2, "symbol `part' not defined"]]);
    await client.close(uriOf(inc));
    await client.close(uriOf(main));
  });

  it('reports a missing include on its line', async () => {
    const main = path.join(tmp, 'missing.asm');
    const d = await client.open(uriOf(main), 'nop\n%include "nowhere.inc"\n');
    expect(errors(d).map((x) => [x.range.start.line, x.message])).toEqual([[1, "unable to open include file `nowhere.inc'"]]);
  });

  it('answers garbage with diagnostics, not a crash', async () => {
    const uri = uriOf(path.join(tmp, 'garbage.asm'));
    const junk = ['\u0000\u0001 mov eax,, ,', "db 'unterminated", '%macro', '%endif', '[[[[', 'mov eax, 1 +', '\t\u00e9\u{1F600} ???', '%if', 'times -1 db 0', ')('].join('\n');
    const d = await client.open(uri, junk);
    expect(errors(d).length).toBeGreaterThan(3);
    for (const x of d) expect(x.range.start.line).toBeLessThan(junk.split('\n').length);
    // Still serving.
    const h = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 0 } });
    expect(h === null || typeof h === 'object').toBe(true);
  });
});

describe('an include file on its own', () => {
  it('shows its own mistakes, not the symbols its includer provides', async () => {
    const file = path.join(SAMPLE_INCLUDES, 'pvops.inc');
    const text = fs.readFileSync(file, 'utf8');
    const d = await client.open(uriOf(file), text);
    expect(errors(d)).toEqual([]);
    const broken = await client.change(uriOf(file), 2, text.replace('pv_puts:\n', 'pv_puts:\n    mov eax, ebx, ecx\n'));
    expect(errors(broken).map((x) => x.range.start.line)).toEqual([lineOf(text, 'pv_puts:') + 1]);
    await client.close(uriOf(file));
  });
});
