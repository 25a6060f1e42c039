// The PC's two 8259A interrupt controllers: master at 0x20/0x21 (IRQ 0-7), slave at 0xA0/0xA1
// (IRQ 8-15) cascaded into the master's IRQ2, behaving as QEMU 7.2's i8259:
// - Every input is edge-triggered: a rising edge sets the IRR bit, which stays set until the
//   interrupt is acknowledged (or ICW1 clears it) even if the line drops again.
// - ICW1 resets the chip (IMR, ISR, IRR, priority, OCW3 state) and starts the ICW2[-ICW3][-ICW4]
//   sequence; ICW2 sets the vector base (low 3 bits ignored); ICW4 selects auto-EOI and special
//   fully nested mode; the 8086/8080 and level-trigger bits are ignored as QEMU ignores them.
// - OCW2: non-specific EOI (0x20), specific EOI (0x60+n), rotate on non-specific EOI (0xA0),
//   rotate on specific EOI (0xE0+n), set priority (0xC0+n), rotate in auto-EOI mode (0x80/0x00).
// - OCW3: read IRR/ISR select, poll (the next read of either port acknowledges the highest
//   request and returns 0x80|irq, or 0 when none), special mask mode.
// - Acknowledge with nothing pending returns the spurious vector base+7 without touching ISR; on
//   the slave that is base2+7 while the master still marks IRQ2 in service.

import type { IoDevice } from './io-bus.js';

type LineOutput = (level: boolean) => void;

/** One 8259A. */
export class Pic8259 {
  irr = 0;
  imr = 0;
  isr = 0;
  /** Input line levels seen last, for edge detection. */
  lines = 0;
  /** Rotation: the IRQ with the highest priority is `priorityAdd`. */
  priorityAdd = 0;
  irqBase = 0;
  readIsr = false;
  poll = false;
  specialMask = false;
  /** 0 = operational, 1..3 = expecting ICW2..ICW4. */
  initState = 0;
  autoEoi = false;
  rotateOnAutoEoi = false;
  specialFullyNested = false;
  private icw4Expected = false;
  private single = false;

  constructor(
    readonly isMaster: boolean,
    private readonly output: LineOutput,
  ) {}

  setIrq(irq: number, level: boolean): void {
    const bit = 1 << irq;
    if (level) {
      if ((this.lines & bit) === 0) this.irr |= bit;
      this.lines |= bit;
    } else {
      this.lines &= ~bit;
    }
    this.update();
  }

  /** The IRQ (0-7) this chip would signal now, or -1. */
  pendingIrq(): number {
    const priority = this.highestPriority(this.irr & ~this.imr);
    if (priority === 8) return -1;
    let inService = this.isr;
    if (this.specialMask) inService &= ~this.imr;
    // In special fully nested mode the master lets a slave request through while IRQ2 is in service.
    if (this.specialFullyNested && this.isMaster) inService &= ~(1 << 2);
    return priority < this.highestPriority(inService) ? (priority + this.priorityAdd) & 7 : -1;
  }

  /** The CPU's (or the poll command's) acknowledge of `irq`. */
  acknowledgeIrq(irq: number): void {
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.priorityAdd = (irq + 1) & 7;
    } else {
      this.isr |= 1 << irq;
    }
    this.irr &= ~(1 << irq);
    this.update();
  }

  readPort(port: 0 | 1): number {
    if (this.poll) {
      this.poll = false;
      const irq = this.pendingIrq();
      if (irq < 0) return 0;
      this.acknowledgeIrq(irq);
      return 0x80 | irq;
    }
    if (port === 1) return this.imr;
    return this.readIsr ? this.isr : this.irr;
  }

  writePort(port: 0 | 1, value: number): void {
    if (port === 0) {
      if (value & 0x10) this.icw1(value);
      else if (value & 0x08) this.ocw3(value);
      else this.ocw2(value);
      return;
    }
    switch (this.initState) {
      case 0:
        this.imr = value;
        this.update();
        break;
      case 1:
        this.irqBase = value & 0xf8;
        this.initState = this.single ? (this.icw4Expected ? 3 : 0) : 2;
        break;
      case 2:
        this.initState = this.icw4Expected ? 3 : 0;
        break;
      default:
        this.specialFullyNested = (value & 0x10) !== 0;
        this.autoEoi = (value & 0x02) !== 0;
        this.initState = 0;
        break;
    }
  }

  private icw1(value: number): void {
    this.lines = 0;
    this.irr = 0;
    this.imr = 0;
    this.isr = 0;
    this.priorityAdd = 0;
    this.irqBase = 0;
    this.readIsr = false;
    this.poll = false;
    this.specialMask = false;
    this.autoEoi = false;
    this.rotateOnAutoEoi = false;
    this.specialFullyNested = false;
    this.icw4Expected = (value & 0x01) !== 0;
    this.single = (value & 0x02) !== 0;
    this.initState = 1;
    this.update();
  }

  private ocw2(value: number): void {
    const command = value >> 5;
    switch (command) {
      case 0:
      case 4:
        this.rotateOnAutoEoi = command === 4;
        break;
      case 1:
      case 5: {
        const priority = this.highestPriority(this.isr);
        if (priority === 8) break;
        const irq = (priority + this.priorityAdd) & 7;
        this.isr &= ~(1 << irq);
        if (command === 5) this.priorityAdd = (irq + 1) & 7;
        this.update();
        break;
      }
      case 3:
        this.isr &= ~(1 << (value & 7));
        this.update();
        break;
      case 6:
        this.priorityAdd = (value + 1) & 7;
        this.update();
        break;
      case 7:
        this.isr &= ~(1 << (value & 7));
        this.priorityAdd = ((value & 7) + 1) & 7;
        this.update();
        break;
      default:
        break;
    }
  }

  private ocw3(value: number): void {
    if (value & 0x04) this.poll = true;
    if (value & 0x02) this.readIsr = (value & 0x01) !== 0;
    if (value & 0x40) {
      this.specialMask = (value & 0x20) !== 0;
      // QEMU re-evaluates INT only at the next event; the chip does at once.
      this.update();
    }
  }

  /** Priority (0 = highest) of the best bit in `mask` under the current rotation, 8 if none. */
  private highestPriority(mask: number): number {
    if ((mask & 0xff) === 0) return 8;
    let priority = 0;
    while ((mask & (1 << ((priority + this.priorityAdd) & 7))) === 0) priority++;
    return priority;
  }

  private update(): void {
    this.output(this.pendingIrq() >= 0);
  }
}

/** The cascaded pair, as the CPU and the devices see it. */
export class DualPic {
  readonly master: Pic8259;
  readonly slave: Pic8259;
  private intr = false;

  constructor() {
    this.master = new Pic8259(true, (level) => {
      this.intr = level;
    });
    this.slave = new Pic8259(false, (level) => this.master.setIrq(2, level));
  }

  /** The CPU's INTR input. */
  intrPending(): boolean {
    return this.intr;
  }

  /** Interrupt acknowledge cycle: returns the vector and updates IRR/ISR. */
  acknowledge(): number {
    const irq = this.master.pendingIrq();
    if (irq < 0) return (this.master.irqBase + 7) & 0xff;
    let vector: number;
    if (irq === 2) {
      const slaveIrq = this.slave.pendingIrq();
      if (slaveIrq >= 0) {
        this.slave.acknowledgeIrq(slaveIrq);
        vector = this.slave.irqBase + slaveIrq;
      } else {
        vector = this.slave.irqBase + 7;
      }
    } else {
      vector = this.master.irqBase + irq;
    }
    this.master.acknowledgeIrq(irq);
    return vector & 0xff;
  }

  /** Drives ISA IRQ line `irq` (0-15). */
  setIrq(irq: number, level: boolean): void {
    if (irq < 8) this.master.setIrq(irq, level);
    else this.slave.setIrq(irq - 8, level);
  }

  raiseIrq(irq: number): void {
    this.setIrq(irq, true);
  }

  lowerIrq(irq: number): void {
    this.setIrq(irq, false);
  }
}

/** The two ports of one chip on the I/O bus; offsets past the second port act as the data port. */
export function picPorts(pic: Pic8259): IoDevice {
  return {
    byteWide: true,
    read: (offset: number) => pic.readPort(offset === 0 ? 0 : 1),
    write: (offset: number, _size: number, value: number) => pic.writePort(offset === 0 ? 0 : 1, value & 0xff),
  };
}
