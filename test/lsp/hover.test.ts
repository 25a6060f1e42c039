// Hovers: instructions from the knowledge base with the technique's behaviour and cost,
// registers, numbers in three bases with what they mean where used (vectors, I/O ports, Xen
// hypercall numbers), labels (address, size, references), constants and macros.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hover, Position } from 'vscode-languageserver-protocol';
import { LspClient, uriOf } from './client.js';
import { FIXTURES, positionOf } from './text.js';

let client: LspClient;
const kernelFile = path.join(FIXTURES, 'kernel.asm');
const kernel = fs.readFileSync(kernelFile, 'utf8');
const kernelUri = uriOf(kernelFile);

beforeAll(async () => {
  client = LspClient.start();
  client.settings = { technique: 'trap-and-emulate' };
  await client.initialize();
  await client.open(kernelUri, kernel);
});

afterAll(async () => {
  expect(await client.stop()).toBe(0);
});

async function hoverText(uri: string, position: Position): Promise<string> {
  const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
  if (!h) return '';
  const c = h.contents as { kind: string; value: string };
  expect(c.kind).toBe('markdown');
  return c.value;
}

const at = (needle: string, offset = 0, occurrence = 0) => hoverText(kernelUri, positionOf(kernel, needle, occurrence, offset));

describe('instruction hovers', () => {
  let uri: string;
  const text = 'bits 32\n    pushfd\n    cli\n    popfd\n    mov cr3, eax\n    int 0x82\n';
  beforeAll(async () => {
    uri = uriOf(path.join(os.tmpdir(), `hyperstep-hover-${process.pid}.asm`));
    await client.open(uri, text);
  });

  it('popf: sensitive but not privileged, with what trap-and-emulate does and every technique', async () => {
    const h = await hoverText(uri, positionOf(text, 'popfd', 0, 2));
    expect(h).toMatch(/^\*\*popf\*\* — Pop EFLAGS\./);
    expect(h).toMatch(/Sensitive but not privileged/);
    expect(h).toMatch(/\*\*Under trap-and-emulate\*\* \(the `hyperstep.technique` setting\): Runs natively at ring 1 with IOPL 0: the IF and IOPL changes are silently dropped/);
    expect(h).toMatch(/the guest believes interrupts are off while they stay on/);
    for (const t of ['native', 'trap-and-emulate', 'binary-translation', 'paravirt', 'vt-x']) expect(h).toContain(`- *${t}*:`);
    expect(h).toMatch(/\*\*Flags:\*\* reads —; writes CF PF AF ZF SF OF TF IF DF IOPL NT AC ID/);
    expect(h).toMatch(/\*\*Privilege:\*\* any CPL/);
  });

  it('cli: IOPL-sensitive, traps with its modelled cost', async () => {
    const h = await hoverText(uri, positionOf(text, 'cli', 0, 1));
    expect(h).toMatch(/IOPL-sensitive/);
    expect(h).toMatch(/Traps to the VMM: about 600 cycles each time \(trap round trip 400 \+ emulation 200\)/);
  });

  it('the operands choose the form: mov cr3 is privileged, int 0x82 a hypercall', async () => {
    expect(await hoverText(uri, positionOf(text, 'mov cr3', 0, 1))).toMatch(/\*\*Privileged\*\*[^]*form `mov CRn, r32/);
    expect(await hoverText(uri, positionOf(text, 'int 0x82', 0, 1))).toMatch(/\*\*Hypercall\*\*[^]*form `int 0x82`/);
  });

  it('a technique comment changes the behaviour shown', async () => {
    const u = uriOf(path.join(os.tmpdir(), `hyperstep-hover-pv-${process.pid}.asm`));
    const t = '; hyperstep: technique=paravirt\n    popfd\n';
    await client.open(u, t);
    const h = await hoverText(u, positionOf(t, 'popfd'));
    expect(h).toMatch(/\*\*Under paravirt\*\* \(this file's `; hyperstep: technique=` comment\)/);
    expect(h).toMatch(/restore_fl/);
  });
});

describe('registers and numbers', () => {
  it('registers: class, parts, role', async () => {
    const h = await at('mov esp, stack_top', 5);
    expect(h).toMatch(/\*\*esp\*\* — 32-bit general-purpose register \(encoding 4\)/);
    expect(h).toMatch(/Stack pointer/);
    const ecx = await at('mov ecx, LOOPS', 5);
    expect(ecx).toMatch(/`cx` \(bits 15–0\), `ch` \(bits 15–8\), `cl` \(bits 7–0\)/);
  });

  it('numbers in hex, decimal and binary', async () => {
    const h = await at('mov eax, 18', 10);
    expect(h).toMatch(/^`0x12` = `18` = `0b1_0010`/);
  });

  it('names the Xen hypercall loaded into EAX before int 0x82, and the vector', async () => {
    expect(await at('mov eax, 18', 10)).toMatch(/Xen hypercall 18 = `console_io`/);
    const vec = await at('int 0x82', 5);
    expect(vec).toMatch(/^`0x82` = `130` = `0b1000_0010`/);
    expect(vec).toMatch(/Interrupt vector 0x82: the Xen x86_32 PV hypercall vector/);
    expect(vec).toMatch(/Calls Xen hypercall 18 = `console_io` \(EAX\)/);
    expect(await at('int 0x82', 1)).toMatch(/Calls Xen hypercall 18 = `console_io`/);
  });

  it('names I/O ports: an immediate port, and a constant loaded into DX before IN', async () => {
    expect(await at('out 0xf4', 5)).toMatch(/I\/O port 0xf4: isa-debug-exit \(QEMU\)/);
    const p = await at('SERIAL_PORT + 5', 1);
    expect(p).toMatch(/\*\*SERIAL_PORT\*\* — constant \(EQU\) `0x3f8` = `1016`/);
    expect(p).toMatch(/I\/O port 0x3f8: COM1 \(16550A UART, IRQ4\)/);
    expect(await at('SERIAL_PORT + 5', 14)).toMatch(/`0x5` = `5`/);
  });
});

describe('labels, constants and macros', () => {
  it('a label: address, section, size, where and how often it is used', async () => {
    const h = await at('call putc_twice', 6);
    expect(h).toMatch(/^\*\*putc_twice\*\* — label at `0x[0-9a-f]{8}` in `\.text`, \d+ bytes/);
    expect(h).toMatch(/Defined at kernel\.asm:\d+ · 1 reference/);
  });

  it('a local label shows its qualified name', async () => {
    const h = await at('jnz .loop', 5);
    expect(h).toMatch(/^\*\*_start\.loop\*\* — local label at `0x/);
    expect(h).toMatch(/2 references/);
  });

  it('a constant: its value', async () => {
    expect(await at('mov ecx, LOOPS', 10)).toMatch(/^\*\*LOOPS\*\* — constant \(EQU\) `0x3` = `3` = `0b11`/);
  });

  it('a macro: where it is defined, its comment and body', async () => {
    const h = await at("SEND 'x'", 1);
    expect(h).toMatch(/^\*\*SEND\*\* — multi-line macro \(1 parameter\), kernel-defs\.inc:5/);
    expect(h).toMatch(/Sends one character over COM1\./);
    expect(h).toMatch(/```nasm\n%macro SEND 1\n {4}mov al, %1/);
  });

  it('directives and keywords', async () => {
    expect(await at('bits 32', 1)).toMatch(/\*\*bits\*\* — Selects 16- or 32-bit code/);
    expect(await at('inc dword', 5)).toMatch(/\*\*dword\*\* — Operand size: 32 bits/);
    expect(await at('%include', 2)).toMatch(/\*\*%include\*\* — Includes a source file/);
  });

  it('nothing in comments and blank space', async () => {
    expect(await at('; kernel.asm', 3)).toBe('');
    expect(await hoverText(kernelUri, { line: 4, character: 0 })).toBe('');
  });
});
