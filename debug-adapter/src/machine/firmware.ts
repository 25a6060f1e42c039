// What QEMU 7.2's firmware (SeaBIOS and the multiboot option ROM) leaves behind when a `-kernel`
// image starts: device programming, BIOS data, the option ROM's GDT, the e820 memory map and the
// registers. Hyperstep runs no firmware, so the machine and the loader recreate this state.
//
// Measured with qemu-system-i386 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18), stopped at the kernel's
// entry through its gdb stub:
//   qemu-system-i386 -kernel K -serial null -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
//     -display none -m M -gdb tcp::1234 -S
//   (gdb) target remote :1234; hbreak *ENTRY; continue; monitor info registers; monitor info pic;
//         x/22wx $ebx; x/40wx 0x9000; x/10wx 0xcb2b8; x/64wx 0x400
// for a.out-kludge and ELF kernels of several sizes and load addresses and M = 1..3072 MiB, and
// with a guest that read the device registers over their ports at entry.
import type { IoBus } from './io-bus.js';
import type { SegmentRegister } from './entry-state.js';

export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
/** Where QEMU puts the e820 map (the Multiboot mmap) and the Multiboot information structure. */
export const MMAP_ADDRESS = 0x9000;
export const MBI_ADDRESS = 0x9500;
/** QEMU fills this much of the MBI (up to and including boot_loader_name and the APM/VBE words). */
export const MBI_SIZE = 88;
export const BOOTLOADER_NAME = 'qemu';
/** mem_lower: INT 12h's 639 KiB (SeaBIOS keeps 1 KiB at 0x9FC00 for its EBDA). */
export const MEM_LOWER_KB = 639;
export const BOOT_DEVICE = 0x8000ffff;

/** The option ROM's stack pointer at the jump to the kernel. */
export const ENTRY_ESP = 0x6f08;
/** Left by the option ROM's last SHL (PF set, reserved bit 1). */
export const ENTRY_EFLAGS = 0x00000006;
/** Protected mode enable plus ET, which QEMU's CPU reports set. */
export const ENTRY_CR0 = 0x00000011;

/**
 * The option ROM's GDT: null; 0x08 flat 32-bit code; 0x10 flat 32-bit data (accessed bit set, as
 * the loads of DS..SS leave it); 0x18 16-bit code; 0x20 16-bit data.
 */
export const OPTION_ROM_GDT = Uint8Array.from([
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00,
  0xff, 0xff, 0x00, 0x00, 0x00, 0x93, 0xcf, 0x00,
  0xff, 0xff, 0x00, 0x00, 0x00, 0x9e, 0x00, 0x00,
  0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0x00, 0x00,
]);

/** Where SeaBIOS maps the option ROM, hence its GDT (it lands elsewhere with 1 MiB of RAM). */
export function optionRomGdtAddress(ramBytes: number): number {
  return ramBytes <= 0x100000 ? 0xdcab8 : 0xcb2b8;
}

export const FLAT_CODE: SegmentRegister = { selector: 0x08, base: 0, limit: 0xffffffff, access: 0x9a, flags: 0xc };
export const FLAT_DATA: SegmentRegister = { selector: 0x10, base: 0, limit: 0xffffffff, access: 0x93, flags: 0xc };

/** The BIOS data area (0x400-0x4FF) as SeaBIOS leaves it, with the timer tick count (0x46C) zeroed. */
export const BIOS_DATA_AREA_ADDRESS = 0x400;
export const BIOS_DATA_AREA = Uint8Array.from(
  Buffer.from(
    [
      'f803000000000000780300000000c09f2742007f0200000000001e001e000000',
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0000000000000000000350000010000000080000000000000000000000000000',
      '070600d4030000000000000000000000000000000000c000140000000a000000',
      '1e003e0018100060f95108000000000700000000000010000000000000000000',
      '0000000000000000206800c000000000000000000000000000400300c6680000',
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0000000000000000000000000000000000000000000000000000000000000000',
    ].join(''),
    'hex',
  ),
);

export interface E820Entry {
  base: number;
  length: number;
  /** 1 = usable RAM, 2 = reserved. */
  type: number;
}

/** SeaBIOS's INT 15h/E820 map for `ramBytes` of RAM (it reserves the top 128 KiB for itself). */
export function e820Map(ramBytes: number): E820Entry[] {
  const map: E820Entry[] = [
    { base: 0, length: 0x9fc00, type: 1 },
    { base: 0x9fc00, length: 0x400, type: 2 },
    { base: 0xf0000, length: 0x10000, type: 2 },
  ];
  if (ramBytes > 0x100000) {
    map.push({ base: 0x100000, length: ramBytes - 0x120000, type: 1 });
    map.push({ base: ramBytes - 0x20000, length: 0x20000, type: 2 });
  }
  map.push({ base: 0xfffc0000, length: 0x40000, type: 2 });
  return map;
}

/** mem_upper as the option ROM computes it: usable KiB contiguous from 1 MiB in the e820 map. */
export function memUpperKb(map: readonly E820Entry[]): number {
  let end = 0x100000;
  for (let restart = true; restart; ) {
    restart = false;
    for (const entry of map) {
      if (entry.type === 1 && entry.base <= end && end < entry.base + entry.length && entry.base + entry.length <= 0x100000000) {
        end = entry.base + entry.length;
        restart = true;
      }
    }
  }
  return (end - 0x100000) >>> 10;
}

/**
 * Programs the devices as SeaBIOS leaves them: PICs initialized (vectors 0x08 and 0x70, 8086
 * mode, IRQ 0, 1, 2, 6 and 8, 12, 13, 14 unmasked), PIT channel 0 in mode 2 with count 65536
 * (18.2 Hz), A20 enabled through port 0x92, and the COM1 probe that writes IER = 2 then 0, which
 * leaves IRQ4 latched in the master's IRR (QEMU reports irr=10 at every kernel entry).
 */
export function applyFirmwareDeviceState(io: IoBus): void {
  const out = (port: number, value: number) => io.write(port, 1, value);
  out(0x20, 0x11);
  out(0xa0, 0x11);
  out(0x21, 0x08);
  out(0xa1, 0x70);
  out(0x21, 0x04);
  out(0xa1, 0x02);
  out(0x21, 0x01);
  out(0xa1, 0x01);
  out(0x21, 0xb8);
  out(0xa1, 0x8e);
  out(0x43, 0x34);
  out(0x40, 0x00);
  out(0x40, 0x00);
  out(0x3f9, 0x02);
  out(0x3f9, 0x00);
  out(0x92, 0x02);
}
