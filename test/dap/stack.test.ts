// Stack traces through the debug adapter (DebugClient over stdio): callers that set up no EBP
// frame, interrupt frames marked between the handler and the interrupted code, under the
// techniques the DAP can launch.
import { describe, expect, test } from 'vitest';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { REPO_ROOT } from '../helpers/paths.js';
import { adapterPerTest } from './adapter.js';

const STACK_CALLS = path.join(REPO_ROOT, 'test', 'dap', 'guests', 'stack-calls.asm');
const STACK_INTERRUPT = path.join(REPO_ROOT, 'test', 'dap', 'guests', 'stack-interrupt.asm');

const open = adapterPerTest();

async function stopAt(program: string, line: number, technique: string): Promise<DebugProtocol.StackFrame[]> {
  const dc = open();
  await dc.hitBreakpoint({ program, technique } as DebugProtocol.LaunchRequestArguments, { path: program, line });
  const r = await dc.stackTraceRequest({ threadId: 1 });
  expect(r.body.totalFrames).toBe(r.body.stackFrames.length);
  return r.body.stackFrames;
}

/** name, line and source file of each frame (label frames: name and hint only). */
function outline(frames: DebugProtocol.StackFrame[]): string[] {
  return frames.map((f) => (f.presentationHint === 'label' ? `[label] ${f.name}` : `${f.name}:${f.line} ${path.basename(f.source?.path ?? '?')}`));
}

const TECHNIQUES = ['native', 'trap-and-emulate', 'binary-translation', 'vt-x'];

describe('callers without frame pointers', () => {
  test.each(TECHNIQUES)('%s: the routine without an EBP frame and its caller both show, at their call lines', async (technique) => {
    const frames = await stopAt(STACK_CALLS, 35, technique);
    expect(outline(frames)).toEqual(['worker:35 stack-calls.asm', 'dispatch:28 stack-calls.asm', '_start:16 stack-calls.asm']);
    expect(frames.every((f) => f.presentationHint === undefined && f.instructionPointerReference !== undefined)).toBe(true);
  });
});

describe('interrupt frames', () => {
  test.each(TECHNIQUES)('%s: the handler, the interrupt marked with its vector, then the interrupted code', async (technique) => {
    const frames = await stopAt(STACK_INTERRUPT, 40, technique);
    expect(outline(frames)).toEqual([
      'tick:40 stack-interrupt.asm',
      'timer:35 stack-interrupt.asm',
      '[label] ── interrupt 0x20 (IRQ0) ──',
      'idle:29 stack-interrupt.asm',
      '_start:21 stack-interrupt.asm',
    ]);
    const boundary = frames[2];
    expect(boundary.source).toBeUndefined();
    expect(boundary.instructionPointerReference).toBeUndefined();
  });
});

describe('paravirt', () => {
  test('an event upcall shows as a boundary between the event callback and the interrupted code', async () => {
    const timer = path.join(REPO_ROOT, 'samples', 'pv-timer.asm');
    const line = 42; // tick: inc dword [ticks]
    const dc = open();
    await dc.hitBreakpoint({ program: timer, technique: 'paravirt', defines: { XEN: '' } } as DebugProtocol.LaunchRequestArguments, { path: timer, line });
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    const names = outline(frames);
    expect(names[0]).toBe('tick:42 pv-timer.asm');
    expect(names[1]).toMatch(/^pv_event_entry:\d+ pvops\.inc$/);
    expect(names[2]).toBe('[label] ── event upcall (Xen event channel) ──');
    expect(names.length).toBeGreaterThan(3);
  });
});
