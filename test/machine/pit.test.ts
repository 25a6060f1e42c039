// The 8254 at 0x40-0x43 against its model (QEMU 7.2's i8254): IRQ0 edges at the exact virtual
// tick for modes 0, 2 and 3, counter reads computed from virtual time, latch and read-back
// commands, access modes, and channel 2's gate.
import { beforeEach, describe, expect, it } from 'vitest';
import { Scheduler, TICKS_PER_SECOND, VirtualClock } from '../../debug-adapter/src/machine/clock.js';
import { IoBus } from '../../debug-adapter/src/machine/io-bus.js';
import { PIT_HZ, Pit } from '../../debug-adapter/src/machine/pit.js';
import { LineRecorder, mulDivCeil, mulDivFloor } from './support.js';

let clock: VirtualClock;
let scheduler: Scheduler;
let pit: Pit;
let io: IoBus;
let irq0: LineRecorder;
const out = (port: number, value: number) => io.write(port, 1, value);
const inb = (port: number) => io.read(port, 1);
/** First tick at which `cycles` PIT cycles have passed since `from`. */
const at = (from: number, cycles: number) => from + mulDivCeil(cycles, TICKS_PER_SECOND, PIT_HZ);
/** PIT cycles completed `ticks` after a load. */
const cyclesIn = (ticks: number) => mulDivFloor(ticks, PIT_HZ, TICKS_PER_SECOND);

function program(channel: number, mode: number, count: number): void {
  out(0x43, (channel << 6) | 0x30 | (mode << 1));
  out(0x40 + channel, count & 0xff);
  out(0x40 + channel, (count >> 8) & 0xff);
}

/** Latches channel `channel` and reads the 16-bit count (lo/hi access mode). */
function latchedCount(channel: number): number {
  out(0x43, channel << 6);
  return inb(0x40 + channel) | (inb(0x40 + channel) << 8);
}

beforeEach(() => {
  clock = new VirtualClock();
  scheduler = new Scheduler(clock);
  irq0 = new LineRecorder(() => clock.now);
  pit = new Pit(clock, irq0.set);
  scheduler.add(pit);
  io = new IoBus();
  io.register(0x40, 4, pit);
});

describe('IRQ0 timing', () => {
  it('mode 2 (rate generator): a rising edge every N cycles, high for one cycle', () => {
    scheduler.advanceTo(5000);
    const loaded = clock.now;
    program(0, 2, 1000);
    expect(irq0.level).toBe(false);
    scheduler.advanceTo(loaded + 20 * TICKS_PER_SECOND / 1000); // 20 ms: 23 periods
    const rising = irq0.risingEdges();
    expect(rising).toHaveLength(Math.floor(cyclesIn(20_000_000) / 1000));
    rising.forEach((tick, k) => expect(tick).toBe(at(loaded, (k + 1) * 1000)));
    const falling = irq0.edges.filter((e) => !e.level).map((e) => e.at);
    falling.forEach((tick, k) => expect(tick).toBe(at(loaded, (k + 1) * 1000 + 1)));
  });

  it('mode 3 (square wave): high for ceil(N/2) cycles, low for floor(N/2)', () => {
    program(0, 3, 5);
    expect(irq0.level).toBe(true);
    scheduler.advanceTo(at(0, 50));
    const expected: { at: number; level: boolean }[] = [{ at: 0, level: true }];
    for (let period = 0; period < 10; period++) {
      expected.push({ at: at(0, period * 5 + 3), level: false });
      expected.push({ at: at(0, period * 5 + 5), level: true });
    }
    expect(irq0.edges).toEqual(expected);
  });

  it('mode 3 with the 18.2 Hz BIOS count has the exact period over many virtual seconds', () => {
    program(0, 3, 0); // 0 = 65536
    scheduler.advanceTo(100 * TICKS_PER_SECOND);
    const rising = irq0.risingEdges().slice(1); // the first is the load itself
    expect(rising).toHaveLength(Math.floor(cyclesIn(100 * TICKS_PER_SECOND) / 65536));
    expect(rising.at(-1)).toBe(at(0, rising.length * 65536));
  });

  it('mode 0 (interrupt on terminal count): one rising edge N cycles after the load', () => {
    scheduler.advanceTo(1234);
    program(0, 0, 100);
    expect(irq0.level).toBe(false);
    expect(pit.nextEvent()).toBe(at(1234, 100));
    scheduler.advanceTo(TICKS_PER_SECOND);
    expect(irq0.edges).toEqual([{ at: at(1234, 100), level: true }]);
    expect(pit.nextEvent()).toBe(Infinity);
  });

  it('reloading the count restarts the period from the load', () => {
    program(0, 2, 1000);
    scheduler.advanceTo(500_000);
    out(0x40, 0x00);
    out(0x40, 0x02); // N = 512, loaded at 500000
    scheduler.advanceTo(at(500_000, 512 * 3));
    expect(irq0.risingEdges()).toEqual([at(500_000, 512), at(500_000, 1024), at(500_000, 1536)]);
  });
});

describe('counter reads', () => {
  it('mode 2 counts N..1 from the load tick, computed from virtual time', () => {
    program(0, 2, 1000);
    for (const t of [0, 838, 839, 100_000, 838_096, 1_000_000, 7_777_777]) {
      clock.now = t;
      expect(latchedCount(0)).toBe(1000 - (cyclesIn(t) % 1000));
    }
  });

  it('stays exact after days of virtual time', () => {
    program(0, 2, 0);
    clock.now = 3 * 86400 * TICKS_PER_SECOND + 987_654_321;
    expect(latchedCount(0)).toBe(65536 - (cyclesIn(clock.now) % 65536));
  });

  it('mode 0 counts down through zero and wraps', () => {
    program(0, 0, 10);
    clock.now = at(0, 3);
    expect(latchedCount(0)).toBe(7);
    clock.now = at(0, 12);
    expect(latchedCount(0)).toBe(0xfffe);
  });

  it('mode 3 counts down by two', () => {
    program(0, 3, 100);
    clock.now = at(0, 10);
    expect(latchedCount(0)).toBe(80);
    clock.now = at(0, 60);
    expect(latchedCount(0)).toBe(80);
  });

  it('a latched count holds until both bytes are read; a second latch is ignored meanwhile', () => {
    program(0, 2, 50000);
    clock.now = at(0, 100);
    out(0x43, 0x00);
    clock.now = at(0, 300);
    out(0x43, 0x00);
    expect(inb(0x40) | (inb(0x40) << 8)).toBe(49900);
    // Unlatched, the lo/hi reads follow the live counter.
    expect(inb(0x40) | (inb(0x40) << 8)).toBe(49700);
  });

  it('lo-only and hi-only access modes', () => {
    out(0x43, 0x14); // channel 0, lo only, mode 2
    out(0x40, 0x80);
    clock.now = at(0, 0x10);
    expect(inb(0x40)).toBe(0x70);
    expect(inb(0x40)).toBe(0x70);
    out(0x43, 0x24); // hi only
    out(0x40, 0x02); // N = 0x200
    clock.now += mulDivCeil(0x10, TICKS_PER_SECOND, PIT_HZ);
    expect(inb(0x40)).toBe(0x01); // 0x200 - 0x10 = 0x1f0: high byte only
  });

  it('the control port reads 0', () => {
    program(0, 2, 1000);
    expect(inb(0x43)).toBe(0);
  });
});

describe('read-back command', () => {
  it('latches status bytes (OUT, access, mode, BCD) and counts of the selected channels', () => {
    program(0, 3, 1000);
    program(1, 2, 0x1234);
    out(0x43, 0x31 | (2 << 6)); // channel 2: lo/hi, mode 0, BCD
    out(0x43, 0xee); // status only, channels 0-2
    expect(inb(0x40)).toBe(0x80 | 0x36);
    expect(inb(0x41)).toBe(0x34);
    expect(inb(0x42)).toBe(0x31); // no count written yet: OUT reads from the old count
    clock.now = at(0, 7);
    out(0x43, 0xc2 | 0x08); // count and status of channels 0 and 2
    expect(inb(0x40)).toBe(0x36 | 0x80); // status first
    expect(inb(0x40) | (inb(0x40) << 8)).toBe(1000 - 14);
  });

  it('status-only read-back leaves the count live', () => {
    program(0, 2, 1000);
    out(0x43, 0xe2);
    clock.now = at(0, 5);
    expect(inb(0x40)).toBe(0x34);
    expect(inb(0x40) | (inb(0x40) << 8)).toBe(995);
  });
});

describe('channel 2 gate', () => {
  it('a rising gate edge restarts modes 2 and 3', () => {
    program(2, 2, 100);
    clock.now = at(0, 30);
    pit.setGate(2, true);
    clock.now = at(0, 40);
    expect(latchedCount(2)).toBe(100 - (cyclesIn(at(0, 40) - at(0, 30)) % 100));
  });
});
