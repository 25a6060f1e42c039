// The PC's miscellaneous system ports, as QEMU 7.2 provides them:
// - 0x80, the POST diagnostic port: writes are ignored, reads return 0xFF.
// - 0x92, System Control Port A: the byte written is kept and read back whole; bit 1 is the A20
//   gate; a 0-to-1 change of bit 0 requests a fast reset. SeaBIOS leaves it at 0x02 (A20 on).
// - 0x61, System Control Port B: bit 0 gates PIT channel 2, bit 1 is the speaker data enable,
//   bit 4 toggles on every read (QEMU's stand-in for the DRAM refresh clock, so polling loops
//   make progress), bit 5 is PIT channel 2's OUT.
import type { IoDevice } from './io-bus.js';
import type { Pit } from './pit.js';

export class PostPort implements IoDevice {
  readonly byteWide = true;

  read(): number {
    return 0xff;
  }

  write(): void {}
}

export class SystemControlA implements IoDevice {
  readonly byteWide = true;
  value = 0;

  constructor(private readonly onReset: () => void) {}

  get a20Enabled(): boolean {
    return (this.value & 0x02) !== 0;
  }

  read(): number {
    return this.value;
  }

  write(_offset: number, _size: number, value: number): void {
    const old = this.value;
    this.value = value & 0xff;
    if (value & 1 && !(old & 1)) this.onReset();
  }
}

export class SystemControlB implements IoDevice {
  readonly byteWide = true;
  private speakerData = false;
  private refresh = 0;

  constructor(private readonly pit: Pit) {}

  read(): number {
    this.refresh ^= 0x10;
    const channel2 = this.pit.channels[2];
    return (channel2.gate ? 1 : 0) | (this.speakerData ? 2 : 0) | this.refresh | (channel2.out() ? 0x20 : 0);
  }

  write(_offset: number, _size: number, value: number): void {
    this.speakerData = (value & 2) !== 0;
    this.pit.setGate(2, (value & 1) !== 0);
  }
}
