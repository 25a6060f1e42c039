// Guest physical memory: RAM from address 0, little-endian accessors, and the bookkeeping that
// lets the CPU's decoded-code cache notice writes to pages it has decoded (self-modifying code).

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** Called when bytes in a page that holds decoded code are written (address, byte count). */
export type CodeWriteListener = (addr: number, length: number) => void;

export class PhysicalMemory {
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** 1 where the CPU has decoded code in that physical page; writes there call the listener. */
  readonly codePages: Uint8Array;
  private codeWriteListener: CodeWriteListener = () => undefined;

  constructor(sizeBytes: number) {
    if (!Number.isInteger(sizeBytes) || sizeBytes < PAGE_SIZE || sizeBytes % PAGE_SIZE !== 0) {
      throw new RangeError(`guest memory size must be a positive multiple of 4 KiB (got ${sizeBytes})`);
    }
    this.size = sizeBytes;
    this.bytes = new Uint8Array(sizeBytes);
    this.view = new DataView(this.bytes.buffer);
    this.codePages = new Uint8Array(sizeBytes >>> PAGE_SHIFT);
  }

  /** Installs the listener for writes to code pages; returns the one it replaces (to chain it). */
  onCodeWrite(listener: CodeWriteListener): CodeWriteListener {
    const previous = this.codeWriteListener;
    this.codeWriteListener = listener;
    return previous;
  }

  markCode(page: number): void {
    this.codePages[page] = 1;
  }

  /** Forget that a page holds code (the CPU calls this after dropping its decoded blocks). */
  clearCode(page: number): void {
    this.codePages[page] = 0;
  }

  // Reads outside RAM return all ones and writes there are dropped, as on an unpopulated bus.

  read8(addr: number): number {
    return addr < this.size ? this.bytes[addr] : 0xff;
  }

  read16(addr: number): number {
    if (addr + 1 < this.size) return this.view.getUint16(addr, true);
    return this.read8(addr) | (this.read8((addr + 1) >>> 0) << 8);
  }

  read32(addr: number): number {
    if (addr + 3 < this.size) return this.view.getUint32(addr, true);
    return (this.read16(addr) | (this.read16((addr + 2) >>> 0) << 16)) >>> 0;
  }

  write8(addr: number, value: number): void {
    if (addr >= this.size) return;
    this.bytes[addr] = value;
    if (this.codePages[addr >>> PAGE_SHIFT] !== 0) this.codeWriteListener(addr, 1);
  }

  write16(addr: number, value: number): void {
    if (addr + 1 >= this.size || ((addr & 0xfff) === 0xfff)) {
      this.write8(addr, value & 0xff);
      this.write8((addr + 1) >>> 0, (value >>> 8) & 0xff);
      return;
    }
    this.view.setUint16(addr, value, true);
    if (this.codePages[addr >>> PAGE_SHIFT] !== 0) this.codeWriteListener(addr, 2);
  }

  write32(addr: number, value: number): void {
    if (addr + 3 >= this.size || (addr & 0xfff) > 0xffc) {
      this.write16(addr, value & 0xffff);
      this.write16((addr + 2) >>> 0, (value >>> 16) & 0xffff);
      return;
    }
    this.view.setUint32(addr, value >>> 0, true);
    if (this.codePages[addr >>> PAGE_SHIFT] !== 0) this.codeWriteListener(addr, 4);
  }

  /** Copies bytes out of RAM (the part outside RAM reads as 0xFF). */
  readBytes(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length).fill(0xff);
    if (addr < this.size) out.set(this.bytes.subarray(addr, Math.min(this.size, addr + length)));
    return out;
  }

  /** Copies bytes into RAM (a loader, a debugger write); decoded code in those pages is dropped. */
  writeBytes(addr: number, data: Uint8Array): void {
    if (addr >= this.size) return;
    const end = Math.min(this.size, addr + data.length);
    this.bytes.set(data.subarray(0, end - addr), addr);
    for (let page = addr >>> PAGE_SHIFT; page <= (end - 1) >>> PAGE_SHIFT; page++) {
      if (this.codePages[page] === 0) continue;
      const from = Math.max(addr, page << PAGE_SHIFT);
      const to = Math.min(end, (page + 1) << PAGE_SHIFT);
      this.codeWriteListener(from, to - from);
    }
  }
}
