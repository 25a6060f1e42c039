// The Variables view's hypervisor scopes through DebugClient over stdio: Virtual CPU (guest / VMM /
// hardware side by side), VMCS (fields, control bits, setVariable through the VMM), Last exit,
// Hypervisor counters, and the hex format; plus the one-line exit and hole descriptions.
import { describe, expect, test } from 'vitest';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { REPO_ROOT } from '../helpers/paths.js';
import { adapterPerTest, evaluate, launch, refusal, topFrame } from './adapter.js';
import { describeExit, describeHole, exitRecordVariables } from '../../debug-adapter/src/dap/exit-record.js';
import type { ExitRecord, HoleRecord } from '../../debug-adapter/src/hypervisor/types.js';

const POPF_HOLE = path.join(REPO_ROOT, 'samples', 'popf-hole.asm');
const VTX_EXITS = path.join(REPO_ROOT, 'samples', 'vtx-exits.asm');
const CONTROLS = path.join(REPO_ROOT, 'test', 'dap', 'guests', 'vars-controls.asm');

const open = adapterPerTest();

async function scopes(dc: DebugClient): Promise<DebugProtocol.Scope[]> {
  return (await dc.scopesRequest({ frameId: (await topFrame(dc)).id })).body.scopes;
}

async function scope(dc: DebugClient, name: string): Promise<number> {
  const s = (await scopes(dc)).find((x) => x.name === name);
  if (s === undefined) throw new Error(`no scope named ${name}`);
  return s.variablesReference;
}

async function children(dc: DebugClient, ref: number, hex = false): Promise<DebugProtocol.Variable[]> {
  return (await dc.variablesRequest({ variablesReference: ref, ...(hex ? { format: { hex: true } } : {}) })).body.variables;
}

function child(list: DebugProtocol.Variable[], name: string): DebugProtocol.Variable {
  const v = list.find((x) => x.name === name);
  if (v === undefined) throw new Error(`no variable named ${name} among ${list.map((x) => x.name).join(', ')}`);
  return v;
}

/** The variable at a path of names below a scope. */
async function lookup(dc: DebugClient, scopeName: string, ...names: string[]): Promise<DebugProtocol.Variable> {
  let ref = await scope(dc, scopeName);
  let v: DebugProtocol.Variable | undefined;
  for (const name of names) {
    v = child(await children(dc, ref), name);
    ref = v.variablesReference;
  }
  if (v === undefined) throw new Error('empty path');
  return v;
}

async function exitsByReason(dc: DebugClient, hex = false): Promise<Record<string, string>> {
  const exits = await lookup(dc, 'Hypervisor', 'exits');
  return Object.fromEntries((await children(dc, exits.variablesReference, hex)).map((v) => [v.name, v.value]));
}

async function continueTo(dc: DebugClient, line: number): Promise<void> {
  await Promise.all([dc.continueRequest({ threadId: 1 }), dc.assertStoppedLocation('breakpoint', { line })]);
}

describe('Virtual CPU', () => {
  test('after the POPF hole under trap-and-emulate the guest expects IF=0, the VMM and the hardware hold 1', async () => {
    const dc = open();
    await launch(dc, { program: POPF_HOLE, technique: 'trap-and-emulate', stopOnEntry: true });
    await dc.setExceptionBreakpointsRequest({ filters: [] }); // not the hole stop: the line breakpoint
    await dc.setBreakpointsRequest({ source: { path: POPF_HOLE }, breakpoints: [{ line: 37 }] }); // just after `popfd`
    await continueTo(dc, 37);
    expect((await scopes(dc)).map((s) => s.name)).toEqual(['Registers', 'Segments', 'System', 'Virtual CPU', 'Last exit', 'Hypervisor']);
    const cpu = await children(dc, await scope(dc, 'Virtual CPU'));
    expect(cpu.map((v) => v.name)).toEqual(['IF', 'IOPL', 'CPL', 'CR0', 'CR2', 'CR3', 'CR4', 'GDTR', 'IDTR', 'LDTR', 'TR', 'Pending interrupts']);
    expect(child(cpu, 'IF')).toMatchObject({ value: 'guest 0 / VMM 1 / hardware 1', type: 'POPF at ring 1 ignored IF' });
    expect(child(cpu, 'IOPL').value).toBe('guest 0 / VMM 0 / hardware 0');
    expect(child(cpu, 'CPL')).toMatchObject({ value: 'guest 0 / VMM 0 / hardware 1', type: expect.stringMatching(/de-privileged/) });
    // The guest's GDT in the virtual state, the VMM's shadow GDT in the hardware.
    const gdtr = child(cpu, 'GDTR').value.split(' / ');
    expect(gdtr[0]).toBe(gdtr[1].replace(/^VMM/, 'guest'));
    expect(gdtr[2]).not.toBe(gdtr[1].replace(/^VMM/, 'hardware'));
    // The hole is the last hole; the counters have it.
    const lastHole = await lookup(dc, 'Last exit', 'last hole');
    expect(lastHole.value).toBe('Virtualization hole: POPF — guest asked IF=0; IF stays 1');
    expect(child(await children(dc, lastHole.variablesReference), 'expected').value).toBe('IF=0 IOPL=0');
    const holes = await lookup(dc, 'Hypervisor', 'holes');
    expect(child(await children(dc, holes.variablesReference), 'popf').value).toBe('1');
    // After the second POPFD (IF=1 again) the three agree.
    await dc.setBreakpointsRequest({ source: { path: POPF_HOLE }, breakpoints: [{ line: 45 }] });
    await continueTo(dc, 45);
    expect(child(await children(dc, await scope(dc, 'Virtual CPU')), 'IF')).toMatchObject({ value: 'guest 1 / VMM 1 / hardware 1', type: 'guest, VMM and hardware agree' });
    expect(await refusal(dc.setVariableRequest({ variablesReference: await scope(dc, 'Virtual CPU'), name: 'IF', value: '0' }))).toMatch(/read-only/);
  });

  test('native has no VMM scopes', async () => {
    const dc = open();
    await launch(dc, { program: CONTROLS, stopOnEntry: true });
    expect((await scopes(dc)).map((s) => s.name)).toEqual(['Registers', 'Segments', 'System']);
  });
});

describe('VMCS, Last exit and Hypervisor under vt-x', () => {
  test('after a CPUID exit: control fields and bits, exit information, the last exit, the counters', async () => {
    const dc = open();
    await dc.hitBreakpoint({ program: VTX_EXITS, technique: 'vt-x' }, { path: VTX_EXITS, line: 29 }); // after the first `cpuid`
    expect((await scopes(dc)).map((s) => s.name)).toEqual(['Registers', 'Segments', 'System', 'Virtual CPU', 'VMCS', 'Last exit', 'Hypervisor']);
    const groups = await children(dc, await scope(dc, 'VMCS'));
    expect(groups.map((g) => g.name)).toEqual(['Guest state', 'Host state', 'Controls', 'Exit information']);

    // Primary controls: the SDM default-1 bits, HLT, MWAIT, unconditional I/O and MONITOR exiting.
    const controls = await children(dc, child(groups, 'Controls').variablesReference);
    const primary = child(controls, 'CPU_BASED_VM_EXEC_CONTROL');
    expect(primary).toMatchObject({ value: '0x250065f2', type: 'encoding 0x4002' });
    const bits = await children(dc, primary.variablesReference);
    expect(bits).toHaveLength(32);
    expect(child(bits, 'HLT exiting')).toMatchObject({ value: '1', type: "bit 7 (0x00000080), control 'hlt-exiting'" });
    expect(child(bits, 'RDTSC exiting').value).toBe('0');
    expect(child(bits, 'bit 1').type).toMatch(/default 1/);
    expect(child(controls, 'PIN_BASED_VM_EXEC_CONTROL')).toMatchObject({ value: '0x00000017', type: 'encoding 0x4000' });

    const exitInfo = await children(dc, child(groups, 'Exit information').variablesReference);
    expect(child(exitInfo, 'VM_EXIT_REASON')).toMatchObject({ value: '0x0000000a (CPUID)', type: 'encoding 0x4402' });
    expect(child(exitInfo, 'VM_EXIT_INSTRUCTION_LEN').value).toBe('0x00000002');
    const guest = await children(dc, child(groups, 'Guest state').variablesReference);
    expect(Number(child(guest, 'GUEST_RIP').value)).toBe(Number(await evaluate(dc, 'eip')) - 2); // RIP of the CPUID

    const last = await children(dc, await scope(dc, 'Last exit'));
    expect(child(last, 'description').value).toBe('VM exit: CPUID (reason 10)');
    expect(child(last, 'reason').value).toBe('CPUID');
    expect(child(last, 'reason number').value).toBe('10');
    expect(child(last, 'kind').value).toBe('vmexit');
    expect(child(last, 'source').value).toBe('vtx-exits.asm:28');
    expect(child(last, 'instruction').value).toBe('cpuid');
    expect(child(await children(dc, child(last, 'details').variablesReference), 'leaf').value).toBe('0x0');

    const hv = await children(dc, await scope(dc, 'Hypervisor'));
    expect(child(hv, 'technique').value).toBe('vt-x');
    expect(Number(child(hv, 'guest instructions').value)).toBeGreaterThan(0);
    expect(Number(child(hv, 'modelled cycles').value)).toBeGreaterThan(Number(child(hv, 'guest instructions').value));
    const before = await exitsByReason(dc);
    expect(before.CPUID).toBe('1');
    const total = Number(child(hv, 'exits').value);
    expect(total).toBe(Object.values(before).reduce((a, b) => a + Number(b), 0));

    // One more round of the loop: one more CPUID exit.
    await continueTo(dc, 29);
    const after = await exitsByReason(dc);
    expect(after.CPUID).toBe('2');
    expect(Number(child(await children(dc, await scope(dc, 'Hypervisor')), 'exits').value)).toBeGreaterThan(total);
  });

  test('the hex format shows counts and decimal values in hex', async () => {
    const dc = open();
    await dc.hitBreakpoint({ program: VTX_EXITS, technique: 'vt-x' }, { path: VTX_EXITS, line: 29 });
    const last = await children(dc, await scope(dc, 'Last exit'), true);
    expect(child(last, 'reason number').value).toBe('0xa');
    expect(child(last, 'cost').value).toMatch(/^0x[0-9a-f]+ cycles$/);
    expect((await exitsByReason(dc, true)).CPUID).toBe('0x1');
    const decimal = Number(child(await children(dc, await scope(dc, 'Hypervisor')), 'guest instructions').value);
    expect(child(await children(dc, await scope(dc, 'Hypervisor'), true), 'guest instructions').value).toBe(`0x${decimal.toString(16)}`);
  });

  test('setVariable on control bits and fields changes which instructions exit; read-only and unsound writes are refused', async () => {
    const dc = open();
    await dc.hitBreakpoint({ program: CONTROLS, technique: 'vt-x' }, { path: CONTROLS, line: 13 });
    expect(await exitsByReason(dc)).toEqual({});
    const controls = await lookup(dc, 'VMCS', 'Controls');
    const primary = child(await children(dc, controls.variablesReference), 'CPU_BASED_VM_EXEC_CONTROL');
    // RDTSC exiting on through its bit ...
    const set = await dc.setVariableRequest({ variablesReference: primary.variablesReference, name: 'RDTSC exiting', value: '1' });
    expect(set.body.value).toBe('1');
    expect(child(await children(dc, controls.variablesReference), 'CPU_BASED_VM_EXEC_CONTROL').value).toBe('0x250075f2');
    // ... and unconditional I/O exiting off through the whole field.
    const field = await dc.setVariableRequest({ variablesReference: controls.variablesReference, name: 'CPU_BASED_VM_EXEC_CONTROL', value: '0x240075f2' });
    expect(field.body.value).toBe('0x240075f2');
    expect(child(await children(dc, primary.variablesReference), 'Unconditional I/O exiting').value).toBe('0');

    // Refused: a default-1 bit, an unmodelled control, exit information, guest state.
    expect(await refusal(dc.setVariableRequest({ variablesReference: primary.variablesReference, name: 'bit 1', value: '0' }))).toMatch(/must stay 1/);
    expect(await refusal(dc.setVariableRequest({ variablesReference: primary.variablesReference, name: 'Monitor trap flag', value: '1' }))).toMatch(/not modelled/);
    const exitInfo = await lookup(dc, 'VMCS', 'Exit information');
    expect(await refusal(dc.setVariableRequest({ variablesReference: exitInfo.variablesReference, name: 'VM_EXIT_REASON', value: '12' }))).toMatch(
      /VM_EXIT_REASON is read-only exit information/,
    );
    const guest = await lookup(dc, 'VMCS', 'Guest state');
    expect(await refusal(dc.setVariableRequest({ variablesReference: guest.variablesReference, name: 'GUEST_RIP', value: '0' }))).toMatch(/never reloaded/);
    expect(await refusal(dc.setVariableRequest({ variablesReference: controls.variablesReference, name: 'EPT_POINTER', value: '0x1000' }))).toMatch(/EPT_POINTER is not modelled/);

    // Three RDTSC exits now, two CPUIDs as always, and no exit for the OUT.
    await dc.setBreakpointsRequest({ source: { path: CONTROLS }, breakpoints: [{ line: 27 }] });
    await continueTo(dc, 27);
    expect(await exitsByReason(dc)).toEqual({ CPUID: '2', RDTSC: '3' });
  });

  test('the last exit of an OUT decodes its I/O qualification, in the record and in the VMCS', async () => {
    const dc = open();
    await dc.hitBreakpoint({ program: CONTROLS, technique: 'vt-x' }, { path: CONTROLS, line: 27 });
    expect(await exitsByReason(dc)).toEqual({ CPUID: '2', IO_INSTRUCTION: '1' });
    const last = await children(dc, await scope(dc, 'Last exit'));
    expect(child(last, 'description').value).toBe('VM exit: IO_INSTRUCTION (reason 30)');
    const q = child(last, 'qualification');
    expect(q.value).toBe('0x00800040');
    const parts = Object.fromEntries((await children(dc, q.variablesReference)).map((v) => [v.name, v.value]));
    expect(parts).toEqual({ size: '1 byte', direction: 'OUT', string: 'false', REP: 'false', operand: 'immediate', port: '0x0080' });
    const exitInfo = await lookup(dc, 'VMCS', 'Exit information');
    const qual = child(await children(dc, exitInfo.variablesReference), 'EXIT_QUALIFICATION');
    expect(qual).toMatchObject({ value: '0x00800040', type: 'encoding 0x6400' });
    expect(child(await children(dc, qual.variablesReference), 'port').value).toBe('0x0080');
  });
});

describe('exit and hole descriptions', () => {
  const base = { seq: 7, vcpu: 0, eip: 0x100020, instruction: '', details: {}, cost: 400, action: 'emulated' };

  test('one line per kind of exit', () => {
    expect(describeExit({ ...base, technique: 'vt-x', kind: 'vmexit', reason: 'CPUID', reasonNumber: 10, instruction: 'cpuid' })).toBe('VM exit: CPUID (reason 10)');
    expect(describeExit({ ...base, technique: 'trap-and-emulate', kind: 'trap', reason: '#GP', reasonNumber: 13, instruction: 'cli' })).toBe('Trap: #GP (vector 13)');
    expect(describeExit({ ...base, technique: 'paravirt', kind: 'hypercall', reason: 'sched_op', reasonNumber: 29 })).toBe('Hypercall: sched_op (29)');
    expect(describeExit({ ...base, technique: 'binary-translation', kind: 'callout', reason: 'popf', instruction: 'popfd' })).toBe('Translation callout: popf (popfd)');
    expect(describeExit({ ...base, technique: 'trap-and-emulate', kind: 'interrupt', reason: 'EXTERNAL_INTERRUPT', details: { vector: 0x20 } })).toBe(
      'Interrupt: EXTERNAL_INTERRUPT (vector 0x20)',
    );
  });

  test('a hole, and every field of a CR-access exit with its qualification decoded', () => {
    const hole: HoleRecord = {
      seq: 3, vcpu: 0, technique: 'trap-and-emulate', kind: 'hole', mnemonic: 'popf', eip: 0x1001db, instruction: 'popfd',
      expected: 'IF=0 IOPL=0', observed: 'IF=1 IOPL=0', message: 'POPF: guest asked IF=0; IF stays 1',
    };
    expect(describeHole(hole)).toBe('Virtualization hole: POPF — guest asked IF=0; IF stays 1');
    const cr: ExitRecord = {
      ...base, technique: 'vt-x', kind: 'vmexit', reason: 'CR_ACCESS', reasonNumber: 28, instruction: 'mov cr0, eax',
      qualification: 0x0000_0000, details: { cr: 0, access: 'MOV to CR', register: 'eax', value: '0x8' }, source: { file: '/x/g.asm', line: 43 },
    };
    const fields = exitRecordVariables(cr);
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    expect(byName.eip.value).toBe('0x00100020');
    expect(byName.source.value).toBe('g.asm:43');
    expect(byName.qualification.children?.map((c) => `${c.name}=${c.value}`)).toEqual(['CR number=0', 'access type=0 (MOV to CR)', 'register=eax']);
    expect(byName.details.children?.map((c) => `${c.name}=${c.value}`)).toEqual(['cr=0', 'access=MOV to CR', 'register=eax', 'value=0x8']);
    expect(byName.cost.value).toBe('400 cycles');
    expect(exitRecordVariables(cr, { hex: true }).find((f) => f.name === 'reason number')?.value).toBe('0x1c');
  });
});
