// Completion, folding and semantic tokens.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, FoldingRange, InitializeResult, SemanticTokens } from 'vscode-languageserver-protocol';
import { LspClient, uriOf } from './client.js';
import { FIXTURES, lineOf, positionOf, SAMPLES } from './text.js';

let client: LspClient;
let legend: { tokenTypes: string[]; tokenModifiers: string[] };
const kernelFile = path.join(FIXTURES, 'kernel.asm');
const kernel = fs.readFileSync(kernelFile, 'utf8');
const kernelUri = uriOf(kernelFile);

beforeAll(async () => {
  client = LspClient.start();
  const init: InitializeResult = await client.initialize();
  legend = init.capabilities.semanticTokensProvider!.legend;
  await client.open(kernelUri, kernel);
});

afterAll(async () => {
  expect(await client.stop()).toBe(0);
});

async function complete(uri: string, text: string, needle: string, offset: number): Promise<CompletionItem[]> {
  const r = await client.request<CompletionItem[] | { items: CompletionItem[] }>('textDocument/completion', { textDocument: { uri }, position: positionOf(text, needle, 0, offset) });
  return Array.isArray(r) ? r : r.items;
}

describe('completion', () => {
  const text = `bits 32\n%include "kernel-defs.inc"\nLIMIT equ 4\nstart:\n    mo\n    mov eax, st\n.inner:\n    jmp .\n    SE\n%if\nother:\n    jmp .\n`;
  const uri = uriOf(path.join(FIXTURES, 'completion-scratch.asm'));
  beforeAll(async () => {
    await client.open(uri, text);
  });

  it('offers mnemonics, prefixes, directives and macros where an instruction starts', async () => {
    const items = await complete(uri, text, '    mo\n', 6);
    const labels = items.map((i) => i.label);
    for (const x of ['mov', 'movzx', 'popf', 'cli', 'lock', 'rep', 'times', 'db', 'section', 'SEND']) expect(labels).toContain(x);
    expect(labels).not.toContain('eax');
    const mov = items.find((i) => i.label === 'mov')!;
    expect(mov.textEdit).toEqual({ range: { start: { line: 4, character: 4 }, end: { line: 4, character: 6 } }, newText: 'mov' });
    const resolved = await client.request<CompletionItem>('completionItem/resolve', items.find((i) => i.label === 'popf'));
    expect((resolved.documentation as { value: string }).value).toMatch(/Sensitive but not privileged/);
  });

  it('offers registers, labels, constants and size keywords in operands', async () => {
    const items = await complete(uri, text, 'mov eax, st', 11);
    const labels = items.map((i) => i.label);
    for (const x of ['start', 'other', 'LIMIT', 'SERIAL_PORT', 'esp', 'cr3', 'dword']) expect(labels).toContain(x);
    expect(labels).not.toContain('movzx');
    expect(items.find((i) => i.label === 'LIMIT')!.detail).toBe('equ 4');
  });

  it('offers the local labels of the current scope after a dot', async () => {
    const mine = await complete(uri, text, 'jmp .', 5);
    expect(mine.map((i) => i.label)).toEqual(['.inner']);
    const theirs = await complete(uri, text, 'other:\n    jmp .', 16);
    expect(theirs).toEqual([]);
  });

  it('offers preprocessor directives after % at the start of a line', async () => {
    const items = await complete(uri, text, '%if\n', 3);
    const labels = items.map((i) => i.label);
    for (const x of ['%if', '%ifdef', '%include', '%macro', '%endmacro', '%define']) expect(labels).toContain(x);
    expect(items.find((i) => i.label === '%ifdef')!.textEdit).toEqual({ range: { start: { line: lineOf(text, '%if'), character: 0 }, end: { line: lineOf(text, '%if'), character: 3 } }, newText: '%ifdef' });
  });

  it('offers nothing inside comments', async () => {
    expect(await complete(kernelUri, kernel, '; the hypercall', 6)).toEqual([]);
  });
});

describe('folding', () => {
  it('folds macros, conditionals, repetitions, labels, sections and comment blocks', async () => {
    const text = [
      '; one', // 0
      '; two', // 1
      'bits 32', // 2
      '%macro M 0', // 3
      '    nop', // 4
      '    nop', // 5
      '%endmacro', // 6
      '%ifdef X', // 7
      '    nop', // 8
      '    nop', // 9
      '%else', // 10
      '    hlt', // 11
      '    hlt', // 12
      '%endif', // 13
      'section .text', // 14
      'start:', // 15
      '    nop', // 16
      '%rep 3', // 17
      '    nop', // 18
      '    nop', // 19
      '%endrep', // 20
      'next:', // 21
      '    ret', // 22
    ].join('\n');
    const uri = uriOf(path.join(os.tmpdir(), `hyperstep-fold-${process.pid}.asm`));
    await client.open(uri, text);
    const f = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
    const got = f.map((r) => `${r.startLine}-${r.endLine}${r.kind ? ` ${r.kind}` : ''}`).sort();
    expect(got).toEqual(['0-1 comment', '3-5', '7-9', '10-12', '14-22', '15-20', '17-19', '21-22'].sort());
  });
});

describe('semantic tokens', () => {
  interface Decoded {
    line: number;
    text: string;
    type: string;
    modifiers: string[];
  }
  function decode(text: string, data: number[]): Decoded[] {
    const lines = text.split('\n');
    const out: Decoded[] = [];
    let line = 0;
    let start = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      start = data[i] === 0 ? start + data[i + 1] : data[i + 1];
      out.push({
        line,
        text: lines[line].slice(start, start + data[i + 2]),
        type: legend.tokenTypes[data[i + 3]],
        modifiers: legend.tokenModifiers.filter((_, b) => data[i + 4] & (1 << b)),
      });
    }
    return out;
  }

  it('uses the contributed type names', () => {
    for (const t of ['sensitiveInstruction', 'privilegedInstruction', 'hypercallInstruction', 'vmxInstruction', 'instruction']) expect(legend.tokenTypes).toContain(t);
  });

  it('colours instructions by their virtualization class, decided by the form', async () => {
    const text = 'bits 32\nstart:\n    int 0x82\n    int 0x80\n    popfd\n    cli\n    mov cr3, eax\n    mov eax, ebx\n    vmxon [start]\n    vmcall\n    jmp start\n';
    const uri = uriOf(path.join(os.tmpdir(), `hyperstep-tokens-${process.pid}.asm`));
    await client.open(uri, text);
    const st = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    const tokens = decode(text, st.data);
    const mnemonicType = (needle: string) => tokens.find((t) => t.line === lineOf(text, needle) && /nstruction$/.test(t.type))?.type;
    expect(mnemonicType('int 0x82')).toBe('hypercallInstruction');
    expect(mnemonicType('int 0x80')).toBe('sensitiveInstruction');
    expect(mnemonicType('popfd')).toBe('sensitiveInstruction');
    expect(mnemonicType('cli')).toBe('privilegedInstruction');
    expect(mnemonicType('mov cr3')).toBe('privilegedInstruction');
    expect(mnemonicType('mov eax, ebx')).toBe('instruction');
    expect(mnemonicType('vmxon')).toBe('vmxInstruction');
    expect(mnemonicType('vmcall')).toBe('hypercallInstruction');
    expect(tokens.find((t) => t.text === 'start' && t.modifiers.includes('declaration'))!.type).toBe('function');
    expect(tokens.filter((t) => t.text === 'eax').every((t) => t.type === 'variable' && t.modifiers.includes('defaultLibrary'))).toBe(true);
    expect(tokens.find((t) => t.text === '0x82')!.type).toBe('number');
  });

  it('covers a whole sample: comments, macros, constants, local labels', async () => {
    const file = path.join(SAMPLES, 'pv-popf.asm');
    const text = fs.readFileSync(file, 'utf8');
    const uri = uriOf(file);
    await client.open(uri, text);
    const tokens = decode(text, (await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } })).data);
    const find = (t: string) => tokens.find((x) => x.text === t);
    expect(find('irq_disable')!.type).toBe('macro');
    expect(find('ROUNDS')).toMatchObject({ type: 'variable', modifiers: ['declaration', 'readonly'] });
    expect(find('.round')).toMatchObject({ type: 'label', modifiers: ['declaration'] });
    expect(find('shared')!.type).toBe('variable');
    expect(tokens[0].type).toBe('comment');
    expect(find('%include')!.type).toBe('keyword');
  });
});
