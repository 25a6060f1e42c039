// Runs one code snippet from a known register state (32-bit flat protected mode, ring 0, paging
// off) and reports the final state: the CPU side of the differential tests against unicorn.
import { PhysicalMemory } from '../machine/memory.js';
import { memoryOnlyBus } from './bus.js';
import { Cpu } from './cpu.js';
import { CS, DS, ES, FS, GS, SS, CR0_ET, CR0_PE, FLAG_FIXED1 } from './constants.js';
import type { Intercepts } from './intercepts.js';
import {
  SNIPPET_CODE_BASE, SNIPPET_DATA_BASE, SNIPPET_DATA_SIZE, type SnippetCase, type SnippetOutcome,
  type SnippetRegisters,
} from './snippet-types.js';

export * from './snippet-types.js';

const REGISTER_ORDER: (keyof SnippetRegisters)[] = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const FLAT_CODE = 0xcf9b;
const FLAT_DATA = 0xcf93;

/** A CPU in 32-bit flat protected mode at ring 0 over `memory` (no GDT in memory). */
export function flatCpu(memory: PhysicalMemory): Cpu {
  const cpu = new Cpu(memoryOnlyBus(memory));
  cpu.cr0 = CR0_ET | CR0_PE;
  for (const seg of [ES, SS, DS, FS, GS]) cpu.setSegmentCache(seg, 0x10, 0, 0xffffffff, FLAT_DATA);
  cpu.setSegmentCache(CS, 0x08, 0, 0xffffffff, FLAT_CODE);
  cpu.modeChanged();
  return cpu;
}

let shared: { memory: PhysicalMemory; cpu: Cpu } | undefined;

/** Stops the run at the first exception, before it is delivered. */
const stopAtFault: Intercepts = {
  event: (cpu, vector, _errorCode, kind) => {
    if (kind !== 'exception') return 'native';
    faultVector = vector;
    cpu.halted = true;
    cpu.attention = true;
    return 'handled';
  },
};
let faultVector = -1;

export function runSnippet(c: SnippetCase): SnippetOutcome {
  if (shared === undefined) {
    const memory = new PhysicalMemory(1 << 20);
    shared = { memory, cpu: flatCpu(memory) };
  }
  const { memory, cpu } = shared;
  memory.bytes.fill(0, 0, 0x40000);
  memory.writeBytes(SNIPPET_CODE_BASE, c.code);
  if (c.data !== undefined) memory.writeBytes(SNIPPET_DATA_BASE, c.data.subarray(0, SNIPPET_DATA_SIZE));
  REGISTER_ORDER.forEach((name, i) => {
    cpu.r32[i] = c.regs[name];
  });
  cpu.setEflags(c.eflags | FLAG_FIXED1);
  cpu.eip = SNIPPET_CODE_BASE;
  cpu.halted = false;
  cpu.intercepts = stopAtFault;
  faultVector = -1;
  const end = SNIPPET_CODE_BASE + c.code.length;
  const budget = cpu.retired + (c.maxInstructions ?? 10_000);
  while (cpu.eip !== end && faultVector < 0 && cpu.retired < budget) {
    cpu.run(cpu.retired + 1);
    if (cpu.halted && faultVector < 0) break;
  }
  const regs = {} as SnippetRegisters;
  REGISTER_ORDER.forEach((name, i) => {
    regs[name] = cpu.r32[i] >>> 0;
  });
  const outcome: SnippetOutcome = {
    regs,
    eflags: cpu.getEflags(),
    eip: cpu.eip >>> 0,
    data: memory.readBytes(SNIPPET_DATA_BASE, SNIPPET_DATA_SIZE),
  };
  if (faultVector >= 0) outcome.fault = faultVector;
  return outcome;
}
