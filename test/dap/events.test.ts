// Exception breakpoint filters, data breakpoints and stepping into a VM exit, through DebugClient
// over stdio (`hyperstep dap`).
import { describe, expect, test } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CLI_BIN, REPO_ROOT } from '../helpers/paths.js';
import { adapterPerTest, COUNTER, launch, refusal, topFrame } from './adapter.js';

const VTX_EXITS = path.join(REPO_ROOT, 'samples', 'vtx-exits.asm');
const POPF_HOLE = path.join(REPO_ROOT, 'samples', 'popf-hole.asm');
const GUESTS = path.join(REPO_ROOT, 'test', 'dap', 'guests');
const WATCH = path.join(GUESTS, 'events-watch.asm');
const FAULT = path.join(GUESTS, 'events-fault.asm');
const PV = path.join(GUESTS, 'events-pv.asm');

const open = adapterPerTest();

function sourceLine(file: string, line: number): string {
  return fs.readFileSync(file, 'utf8').split('\n')[line - 1] ?? '';
}

function lineOf(file: string, marker: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`${marker} not in ${file}`);
  return i + 1;
}

/** Exits by reason of a whole run on the command line. */
function exitCounts(file: string, technique: string): Record<string, number> {
  const r = spawnSync(process.execPath, [CLI_BIN, 'run', file, '--technique', technique, '--json'], { encoding: 'utf8' });
  return (JSON.parse(r.stdout) as { exits: { byReason: Record<string, number> } }).exits.byReason;
}

async function variablesOf(dc: DebugClient, frameId: number, scope: string): Promise<DebugProtocol.Variable[]> {
  const scopes = await dc.scopesRequest({ frameId });
  const s = scopes.body.scopes.find((x) => x.name === scope);
  if (s === undefined) throw new Error(`no scope ${scope} in ${scopes.body.scopes.map((x) => x.name).join(', ')}`);
  return (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
}

describe('exception breakpoint filters', () => {
  test('initialize lists every filter with conditions; hole and shutdown are on by default', async () => {
    const dc = open();
    const caps = (await dc.initializeRequest()).body ?? {};
    const filters = caps.exceptionBreakpointFilters ?? [];
    expect(filters.map((f) => f.filter)).toEqual(['guest-exception', 'vm-exit', 'hypercall', 'translation-callout', 'virtualization-hole', 'shutdown']);
    expect(filters.every((f) => f.supportsCondition === true)).toBe(true);
    expect(filters.filter((f) => f.default === true).map((f) => f.filter)).toEqual(['virtualization-hole', 'shutdown']);
    expect(caps.supportsExceptionInfoRequest && caps.supportsExceptionFilterOptions && caps.supportsDataBreakpoints).toBe(true);
  });

  test('vm-exit with reason == "CPUID" stops at every CPUID exit under vt-x, at the CPUID line', async () => {
    const expected = exitCounts(VTX_EXITS, 'vt-x').CPUID;
    expect(expected).toBeGreaterThanOrEqual(8);
    const dc = open();
    await dc.initializeRequest();
    await Promise.all([dc.waitForEvent('initialized'), dc.launchRequest({ program: VTX_EXITS, technique: 'vt-x' } as never)]);
    await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'vm-exit', condition: 'reason == "CPUID"' }] });
    let stopped = dc.waitForEvent('stopped');
    // Waited for from the start: the guest may end while a stop is being inspected.
    const terminated = dc.waitForEvent('terminated', 30_000).then(() => undefined);
    await dc.configurationDoneRequest();
    let stops = 0;
    for (;;) {
      const event = await Promise.race([stopped, terminated]);
      if (event === undefined) break;
      stops++;
      expect(event.body).toMatchObject({ reason: 'exception', description: 'VM exit: CPUID (reason 10)' });
      const frame = await topFrame(dc);
      expect(sourceLine(frame.source?.path ?? '', frame.line)).toMatch(/^\s*cpuid\b/);
      const info = await dc.exceptionInfoRequest({ threadId: 1 });
      expect(info.body).toMatchObject({ exceptionId: 'vm-exit', description: 'VM exit: CPUID (reason 10)', breakMode: 'always' });
      expect(info.body.details?.message).toMatch(/reason: CPUID/);
      stopped = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: 1 });
    }
    expect(stops).toBe(expected);
  });

  test('a bad filter id and a bad condition are refused by name; the session goes on', async () => {
    const dc = open();
    await launch(dc, { program: COUNTER, stopOnEntry: true });
    expect(await refusal(dc.setExceptionBreakpointsRequest({ filters: ['segfault'] }))).toMatch(/unknown exception filter 'segfault'/);
    const r = await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'vm-exit', condition: 'reason ==' }] });
    expect(r.body?.breakpoints?.[0]).toMatchObject({ verified: false });
    expect(r.body?.breakpoints?.[0].message).toMatch(/vm-exit/);
    expect((await topFrame(dc)).line).toBeGreaterThan(0);
  });

  test('virtualization-hole stops at the POPF under trap-and-emulate; IF reads guest 0 / VMM 1 / hardware 1', async () => {
    const dc = open();
    await dc.initializeRequest();
    await Promise.all([dc.waitForEvent('initialized'), dc.launchRequest({ program: POPF_HOLE, technique: 'trap-and-emulate' } as never)]);
    await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'virtualization-hole', condition: 'mnemonic == "POPF"' }] });
    const stopped = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    const event = await stopped;
    expect(event.body.reason).toBe('exception');
    expect(event.body.description).toMatch(/^Virtualization hole: POPF/);
    const frame = await topFrame(dc);
    expect(frame.line).toBe(lineOf(POPF_HOLE, '... and load it'));
    const vcpu = await variablesOf(dc, frame.id, 'Virtual CPU');
    expect(vcpu.find((v) => v.name === 'IF')?.value).toMatch(/^guest 0 \/ VMM 1 \/ hardware 1/);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    expect(info.body.exceptionId).toBe('virtualization-hole');
    expect(info.body.details?.message).toMatch(/mnemonic: popf/);
  });

  test('guest-exception with a condition on the vector stops at the faulting instruction', async () => {
    const dc = open();
    await dc.initializeRequest();
    await Promise.all([dc.waitForEvent('initialized'), dc.launchRequest({ program: FAULT } as never)]);
    await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'guest-exception', condition: 'vector == 13' }] });
    const stopped = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    expect((await stopped).body).toMatchObject({ reason: 'exception', description: 'Guest exception: #GP(0xfff8) (vector 13)' });
    expect((await topFrame(dc)).line).toBe(lineOf(FAULT, 'faults: #GP'));
  });

  test('a triple fault stops (shutdown filter, on by default) before the session ends', async () => {
    const dc = open();
    await dc.initializeRequest();
    await Promise.all([dc.waitForEvent('initialized'), dc.launchRequest({ program: FAULT, stopOnEntry: false, define: undefined } as never)]);
    await dc.setExceptionBreakpointsRequest({ filters: ['shutdown'] });
    const stopped = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    const event = await stopped;
    expect(event.body.reason).toBe('exception');
    expect(event.body.description).toMatch(/^Triple fault: .*triple fault/);
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    expect((await exited).body.exitCode).toBe(2);
  });
});

describe('data breakpoints', () => {
  test.each(['native', 'trap-and-emulate', 'vt-x'])('on EFLAGS.IF under %s: stops after each instruction that changes the guest\'s IF', async (technique) => {
    const dc = open();
    await launch(dc, { program: WATCH, technique, stopOnEntry: true });
    const frame = await topFrame(dc);
    const regs = await variablesOf(dc, frame.id, 'Registers');
    const eflags = regs.find((v) => v.name === 'EFLAGS');
    expect(eflags).toBeDefined();
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: eflags?.variablesReference ?? 0, name: 'IF' });
    expect(info.body).toMatchObject({ dataId: 'flag:IF', accessTypes: ['write'] });
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'flag:IF' }] });
    expect(set.body.breakpoints[0].verified).toBe(true);
    for (const marker of ['IF on', 'IF off']) {
      const stopped = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: 1 });
      const event = await stopped;
      expect(event.body.reason).toBe('data breakpoint');
      expect(event.body.hitBreakpointIds).toEqual([set.body.breakpoints[0].id]);
      expect(event.body.description).toMatch(/EFLAGS\.IF changed: [01] → [01]/);
      // Stopped after the instruction that changed IF: the next line.
      expect((await topFrame(dc)).line).toBe(lineOf(WATCH, marker) + 1);
    }
  });

  test('on a register and on memory (write, read) with the right hit ids', async () => {
    const dc = open();
    await launch(dc, { program: WATCH, stopOnEntry: true });
    const byName = await dc.dataBreakpointInfoRequest({ name: 'counter' });
    expect(byName.body).toMatchObject({ dataId: expect.stringMatching(/^mem:0x[0-9a-f]{8}:4$/) as unknown, accessTypes: ['read', 'write', 'readWrite'] });
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: byName.body.dataId as string, accessType: 'write' }] });
    let stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    let event = await stopped;
    expect(event.body).toMatchObject({ reason: 'data breakpoint', hitBreakpointIds: [set.body.breakpoints[0].id] });
    expect((await topFrame(dc)).line).toBe(lineOf(WATCH, 'write counter') + 1);
    // Reads only now; the write that follows the read does not stop.
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: byName.body.dataId as string, accessType: 'read' }] });
    stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    event = await stopped;
    expect(event.body.description).toMatch(/read of 4 bytes/);
    expect((await topFrame(dc)).line).toBe(lineOf(WATCH, 'read counter') + 1);
    // A register.
    const reg = await dc.dataBreakpointInfoRequest({ name: 'edi' });
    expect(reg.body.dataId).toBe('reg:EDI');
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'reg:EDI' }] });
    stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    event = await stopped;
    expect(event.body.description).toMatch(/EDI changed: 0x[0-9a-f]{8} → 0x0000002a/);
    expect((await topFrame(dc)).line).toBe(lineOf(WATCH, 'edi = 42') + 1);
    // Bad ids are unverified with a reason.
    const bad = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'reg:XYZ' }, { dataId: 'nonsense' }] });
    expect(bad.body.breakpoints.map((b) => b.verified)).toEqual([false, false]);
  });
});

describe('step into a VM exit', () => {
  test('step-in at CPUID under vt-x enters a [VMM] CPUID exit frame, walks its listing, step-out returns', async () => {
    const dc = open();
    await launch(dc, { program: VTX_EXITS, technique: 'vt-x', stopOnEntry: true });
    const cpuidLine = lineOf(VTX_EXITS, '    cpuid');
    const bp = await dc.setBreakpointsRequest({ source: { path: VTX_EXITS }, breakpoints: [{ line: cpuidLine }] });
    expect(bp.body.breakpoints[0].verified).toBe(true);
    let stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    await stopped;
    await dc.setBreakpointsRequest({ source: { path: VTX_EXITS }, breakpoints: [] });
    stopped = dc.waitForEvent('stopped');
    await dc.stepInRequest({ threadId: 1 });
    await stopped;
    const trace = await dc.stackTraceRequest({ threadId: 1 });
    const [vmm, guest] = trace.body.stackFrames;
    expect(vmm.name).toBe('[VMM] CPUID exit');
    expect(vmm.line).toBe(1);
    const ref = vmm.source?.sourceReference ?? 0;
    expect(ref).toBeGreaterThan(0);
    expect(guest.line).toBe(cpuidLine);
    const listing = (await dc.sourceRequest({ sourceReference: ref, source: vmm.source })).body.content.split('\n').filter((l) => l !== '');
    expect(listing[0]).toMatch(/^VM exit: CPUID \(reason 10\)/);
    expect(listing[1]).toMatch(/^Read the exit information/);
    expect(listing.some((l) => /^Write guest EAX: /.test(l))).toBe(true);
    expect(listing[listing.length - 1]).toMatch(/^VM entry: resume the guest at 0x/);
    const handling = await variablesOf(dc, vmm.id, 'VMM handling');
    expect(handling[0]).toMatchObject({ name: 'Step', value: expect.stringMatching(/^1 of \d+/) as unknown });
    // next walks the listing line by line.
    stopped = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId: 1 });
    await stopped;
    expect((await topFrame(dc)).line).toBe(2);
    // step-out: back in the guest after VM entry, on the line after CPUID.
    stopped = dc.waitForEvent('stopped');
    await dc.stepOutRequest({ threadId: 1 });
    await stopped;
    const back = await topFrame(dc);
    expect(back.name).not.toMatch(/VMM/);
    expect(back.line).toBe(cpuidLine + 1);
  });

  test('under trap-and-emulate, step-in at STI walks the #GP trap; stepping past VM entry returns', async () => {
    const dc = open();
    await launch(dc, { program: POPF_HOLE, technique: 'trap-and-emulate', stopOnEntry: true });
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    const stiLine = lineOf(POPF_HOLE, '    sti');
    await dc.setBreakpointsRequest({ source: { path: POPF_HOLE }, breakpoints: [{ line: stiLine }] });
    let stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    await stopped;
    stopped = dc.waitForEvent('stopped');
    await dc.stepInRequest({ threadId: 1 });
    await stopped;
    const top = await topFrame(dc);
    expect(top.name).toMatch(/^\[VMM\] .* exit$/);
    const ref = top.source?.sourceReference ?? 0;
    const lines = (await dc.sourceRequest({ sourceReference: ref })).body.content.split('\n').filter((l) => l !== '');
    expect(lines[0]).toMatch(/^Trap: #GP/);
    for (let i = 1; i < lines.length; i++) {
      stopped = dc.waitForEvent('stopped');
      await dc.nextRequest({ threadId: 1 });
      await stopped;
      expect((await topFrame(dc)).line).toBe(i + 1);
    }
    stopped = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId: 1 });
    await stopped;
    expect((await topFrame(dc)).line).toBe(stiLine + 2); // the line after sti is `mov ecx, ROUNDS` (a blank line between)
  });

  test('under paravirt, step-in at a hypercall walks it; the hypercall filter stops with its name', async () => {
    const dc = open();
    await launch(dc, { program: PV, technique: 'paravirt', defines: { XEN: '' }, stopOnEntry: true });
    const line = lineOf(PV, 'HYPERCALL_INT 17');
    // A macro invocation's line has a breakpoint of its own (the first instruction of the expansion).
    const bp = await dc.setBreakpointsRequest({ source: { path: PV }, breakpoints: [{ line }] });
    expect(bp.body.breakpoints[0]).toMatchObject({ verified: true, line });
    let stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    await stopped;
    // The macro's lines come from pvops.inc: step in until the `int 0x82` has run.
    for (let i = 0; i < 3 && !(await topFrame(dc)).name.startsWith('[VMM]'); i++) {
      stopped = dc.waitForEvent('stopped');
      await dc.stepInRequest({ threadId: 1 });
      await stopped;
    }
    const [vmm, guest] = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    expect(vmm.name).toBe('[VMM] xen_version exit');
    expect(sourceLine(guest.source?.path ?? '', guest.line)).toMatch(/^\s*int 0x82/);
    const lines = (await dc.sourceRequest({ sourceReference: vmm.source?.sourceReference ?? 0 })).body.content;
    expect(lines).toMatch(/^Hypercall: xen_version \(17\)/);
    expect(lines).toMatch(/Return to the guest kernel at 0x/);
    stopped = dc.waitForEvent('stopped');
    await dc.stepOutRequest({ threadId: 1 });
    await stopped;
    expect((await topFrame(dc)).line).toBe(lineOf(PV, 'after the hypercall'));
    // The filter: sched_op is the next hypercall.
    await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'hypercall', condition: 'name == "sched_op"' }] });
    stopped = dc.waitForEvent('stopped');
    await dc.continueRequest({ threadId: 1 });
    expect((await stopped).body).toMatchObject({ reason: 'exception', description: 'Hypercall: sched_op (29)' });
  });
});
