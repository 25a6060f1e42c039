// QEMU's isa-debug-exit device (`-device isa-debug-exit,iobase=0xf4,iosize=0x04`): any write to
// its ports ends the emulator with exit status (value << 1) | 1. QEMU takes the value of the
// whole access (a 16- or 32-bit OUT counts with all its bits), exits through exit(), so the host
// sees the low 8 bits of that status. Reads return 0. Accesses whose offset is not a multiple of
// their size (outw to 0xF5) never reach the device (see io-bus.ts).
import type { IoDevice, IoSize } from './io-bus.js';

export interface DebugExitRequest {
  kind: 'debug-exit';
  /** The value the guest wrote (the whole access). */
  value: number;
  /** The exit status the host sees: ((value << 1) | 1) & 0xFF, always odd. */
  status: number;
}

export const DEBUG_EXIT_PORT = 0xf4;
export const DEBUG_EXIT_SIZE = 4;

export function debugExitStatus(value: number): number {
  return ((value << 1) | 1) & 0xff;
}

export class DebugExit implements IoDevice {
  readonly byteWide = false;

  constructor(private readonly onExit: (request: DebugExitRequest) => void) {}

  read(): number {
    return 0;
  }

  write(_offset: number, _size: IoSize, value: number): void {
    this.onExit({ kind: 'debug-exit', value: value >>> 0, status: debugExitStatus(value) });
  }
}
