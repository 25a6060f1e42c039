// The 8259A pair through its ports and the CPU's side (INTR, acknowledge): initialization,
// masking, edge latching, priorities, EOI, cascade, spurious interrupts, auto-EOI, poll,
// rotation and special mask, with QEMU 7.2's i8259 as the reference.
import { beforeEach, describe, expect, it } from 'vitest';
import { IoBus } from '../../debug-adapter/src/machine/io-bus.js';
import { DualPic, picPorts } from '../../debug-adapter/src/machine/pic.js';

let pic: DualPic;
let io: IoBus;
const out = (port: number, value: number) => io.write(port, 1, value);
const inb = (port: number) => io.read(port, 1);
const irr = (cmd: number) => (out(cmd, 0x0a), inb(cmd));
const isr = (cmd: number) => (out(cmd, 0x0b), inb(cmd));

/** The usual PC initialization: edge, cascade, ICW4, 8086 mode; vectors 0x20 and 0x28. */
function init(masterIcw4 = 0x01, slaveIcw4 = 0x01): void {
  out(0x20, 0x11);
  out(0xa0, 0x11);
  out(0x21, 0x20);
  out(0xa1, 0x28);
  out(0x21, 0x04);
  out(0xa1, 0x02);
  out(0x21, masterIcw4);
  out(0xa1, slaveIcw4);
  out(0x21, 0x00);
  out(0xa1, 0x00);
}

beforeEach(() => {
  pic = new DualPic();
  io = new IoBus();
  io.register(0x20, 2, picPorts(pic.master));
  io.register(0xa0, 2, picPorts(pic.slave));
});

describe('initialization and masking', () => {
  it('ICW2 sets the vector base (low three bits ignored) and the IRQ is delivered there', () => {
    out(0x20, 0x11);
    out(0x21, 0x35);
    out(0x21, 0x04);
    out(0x21, 0x01);
    out(0x21, 0x00);
    expect(pic.intrPending()).toBe(false);
    pic.raiseIrq(3);
    expect(pic.intrPending()).toBe(true);
    expect(pic.acknowledge()).toBe(0x33);
    expect(pic.intrPending()).toBe(false);
  });

  it('single mode (ICW1 bit 1) skips ICW3', () => {
    out(0x20, 0x13);
    out(0x21, 0x40);
    out(0x21, 0x01); // ICW4 directly
    out(0x21, 0xfe); // now OCW1
    expect(inb(0x21)).toBe(0xfe);
    pic.raiseIrq(0);
    expect(pic.acknowledge()).toBe(0x40);
  });

  it('IMR masks requests without losing them and reads back', () => {
    init();
    out(0x21, 0xff);
    expect(inb(0x21)).toBe(0xff);
    pic.raiseIrq(5);
    expect(pic.intrPending()).toBe(false);
    expect(irr(0x20)).toBe(0x20);
    out(0x21, 0xdf);
    expect(pic.intrPending()).toBe(true);
    expect(pic.acknowledge()).toBe(0x25);
  });

  it('ICW1 clears IRR, ISR and IMR', () => {
    init();
    pic.raiseIrq(1);
    pic.raiseIrq(4);
    pic.acknowledge();
    out(0x21, 0x80);
    out(0x20, 0x11);
    out(0x21, 0x20);
    out(0x21, 0x04);
    out(0x21, 0x01);
    expect(irr(0x20)).toBe(0);
    expect(isr(0x20)).toBe(0);
    expect(inb(0x21)).toBe(0);
    expect(pic.intrPending()).toBe(false);
  });
});

describe('edge-triggered requests', () => {
  beforeEach(() => init());

  it('latches a pulse and does not re-trigger while the line stays high', () => {
    pic.raiseIrq(6);
    pic.lowerIrq(6);
    expect(pic.intrPending()).toBe(true);
    expect(pic.acknowledge()).toBe(0x26);
    out(0x20, 0x20);
    pic.raiseIrq(6);
    pic.acknowledge();
    out(0x20, 0x20);
    pic.raiseIrq(6); // still high: no new edge
    expect(pic.intrPending()).toBe(false);
    pic.lowerIrq(6);
    pic.raiseIrq(6);
    expect(pic.intrPending()).toBe(true);
  });
});

describe('priority and end of interrupt', () => {
  beforeEach(() => init());

  it('serves the lowest IRQ number first and blocks lower priorities until EOI', () => {
    pic.raiseIrq(5);
    pic.raiseIrq(3);
    expect(pic.acknowledge()).toBe(0x23);
    expect(isr(0x20)).toBe(0x08);
    expect(irr(0x20)).toBe(0x20);
    expect(pic.intrPending()).toBe(false); // IRQ5 waits for IRQ3's EOI
    pic.raiseIrq(1);
    expect(pic.intrPending()).toBe(true); // IRQ1 preempts
    expect(pic.acknowledge()).toBe(0x21);
    expect(isr(0x20)).toBe(0x0a);
    out(0x20, 0x20); // non-specific EOI ends the highest in service: IRQ1
    expect(isr(0x20)).toBe(0x08);
    expect(pic.intrPending()).toBe(false);
    out(0x20, 0x63); // specific EOI for IRQ3
    expect(isr(0x20)).toBe(0);
    expect(pic.acknowledge()).toBe(0x25);
  });

  it('an EOI with nothing in service does nothing', () => {
    out(0x20, 0x20);
    expect(isr(0x20)).toBe(0);
    expect(pic.intrPending()).toBe(false);
  });

  it('auto-EOI (ICW4 bit 1) leaves ISR clear', () => {
    init(0x03, 0x01);
    pic.raiseIrq(2 + 2);
    expect(pic.acknowledge()).toBe(0x24);
    expect(isr(0x20)).toBe(0);
    pic.raiseIrq(7);
    expect(pic.acknowledge()).toBe(0x27);
  });

  it('set-priority (OCW2 0xC0+n) makes IRQ n the lowest', () => {
    out(0x20, 0xc4);
    pic.raiseIrq(3);
    pic.raiseIrq(6);
    expect(pic.acknowledge()).toBe(0x26);
  });

  it('rotate on non-specific EOI moves the served IRQ to the lowest priority', () => {
    pic.raiseIrq(2 + 1);
    expect(pic.acknowledge()).toBe(0x23);
    out(0x20, 0xa0);
    pic.raiseIrq(0);
    pic.raiseIrq(4);
    expect(pic.acknowledge()).toBe(0x24); // 4 now outranks 0
  });

  it('special mask mode lets lower priorities through while a masked IRQ is in service', () => {
    pic.raiseIrq(3);
    expect(pic.acknowledge()).toBe(0x23);
    pic.raiseIrq(5);
    expect(pic.intrPending()).toBe(false);
    out(0x21, 0x08);
    out(0x20, 0x68); // OCW3: set special mask
    expect(pic.intrPending()).toBe(true);
    expect(pic.acknowledge()).toBe(0x25);
    out(0x20, 0x48); // reset special mask
    expect(isr(0x20)).toBe(0x28);
  });

  it('poll (OCW3 bit 2) acknowledges through a port read', () => {
    pic.raiseIrq(4);
    out(0x20, 0x0c);
    expect(inb(0x20)).toBe(0x84);
    expect(isr(0x20)).toBe(0x10);
    out(0x20, 0x0c);
    expect(inb(0x21)).toBe(0); // nothing else pending: 0, and poll mode ends
    expect(inb(0x21)).toBe(0);
  });
});

describe('cascade and spurious interrupts', () => {
  beforeEach(() => init());

  it('delivers slave IRQs through the master IRQ2 and needs EOI on both', () => {
    pic.raiseIrq(10);
    expect(irr(0x20)).toBe(0x04);
    expect(pic.acknowledge()).toBe(0x2a);
    expect(isr(0x20)).toBe(0x04);
    expect(isr(0xa0)).toBe(0x04);
    pic.raiseIrq(3); // lower priority than IRQ2 on the master
    expect(pic.intrPending()).toBe(false);
    out(0xa0, 0x20);
    out(0x20, 0x20);
    expect(pic.acknowledge()).toBe(0x23);
  });

  it('slave masking and priorities apply before the master sees the request', () => {
    out(0xa1, 0x02);
    pic.raiseIrq(9);
    expect(pic.intrPending()).toBe(false);
    pic.raiseIrq(14);
    expect(pic.acknowledge()).toBe(0x2e);
    out(0xa1, 0x00);
    out(0xa0, 0x20);
    out(0x20, 0x20);
    expect(pic.acknowledge()).toBe(0x29);
  });

  it('an acknowledge with nothing pending gets IRQ7 and leaves ISR alone', () => {
    expect(pic.intrPending()).toBe(false);
    expect(pic.acknowledge()).toBe(0x27);
    expect(isr(0x20)).toBe(0);
    // A request withdrawn (masked) between INTR and the acknowledge:
    pic.raiseIrq(5);
    out(0x21, 0x20);
    expect(pic.acknowledge()).toBe(0x27);
    expect(isr(0x20)).toBe(0);
  });

  it('a slave request withdrawn after the master latched IRQ2 gives IRQ15 with IRQ2 in service', () => {
    pic.raiseIrq(12);
    out(0xa1, 0x10);
    expect(pic.intrPending()).toBe(true); // the master's IRR keeps the edge
    expect(pic.acknowledge()).toBe(0x2f);
    expect(isr(0x20)).toBe(0x04);
    expect(isr(0xa0)).toBe(0);
  });
});
