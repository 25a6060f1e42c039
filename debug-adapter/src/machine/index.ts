// The guest machine's public surface: the PC, its loader's result and errors, and the pieces
// the CPU, the hypervisor and the debugger look at.
export { PcMachine, DEFAULT_MEMORY_MIB, MAX_MEMORY_MIB, type PcMachineOptions, type StopRequest } from './pc.js';
export type { EntryState, GeneralRegisters, ImageFormat, LoadedRegion, SegmentRegister, TableRegister } from './entry-state.js';
export type { LoadOptions } from './loader.js';
export { LoadError } from './load-error.js';
export type { DebugExitRequest } from './debug-exit.js';
export { PhysicalMemory, PAGE_SIZE, PAGE_SHIFT } from './memory.js';
export { IoBus, type IoDevice, type IoSize } from './io-bus.js';
export { TICKS_PER_SECOND, VirtualClock } from './clock.js';
