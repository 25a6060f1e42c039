// The debug adapter through DebugClient over stdio (`hyperstep dap`): launch, breakpoints,
// conditions, stepping, pause, variables, memory, disassembly, evaluation, errors.
import { describe, expect, test } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { spawn } from 'node:child_process';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { CLI_BIN } from '../helpers/paths.js';
import { adapterPerTest, COUNTER, evaluate, HELLO, launch, LONGCALL, refusal, SPIN, topFrame } from './adapter.js';

const open = adapterPerTest();

describe('launch', () => {
  test('stops on entry with a stack trace at the first line of _start', async () => {
    const dc = open();
    await launch(dc, { program: HELLO, stopOnEntry: true });
    const threads = await dc.threadsRequest();
    expect(threads.body.threads).toEqual([{ id: 1, name: 'vCPU 0' }]);
    const frame = await topFrame(dc);
    expect(frame).toMatchObject({ name: '_start', line: 15, instructionPointerReference: '0x00100020' });
    expect(frame.source?.path).toBe(HELLO);
  });

  test('runs to the end: serial output, then exited with the debug-exit status and terminated', async () => {
    const dc = open();
    const output = dc.assertOutput('stdout', 'Hello from a Hyperstep guest!\n');
    const exited = dc.waitForEvent('exited');
    const terminated = dc.waitForEvent('terminated');
    await launch(dc, { program: HELLO });
    await output;
    expect((await exited).body).toEqual({ exitCode: 1 });
    await terminated;
  });

  test('a missing file, a bad technique, bad settings and an assembly error are refused by name', async () => {
    const dc = open();
    await dc.initializeRequest();
    expect(await refusal(dc.launchRequest({ program: '/nonexistent/guest.asm' } as never))).toMatch(/does not exist/);
    expect(await refusal(dc.launchRequest({ program: HELLO, technique: 'warp' } as never))).toMatch(/unknown technique 'warp'/);
    expect(await refusal(dc.launchRequest({ program: HELLO, memoryMiB: 0 } as never))).toMatch(/'memoryMiB'/);
    expect(await refusal(dc.launchRequest({ program: HELLO, guestRing: 3 } as never))).toMatch(/'guestRing' applies to technique 'trap-and-emulate'/);
    expect(await refusal(dc.launchRequest({ program: HELLO, stopOnEntry: 'yes' } as never))).toMatch(/'stopOnEntry'/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-dap-'));
    const bad = path.join(dir, 'bad.asm');
    fs.writeFileSync(bad, 'bits 32\nmov eax,\n');
    expect(await refusal(dc.launchRequest({ program: bad } as never))).toMatch(/bad\.asm:2: /);
    // The session is still there.
    expect((await dc.threadsRequest()).body.threads).toHaveLength(1);
  });

  test('runs under a hypervisor technique', async () => {
    const dc = open();
    const exited = dc.waitForEvent('exited');
    await launch(dc, { program: HELLO, technique: 'trap-and-emulate' });
    expect((await exited).body).toEqual({ exitCode: 1 });
  });
});

describe('breakpoints', () => {
  test('a line breakpoint is verified and hit', async () => {
    const dc = open();
    await dc.hitBreakpoint({ program: HELLO }, { path: HELLO, line: 34 });
    expect(await topFrame(dc)).toMatchObject({ name: 'serial_putc', line: 34 });
  });

  test('a breakpoint on a line without code moves to the nearest line with code; one in another file is unverified', async () => {
    const dc = open();
    await launch(dc, { program: HELLO, stopOnEntry: true });
    const moved = await dc.setBreakpointsRequest({ source: { path: HELLO }, breakpoints: [{ line: 32 }, { line: 1000 }] });
    expect(moved.body.breakpoints[0]).toMatchObject({ verified: true, line: 34 });
    expect(moved.body.breakpoints[1]).toMatchObject({ verified: true, line: 45 });
    const other = await dc.setBreakpointsRequest({ source: { path: COUNTER }, breakpoints: [{ line: 15 }] });
    expect(other.body.breakpoints[0].verified).toBe(false);
    expect(other.body.breakpoints[0].message).toMatch(/counter\.asm/);
  });

  test('condition `eax == 5` stops once, with eax 5', async () => {
    const dc = open();
    await launch(dc, { program: COUNTER, stopOnEntry: true });
    const set = await dc.setBreakpointsRequest({ source: { path: COUNTER }, breakpoints: [{ line: 15, condition: 'eax == 5' }] });
    expect(set.body.breakpoints[0]).toMatchObject({ verified: true, line: 15 });
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.assertStoppedLocation('breakpoint', { line: 15 })]);
    expect(await evaluate(dc, 'eax')).toBe('0x5');
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    expect((await exited).body).toEqual({ exitCode: 5 });
  });

  test('a hit count, a logpoint and a bad condition', async () => {
    const dc = open();
    await launch(dc, { program: COUNTER, stopOnEntry: true });
    const set = await dc.setBreakpointsRequest({
      source: { path: COUNTER },
      breakpoints: [{ line: 15, hitCondition: '3' }, { line: 16, logMessage: 'eax is {eax}' }, { line: 17, condition: 'eax ==' }],
    });
    expect(set.body.breakpoints[2]).toMatchObject({ verified: false });
    expect(set.body.breakpoints[2].message).toMatch(/condition/);
    const log = dc.assertOutput('console', 'eax is 0x1\n');
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.assertStoppedLocation('breakpoint', { line: 15 })]);
    await log;
    expect(await evaluate(dc, 'eax')).toBe('0x2'); // before the third `inc eax`
  });

  test('function breakpoints on labels and instruction breakpoints', async () => {
    const dc = open();
    await launch(dc, { program: COUNTER, stopOnEntry: true });
    const fn = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'framed' }, { name: 'nowhere' }] });
    expect(fn.body.breakpoints[0].verified).toBe(true);
    expect(fn.body.breakpoints[1]).toMatchObject({ verified: false, message: "no label named 'nowhere'" });
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.assertStoppedLocation('function breakpoint', { line: 36 })]);
    const leaf = await evaluate(dc, 'leaf');
    const ins = await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: leaf }] });
    expect(ins.body.breakpoints[0]).toMatchObject({ verified: true });
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.assertStoppedLocation('instruction breakpoint', { line: 44 })]);
  });
});

describe('execution control', () => {
  test('next steps over calls, stepIn enters them, stepOut returns, instruction steps move one instruction', async () => {
    const dc = open();
    await launch(dc, { program: HELLO, stopOnEntry: true });
    const lines: number[] = [];
    for (let i = 0; i < 5; i++) {
      await Promise.all([dc.nextRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
      lines.push((await topFrame(dc)).line);
    }
    expect(lines).toEqual([16, 18, 19, 20, 21]);
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
    expect((await topFrame(dc)).line).toBe(22); // over `call serial_putc`
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
    expect((await topFrame(dc)).line).toBe(21);
    await Promise.all([dc.stepInRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: 34 })]);
    expect((await topFrame(dc)).name).toBe('serial_putc');
    const eip = Number(await evaluate(dc, 'eip'));
    await Promise.all([dc.stepInRequest({ threadId: 1, granularity: 'instruction' }), dc.waitForEvent('stopped')]);
    expect(Number(await evaluate(dc, 'eip'))).toBe(eip + 1); // push edx is one byte
    await Promise.all([dc.stepOutRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: 22 })]);
    expect((await topFrame(dc)).name).toBe('_start');
  });

  test('next over a long call finishes it at full speed; breakpoints inside it still stop', async () => {
    const dc = open();
    await launch(dc, { program: LONGCALL, stopOnEntry: true });
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: 13 })]);
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: 14 })]);
    expect(await evaluate(dc, 'ecx')).toBe('0x0');
    expect(await evaluate(dc, 'esp == stack_top')).toBe('0x1');
    // Again from the start, with a breakpoint on `ret` that only holds at the end of the loop.
    await dc.setVariableRequest({ variablesReference: 1, name: 'EIP', value: '_start' });
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { line: 13 })]);
    await dc.setBreakpointsRequest({ source: { path: LONGCALL }, breakpoints: [{ line: 27, condition: 'ecx == 0' }] });
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('breakpoint', { line: 27 })]);
  });

  test('pause stops a tight loop within 100 ms', async () => {
    const dc = open();
    await launch(dc, { program: SPIN });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    await Promise.all([dc.pauseRequest({ threadId: 1 }), dc.assertStoppedLocation('pause', {})]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(100);
    expect(Number(await evaluate(dc, 'ecx'))).toBeGreaterThan(1000);
    // And it goes on.
    await dc.continueRequest({ threadId: 1 });
    await Promise.all([dc.pauseRequest({ threadId: 1 }), dc.assertStoppedLocation('pause', {})]);
  });

  test('terminate ends the session with a terminated event', async () => {
    const dc = open();
    await launch(dc, { program: SPIN });
    await Promise.all([dc.terminateRequest({}), dc.waitForEvent('terminated')]);
  });
});

describe('inspection', () => {
  test('scopes, registers with their flags, segments and system registers', async () => {
    const dc = open();
    await launch(dc, { program: HELLO, stopOnEntry: true });
    const frame = await topFrame(dc);
    const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
    expect(scopes.map((s) => s.name)).toEqual(['Registers', 'Segments', 'System']);
    const regs = (await dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
    expect(regs.map((v) => v.name)).toEqual(['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI', 'EIP', 'EFLAGS']);
    expect(regs.find((v) => v.name === 'EAX')?.value).toBe('0x2badb002');
    expect(regs.find((v) => v.name === 'EIP')?.value).toBe('0x00100020');
    const eflags = regs.find((v) => v.name === 'EFLAGS')!;
    const flags = (await dc.variablesRequest({ variablesReference: eflags.variablesReference })).body.variables;
    expect(flags.map((v) => v.name)).toEqual(['CF', 'PF', 'AF', 'ZF', 'SF', 'TF', 'IF', 'DF', 'OF', 'IOPL', 'NT', 'RF', 'VM', 'AC', 'VIF', 'VIP', 'ID']);
    const segments = (await dc.variablesRequest({ variablesReference: scopes[1].variablesReference })).body.variables;
    expect(segments.map((v) => v.name)).toEqual(['ES', 'CS', 'SS', 'DS', 'FS', 'GS']);
    const system = (await dc.variablesRequest({ variablesReference: scopes[2].variablesReference })).body.variables;
    expect(system.map((v) => v.name)).toEqual(['CR0', 'CR2', 'CR3', 'CR4', 'GDTR', 'IDTR', 'LDTR', 'TR', 'CPL', 'Mode']);
    // setVariable on a register and on a flag; segments refuse with a reason.
    const set = await dc.setVariableRequest({ variablesReference: scopes[0].variablesReference, name: 'EAX', value: '0x10 + 1' });
    expect(set.body.value).toBe('0x00000011');
    await dc.setVariableRequest({ variablesReference: eflags.variablesReference, name: 'CF', value: '1' });
    expect(await evaluate(dc, 'cf')).toBe('0x1');
    expect(await refusal(dc.setVariableRequest({ variablesReference: scopes[1].variablesReference, name: 'CS', value: '8' }))).toMatch(/read-only/);
  });

  test('stack trace from the EBP chain, and `dword [esp]`', async () => {
    const dc = open();
    await dc.hitBreakpoint({ program: COUNTER }, { path: COUNTER, line: 46 });
    const stack = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    expect(stack.map((f) => [f.name, f.line])).toEqual([
      ['leaf', 46],
      ['framed', 39],
      ['_start', 19],
    ]);
    expect(await evaluate(dc, 'dword [esp]')).toBe(await evaluate(dc, 'esp + 8')); // framed's EBP, saved by leaf
    expect(await evaluate(dc, 'dword [ebp + 4]')).toBe(await evaluate(dc, 'framed + 11')); // after `call leaf`
    expect(await evaluate(dc, 'dword [dword [ebp] + 8]')).toBe('0x12345678');
    expect(await evaluate(dc, 'dword [dword [ebp] + 4] == after_call && zf && !cf || 0')).toBe('0x1');
    expect(await evaluate(dc, 'byte [phys: marker] + (word [marker + 2] << 8)')).toBe('0xcafe0d');
    expect(await refusal(dc.evaluateRequest({ expression: 'nosuch + 1' }))).toMatch(/unknown name 'nosuch'/);
    expect(await refusal(dc.evaluateRequest({ expression: 'dword [0xfffffff0' }))).toMatch(/expected '\]'/);
  });

  test('readMemory (linear and phys:) and disassemble with bytes, symbols and lines', async () => {
    const dc = open();
    await launch(dc, { program: HELLO, stopOnEntry: true });
    const mem = await dc.customRequest('readMemory', { memoryReference: '0x100020', count: 10 });
    expect(Buffer.from(mem.body.data, 'base64').toString('hex')).toBe('bc80101000be54001000');
    expect(mem.body.address).toBe('0x00100020');
    const phys = await dc.customRequest('readMemory', { memoryReference: 'phys:0x100000', offset: 0x20, count: 5 });
    expect(Buffer.from(phys.body.data, 'base64').toString('hex')).toBe('bc80101000');
    const dis = await dc.customRequest('disassemble', { memoryReference: '0x00100020', instructionCount: 4, resolveSymbols: true });
    const insns = dis.body.instructions as { address: string; instruction: string; instructionBytes: string; symbol?: string; line?: number }[];
    expect(insns.map((i) => [i.address, i.instructionBytes, i.instruction, i.line])).toEqual([
      ['0x00100020', 'bc 80 10 10 00', 'mov esp, 0x101080', 15],
      ['0x00100025', 'be 54 00 10 00', 'mov esi, 0x100054', 16],
      ['0x0010002a', 'ac', 'lodsb', 18],
      ['0x0010002b', '84 c0', 'test al, al', 19],
    ]);
    expect(insns[0].symbol).toBe('_start');
    const before = await dc.customRequest('disassemble', { memoryReference: '0x0010002a', instructionOffset: -2, instructionCount: 3 });
    expect(before.body.instructions.map((i: { address: string }) => i.address)).toEqual(['0x00100020', '0x00100025', '0x0010002a']);
    // writeMemory, then read back.
    await dc.customRequest('writeMemory', { memoryReference: '0x100080', data: Buffer.from([1, 2, 3]).toString('base64') });
    const back = await dc.customRequest('readMemory', { memoryReference: '0x100080', count: 3 });
    expect(Buffer.from(back.body.data, 'base64')).toEqual(Buffer.from([1, 2, 3]));
    expect(await refusal(dc.customRequest('readMemory', { memoryReference: 'somewhere', count: 4 }))).toMatch(/not a memory reference/);
  });
});

describe('robustness', () => {
  test('malformed requests, unknown commands and bad JSON get errors; the session goes on', async () => {
    const dc = open();
    await launch(dc, { program: HELLO, stopOnEntry: true });
    expect(await refusal(dc.customRequest('frobnicate', {}))).toMatch(/unknown request 'frobnicate'/);
    expect(await refusal(dc.customRequest('variables', { variablesReference: 'registers' }))).toMatch(/'variablesReference' must be a number/);
    expect(await refusal(dc.customRequest('variables', { variablesReference: 999 }))).toMatch(/unknown variables reference/);
    expect(await refusal(dc.customRequest('setBreakpoints', { source: 42 }))).toMatch(/'source'/);
    expect(await refusal(dc.customRequest('stackTrace', [1, 2]))).toMatch(/arguments object/);
    const body = '{"seq": 99, "type": "request", "command": '; // cut short: not JSON
    open.current().writeRaw(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const raw = JSON.stringify({ seq: 100, type: 'request' });
    open.current().writeRaw(`Content-Length: ${Buffer.byteLength(raw)}\r\n\r\n${raw}`);
    expect((await dc.threadsRequest()).body.threads).toHaveLength(1);
    expect((await topFrame(dc)).line).toBe(15);
  });

  test('`hyperstep dap --port 0` serves DAP on 127.0.0.1', async () => {
    const proc = spawn(process.execPath, [CLI_BIN, 'dap', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let err = '';
        proc.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
          if (m) resolve(Number(m[1]));
        });
        proc.on('exit', () => reject(new Error(`exited: ${err}`)));
      });
      const dc = new DebugClient(process.execPath, CLI_BIN, 'hyperstep');
      await dc.start(port);
      await launch(dc, { program: HELLO, stopOnEntry: true });
      expect((await topFrame(dc)).name).toBe('_start');
      await dc.stop();
      // Not reachable on another interface than loopback.
      const other = Object.values(os.networkInterfaces())
        .flat()
        .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
      if (other !== undefined) {
        const refused = await new Promise<boolean>((resolve) => {
          const s = net.connect(port, other.address);
          s.on('connect', () => {
            s.destroy();
            resolve(false);
          });
          s.on('error', () => resolve(true));
        });
        expect(refused).toBe(true);
      }
    } finally {
      proc.kill();
    }
  });
});
