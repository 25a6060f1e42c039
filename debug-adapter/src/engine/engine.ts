// The engine facade: one guest machine with its CPU, as the command line and the debug adapter
// see it. Loads an image or an assembly source (keeping its source map), runs until a stop
// condition (instruction budget, breakpoint, device stop, shutdown), steps one instruction, and
// reads or writes registers, flags, segments, control registers and memory. `runSliced` yields
// to the event loop between slices so a caller (the DAP server) stays responsive.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assemble } from '../asm/index.js';
import type { AsmDiagnostic, SourceMapEntry, SymbolInfo } from '../asm/types.js';
import { PcMachine } from '../machine/pc.js';
import { Cpu } from '../cpu/cpu.js';
import type { CpuBus } from '../cpu/bus.js';
import { applyEntryState } from './entry.js';
import { peekTranslation } from '../cpu/mmu.js';
import {
  costModel, createHypervisor, EventLog, type CostModel, type CostOverrides, type Hypervisor, type HypervisorOptions,
  type SourcePosition, type Technique, type VmmStatistics,
} from '../hypervisor/index.js';
import '../hypervisor/techniques.js';

export const DEFAULT_MEMORY_MIB = 32;

export type StopReason =
  | 'debug-exit' // the guest wrote to isa-debug-exit
  | 'poweroff' // the guest asked its hypervisor to power off (Xen PV sched_op)
  | 'crash' // the guest told its hypervisor it crashed
  | 'shutdown' // triple fault
  | 'reset' // the guest asked for a reset (port 0x92 / 0xCF9 ...)
  | 'halted' // HLT with interrupts disabled: can never resume
  | 'idle' // HLT with interrupts enabled and no device event will ever come
  | 'instruction-limit'
  | 'breakpoint'
  | 'step'
  | 'pause'
  | 'event'; // stopAfterInstruction(): a debugger's exit, hole or watch listener asked to stop

export interface StopInfo {
  reason: StopReason;
  /** Exit status for the command line (ARCHITECTURE §6), when the run is over. */
  exitStatus?: number;
  /** One line for the user. */
  message?: string;
}

/** The input could not be run: unreadable, not an image, assembly errors. */
export class EngineInputError extends Error {
  constructor(message: string, readonly diagnostics: AsmDiagnostic[] = []) {
    super(message);
  }
}

export interface EngineOptions {
  memoryMiB?: number;
  includePaths?: string[];
  /** The virtualization technique (default native). */
  technique?: Technique;
  hypervisor?: HypervisorOptions;
  /** Preprocessor defines for sources (`-D XEN`). */
  defines?: Record<string, string>;
  costs?: CostOverrides;
  /** Keep a shadow call stack for the debugger's stack traces (cpu/call-stack.ts); off by default. */
  callTracking?: boolean;
}

export interface LoadedProgram {
  /** The image that was loaded. */
  image: Uint8Array;
  sourceFile?: string;
  sourceMap: SourceMapEntry[];
  symbols: SymbolInfo[];
}

export class Engine {
  readonly machine: PcMachine;
  readonly cpu: Cpu;
  program: LoadedProgram | undefined;
  private readonly serialListeners: ((bytes: Uint8Array) => void)[] = [];
  private pauseRequested = false;
  readonly technique: Technique;
  /** The VMM running the guest (null natively). */
  readonly hypervisor: Hypervisor | null;
  /** Exits and holes of this run. */
  readonly log = new EventLog();
  readonly costs: CostModel;
  private sourceIndex = new Map<number, SourcePosition>();

  constructor(options: EngineOptions = {}) {
    this.technique = options.technique ?? 'native';
    this.costs = costModel(options.costs);
    try {
      this.hypervisor = createHypervisor(this.technique, options.hypervisor);
    } catch (e) {
      throw new EngineInputError((e as Error).message);
    }
    const mib = options.memoryMiB ?? DEFAULT_MEMORY_MIB;
    this.machine = new PcMachine({ memoryMiB: mib });
    const machine = this.machine;
    const bus: CpuBus = {
      memory: machine.memory,
      // Devices see the time of the access (a PIT counter read, a UART's timing).
      ioRead: (port, size) => {
        machine.advanceTo(this.cpu.time);
        return machine.ioRead(port, size);
      },
      ioWrite: (port, size, value) => {
        machine.advanceTo(this.cpu.time);
        machine.ioWrite(port, size, value);
      },
      intrPending: () => machine.intrPending(),
      acknowledgeInterrupt: () => machine.acknowledgeInterrupt(),
      nextDeadline: () => machine.nextDeadline(),
      advanceTo: (now) => machine.advanceTo(now),
      stopRequested: () => machine.stopRequest !== null || (this.hypervisor?.pendingStop?.() ?? null) !== null,
    };
    this.cpu = new Cpu(bus);
    if (options.callTracking === true) this.cpu.trackCalls(true);
    machine.onSerialOutput((byte) => {
      const bytes = Uint8Array.of(byte);
      for (const l of this.serialListeners) l(bytes);
    });
  }

  /** Loads an image or, for `.asm`/`.nasm`/`.s` files, assembles it first (with its source map). */
  static fromFile(file: string, options: EngineOptions = {}): Engine {
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      throw new EngineInputError(`cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const engine = new Engine(options);
    if (/\.(asm|nasm|s)$/i.test(file)) engine.loadSource(data.toString('utf8'), file, options.includePaths, options.defines);
    else engine.loadImage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), file);
    return engine;
  }

  loadSource(source: string, fileName: string, includePaths: string[] = [], defines: Record<string, string> = {}): void {
    const result = assemble(source, {
      fileName,
      includePaths: [path.dirname(fileName), path.join(path.dirname(fileName), 'include'), ...includePaths],
      defines,
    });
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (!result.ok) {
      const first = errors[0];
      const where = first ? `${first.range.file}:${first.range.line}: ` : '';
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
      throw new EngineInputError(`assembly failed: ${where}${first?.message ?? 'unknown error'}${more}`, result.diagnostics);
    }
    this.program = { image: result.bytes, sourceFile: fileName, sourceMap: result.sourceMap, symbols: result.symbols };
    this.sourceIndex = new Map();
    for (const entry of result.sourceMap) {
      if (entry.kind === 'instruction' && !this.sourceIndex.has(entry.address)) {
        this.sourceIndex.set(entry.address, { file: entry.location.file, line: entry.location.line });
      }
    }
    const program = this.program;
    this.loadImage(result.bytes, fileName);
    this.program = program;
  }

  /** The source line an instruction address came from (programs loaded from source only). */
  sourceAt(eip: number): SourcePosition | undefined {
    return this.sourceIndex.get(eip >>> 0);
  }

  /** The guest's EIP, also while the CPU runs translated code (binary translation). */
  get guestEip(): number {
    return this.guestEipOf(this.cpu.eip);
  }

  /** The guest address a CPU EIP stands for (they differ under binary translation). */
  guestEipOf(eip: number): number {
    const e = eip >>> 0;
    return this.hypervisor?.guestEip?.(e) ?? e;
  }

  /** Exits, holes and modelled cycles so far. */
  statistics(): VmmStatistics {
    return this.log.statistics(this.cpu.retired, this.costs.instruction);
  }

  /** `kernelName` is the path as the user gave it: QEMU passes it as the Multiboot command line. */
  loadImage(image: Uint8Array, kernelName?: string): void {
    let entry;
    try {
      entry = this.machine.load(image, { kernelName });
    } catch (e) {
      throw new EngineInputError((e as Error).message);
    }
    applyEntryState(this.cpu, entry);
    this.program = { image, sourceMap: [], symbols: [] };
    try {
      this.hypervisor?.start({
        cpu: this.cpu,
        machine: this.machine,
        log: this.log,
        costs: this.costs,
        sourceAt: (eip) => this.sourceAt(eip),
      });
    } catch (e) {
      throw new EngineInputError((e as Error).message); // e.g. paravirt on a guest that is not PV
    }
  }

  onSerial(listener: (bytes: Uint8Array) => void): void {
    this.serialListeners.push(listener);
  }

  /** Input typed by the user, for the UART's receiver. */
  serialInput(bytes: Uint8Array): void {
    this.machine.serialInput(bytes);
  }

  get instructions(): number {
    return this.cpu.retired;
  }

  /** Runs until a stop condition; `maxInstructions` counts from power-on. */
  run(maxInstructions = Infinity): StopInfo {
    const kind = this.cpu.run(maxInstructions);
    return this.describeStop(kind);
  }

  /** Executes exactly one instruction (or takes one pending interrupt/exception). */
  step(): StopInfo {
    const before = this.cpu.retired;
    const kind = this.cpu.run(before + 1);
    if (kind === 'budget') return { reason: 'step' };
    return this.describeStop(kind);
  }

  /**
   * Ends the run in progress after the current instruction with reason 'event' (callable from
   * listeners that fire inside it: exits, holes, memory watches).
   */
  stopAfterInstruction(): void {
    this.cpu.requestDebugStop();
  }

  requestPause(): void {
    this.pauseRequested = true;
  }

  /**
   * Runs in slices of `slice` instructions, yielding to the event loop in between, until a stop
   * condition, the budget, or requestPause().
   */
  async runSliced(maxInstructions = Infinity, slice = 2_000_000): Promise<StopInfo> {
    this.pauseRequested = false;
    for (;;) {
      const target = Math.min(maxInstructions, this.cpu.retired + slice);
      const kind = this.cpu.run(target);
      if (kind !== 'budget' || this.cpu.retired >= maxInstructions) return this.describeStop(kind);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.pauseRequested) {
        this.pauseRequested = false;
        return { reason: 'pause' };
      }
    }
  }

  private describeStop(kind: ReturnType<Cpu['run']>): StopInfo {
    const cpu = this.cpu;
    const eip = `EIP 0x${(cpu.eip >>> 0).toString(16).padStart(8, '0')}`;
    switch (kind) {
      case 'device': {
        const byHypervisor = this.hypervisor?.pendingStop?.() ?? null;
        if (byHypervisor !== null) {
          const reason = byHypervisor.reason === 'poweroff' ? 'poweroff' : 'crash';
          return { reason, exitStatus: byHypervisor.exitStatus, message: byHypervisor.message };
        }
        const request = this.machine.stopRequest;
        if (request?.kind === 'debug-exit') return { reason: 'debug-exit', exitStatus: request.status };
        return { reason: 'reset', exitStatus: 2, message: `the guest requested a system reset at ${eip}` };
      }
      case 'shutdown':
        return { reason: 'shutdown', exitStatus: 2, message: cpu.shutdown?.reason ?? `shutdown at ${eip}` };
      case 'halted':
        return { reason: 'halted', exitStatus: 2, message: `HLT with interrupts disabled at ${eip}: the guest can never resume` };
      case 'idle':
        return {
          reason: 'idle',
          exitStatus: 2,
          message: `HLT at ${eip} with no interrupt source left (no timer running, no serial input): the guest can never resume`,
        };
      case 'breakpoint':
        return { reason: 'breakpoint' };
      case 'attention':
        return { reason: 'event' };
      default:
        return { reason: 'instruction-limit', exitStatus: 4, message: `instruction limit reached (${cpu.retired} instructions) at ${eip}` };
    }
  }

  // ---- inspection ----------------------------------------------------------------------------

  readLinear(addr: number, length: number): Uint8Array | null {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const phys = this.translate((addr + i) >>> 0);
      if (phys === null) return null;
      out[i] = this.machine.memory.read8(phys);
    }
    return out;
  }

  writeLinear(addr: number, data: Uint8Array): boolean {
    for (let i = 0; i < data.length; i++) {
      const phys = this.translate((addr + i) >>> 0);
      if (phys === null) return false;
      this.machine.memory.writeBytes(phys, data.subarray(i, i + 1));
    }
    return true;
  }

  readPhysical(addr: number, length: number): Uint8Array {
    return this.machine.memory.readBytes(addr, length);
  }

  writePhysical(addr: number, data: Uint8Array): void {
    this.machine.memory.writeBytes(addr, data);
  }

  /** Linear → physical through the current page tables, without side effects (null: not mapped). */
  translate(linear: number): number | null {
    return peekTranslation(this.cpu, linear >>> 0)?.phys ?? null;
  }
}
