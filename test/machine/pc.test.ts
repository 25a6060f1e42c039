// The assembled PC: memory size, the device state a guest finds at entry (measured on QEMU 7.2
// with a guest that read the ports first thing, see firmware.ts), and the wiring of the timer and
// the UART to the PIC and of virtual time to the devices.
import { describe, expect, it } from 'vitest';
import { TICKS_PER_SECOND } from '../../debug-adapter/src/machine/clock.js';
import { PcMachine } from '../../debug-adapter/src/machine/pc.js';
import { PIT_HZ } from '../../debug-adapter/src/machine/pit.js';
import { mulDivCeil } from './support.js';

const pitTick = (cycles: number) => mulDivCeil(cycles, TICKS_PER_SECOND, PIT_HZ);

function ports(pc: PcMachine) {
  return {
    out: (port: number, value: number) => pc.ioWrite(port, 1, value),
    inb: (port: number) => pc.ioRead(port, 1),
  };
}

describe('memory size', () => {
  it('defaults to 32 MiB and takes 1 to 3072 MiB', () => {
    expect(new PcMachine().memory.size).toBe(32 * 1024 * 1024);
    expect(new PcMachine({ memoryMiB: 1 }).memory.size).toBe(1024 * 1024);
  });

  it.each([0, -4, 3073, 1.5, Number.NaN])('refuses %s MiB with a clear message', (memoryMiB) => {
    expect(() => new PcMachine({ memoryMiB })).toThrow(/guest memory must be a whole number of MiB from 1 to 3072/);
  });
});

describe('device state at entry', () => {
  it('matches what a guest read under QEMU: A20, PIC masks and requests, PIT and UART', () => {
    const pc = new PcMachine();
    const { out, inb } = ports(pc);
    const seen = [inb(0x92), inb(0x21), inb(0xa1)];
    out(0x20, 0x0a);
    out(0xa0, 0x0a);
    seen.push(inb(0x20), inb(0xa0));
    out(0x20, 0x0b);
    out(0xa0, 0x0b);
    seen.push(inb(0x20), inb(0xa0));
    expect(seen).toEqual([0x02, 0xb8, 0x8e, 0x10, 0x00, 0x00, 0x00]);
    out(0x43, 0xee);
    expect([inb(0x40), inb(0x41), inb(0x42)].map((s) => s & 0x7f)).toEqual([0x34, 0x06, 0x06]);
    expect([0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff].map(inb)).toEqual([0x00, 0x01, 0x00, 0x08, 0x60, 0xb0, 0x00]);
    out(0x3fb, 0x80);
    expect([inb(0x3f8), inb(0x3f9)]).toEqual([0x0c, 0x00]);
  });

  it('the PICs deliver at the BIOS vectors, including the IRQ4 the BIOS left latched', () => {
    const pc = new PcMachine();
    const { out } = ports(pc);
    expect(pc.intrPending()).toBe(false);
    out(0x21, 0xa8); // unmask IRQ4 as well
    expect(pc.intrPending()).toBe(true);
    expect(pc.acknowledgeInterrupt()).toBe(0x0c);
  });
});

describe('timer interrupts', () => {
  it('IRQ0 fires at 18.2 Hz from the BIOS programming, at the exact tick', () => {
    const pc = new PcMachine();
    const first = pitTick(65536);
    expect(pc.nextDeadline()).toBe(first);
    pc.advanceTo(first - 1);
    expect(pc.intrPending()).toBe(false);
    pc.advanceTo(first);
    expect(pc.intrPending()).toBe(true);
    expect(pc.acknowledgeInterrupt()).toBe(0x08);
    pc.ioWrite(0x20, 1, 0x20);
    expect(pc.intrPending()).toBe(false);
    pc.advanceTo(pitTick(2 * 65536));
    expect(pc.acknowledgeInterrupt()).toBe(0x08);
  });

  it('a guest that reprograms the PIC and the PIT gets 100 Hz interrupts at its own vector', () => {
    const pc = new PcMachine();
    const { out } = ports(pc);
    for (const [port, value] of [[0x20, 0x11], [0x21, 0x20], [0x21, 0x04], [0x21, 0x01], [0x21, 0xfe]]) out(port, value);
    pc.advanceTo(1_000_000);
    out(0x43, 0x36);
    out(0x40, 11932 & 0xff);
    out(0x40, 11932 >> 8);
    const vectors: number[] = [];
    const times: number[] = [];
    while (vectors.length < 5) {
      if (pc.intrPending()) {
        times.push(pc.now);
        vectors.push(pc.acknowledgeInterrupt());
        out(0x20, 0x20);
      }
      pc.advanceTo(pc.nextDeadline());
    }
    expect(vectors).toEqual([0x20, 0x20, 0x20, 0x20, 0x20]);
    // Mode 3 goes high at the load (the first edge) and again every 11932 cycles.
    expect(times).toEqual([0, 1, 2, 3, 4].map((k) => 1_000_000 + pitTick(k * 11932)));
  });

  it('time only moves forward', () => {
    const pc = new PcMachine();
    pc.advanceTo(10);
    expect(() => pc.advanceTo(9)).toThrow(RangeError);
  });
});

describe('serial console', () => {
  it('sends guest output to every listener until it unsubscribes', () => {
    const pc = new PcMachine();
    const a: number[] = [];
    const b: number[] = [];
    pc.onSerialOutput((x) => a.push(x));
    const stop = pc.onSerialOutput((x) => b.push(x));
    pc.ioWrite(0x3f8, 1, 0x68);
    stop();
    pc.ioWrite(0x3f8, 1, 0x69);
    expect(a).toEqual([0x68, 0x69]);
    expect(b).toEqual([0x68]);
  });

  it('input raises IRQ4 when the guest enables it', () => {
    const pc = new PcMachine();
    const { out, inb } = ports(pc);
    out(0x20, 0x11); // re-initialize to drop the BIOS's stale IRQ4
    out(0x21, 0x08);
    out(0x21, 0x04);
    out(0x21, 0x01);
    out(0x21, 0xef);
    out(0x3f9, 0x01);
    expect(pc.intrPending()).toBe(false);
    pc.serialInput(new TextEncoder().encode('hi'));
    expect(pc.intrPending()).toBe(true);
    expect(pc.acknowledgeInterrupt()).toBe(0x0c);
    expect(inb(0x3f8)).toBe(0x68);
    out(0x20, 0x20);
    // The next byte is in RBR at once; the line went low and high again across the read.
    expect(pc.intrPending()).toBe(true);
    expect(inb(0x3f8)).toBe(0x69);
  });
});
