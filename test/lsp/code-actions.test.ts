// The "Paravirtualize" code action: offered on cli/sti/pushf/popf (and their sequences), as a
// quick fix of the lints, with edits that leave an assemblable program — the same bytes natively
// where the pv_ops macro expands to the original instructions, and a Xen build with -D XEN.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic, Range } from 'vscode-languageserver-protocol';
import { assemble } from '../helpers/assembler.js';
import { CLI_BIN } from '../helpers/paths.js';
import { LspClient, uriOf } from './client.js';
import { applyEdits, lineOf, SAMPLE_INCLUDES, SAMPLES } from './text.js';

let client: LspClient;
let tmp: string;

beforeAll(async () => {
  client = LspClient.start();
  client.settings = { technique: 'trap-and-emulate', includePaths: [SAMPLE_INCLUDES] };
  await client.initialize();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-lsp-actions-'));
});

afterAll(async () => {
  expect(await client.stop()).toBe(0);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const lineRange = (line: number): Range => ({ start: { line, character: 4 }, end: { line, character: 4 } });

async function actions(uri: string, range: Range, diagnostics: Diagnostic[] = [], only?: string[]): Promise<CodeAction[]> {
  return client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, only } });
}

function assembled(text: string, file: string, defines: Record<string, string> = {}) {
  return assemble(text, { fileName: file, includePaths: [path.dirname(file), SAMPLE_INCLUDES], defines });
}

describe('paravirtualize', () => {
  it('is offered on cli and gives a program that assembles to the same bytes', async () => {
    const text = 'bits 32\norg 0x100000\nstart:\n    cli                 ; no more interrupts\n    hlt\n';
    const file = path.join(tmp, 'cli.asm');
    const uri = uriOf(file);
    await client.open(uri, text);
    const found = await actions(uri, lineRange(lineOf(text, 'cli')));
    const pv = found.find((a) => a.title.startsWith('Paravirtualize: cli'))!;
    expect(pv.title).toBe('Paravirtualize: cli → irq_disable (pv_ops)');
    expect(pv.kind).toBe('refactor.rewrite.paravirtualize');
    const after = applyEdits(text, pv.edit!.changes![uri]);
    expect(after).toMatch(/^ {4}irq_disable {2,}; no more interrupts$/m);
    // No pvops.inc beside this file and no lib.inc: the native macro is defined in place.
    expect(after).toMatch(/%macro irq_disable 0\n {4}cli\n%endmacro/);
    const before = assembled(text, file);
    const result = assembled(after, file);
    expect(result.diagnostics).toEqual([]);
    expect(Buffer.from(result.bytes).equals(Buffer.from(before.bytes))).toBe(true);
  });

  it('is the quick fix of the lint on cli', async () => {
    const text = 'bits 32\n    cli\n';
    const uri = uriOf(path.join(tmp, 'quickfix.asm'));
    const diagnostics = await client.open(uri, text);
    const lint = diagnostics.filter((d) => d.source === 'hyperstep-virt');
    expect(lint).toHaveLength(1);
    const found = await actions(uri, lint[0].range, lint);
    const fix = found.find((a) => a.kind === 'quickfix')!;
    expect(fix.title).toBe('Paravirtualize: cli → irq_disable (pv_ops)');
    expect(fix.isPreferred).toBe(true);
    expect(fix.diagnostics).toEqual(lint);
    expect(await actions(uri, lineRange(1), [], ['quickfix'])).toEqual([]);
  });

  it('recognises sequences and keeps PUSHFD/POPFD stack effects', async () => {
    const text = [
      'bits 32',
      'org 0x100000',
      'start:',
      '    pushfd',
      '    pop eax',
      '    push eax',
      '    popfd',
      '    sti',
      '    hlt',
      '    pushfd',
      '    and dword [esp], ~0x200',
      '    popfd',
      '    pushfd                  ; save',
      '    mov ebx, 1',
      '.x: popfd',
      '',
    ].join('\n');
    const file = path.join(tmp, 'sequences.asm');
    const uri = uriOf(file);
    await client.open(uri, text);
    const at = async (line: number) => (await actions(uri, lineRange(line))).filter((a) => a.kind !== 'source.paravirtualize').map((a) => a.title);
    expect(await at(3)).toEqual(['Paravirtualize: pushfd / pop eax → save_fl (pv_ops)']);
    expect(await at(6)).toEqual(['Paravirtualize: push eax / popfd → restore_fl (pv_ops)']);
    expect(await at(8)).toEqual(['Paravirtualize: sti / hlt → safe_halt (pv_ops)']);
    expect(await at(10)).toEqual(['Paravirtualize: pushfd / and dword [esp], ~0x200 / popfd → irq_disable (pv_ops)']);
    expect(await at(12)).toEqual(['Paravirtualize: pushfd → save_fl (pv_ops)']);
    const whole = (await actions(uri, lineRange(0), [], ['source'])).find((a) => a.kind === 'source.paravirtualize')!;
    expect(whole.title).toBe('Paravirtualize every interrupt-flag instruction in this file (6 places)');
    const after = applyEdits(text, whole.edit!.changes![uri]);
    expect(after).toContain('    push eax                ; save\n    save_fl\n    xchg eax, [esp]\n');
    expect(after).toContain('.x:\n    xchg eax, [esp]\n    restore_fl\n    pop eax');
    const result = assembled(after, file);
    expect(result.diagnostics).toEqual([]);
  });

  it('on a real kernel: brings in pvops.inc and PV_DATA, and the result runs the same natively', async () => {
    const file = path.join(SAMPLES, 'popf-hole.asm');
    const text = fs.readFileSync(file, 'utf8');
    const uri = uriOf(file);
    await client.open(uri, text);
    const whole = (await actions(uri, lineRange(lineOf(text, 'cli\n')))).find((a) => a.kind === 'source.paravirtualize')!;
    const after = applyEdits(text, whole.edit!.changes![uri]);
    expect(after).toContain('%include "lib.inc"\n%include "pvops.inc"');
    expect(after).toContain('section .data\nPV_DATA');
    expect(after).not.toMatch(/^\s+(cli|sti|pushfd|popfd)\b/m);
    const native = assembled(after, file);
    expect(native.diagnostics).toEqual([]);
    expect(assembled(after, file, { XEN: '' }).diagnostics).toEqual([]);
    const edited = path.join(tmp, 'popf-hole-pv.asm');
    fs.writeFileSync(edited, after);
    const run = spawnSync(process.execPath, [CLI_BIN, 'run', edited, '-I', SAMPLE_INCLUDES], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout).toBe('popf-hole: critical sections intact\n');
  });

  it('is not offered where nothing can be paravirtualized', async () => {
    const file = path.join(SAMPLES, 'pv-popf.asm');
    const text = fs.readFileSync(file, 'utf8');
    const uri = uriOf(file);
    await client.open(uri, text);
    expect(await actions(uri, lineRange(lineOf(text, '    irq_disable')))).toEqual([]);
    expect(await actions(uri, lineRange(lineOf(text, 'mov esp')))).toEqual([]);
  });
});
