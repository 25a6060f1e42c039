// Go to definition, references and rename for labels (local labels scoped to their parent label,
// across the file and its %includes), macros, document and workspace symbols.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseError, SymbolKind, type DocumentSymbol, type Location, type SymbolInformation, type WorkspaceEdit } from 'vscode-languageserver-protocol';
import { LspClient, uriOf } from './client.js';
import { applyEdits, FIXTURES, lineOf, positionOf } from './text.js';

let client: LspClient;
const kernelFile = path.join(FIXTURES, 'kernel.asm');
const defsFile = path.join(FIXTURES, 'kernel-defs.inc');
const kernel = fs.readFileSync(kernelFile, 'utf8');
const defs = fs.readFileSync(defsFile, 'utf8');
const uri = uriOf(kernelFile);
const td = { textDocument: { uri } };

beforeAll(async () => {
  client = LspClient.start();
  await client.initialize({ rootPath: FIXTURES });
  await client.open(uri, kernel);
});

afterAll(async () => {
  expect(await client.stop()).toBe(0);
});

const definition = (needle: string, offset = 0, occurrence = 0) =>
  client.request<Location[]>('textDocument/definition', { ...td, position: positionOf(kernel, needle, occurrence, offset) });
const references = (needle: string, offset = 0, occurrence = 0, includeDeclaration = true) =>
  client.request<Location[]>('textDocument/references', { ...td, position: positionOf(kernel, needle, occurrence, offset), context: { includeDeclaration } });
const lines = (locs: Location[]) => locs.map((l) => l.range.start.line).sort((a, b) => a - b);

describe('go to definition', () => {
  it('jumps from a call to the label', async () => {
    const d = await definition('call putc_twice', 6);
    expect(d).toEqual([{ uri, range: { start: { line: lineOf(kernel, 'putc_twice:'), character: 0 }, end: { line: lineOf(kernel, 'putc_twice:'), character: 10 } } }]);
  });

  it('a local label goes to the one in its own scope', async () => {
    expect(lines(await definition('jnz .loop', 5))).toEqual([lineOf(kernel, '.loop:', 0)]);
    expect(lines(await definition('loop .loop', 6))).toEqual([lineOf(kernel, '.loop:', 1)]);
    expect(lines(await definition('jmp _start.loop', 6))).toEqual([lineOf(kernel, '.loop:', 0)]);
  });

  it('into an included file: a constant and a macro', async () => {
    const c = await definition('SERIAL_PORT + 5', 2);
    expect(c).toEqual([{ uri: uriOf(defsFile), range: { start: { line: 1, character: 0 }, end: { line: 1, character: 11 } } }]);
    const m = await definition("SEND 'x'", 1);
    expect(m).toEqual([{ uri: uriOf(defsFile), range: { start: { line: lineOf(defs, '%macro SEND'), character: 7 }, end: { line: lineOf(defs, '%macro SEND'), character: 11 } } }]);
  });

  it('an EQU does not open a scope: `.x` after it belongs to the label before, as in nasm', async () => {
    const text = 'a:\n.x: nop\nK equ 5\n.y: jmp .x\n';
    const u = uriOf(path.join(FIXTURES, 'equ-scope.asm'));
    expect((await client.open(u, text)).filter((d) => d.severity === 1)).toEqual([]);
    const d = await client.request<Location[]>('textDocument/definition', { textDocument: { uri: u }, position: positionOf(text, 'jmp .x', 0, 5) });
    expect(lines(d)).toEqual([1]);
    await client.close(u);
  });

  it('from a definition to itself, and nothing for an instruction', async () => {
    expect(lines(await definition('stack_top:'))).toEqual([lineOf(kernel, 'stack_top:')]);
    expect(await definition('dec ecx')).toEqual([]);
  });
});

describe('references', () => {
  it('of a local label stay in its scope, and include the fully qualified use', async () => {
    const r = await references('.loop:', 1, 0);
    expect(lines(r)).toEqual([lineOf(kernel, '.loop:', 0), lineOf(kernel, 'jnz .loop'), lineOf(kernel, 'jmp _start.loop')]);
    const other = await references('loop .loop', 6);
    expect(lines(other)).toEqual([lineOf(kernel, '.loop:', 1), lineOf(kernel, 'loop .loop')]);
  });

  it('of a constant reach into the include that defines it and the macro that uses it', async () => {
    const r = await references('SERIAL_PORT + 5', 1);
    expect(r.map((l) => [path.basename(l.uri), l.range.start.line]).sort()).toEqual(
      [['kernel-defs.inc', 1], ['kernel-defs.inc', lineOf(defs, 'mov dx, SERIAL_PORT')], ['kernel.asm', lineOf(kernel, 'SERIAL_PORT + 5')]].sort(),
    );
    const noDecl = await references('SERIAL_PORT + 5', 1, 0, false);
    expect(noDecl).toHaveLength(2);
  });

  it('of a macro', async () => {
    const r = await references("SEND 'x'", 1);
    expect(r.map((l) => path.basename(l.uri)).sort()).toEqual(['kernel-defs.inc', 'kernel.asm']);
  });
});

describe('rename', () => {
  it('renames a local label in its scope only, fully qualified uses included', async () => {
    const p = positionOf(kernel, 'jnz .loop', 0, 5);
    const prep = await client.request<{ placeholder: string }>('textDocument/prepareRename', { ...td, position: p });
    expect(prep.placeholder).toBe('.loop');
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { ...td, position: p, newName: '.again' });
    const after = applyEdits(kernel, edit.changes![uri]);
    expect(after).toContain('.again:\n    call putc_twice');
    expect(after).toContain('jnz .again');
    expect(after).toContain('jmp _start.again');
    expect(after).toContain('loop .loop');
    expect(Object.keys(edit.changes!)).toEqual([uri]);
  });

  it('renames a constant across the file and its include', async () => {
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { ...td, position: positionOf(kernel, 'SERIAL_PORT'), newName: 'UART' });
    expect(applyEdits(defs, edit.changes![uriOf(defsFile)])).toContain('UART equ 0x3f8');
    expect(applyEdits(defs, edit.changes![uriOf(defsFile)])).toContain('mov dx, UART');
    expect(applyEdits(kernel, edit.changes![uri])).toContain('mov dx, UART + 5');
  });

  it('refuses bad new names with an error', async () => {
    const rename = (needle: string, newName: string, offset = 1) =>
      client.request('textDocument/rename', { ...td, position: positionOf(kernel, needle, 0, offset), newName });
    await expect(rename('jnz .loop', 'again', 5)).rejects.toThrow(/must start with '\.'/);
    await expect(rename('call putc_twice', '.local', 6)).rejects.toThrow(/local label/);
    await expect(rename('call putc_twice', 'eax', 6)).rejects.toThrow(/reserved word/);
    await expect(rename('call putc_twice', '9lives', 6)).rejects.toThrow(/not a valid label name/);
    await expect(rename('call putc_twice', 'counter', 6)).rejects.toThrow(/already defined/);
    const e = await rename('dec ecx', 'x', 0).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseError);
    expect((e as ResponseError<unknown>).message).toMatch(/only labels can be renamed/);
  });
});

describe('symbols', () => {
  it('document symbols: labels with their local labels, constants, sections of data', async () => {
    const s = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', td);
    const byName = new Map(s.map((x) => [x.name, x]));
    expect([...byName.keys()]).toEqual(['LOOPS', '_start', 'putc_twice', 'counter', 'stack', 'stack_top']);
    expect(byName.get('LOOPS')!.kind).toBe(SymbolKind.Constant);
    expect(byName.get('_start')!.kind).toBe(SymbolKind.Function);
    expect(byName.get('_start')!.children!.map((c) => c.name)).toEqual(['.loop']);
    expect(byName.get('putc_twice')!.children!.map((c) => c.name)).toEqual(['.loop']);
    expect(byName.get('counter')!.kind).toBe(SymbolKind.Variable);
    expect(byName.get('_start')!.detail).toMatch(/^0x1/);
    const start = byName.get('_start')!;
    expect(start.range.start.line).toBe(lineOf(kernel, '_start:'));
    expect(start.range.end.line).toBe(lineOf(kernel, 'putc_twice:') - 1);
  });

  it('workspace symbols: from open files, their includes and the workspace folder', async () => {
    const s = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'part' });
    // broken-part.inc's label is found in the folder although no open file includes it.
    expect(s.map((x) => x.name)).toContain('part_label');
    const send = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'SEND' });
    expect(send.find((x) => x.name === 'SEND')!.location.uri).toBe(uriOf(defsFile));
    const fuzzy = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'ptw' });
    expect(fuzzy.map((x) => x.name)).toContain('putc_twice');
  });
});
