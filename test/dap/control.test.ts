// Execution control beyond stepping: restart (re-assembles the changed source), goto targets, and
// serial input through the custom request, through DebugClient over stdio.
import { expect, test } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { adapterPerTest, COUNTER, evaluate, launch, refusal, topFrame } from './adapter.js';

const ECHO = path.join(REPO_ROOT, 'test', 'dap', 'guests', 'console-echo.asm');
const INCLUDE = path.join(REPO_ROOT, 'samples', 'include');

const open = adapterPerTest();

function guestSaying(letter: string): string {
  return [
    'bits 32',
    'org 0x100000',
    '%include "multiboot.inc"',
    'section .text',
    'MULTIBOOT_HEADER',
    '_start:',
    '    mov esp, stack_top',
    `    mov al, '${letter}'`,
    '    mov dx, COM1',
    '    out dx, al',
    '    mov dx, DEBUG_EXIT_PORT',
    '    mov al, 0',
    '    out dx, al',
    '    hlt',
    'section .data',
    'mb_load_end:',
    'section .bss',
    'alignb 16',
    '    resb 256',
    'stack_top:',
    'mb_bss_end:',
    '',
  ].join('\n');
}

test('restart re-assembles the changed source and keeps the breakpoints', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-restart-'));
  const file = path.join(dir, 'say.asm');
  fs.writeFileSync(file, guestSaying('A'));
  const dc = open();
  await launch(dc, { program: file, includePaths: [INCLUDE], stopOnEntry: true });
  const bp = await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: 10 }] });
  expect(bp.body.breakpoints[0]).toMatchObject({ verified: true, line: 10 });
  let stopped = dc.waitForEvent('stopped');
  await dc.continueRequest({ threadId: 1 });
  await stopped;
  expect(await evaluate(dc, 'al')).toBe('0x41');
  fs.writeFileSync(file, guestSaying('B'));
  stopped = dc.waitForEvent('stopped');
  await dc.customRequest('restart', {});
  expect((await stopped).body.reason).toBe('entry');
  stopped = dc.waitForEvent('stopped');
  await dc.continueRequest({ threadId: 1 });
  expect((await stopped).body.reason).toBe('breakpoint');
  expect(await evaluate(dc, 'al')).toBe('0x42');
  const output = dc.assertOutput('stdout', 'B');
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: 1 });
  await output;
  expect((await exited).body.exitCode).toBe(1);
});

test('a restart whose source no longer assembles is refused with file:line and ends the session', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-restart-'));
  const file = path.join(dir, 'say.asm');
  fs.writeFileSync(file, guestSaying('A'));
  const dc = open();
  await launch(dc, { program: file, includePaths: [INCLUDE], stopOnEntry: true });
  fs.writeFileSync(file, guestSaying('A').replace('mov dx, COM1', 'mov dx,'));
  const terminated = dc.waitForEvent('terminated');
  expect(await refusal(dc.customRequest('restart', {}))).toMatch(/say\.asm:9: /);
  await terminated;
});

test('goto targets a line with code and moves EIP there; lines without code have none', async () => {
  const dc = open();
  await launch(dc, { program: COUNTER, stopOnEntry: true });
  const targets = await dc.customRequest('gotoTargets', { source: { path: COUNTER }, line: 18 });
  expect(targets.body.targets).toHaveLength(1);
  expect((await dc.customRequest('gotoTargets', { source: { path: COUNTER }, line: 1 })).body.targets).toEqual([]);
  const stopped = dc.waitForEvent('stopped');
  await dc.customRequest('goto', { threadId: 1, targetId: targets.body.targets[0].id });
  expect((await stopped).body.reason).toBe('goto');
  expect((await topFrame(dc)).line).toBe(18);
  expect(await refusal(dc.customRequest('goto', { threadId: 1, targetId: 0x12345 }))).toMatch(/not an instruction of the program/);
});

test('serial input through the hyperstep.serialInput request reaches the guest', async () => {
  const dc = open();
  await launch(dc, { program: ECHO, stopOnEntry: true });
  expect(await refusal(dc.customRequest('hyperstep.serialInput', {}))).toMatch(/'text'/);
  const r = await dc.customRequest('hyperstep.serialInput', { text: 'hi\n' });
  expect(r.body).toEqual({ bytesQueued: 3 });
  const output = dc.assertOutput('stdout', 'hi\n');
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: 1 });
  await output;
  expect((await exited).body.exitCode).toBe(1);
});

test('hyperstep.translation shows the translated block beside the guest code under binary translation only', async () => {
  const dc = open();
  await launch(dc, { program: COUNTER, technique: 'binary-translation', stopOnEntry: true });
  await dc.setBreakpointsRequest({ source: { path: COUNTER }, breakpoints: [{ line: 16 }] });
  const stopped = dc.waitForEvent('stopped');
  await dc.continueRequest({ threadId: 1 });
  await stopped;
  const r = await dc.customRequest('hyperstep.translation', {});
  const body = r.body as { guest: { text: string; line?: number }[]; translation: { text: string; kind: string }[]; tc: string };
  expect(body.guest.map((g) => g.text)).toContain('inc eax');
  expect(body.guest.some((g) => g.line === 15)).toBe(true);
  expect(body.translation.length).toBeGreaterThanOrEqual(body.guest.length);
  expect(body.translation.every((t) => t.text !== '' && t.text !== '??')).toBe(true);
  expect(Number(body.tc)).toBeGreaterThan(0);
  expect((r.body as { content: string }).content).toMatch(/inc eax/);
});

test('hyperstep.translation under another technique says why there is none', async () => {
  const dc = open();
  await launch(dc, { program: COUNTER, technique: 'vt-x', stopOnEntry: true });
  expect(await refusal(dc.customRequest('hyperstep.translation', {}))).toMatch(/not binary-translation/);
});
