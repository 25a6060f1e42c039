// The 16550A at COM1 through its registers: transmit, receive, LSR, IIR priorities, interrupt
// enables, FIFOs and the character timeout, divisor latch, modem lines, loopback and the OUT2
// gate of the PC's IRQ line. Register values at power-on and in loopback were measured on QEMU
// 7.2 with a guest that read them over their ports (see firmware.ts).
import { beforeEach, describe, expect, it } from 'vitest';
import { Scheduler, VirtualClock } from '../../debug-adapter/src/machine/clock.js';
import { IoBus } from '../../debug-adapter/src/machine/io-bus.js';
import { Uart16550, type UartOptions } from '../../debug-adapter/src/machine/uart.js';
import { LineRecorder } from './support.js';

const COM1 = 0x3f8;
const [THR, IER, IIR, LCR, MCR, LSR, MSR, SCR] = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => COM1 + r);
const FCR = IIR;

let clock: VirtualClock;
let scheduler: Scheduler;
let uart: Uart16550;
let io: IoBus;
let irq: LineRecorder;
let sent: number[];
const out = (port: number, value: number) => io.write(port, 1, value);
const inb = (port: number) => io.read(port, 1);

function setup(options: UartOptions = {}): void {
  clock = new VirtualClock();
  scheduler = new Scheduler(clock);
  irq = new LineRecorder(() => clock.now);
  uart = new Uart16550(clock, irq.set, options);
  scheduler.add(uart);
  io = new IoBus();
  io.register(COM1, 8, uart);
  sent = [];
  uart.onOutput((b) => sent.push(b));
}

beforeEach(() => setup());

describe('registers after reset', () => {
  it('reads as QEMU 7.2 COM1 does at kernel entry (before SeaBIOS touched IER)', () => {
    expect([IER, IIR, LCR, MCR, LSR, MSR, SCR].map(inb)).toEqual([0x00, 0x01, 0x00, 0x08, 0x60, 0xb0, 0x00]);
    out(LCR, 0x80);
    expect([inb(COM1), inb(COM1 + 1)]).toEqual([0x0c, 0x00]);
  });

  it('keeps IER to four bits, SCR to a byte; LSR and MSR ignore writes', () => {
    out(IER, 0xff);
    expect(inb(IER)).toBe(0x0f);
    out(SCR, 0x5a);
    expect(inb(SCR)).toBe(0x5a);
    out(LSR, 0x00);
    out(MSR, 0x00);
    out(IER, 0);
    expect(inb(LSR)).toBe(0x60);
    expect(inb(MSR)).toBe(0xb0);
  });
});

describe('transmit', () => {
  it('sends every THR byte at once and THR is empty again for the next instruction', () => {
    for (const b of [0x48, 0x69, 0x0a]) out(THR, b);
    expect(sent).toEqual([0x48, 0x69, 0x0a]);
    expect(inb(LSR) & 0x60).toBe(0x60);
  });

  it('with DLAB set, offsets 0 and 1 are the divisor latch, not THR and IER', () => {
    out(LCR, 0x83);
    out(COM1, 0x01);
    out(COM1 + 1, 0x00);
    expect(sent).toEqual([]);
    expect([inb(COM1), inb(COM1 + 1)]).toEqual([0x01, 0x00]);
    out(LCR, 0x03);
    expect(inb(LCR)).toBe(0x03);
    expect(inb(IER)).toBe(0x00);
    out(THR, 0x41);
    expect(sent).toEqual([0x41]);
  });

  it('raises the THR-empty interrupt when enabled; reading IIR clears it; each write raises it again', () => {
    out(IER, 0x02);
    expect(inb(IIR)).toBe(0x02);
    expect(irq.level).toBe(false); // IIR read cleared it
    expect(inb(IIR)).toBe(0x01);
    out(THR, 0x41);
    expect(irq.level).toBe(true);
    expect(irq.edges.map((e) => e.level)).toEqual([true, false, true]);
    out(IER, 0x00);
    expect(irq.level).toBe(false);
    expect(inb(IIR)).toBe(0x01);
  });
});

describe('receive', () => {
  it('delivers host bytes one at a time through RBR with DR', () => {
    expect(inb(LSR) & 1).toBe(0);
    uart.receive(Uint8Array.of(0x61, 0x62));
    expect(inb(LSR)).toBe(0x61);
    expect(inb(COM1)).toBe(0x61);
    expect(inb(LSR) & 1).toBe(1); // the next byte is already there
    expect(inb(COM1)).toBe(0x62);
    expect(inb(LSR) & 1).toBe(0);
    expect(uart.queuedInput).toBe(0);
  });

  it('raises the received-data interrupt when enabled; reading RBR clears it', () => {
    out(IER, 0x01);
    expect(irq.level).toBe(false);
    uart.receive(Uint8Array.of(0x7a));
    expect(irq.level).toBe(true);
    expect(inb(IIR)).toBe(0x04);
    expect(inb(COM1)).toBe(0x7a);
    expect(irq.level).toBe(false);
    expect(inb(IIR)).toBe(0x01);
  });

  it('received data outranks THR empty; line status outranks both', () => {
    out(IER, 0x07);
    expect(inb(IIR)).toBe(0x02);
    out(MCR, 0x18); // loopback, OUT2
    out(THR, 1);
    out(THR, 2); // overrun: RBR was still full
    expect(inb(IIR)).toBe(0x06);
    expect(inb(LSR) & 0x03).toBe(0x03); // OE and DR; the read clears OE
    expect(inb(IIR)).toBe(0x04);
    expect(inb(COM1)).toBe(2);
    expect(inb(IIR)).toBe(0x02);
  });
});

describe('FIFOs', () => {
  it('IIR reports the FIFOs enabled in bits 6-7', () => {
    out(FCR, 0x07);
    expect(inb(IIR)).toBe(0xc1);
    out(FCR, 0xc7);
    expect(inb(IIR)).toBe(0xc1);
    out(FCR, 0x00);
    expect(inb(IIR)).toBe(0x01);
  });

  it('interrupts at the trigger level and fills the FIFO only up to it', () => {
    out(FCR, 0x41); // FIFO on, trigger level 4
    out(IER, 0x01);
    uart.receive(Uint8Array.of(1, 2, 3));
    expect(irq.level).toBe(false);
    uart.receive(Uint8Array.of(4, 5, 6));
    expect(irq.level).toBe(true);
    expect(inb(IIR)).toBe(0xc4);
    expect(uart.queuedInput).toBe(2);
    const got: number[] = [];
    while (inb(LSR) & 1) got.push(inb(COM1));
    expect(got).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('data below the trigger level raises the character timeout after four character times', () => {
    out(LCR, 0x83);
    out(COM1, 0x01); // 115200 baud
    out(LCR, 0x03); // 8N1: 10 bits a character = 86805 ns
    out(FCR, 0xc1); // trigger level 14
    out(IER, 0x01);
    uart.receive(Uint8Array.of(0x31, 0x32));
    expect(uart.nextEvent()).toBe(4 * 86805);
    scheduler.advanceTo(4 * 86805 - 1);
    expect(irq.level).toBe(false);
    scheduler.advanceTo(4 * 86805);
    expect(irq.level).toBe(true);
    expect(inb(IIR)).toBe(0xcc);
    expect(inb(COM1)).toBe(0x31);
    expect(irq.level).toBe(false); // reading restarts the timeout
    expect(uart.nextEvent()).toBe(8 * 86805);
    scheduler.advanceTo(8 * 86805);
    expect(inb(IIR)).toBe(0xcc);
    expect(inb(COM1)).toBe(0x32);
    expect(uart.nextEvent()).toBe(Infinity);
    expect(inb(IIR)).toBe(0xc1);
  });

  it('clearing the receive FIFO drops its data', () => {
    out(FCR, 0x01);
    uart.receive(Uint8Array.of(9));
    out(FCR, 0x03);
    expect(inb(LSR) & 1).toBe(0);
  });
});

describe('modem control, loopback and the IRQ line', () => {
  it('loopback returns transmitted bytes to RBR instead of the output and mirrors MCR in MSR', () => {
    out(MCR, 0x10);
    expect(inb(MSR)).toBe(0x00);
    out(THR, 0x51);
    expect(sent).toEqual([]);
    expect(inb(LSR)).toBe(0x61);
    expect(inb(COM1)).toBe(0x51);
    out(MCR, 0x1f);
    expect(inb(MSR)).toBe(0xf0);
    out(MCR, 0x13);
    expect(inb(MSR)).toBe(0x30);
    out(MCR, 0x0b);
    expect(inb(MSR)).toBe(0xb0);
    out(THR, 0x52);
    expect(sent).toEqual([0x52]);
  });

  it('host input waits while loopback is on', () => {
    out(MCR, 0x10);
    uart.receive(Uint8Array.of(0x41));
    expect(inb(LSR) & 1).toBe(0);
    out(MCR, 0x08);
    expect(inb(COM1)).toBe(0x41);
  });

  it('on a PC, OUT2 gates the IRQ line and loopback forces it off', () => {
    out(MCR, 0x00);
    out(IER, 0x02);
    expect(inb(IIR) & 0x0f).toBe(0x02);
    out(IER, 0x00);
    out(IER, 0x02);
    expect(irq.level).toBe(false);
    out(MCR, 0x08);
    expect(irq.level).toBe(true);
    out(MCR, 0x18);
    expect(irq.level).toBe(false);
    out(MCR, 0x0b);
    expect(irq.level).toBe(true);
  });

  it("as in QEMU, without the OUT2 gate the interrupt state drives the line", () => {
    setup({ gateIrqWithOut2: false });
    out(MCR, 0x10);
    out(IER, 0x01);
    out(THR, 0x51);
    expect(irq.level).toBe(true);
    expect(inb(IIR)).toBe(0x04);
  });
});
