// The port I/O address space (64 KiB of ports) and the dispatch of IN/OUT to devices, with QEMU
// 7.2's rules for accesses that do not match a device's register width (measured with a guest
// under qemu-system-i386, see test/machine/io-bus.test.ts):
// - The device that owns the first port of an access receives the whole access; a 16/32-bit
//   access to a byte-wide device becomes byte accesses at consecutive offsets of that device,
//   combined little-endian (inw 0x20 = IRR | IMR << 8), even past the device's last port (the
//   device decides what those offsets mean).
// - An access whose offset inside the device is not a multiple of its size is invalid unless the
//   device accepts unaligned accesses: such a read returns 0 and such a write is dropped
//   (inw 0x21 reads 0).
// - A port no device owns reads as all ones for the access size and ignores writes.

export type IoSize = 1 | 2 | 4;

export interface IoDevice {
  /** Accesses wider than a byte are split into byte accesses (QEMU's impl.max_access_size 1). */
  readonly byteWide: boolean;
  /** Offsets that are not a multiple of the access size are accepted (QEMU's valid.unaligned). */
  readonly unaligned?: boolean;
  /** `offset` counts from the device's first port; `size` is 1 for byte-wide devices. */
  read(offset: number, size: IoSize): number;
  write(offset: number, size: IoSize, value: number): void;
}

const PORT_COUNT = 0x10000;
const ALL_ONES: Record<IoSize, number> = { 1: 0xff, 2: 0xffff, 4: 0xffffffff };

interface Mapping {
  first: number;
  device: IoDevice;
}

export class IoBus {
  private readonly owner = new Int16Array(PORT_COUNT).fill(-1);
  private readonly mappings: Mapping[] = [];

  /** Gives `device` the ports first..first+count-1; overlapping another device is an error. */
  register(firstPort: number, count: number, device: IoDevice): void {
    if (!Number.isInteger(firstPort) || !Number.isInteger(count) || count < 1 || firstPort < 0 || firstPort + count > PORT_COUNT) {
      throw new RangeError(`bad port range ${firstPort}+${count}`);
    }
    for (let port = firstPort; port < firstPort + count; port++) {
      if (this.owner[port] !== -1) throw new RangeError(`port 0x${port.toString(16)} is already registered`);
    }
    const index = this.mappings.length;
    this.mappings.push({ first: firstPort, device });
    this.owner.fill(index, firstPort, firstPort + count);
  }

  read(port: number, size: IoSize): number {
    const index = this.owner[port & 0xffff];
    if (index < 0) return ALL_ONES[size];
    const { first, device } = this.mappings[index];
    const offset = (port & 0xffff) - first;
    if (!device.unaligned && offset % size !== 0) return 0;
    if (size === 1 || !device.byteWide) return (device.read(offset, size) & ALL_ONES[size]) >>> 0;
    let value = 0;
    for (let i = 0; i < size; i++) value |= (device.read(offset + i, 1) & 0xff) << (8 * i);
    return value >>> 0;
  }

  write(port: number, size: IoSize, value: number): void {
    const index = this.owner[port & 0xffff];
    if (index < 0) return;
    const { first, device } = this.mappings[index];
    const offset = (port & 0xffff) - first;
    if (!device.unaligned && offset % size !== 0) return;
    if (size === 1 || !device.byteWide) {
      device.write(offset, size, (value & ALL_ONES[size]) >>> 0);
      return;
    }
    for (let i = 0; i < size; i++) device.write(offset + i, 1, (value >>> (8 * i)) & 0xff);
  }
}
