// A 16550A UART (COM1 at 0x3F8, IRQ4 on a PC), following QEMU 7.2's serial device:
// - Transmission is instantaneous: a byte written to THR goes to the output listener at once
//   (through the 16-byte FIFO when enabled), THRE and TEMT are set again before the next
//   instruction, and the THR-empty interrupt (when IER bit 1 is set) is raised again after every
//   write. In loopback mode (MCR bit 4) the byte is received instead of sent.
// - Reception: host input waits in a queue; the UART takes a byte whenever RBR is free (FIFO off)
//   or the FIFO is below its trigger level (one at a time above it), as QEMU's chardev does, so
//   a guest that reads RBR finds the next byte already there. With the FIFO on, data that stays
//   unread for four character times raises the character-timeout interrupt.
// - Interrupt priority: line status (OE/PE/FE/BI with IER bit 2) > character timeout > received
//   data (at the FIFO trigger level) > THR empty > modem status (IER bit 3). Reading IIR while it
//   reports THR empty clears that interrupt; reading RBR or LSR clears theirs.
// - MSR reads DCD|DSR|CTS (0xB0) and never changes: the console has no modem lines. In loopback
//   it reflects MCR (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD), without delta bits, as in QEMU.
// - The IRQ line: QEMU drives it from the interrupt state alone. A PC gates it with MCR OUT2 (and
//   loopback forces OUT2's pin inactive); `gateIrqWithOut2` chooses the PC's behaviour. SeaBIOS
//   leaves OUT2 set, so the two agree unless the guest clears it.
import { TICKS_PER_SECOND, type TimedDevice, type VirtualClock } from './clock.js';
import type { IoDevice } from './io-bus.js';

const LCR_DLAB = 0x80;
const IER_RDI = 0x01;
const IER_THRI = 0x02;
const IER_RLSI = 0x04;
const IER_MSI = 0x08;
const IIR_NO_INT = 0x01;
const IIR_ID_MASK = 0x06;
const IIR_MSI = 0x00;
const IIR_THRI = 0x02;
const IIR_RDI = 0x04;
const IIR_RLSI = 0x06;
const IIR_CTI = 0x0c;
const IIR_FIFO_ENABLED = 0xc0;
const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;
const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_BI = 0x10;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const LSR_INT_ANY = 0x1e;
const MSR_ANY_DELTA = 0x0f;
const FCR_ENABLE = 0x01;
const FCR_CLEAR_RX = 0x02;
const FCR_CLEAR_TX = 0x04;
const FIFO_SIZE = 16;
const TRIGGER_LEVELS = [1, 4, 8, 14];
const BAUD_BASE = 115200;

export interface UartOptions {
  /** Gate the IRQ with MCR OUT2 as a PC does (default true); false drives it as QEMU does. */
  gateIrqWithOut2?: boolean;
}

export class Uart16550 implements IoDevice, TimedDevice {
  readonly byteWide = true;
  // QEMU's serial device accepts unaligned wide accesses.
  readonly unaligned = true;

  rbr = 0;
  ier = 0;
  iir = IIR_NO_INT;
  lcr = 0;
  mcr = MCR_OUT2;
  lsr = LSR_TEMT | LSR_THRE;
  msr = 0xb0;
  scr = 0;
  fcr = 0;
  divisor = 0x0c;
  private readonly rxFifo: number[] = [];
  private triggerLevel = 1;
  private thrPending = false;
  private timeoutPending = false;
  /** Tick at which unread FIFO data raises the timeout interrupt, or Infinity. */
  private timeoutAt = Infinity;
  private charTime = Math.floor(TICKS_PER_SECOND / 9600) * 10;
  private hostInput: number[] = [];
  private hostInputHead = 0;
  private readonly gated: boolean;
  private outputListener: (byte: number) => void = () => undefined;

  constructor(
    private readonly clock: VirtualClock,
    private readonly irq: (level: boolean) => void,
    options: UartOptions = {},
  ) {
    this.gated = options.gateIrqWithOut2 ?? true;
  }

  /** Receives every byte the guest transmits (except in loopback mode). */
  onOutput(listener: (byte: number) => void): void {
    this.outputListener = listener;
  }

  /** Queues bytes from the host side of the line. */
  receive(bytes: Uint8Array): void {
    for (const b of bytes) this.hostInput.push(b);
    this.acceptInput();
  }

  /** Host bytes not yet taken by the UART. */
  get queuedInput(): number {
    return this.hostInput.length - this.hostInputHead;
  }

  read(offset: number): number {
    switch (offset & 7) {
      case 0:
        return this.lcr & LCR_DLAB ? this.divisor & 0xff : this.readRbr();
      case 1:
        return this.lcr & LCR_DLAB ? this.divisor >> 8 : this.ier;
      case 2: {
        const value = this.iir;
        if ((value & IIR_ID_MASK) === IIR_THRI) {
          this.thrPending = false;
          this.updateIrq();
        }
        return value;
      }
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5: {
        const value = this.lsr;
        if (this.lsr & (LSR_BI | LSR_OE)) {
          this.lsr &= ~(LSR_BI | LSR_OE);
          this.updateIrq();
        }
        return value;
      }
      case 6:
        return this.readMsr();
      default:
        return this.scr;
    }
  }

  write(offset: number, _size: number, value: number): void {
    value &= 0xff;
    switch (offset & 7) {
      case 0:
        if (this.lcr & LCR_DLAB) this.setDivisor((this.divisor & 0xff00) | value);
        else this.writeThr(value);
        break;
      case 1:
        if (this.lcr & LCR_DLAB) this.setDivisor((this.divisor & 0x00ff) | (value << 8));
        else this.writeIer(value);
        break;
      case 2:
        this.writeFcr(value);
        break;
      case 3:
        this.lcr = value;
        this.updateCharTime();
        break;
      case 4:
        this.mcr = value & 0x1f;
        // OUT2 and loopback gate the PC's IRQ line.
        if (this.gated) this.updateIrq();
        if (!(this.mcr & MCR_LOOP)) this.acceptInput();
        break;
      case 7:
        this.scr = value;
        break;
      default:
        // LSR and MSR are read-only.
        break;
    }
  }

  nextEvent(): number {
    return this.timeoutAt;
  }

  fireEvent(): void {
    this.timeoutAt = Infinity;
    if (this.rxFifo.length > 0) {
      this.timeoutPending = true;
      this.updateIrq();
    }
  }

  private readRbr(): number {
    let value: number;
    if (this.fcr & FCR_ENABLE) {
      value = this.rxFifo.shift() ?? 0;
      if (this.rxFifo.length === 0) {
        this.lsr &= ~(LSR_DR | LSR_BI);
        this.timeoutAt = Infinity;
      } else {
        this.timeoutAt = this.clock.now + 4 * this.charTime;
      }
      this.timeoutPending = false;
    } else {
      value = this.rbr;
      this.lsr &= ~(LSR_DR | LSR_BI);
    }
    this.updateIrq();
    if (!(this.mcr & MCR_LOOP)) this.acceptInput();
    return value;
  }

  private readMsr(): number {
    if (this.mcr & MCR_LOOP) {
      return ((this.mcr & 0x0c) << 4) | ((this.mcr & 0x02) << 3) | ((this.mcr & 0x01) << 5);
    }
    const value = this.msr;
    if (this.msr & MSR_ANY_DELTA) {
      this.msr &= 0xf0;
      this.updateIrq();
    }
    return value;
  }

  private writeThr(value: number): void {
    this.thrPending = false;
    this.lsr &= ~(LSR_THRE | LSR_TEMT);
    this.updateIrq();
    // The byte leaves at once (through the FIFO when enabled, which therefore never fills).
    this.lsr |= LSR_THRE;
    if (!this.thrPending) {
      this.thrPending = true;
      this.updateIrq();
    }
    if (this.mcr & MCR_LOOP) this.receiveByte(value);
    else this.outputListener(value);
    this.lsr |= LSR_TEMT;
  }

  private writeIer(value: number): void {
    const changed = (this.ier ^ value) & 0x0f;
    this.ier = value & 0x0f;
    // Enabling the THRE interrupt while THR is empty raises it even if IIR was read since (QEMU,
    // following what Windows expects of real UARTs).
    if (changed & IER_THRI) this.thrPending = (this.ier & IER_THRI) !== 0 && (this.lsr & LSR_THRE) !== 0;
    if (changed) this.updateIrq();
  }

  private writeFcr(value: number): void {
    // Turning the FIFOs on or off clears them.
    if ((value ^ this.fcr) & FCR_ENABLE) value |= FCR_CLEAR_RX | FCR_CLEAR_TX;
    if (value & FCR_CLEAR_RX) {
      this.lsr &= ~(LSR_DR | LSR_BI);
      this.timeoutAt = Infinity;
      this.timeoutPending = false;
      this.rxFifo.length = 0;
    }
    if (value & FCR_CLEAR_TX) {
      this.lsr |= LSR_THRE;
      this.thrPending = true;
    }
    this.fcr = value & 0xc9;
    if (this.fcr & FCR_ENABLE) {
      this.iir |= IIR_FIFO_ENABLED;
      this.triggerLevel = TRIGGER_LEVELS[this.fcr >> 6];
    } else {
      this.iir &= ~IIR_FIFO_ENABLED;
    }
    this.updateIrq();
    this.acceptInput();
  }

  private setDivisor(divisor: number): void {
    this.divisor = divisor;
    this.updateCharTime();
  }

  /** Ticks one character takes on the wire at the programmed speed and frame (start bit included). */
  private updateCharTime(): void {
    const parityBits = this.lcr & 0x08 ? 1 : 0;
    const stopBits = this.lcr & 0x04 ? 2 : 1;
    const frame = 1 + parityBits + (this.lcr & 0x03) + 5 + stopBits;
    // A zero divisor gives about 3500 baud on QEMU.
    const speed = this.divisor === 0 ? 3500 : BAUD_BASE / this.divisor;
    this.charTime = Math.floor((TICKS_PER_SECOND / speed) * frame);
  }

  /** How many host bytes the UART takes now (QEMU's serial_can_receive). */
  private canReceive(): number {
    if (!(this.fcr & FCR_ENABLE)) return this.lsr & LSR_DR ? 0 : 1;
    const queued = this.rxFifo.length;
    if (queued >= FIFO_SIZE) return 0;
    return queued <= this.triggerLevel ? this.triggerLevel - queued : 1;
  }

  private acceptInput(): void {
    if (this.mcr & MCR_LOOP) return;
    let room = this.canReceive();
    while (room > 0 && this.queuedInput > 0) {
      const take = Math.min(room, this.queuedInput);
      for (let i = 0; i < take; i++) this.receiveByte(this.hostInput[this.hostInputHead++]);
      room = this.canReceive();
    }
    if (this.hostInputHead > 4096 && this.hostInputHead * 2 > this.hostInput.length) {
      this.hostInput = this.hostInput.slice(this.hostInputHead);
      this.hostInputHead = 0;
    }
  }

  private receiveByte(byte: number): void {
    if (this.fcr & FCR_ENABLE) {
      if (this.rxFifo.length < FIFO_SIZE) this.rxFifo.push(byte);
      else this.lsr |= LSR_OE;
      this.lsr |= LSR_DR;
      this.timeoutAt = this.clock.now + 4 * this.charTime;
    } else {
      if (this.lsr & LSR_DR) this.lsr |= LSR_OE;
      this.rbr = byte;
      this.lsr |= LSR_DR;
    }
    this.updateIrq();
  }

  private updateIrq(): void {
    let id = IIR_NO_INT;
    if (this.ier & IER_RLSI && this.lsr & LSR_INT_ANY) {
      id = IIR_RLSI;
    } else if (this.ier & IER_RDI && this.timeoutPending) {
      id = IIR_CTI;
    } else if (
      this.ier & IER_RDI &&
      this.lsr & LSR_DR &&
      (!(this.fcr & FCR_ENABLE) || this.rxFifo.length >= this.triggerLevel)
    ) {
      id = IIR_RDI;
    } else if (this.ier & IER_THRI && this.thrPending) {
      id = IIR_THRI;
    } else if (this.ier & IER_MSI && this.msr & MSR_ANY_DELTA) {
      id = IIR_MSI;
    }
    this.iir = id | (this.iir & 0xf0);
    let level = id !== IIR_NO_INT;
    if (this.gated) level &&= (this.mcr & (MCR_OUT2 | MCR_LOOP)) === MCR_OUT2;
    this.irq(level);
  }
}
