// What the CPU needs from the machine around it. The PC machine (../machine) provides it; tests
// can provide a smaller one.
import type { PhysicalMemory } from '../machine/memory.js';

export interface CpuBus {
  readonly memory: PhysicalMemory;
  ioRead(port: number, size: 1 | 2 | 4): number;
  ioWrite(port: number, size: 1 | 2 | 4, value: number): void;
  /** The INTR line: a maskable interrupt is waiting at the interrupt controller. */
  intrPending(): boolean;
  /** Interrupt acknowledge cycle: the vector of the interrupt being taken. */
  acknowledgeInterrupt(): number;
  /** Virtual time (ticks) of the next device event, or Infinity. */
  nextDeadline(): number;
  /** Runs device events due at or before `now`. */
  advanceTo(now: number): void;
  /** Set by a device that ends the run (isa-debug-exit, reset); checked after every OUT. */
  stopRequested(): boolean;
}

/** A bus with RAM only: no devices, no interrupts (instruction tests, snippets). */
export function memoryOnlyBus(memory: PhysicalMemory): CpuBus {
  return {
    memory,
    ioRead: (_port, size) => (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff),
    ioWrite: () => undefined,
    intrPending: () => false,
    acknowledgeInterrupt: () => 0,
    nextDeadline: () => Infinity,
    advanceTo: () => undefined,
    stopRequested: () => false,
  };
}
