// The 8254 programmable interval timer at 0x40-0x43, clocked at 1193182 Hz, as QEMU 7.2 models it.
// Counters are not simulated tick by tick: a channel remembers when its count was loaded, and its
// counter and OUT are functions of the cycles elapsed since then (d below, N = initial count,
// 0 meaning 65536):
//   mode 0  OUT = d >= N (rises once at terminal count); counter (N - d) & 0xFFFF
//   mode 2  OUT high for the one cycle d = kN (k >= 1), low otherwise; counter N - d mod N
//   mode 3  OUT high for d mod N < ceil(N/2), low for the rest; counter N - (2d mod N)
//   mode 1  OUT = d < N; modes 4, 5: OUT = (d == N); counter (N - d) & 0xFFFF
// These are QEMU's functions. They differ from the 8254 data sheet in ways a guest can only see
// in the status byte or within one input cycle (the data sheet's mode 2 OUT is low for one cycle
// rather than high; its mode 3 counts odd N differently; OUT does not change when only a control
// word is written); the IRQ0 rising edges fall on the same input cycles either way. Modes 6 and 7
// act as 2 and 3, as on the chip, but are reported as written. The BCD bit is kept and reported
// in the status byte; counting is always binary (QEMU does the same).
//
// Channel 0's OUT drives IRQ0. Its level is recomputed when a count is loaded, on a gate rising
// edge and at each OUT transition, which the machine's scheduler delivers at the exact tick.
// Channel 2's gate is bit 0 of port 0x61 (see system-ports.ts); channels 0 and 1 are always gated.
import { type TimedDevice, type VirtualClock, cyclesToTicks, ticksToCycles } from './clock.js';
import type { IoDevice } from './io-bus.js';

export const PIT_HZ = 1_193_182;

// Read/write states of a channel's data port (the access field of the control word).
const RW_LSB = 1;
const RW_MSB = 2;
const RW_WORD0 = 3;
const RW_WORD1 = 4;

export class PitChannel {
  /** Initial count N (1..65536). */
  count = 0x10000;
  /** Tick at which the count was loaded (or the gate last rose in modes 1, 2, 3, 5). */
  loadTime = 0;
  /** Mode bits as written (0-7). */
  mode = 3;
  bcd = false;
  /** Access mode of the last control word (0 before any). */
  rwMode = 0;
  readState = 0;
  writeState = 0;
  writeLatch = 0;
  latchedCount = 0;
  /** 0, or the read state the latched count is being read in. */
  countLatched = 0;
  status = 0;
  statusLatched = false;

  constructor(
    private readonly clock: VirtualClock,
    public gate: boolean,
  ) {}

  /** Mode as the counter behaves (6 and 7 are 2 and 3). */
  get effectiveMode(): number {
    return this.mode >= 6 ? this.mode - 4 : this.mode;
  }

  private elapsed(now: number): number {
    return ticksToCycles(now - this.loadTime, PIT_HZ);
  }

  out(now = this.clock.now): boolean {
    const d = this.elapsed(now);
    const n = this.count;
    switch (this.effectiveMode) {
      case 0:
        return d >= n;
      case 1:
        return d < n;
      case 2:
        return d % n === 0 && d !== 0;
      case 3:
        return d % n < (n + 1) >> 1;
      default:
        return d === n;
    }
  }

  /** The counter as a read sees it (may be 0x10000 in modes 2 and 3; reads take its bytes). */
  counter(now = this.clock.now): number {
    const d = this.elapsed(now);
    const n = this.count;
    switch (this.effectiveMode) {
      case 2:
        return n - (d % n);
      case 3:
        return n - ((2 * d) % n);
      default:
        return (n - d) & 0xffff;
    }
  }

  /** Absolute tick of OUT's next change after `now`, or Infinity. */
  nextTransition(now = this.clock.now): number {
    const d = this.elapsed(now);
    const n = this.count;
    let next: number;
    switch (this.effectiveMode) {
      case 0:
      case 1:
        if (d >= n) return Infinity;
        next = n;
        break;
      case 2:
        if (n === 1) {
          if (d >= 1) return Infinity;
          next = 1;
        } else {
          next = d % n === 0 && d !== 0 ? d + 1 : (Math.floor(d / n) + 1) * n;
        }
        break;
      case 3: {
        if (n === 1) return Infinity;
        const base = d - (d % n);
        const high = (n + 1) >> 1;
        next = d - base < high ? base + high : base + n;
        break;
      }
      default:
        if (d > n) return Infinity;
        next = d < n ? n : n + 1;
        break;
    }
    return this.loadTime + cyclesToTicks(next, PIT_HZ);
  }

  latchCount(): void {
    if (this.countLatched !== 0) return;
    this.latchedCount = this.counter() & 0xffff;
    this.countLatched = this.rwMode;
  }

  latchStatus(): void {
    if (this.statusLatched) return;
    this.status = (this.out() ? 0x80 : 0) | (this.rwMode << 4) | (this.mode << 1) | (this.bcd ? 1 : 0);
    this.statusLatched = true;
  }

  control(value: number): void {
    const access = (value >> 4) & 3;
    if (access === 0) {
      this.latchCount();
      return;
    }
    this.rwMode = access;
    this.readState = access;
    this.writeState = access;
    this.mode = (value >> 1) & 7;
    this.bcd = (value & 1) !== 0;
  }

  /** A data-port write; returns true when it loaded a new count. */
  writeData(value: number): boolean {
    switch (this.writeState) {
      case RW_MSB:
        this.load(value << 8);
        return true;
      case RW_WORD0:
        this.writeLatch = value;
        this.writeState = RW_WORD1;
        return false;
      case RW_WORD1:
        this.load(this.writeLatch | (value << 8));
        this.writeState = RW_WORD0;
        return true;
      case RW_LSB:
      default:
        this.load(value);
        return true;
    }
  }

  readData(): number {
    if (this.statusLatched) {
      this.statusLatched = false;
      return this.status;
    }
    switch (this.countLatched) {
      case 0:
        break;
      case RW_MSB:
        this.countLatched = 0;
        return this.latchedCount >> 8;
      case RW_WORD0:
        this.countLatched = RW_MSB;
        return this.latchedCount & 0xff;
      case RW_LSB:
      default:
        this.countLatched = 0;
        return this.latchedCount & 0xff;
    }
    const count = this.counter();
    switch (this.readState) {
      case RW_MSB:
        return (count >> 8) & 0xff;
      case RW_WORD0:
        this.readState = RW_WORD1;
        return count & 0xff;
      case RW_WORD1:
        this.readState = RW_WORD0;
        return (count >> 8) & 0xff;
      default:
        return count & 0xff;
    }
  }

  /** Returns true when the gate's rising edge restarted the count. */
  setGate(level: boolean): boolean {
    const rising = level && !this.gate;
    this.gate = level;
    if (rising && this.effectiveMode !== 0 && this.effectiveMode !== 4) {
      this.loadTime = this.clock.now;
      return true;
    }
    return false;
  }

  private load(value: number): void {
    this.count = value === 0 ? 0x10000 : value;
    this.loadTime = this.clock.now;
  }
}

export class Pit implements IoDevice, TimedDevice {
  readonly byteWide = true;
  readonly channels: readonly [PitChannel, PitChannel, PitChannel];

  constructor(
    clock: VirtualClock,
    private readonly irq0: (level: boolean) => void,
  ) {
    this.channels = [new PitChannel(clock, true), new PitChannel(clock, true), new PitChannel(clock, false)];
  }

  read(offset: number): number {
    const port = offset & 3;
    // The control register is write-only.
    if (port === 3) return 0;
    return this.channels[port].readData();
  }

  write(offset: number, _size: number, value: number): void {
    const port = offset & 3;
    if (port !== 3) {
      if (this.channels[port].writeData(value & 0xff) && port === 0) this.updateIrq0();
      return;
    }
    const select = value >> 6;
    if (select !== 3) {
      this.channels[select].control(value);
      return;
    }
    // Read-back command: bit 5 clear latches counts, bit 4 clear latches status, bits 1-3 pick channels.
    for (let i = 0; i < 3; i++) {
      if ((value & (2 << i)) === 0) continue;
      if ((value & 0x20) === 0) this.channels[i].latchCount();
      if ((value & 0x10) === 0) this.channels[i].latchStatus();
    }
  }

  setGate(channel: number, level: boolean): void {
    if (this.channels[channel].setGate(level) && channel === 0) this.updateIrq0();
  }

  nextEvent(): number {
    return this.channels[0].nextTransition();
  }

  fireEvent(): void {
    this.updateIrq0();
  }

  private updateIrq0(): void {
    this.irq0(this.channels[0].out());
  }
}
