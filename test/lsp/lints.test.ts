// Virtualization lints for the file's technique: the `; hyperstep: technique=NAME` comment, else
// the hyperstep.technique setting (workspace/configuration, re-read on didChangeConfiguration).
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient, uriOf } from './client.js';
import { lineOf } from './text.js';

let client: LspClient;
let n = 0;
const fresh = () => uriOf(path.join(os.tmpdir(), `hyperstep-lint-${process.pid}-${n++}.asm`));

beforeAll(async () => {
  client = LspClient.start();
  client.settings = { technique: 'trap-and-emulate' };
  await client.initialize();
});

afterAll(async () => {
  expect(await client.stop()).toBe(0);
});

const lints = (d: Diagnostic[]) => d.filter((x) => x.source === 'hyperstep-virt');
const on = (d: Diagnostic[], text: string, needle: string) => lints(d).filter((x) => x.range.start.line === lineOf(text, needle));

const KERNEL = `bits 32
org 0x100000
start:
    pushfd
    cli
    mov eax, cr0
    mov cr3, eax
    popfd
    in al, 0x60
    sgdt [gdt_copy]
    cpuid
    vmxon [region]
    add eax, 1
    hlt
gdt_copy: dq 0
region: dq 0
`;

describe('lints by technique', () => {
  it('trap-and-emulate: POPF is a silent hole, CLI traps with its cost', async () => {
    const text = `; hyperstep: technique=trap-and-emulate\n${KERNEL}`;
    const d = await client.open(fresh(), text);
    const popf = on(d, text, 'popfd');
    expect(popf).toHaveLength(1);
    expect(popf[0].severity).toBe(DiagnosticSeverity.Warning);
    expect(popf[0].code).toBe('virtualization-hole');
    expect(popf[0].message).toMatch(/IF changes are silently ignored at ring 1 — sensitive but not privileged/);
    const cli = on(d, text, 'cli');
    expect(cli[0].severity).toBe(DiagnosticSeverity.Information);
    expect(cli[0].message).toBe('cli traps to the VMM under trap-and-emulate (#GP at ring 1 with IOPL 0) and is emulated — about 600 cycles each time (trap round trip 400 + emulation 200).');
    expect(on(d, text, 'mov cr3')[0].message).toMatch(/^mov traps to the VMM .* about 600 cycles/);
    expect(on(d, text, 'in al')[0].message).toMatch(/about 900 cycles .*device model 300/);
    expect(on(d, text, 'sgdt')[0].message).toMatch(/sensitive but not privileged/);
    expect(on(d, text, 'vmxon')[0].severity).toBe(DiagnosticSeverity.Warning);
    expect(on(d, text, 'add eax')).toEqual([]);
    expect(on(d, text, 'cpuid')).toEqual([]);
    // The range is the instruction.
    expect(text.split('\n')[cli[0].range.start.line].slice(cli[0].range.start.character, cli[0].range.end.character)).toBe('cli');
    expect(text.split('\n')[on(d, text, 'mov cr3')[0].range.start.line].slice(on(d, text, 'mov cr3')[0].range.start.character, on(d, text, 'mov cr3')[0].range.end.character)).toBe('mov cr3, eax');
  });

  it('paravirt: privileged instructions name the pv_ops macro or Xen hypercall to use', async () => {
    const text = `; hyperstep: technique=paravirt\n${KERNEL}`;
    const d = await client.open(fresh(), text);
    const cli = on(d, text, 'cli')[0];
    expect(cli.severity).toBe(DiagnosticSeverity.Warning);
    expect(cli.code).toBe('pv-privileged');
    expect(cli.message).toBe(
      'cli is privileged: under paravirt the kernel is a Xen PV guest in ring 1, where it faults to Xen — use irq_disable (pv_ops) or set the event-channel upcall mask in shared_info (vcpu_info.evtchn_upcall_mask = 1) instead.',
    );
    expect(on(d, text, 'mov cr3')[0].message).toMatch(/write_cr3 \(pv_ops\): mmuext_op \(hypercall 26\) with MMUEXT_NEW_BASEPTR/);
    expect(on(d, text, 'hlt')[0].message).toMatch(/safe_halt \(pv_ops\): sched_op \(hypercall 29\)/);
    expect(on(d, text, 'popfd')[0].message).toMatch(/sensitive but not privileged.*restore_fl/);
    expect(on(d, text, 'pushfd')[0].message).toMatch(/save_fl/);
    expect(on(d, text, 'in al')[0].message).toMatch(/console_io \(hypercall 18\)/);
  });

  it('binary-translation: sensitive and privileged instructions become callouts', async () => {
    const text = `; hyperstep: technique=binary-translation\n${KERNEL}`;
    const d = await client.open(fresh(), text);
    expect(on(d, text, 'popfd')[0].message).toBe(
      'popfd is rewritten into a callout to the VMM under binary-translation — about 240 cycles each time (callout 40 + emulation 200). This closes the hole it leaves under trap-and-emulate.',
    );
    expect(on(d, text, 'popfd')[0].severity).toBe(DiagnosticSeverity.Information);
    expect(on(d, text, 'add eax')).toEqual([]);
  });

  it('vt-x: VM exits with their reason and cost; the holes are gone', async () => {
    const text = `; hyperstep: technique=vt-x\n${KERNEL}`;
    const d = await client.open(fresh(), text);
    expect(on(d, text, 'cpuid')[0].message).toBe('cpuid always causes a VM exit (CPUID) under vt-x — about 1,700 cycles each time (exit/entry round trip 1,500 + handling 200).');
    expect(on(d, text, 'hlt')[0].message).toMatch(/can cause a VM exit \(HLT\) under vt-x: HLT exiting/);
    expect(on(d, text, 'popfd')).toEqual([]);
    expect(on(d, text, 'cli')).toEqual([]);
  });

  it('native: nothing to say about a ring-0 kernel', async () => {
    const text = `; hyperstep: technique=native\n${KERNEL}`;
    const d = await client.open(fresh(), text);
    expect(lints(d)).toEqual([]);
  });

  it('an unknown technique in the comment is a warning on its name', async () => {
    const text = `; hyperstep: technique=xen-hvm\n${KERNEL}`;
    const d = await client.open(fresh(), text);
    const w = lints(d).find((x) => x.code === 'unknown-technique')!;
    expect(w.message).toMatch(/unknown technique 'xen-hvm'/);
    expect(w.range).toEqual({ start: { line: 0, character: 23 }, end: { line: 0, character: 30 } });
  });

  it('lints only what is assembled: a false %if branch and an unused macro are left alone', async () => {
    const text = `bits 32\n%ifdef XEN\n    cli\n%else\n    sti\n%endif\n%macro unused 0\n    popfd\n%endmacro\n%macro used 0\n    pushfd\n%endmacro\n    used\n`;
    const d = await client.open(fresh(), text);
    expect(on(d, text, 'cli')).toEqual([]);
    expect(on(d, text, 'sti')).toHaveLength(1);
    expect(on(d, text, 'popfd')).toEqual([]);
    expect(on(d, text, 'pushfd')).toHaveLength(1);
  });

  it('classifies the form: int 0x82 and mov to a segment register', async () => {
    const text = `; hyperstep: technique=trap-and-emulate\nXEN_VECTOR equ 0x82\n    int XEN_VECTOR\n    mov ds, ax\n    mov eax, ebx\n`;
    const d = await client.open(fresh(), text);
    expect(on(d, text, 'int XEN')[0].message).toMatch(/No hypervisor listens on vector 0x82/);
    expect(on(d, text, 'mov ds')[0].code).toBe('virtualization-hole');
    expect(on(d, text, 'mov eax, ebx')).toEqual([]);
  });
});

describe('the technique setting', () => {
  it('follows hyperstep.technique from workspace/configuration and its changes', async () => {
    const uri = fresh();
    const text = '    cli\n    cpuid\n';
    client.settings = { technique: 'vt-x' };
    // Settings are read per document when it opens.
    let d = await client.open(uri, text);
    expect(lints(d).map((x) => x.code)).toEqual(['vm-exit']);
    expect(client.configurationRequests.length).toBeGreaterThan(0);
    client.settings = { technique: 'paravirt' };
    const again = client.waitForDiagnostics(uri, 1);
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    d = (await again).diagnostics;
    expect(lints(d).map((x) => x.code)).toEqual(['pv-privileged']);
    client.settings = { technique: 'trap-and-emulate' };
  });

  it('a file comment wins over the setting', async () => {
    client.settings = { technique: 'paravirt' };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const text = '; hyperstep: technique=native\n    cli\n';
    expect(lints(await client.open(fresh(), text))).toEqual([]);
    client.settings = { technique: 'trap-and-emulate' };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });

  it('uses pushed settings when the client has no workspace/configuration', async () => {
    const other = LspClient.start();
    try {
      await other.initialize({ configuration: false, initializationOptions: { hyperstep: { technique: 'binary-translation' } } });
      const uri = fresh();
      expect(lints(await other.open(uri, '    cli\n')).map((x) => x.code)).toEqual(['callout']);
      const again = other.waitForDiagnostics(uri, 1);
      await other.conn.sendNotification('workspace/didChangeConfiguration', { settings: { hyperstep: { technique: 'vt-x' } } });
      expect(lints((await again).diagnostics)).toEqual([]);
      // A bad value is logged and the default (trap-and-emulate) is used.
      const bad = other.waitForDiagnostics(uri, 1);
      await other.conn.sendNotification('workspace/didChangeConfiguration', { settings: { hyperstep: { technique: 'bogus' } } });
      expect(lints((await bad).diagnostics).map((x) => x.code)).toEqual(['trap']);
    } finally {
      expect(await other.stop()).toBe(0);
    }
  });
});
