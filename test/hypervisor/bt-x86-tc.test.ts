// The x86 translation cache itself: real bytes in VMM-private memory, chaining, guest EIPs.
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { runX86 } from './bt-x86-helpers.js';
import { REPO_ROOT } from '../helpers/paths.js';

test('hello: kernel blocks become x86 bytes in the TC, chained, with guest EIPs for the debugger', () => {
  const r = runX86(path.join(REPO_ROOT, 'samples', 'hello.asm'), 'binary-translation');
  const vmm = r.vmm;
  expect(vmm).not.toBeNull();
  if (vmm === null) return;
  const s = vmm.statistics();
  expect(s.mode).toBe('x86');
  expect(s.cacheBytes).toBeGreaterThan(0);
  expect(s.chainsPatched).toBeGreaterThan(0);
  expect(s.callouts).toBeGreaterThan(0);
  // The TC sits in the top 256 KiB of RAM; a guest EIP maps to itself.
  expect(vmm.guestEip(0x100000)).toBe(0x100000);
});
