// The same debugging session under every technique: conditional line breakpoints, the stack
// through two calls, and a step, at the guest's addresses (binary translation runs the guest from
// its translation cache, trap-and-emulate at ring 1, vt-x in non-root mode).
import { describe, expect, test } from 'vitest';
import { ALL_TECHNIQUES } from '../../debug-adapter/src/hypervisor/index.js';
import '../../debug-adapter/src/hypervisor/techniques.js';
import { COUNTER, launch, startAdapter, topFrame } from './adapter.js';

describe.each(ALL_TECHNIQUES.filter((t) => t !== 'paravirt'))('under %s', (technique) => {
  test('a conditional breakpoint, the stack of two calls, and next', async () => {
    const adapter = startAdapter();
    const dc = adapter.dc;
    try {
      await launch(dc, { program: COUNTER, technique, stopOnEntry: true });
      const r = await dc.setBreakpointsRequest({ source: { path: COUNTER }, breakpoints: [{ line: 15, condition: 'eax == 5' }, { line: 46 }] });
      expect(r.body.breakpoints.map((b) => b.verified)).toEqual([true, true]);
      let stopped = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: 1 });
      await stopped;
      expect(await topFrame(dc)).toMatchObject({ name: '_start', line: 15 });
      expect((await dc.evaluateRequest({ expression: 'eax', context: 'watch' })).body.result).toBe('0x5');
      stopped = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: 1 });
      await stopped;
      const trace = await dc.stackTraceRequest({ threadId: 1 });
      expect(trace.body.stackFrames.map((f) => `${f.name}:${f.line}`)).toEqual(['leaf:46', 'framed:39', '_start:19']);
      stopped = dc.waitForEvent('stopped');
      await dc.nextRequest({ threadId: 1 });
      await stopped;
      expect(await topFrame(dc)).toMatchObject({ name: 'leaf', line: 47 });
    } finally {
      expect(await adapter.close()).toBe(0);
    }
  });
});
