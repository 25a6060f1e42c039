// The guest PC: RAM from address 0, the port I/O bus with QEMU's i386 PC devices, virtual time,
// and the image loader. It is what `qemu-system-i386 -kernel IMAGE -serial stdio -device
// isa-debug-exit,iobase=0xf4,iosize=0x04` gives a guest, as the guest sees it when its first
// instruction runs (the devices as SeaBIOS left them, see firmware.ts).
//
// Contract with the CPU's run loop:
// - Time is the number of retired instructions (see clock.ts). Call advanceTo(now) before each
//   IN/OUT, and whenever now reaches nextDeadline(); device events (timer edges, UART timeouts)
//   happen there. nextDeadline() can change after any port write or serial input.
// - Between instructions, when EFLAGS.IF = 1 and intrPending(), deliver the vector that
//   acknowledgeInterrupt() returns.
// - After an OUT, check stopRequest: isa-debug-exit and port 0x92's reset bit set it; the first
//   request stays until clearStopRequest().
import { Scheduler, VirtualClock } from './clock.js';
import { DebugExit, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE, type DebugExitRequest } from './debug-exit.js';
import type { EntryState } from './entry-state.js';
import { applyFirmwareDeviceState } from './firmware.js';
import { IoBus, type IoSize } from './io-bus.js';
import { type LoadOptions, loadImage } from './loader.js';
import { PhysicalMemory } from './memory.js';
import { DualPic, picPorts } from './pic.js';
import { Pit } from './pit.js';
import { PostPort, SystemControlA, SystemControlB } from './system-ports.js';
import { Uart16550 } from './uart.js';

export const DEFAULT_MEMORY_MIB = 32;
export const MAX_MEMORY_MIB = 3072;
export const COM1_PORT = 0x3f8;
export const COM1_IRQ = 4;
export const TIMER_IRQ = 0;

export interface PcMachineOptions {
  /** RAM size in MiB, 1 to 3072 (default 32). */
  memoryMiB?: number;
  /**
   * Gate the UART's IRQ with MCR OUT2 as a PC does (default true). false drives IRQ4 from the
   * UART's interrupt state alone, as QEMU does; the two differ only for guests that clear OUT2.
   */
  uartOut2GatesIrq?: boolean;
}

export type StopRequest = DebugExitRequest | { kind: 'reset' };

export class PcMachine {
  readonly memory: PhysicalMemory;
  readonly clock = new VirtualClock();
  readonly io = new IoBus();
  readonly pic = new DualPic();
  readonly pit: Pit;
  readonly uart: Uart16550;
  readonly systemControlA: SystemControlA;
  private readonly scheduler = new Scheduler(this.clock);
  private readonly serialListeners: ((byte: number) => void)[] = [];
  private request: StopRequest | null = null;

  constructor(options: PcMachineOptions = {}) {
    const mib = options.memoryMiB ?? DEFAULT_MEMORY_MIB;
    if (!Number.isInteger(mib) || mib < 1 || mib > MAX_MEMORY_MIB) {
      throw new RangeError(`guest memory must be a whole number of MiB from 1 to ${MAX_MEMORY_MIB} (got ${String(options.memoryMiB)})`);
    }
    this.memory = new PhysicalMemory(mib * 0x100000);

    this.pit = new Pit(this.clock, (level) => this.pic.setIrq(TIMER_IRQ, level));
    this.uart = new Uart16550(this.clock, (level) => this.pic.setIrq(COM1_IRQ, level), {
      gateIrqWithOut2: options.uartOut2GatesIrq ?? true,
    });
    this.uart.onOutput((byte) => {
      for (const listener of this.serialListeners) listener(byte);
    });
    this.systemControlA = new SystemControlA(() => this.requestStop({ kind: 'reset' }));

    this.io.register(0x20, 2, picPorts(this.pic.master));
    this.io.register(0xa0, 2, picPorts(this.pic.slave));
    this.io.register(0x40, 4, this.pit);
    this.io.register(0x61, 1, new SystemControlB(this.pit));
    this.io.register(0x80, 1, new PostPort());
    this.io.register(0x92, 1, this.systemControlA);
    this.io.register(DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE, new DebugExit((request) => this.requestStop(request)));
    this.io.register(COM1_PORT, 8, this.uart);

    this.scheduler.add(this.pit);
    this.scheduler.add(this.uart);
    applyFirmwareDeviceState(this.io);
  }

  /** Loads a Multiboot (a.out kludge or ELF), plain ELF32 or boot-sector image into RAM. */
  load(image: Uint8Array, options: LoadOptions = {}): EntryState {
    return loadImage(this.memory, image, options);
  }

  ioRead(port: number, size: IoSize): number {
    return this.io.read(port, size);
  }

  ioWrite(port: number, size: IoSize, value: number): void {
    this.io.write(port, size, value);
  }

  /** The CPU's INTR line. */
  intrPending(): boolean {
    return this.pic.intrPending();
  }

  /** Interrupt acknowledge: the vector to deliver (the PIC updates its IRR and ISR). */
  acknowledgeInterrupt(): number {
    return this.pic.acknowledge();
  }

  /** Absolute tick of the next device event, or Infinity. */
  nextDeadline(): number {
    return this.scheduler.nextDeadline();
  }

  advanceTo(now: number): void {
    this.scheduler.advanceTo(now);
  }

  get now(): number {
    return this.clock.now;
  }

  get stopRequest(): StopRequest | null {
    return this.request;
  }

  clearStopRequest(): void {
    this.request = null;
  }

  /** Whether the A20 gate (port 0x92 bit 1) is on; memory does not wrap at 1 MiB either way. */
  get a20Enabled(): boolean {
    return this.systemControlA.a20Enabled;
  }

  /** Bytes typed by the user, for the guest to read from COM1. */
  serialInput(bytes: Uint8Array): void {
    this.uart.receive(bytes);
  }

  /** Calls `listener` with every byte the guest sends on COM1; returns a function that stops it. */
  onSerialOutput(listener: (byte: number) => void): () => void {
    this.serialListeners.push(listener);
    return () => {
      const at = this.serialListeners.indexOf(listener);
      if (at >= 0) this.serialListeners.splice(at, 1);
    };
  }

  private requestStop(request: StopRequest): void {
    this.request ??= request;
  }
}
