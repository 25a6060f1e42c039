// Port I/O dispatch and the small system ports, checked against what a guest measured under
// QEMU 7.2 (`qemu-system-i386 -kernel probe.bin -serial stdio -device isa-debug-exit,...`): the
// values in these tests are the ones that guest printed.
import { beforeEach, describe, expect, it } from 'vitest';
import { IoBus, type IoDevice } from '../../debug-adapter/src/machine/io-bus.js';
import { PcMachine } from '../../debug-adapter/src/machine/pc.js';

describe('IoBus', () => {
  function recorder(byteWide: boolean, unaligned = false) {
    const log: string[] = [];
    const device: IoDevice = {
      byteWide,
      unaligned,
      read: (offset, size) => (log.push(`r${offset}/${size}`), 0x10 + offset),
      write: (offset, size, value) => void log.push(`w${offset}/${size}=${value.toString(16)}`),
    };
    return { device, log };
  }

  it('unknown ports read all ones for the access size and ignore writes', () => {
    const bus = new IoBus();
    expect(bus.read(0x1234, 1)).toBe(0xff);
    expect(bus.read(0x1234, 2)).toBe(0xffff);
    expect(bus.read(0x1234, 4)).toBe(0xffffffff);
    bus.write(0x1234, 4, 0);
    expect(bus.read(0x1234, 1)).toBe(0xff);
  });

  it('splits wide accesses to a byte device into consecutive offsets, little-endian', () => {
    const bus = new IoBus();
    const { device, log } = recorder(true);
    bus.register(0x100, 4, device);
    expect(bus.read(0x100, 4)).toBe(0x13121110);
    bus.write(0x102, 2, 0xbeef);
    expect(log).toEqual(['r0/1', 'r1/1', 'r2/1', 'r3/1', 'w2/1=ef', 'w3/1=be']);
  });

  it('hands a wide device the whole access', () => {
    const bus = new IoBus();
    const { device, log } = recorder(false);
    bus.register(0x100, 4, device);
    bus.write(0x100, 4, 0x12345678);
    expect(bus.read(0x100, 2)).toBe(0x10);
    expect(log).toEqual(['w0/4=12345678', 'r0/2']);
  });

  it('drops accesses misaligned inside the device unless it takes unaligned ones', () => {
    const bus = new IoBus();
    const strict = recorder(true);
    const lax = recorder(true, true);
    bus.register(0x100, 4, strict.device);
    bus.register(0x200, 8, lax.device);
    expect(bus.read(0x101, 2)).toBe(0);
    bus.write(0x102, 4, 1);
    expect(strict.log).toEqual([]);
    expect(bus.read(0x201, 2)).toBe(0x1211);
    expect(lax.log).toEqual(['r1/1', 'r2/1']);
  });

  it('refuses overlapping registrations', () => {
    const bus = new IoBus();
    bus.register(0x100, 4, recorder(true).device);
    expect(() => bus.register(0x103, 1, recorder(true).device)).toThrow(/0x103 is already registered/);
    expect(() => bus.register(0xffff, 2, recorder(true).device)).toThrow(RangeError);
  });
});

describe('the PC port map (as measured under QEMU)', () => {
  let pc: PcMachine;
  beforeEach(() => {
    pc = new PcMachine();
  });

  it('wide and odd accesses', () => {
    const out = (port: number, value: number) => pc.ioWrite(port, 1, value);
    expect(pc.ioRead(0xe0, 1)).toBe(0xff); // nothing there
    expect(pc.ioRead(0xf4, 1)).toBe(0x00); // isa-debug-exit reads 0
    expect(pc.ioRead(0xf4, 4)).toBe(0x00000000);
    expect(pc.ioRead(0xf6, 2)).toBe(0x0000);
    out(0x20, 0x0b); // the master PIC reads ISR from now on
    expect(pc.ioRead(0x20, 2)).toBe(0xb800); // ISR | IMR << 8
    expect(pc.ioRead(0x21, 4)).toBe(0); // misaligned in the PIC's two ports
    expect(pc.ioRead(0x80, 4)).toBe(0xffffffff);
    expect(pc.ioRead(0x92, 4)).toBe(0x02020202);
    expect(pc.ioRead(0x40, 4) >>> 24).toBe(0); // byte 3 is the control port, which reads 0
    pc.ioWrite(0x3fe, 2, 0x5aa5); // MSR (read-only), then SCR
    expect(pc.ioRead(0x3ff, 1)).toBe(0x5a);
    pc.ioWrite(0x3fb, 2, 0x0a03); // LCR = 3, MCR = 0x0A
    expect([pc.ioRead(0x3fb, 1), pc.ioRead(0x3fc, 1)]).toEqual([0x03, 0x0a]);
  });

  it('port 0x80 ignores writes; port 0x92 keeps the whole byte and reports A20', () => {
    pc.ioWrite(0x80, 1, 0x42);
    expect(pc.ioRead(0x80, 1)).toBe(0xff);
    expect(pc.ioRead(0x92, 1)).toBe(0x02);
    expect(pc.a20Enabled).toBe(true);
    pc.ioWrite(0x92, 1, 0xf0);
    expect(pc.ioRead(0x92, 1)).toBe(0xf0);
    expect(pc.a20Enabled).toBe(false);
    expect(pc.stopRequest).toBeNull();
  });

  it('port 0x92 bit 0 going from 0 to 1 requests a reset', () => {
    pc.ioWrite(0x92, 1, 0x03);
    expect(pc.stopRequest).toEqual({ kind: 'reset' });
    expect(pc.ioRead(0x92, 1)).toBe(0x03);
    pc.clearStopRequest();
    pc.ioWrite(0x92, 1, 0x03); // already 1: no edge
    expect(pc.stopRequest).toBeNull();
  });

  it('port 0x61 toggles bit 4 on every read and drives PIT channel 2 gate', () => {
    const first = pc.ioRead(0x61, 1);
    expect(first & 0x10).toBe(0x10); // the first read under QEMU returned 0x10
    expect(pc.ioRead(0x61, 1) & 0x10).toBe(0);
    expect(first & 0x03).toBe(0);
    pc.ioWrite(0x61, 1, 0x03);
    expect(pc.ioRead(0x61, 1) & 0x03).toBe(0x03);
    expect(pc.pit.channels[2].gate).toBe(true);
  });
});

describe('isa-debug-exit', () => {
  it.each([
    [1, 0x00, 1],
    [1, 0x03, 7],
    [1, 0x80, 1], // (0x80 << 1) | 1 = 0x101: the host sees the low byte
    [2, 0x0102, 5], // measured: outw 0xF4, 0x0102 exits with status 5
    [4, 0x12345678, 241], // measured: outl 0xF4, 0x12345678 exits with status 241
  ] as const)('a %i-byte write of %i gives exit status %i', (size, value, status) => {
    const pc = new PcMachine();
    pc.ioWrite(0xf4, size, value);
    expect(pc.stopRequest).toEqual({ kind: 'debug-exit', value, status });
  });

  it('takes writes on all four ports, but not misaligned wide ones', () => {
    const pc = new PcMachine();
    pc.ioWrite(0xf5, 2, 1);
    expect(pc.stopRequest).toBeNull();
    pc.ioWrite(0xf7, 1, 2);
    expect(pc.stopRequest).toMatchObject({ kind: 'debug-exit', status: 5 });
    pc.ioWrite(0xf4, 1, 9); // the first request stands
    expect(pc.stopRequest).toMatchObject({ status: 5 });
  });
});
