// Puts a Multiboot kernel into memory the way QEMU 7.2 does for `-kernel`, with the Multiboot
// information structure, and returns the entry state of QEMU's multiboot option ROM.
//
// Layout (hw/i386/multiboot.c plus the option ROM, confirmed by measurement, see firmware.ts):
// - The kernel buffer starts at the load address: the kernel (file bytes and zeroed bss), padded
//   to a 4 KiB boundary, then the command line, then the boot loader name "qemu", padded to a
//   4 KiB boundary with zeros. mods_addr points at the command line (there are no modules).
// - The command line is "<kernel file name> <kernel command line>": with an empty -append it is
//   the file name as given to -kernel followed by one space.
// - The e820 memory map at 0x9000 (24-byte entries with their size field), the MBI at 0x9500.
//   flags = 0x24F: mem_lower/upper, boot_device (0x8000FFFF), cmdline, mods (count 0), mmap,
//   boot_loader_name. mem_upper counts usable RAM from 1 MiB up to SeaBIOS's reserved top 128 KiB.
// - The option ROM's GDT in the ROM area and SeaBIOS's BIOS data area, which a guest can read.
// - Registers at the jump: EAX = 0x2BADB002, EBX = 0x9500, ECX = entry (the ROM jumps through
//   ECX), EDX = 0x511 (the fw_cfg data port) with mem_upper's high 16 bits above it, EDI = the load
//   address byte-swapped (left by the fw_cfg DMA request), ESI = EBP = 0, ESP = 0x6F08,
//   EFLAGS = 0x6; CS = 0x08 and DS = ES = FS = GS = SS = 0x10, flat 4 GiB; GDTR = option ROM GDT
//   (limit 0x27); IDTR = 0/0x3FF (the real-mode IVT); CR0 = 0x11; interrupts off, paging off.
import type { EntryState, LoadedRegion } from './entry-state.js';
import { RESET_DR6, RESET_DR7, RESET_LDTR, RESET_TR } from './entry-state.js';
import {
  BIOS_DATA_AREA,
  BIOS_DATA_AREA_ADDRESS,
  BOOT_DEVICE,
  BOOTLOADER_NAME,
  ENTRY_CR0,
  ENTRY_EFLAGS,
  ENTRY_ESP,
  FLAT_CODE,
  FLAT_DATA,
  MBI_ADDRESS,
  MBI_SIZE,
  MEM_LOWER_KB,
  MMAP_ADDRESS,
  MULTIBOOT_BOOTLOADER_MAGIC,
  OPTION_ROM_GDT,
  e820Map,
  memUpperKb,
  optionRomGdtAddress,
} from './firmware.js';
import { LoadError } from './load-error.js';
import type { PhysicalMemory } from './memory.js';
import type { KernelImage } from './multiboot.js';

export interface KernelCommandLine {
  /** The kernel's file name as QEMU would have been given it (`-kernel NAME`). */
  kernelName: string;
  /** What `-append` would pass; empty by default. */
  cmdline: string;
}

const PAGE = 0x1000;
const MBI_FLAGS = 0x24f;
const MMAP_ENTRY_SIZE = 20;

const pageAlign = (n: number) => Math.ceil(n / PAGE) * PAGE;
const hex = (n: number) => `0x${n.toString(16)}`;

function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

export function startMultibootKernel(memory: PhysicalMemory, kernel: KernelImage, command: KernelCommandLine): EntryState {
  const utf8 = new TextEncoder();
  const cmdline = utf8.encode(`${command.kernelName} ${command.cmdline}\0`);
  const loaderName = utf8.encode(`${BOOTLOADER_NAME}\0`);
  const cmdlineOffset = pageAlign(kernel.size);
  const loaderNameOffset = cmdlineOffset + cmdline.length;
  const bufferSize = pageAlign(loaderNameOffset + loaderName.length);
  const start = kernel.loadAddr;
  const ramMiB = memory.size / 0x100000;
  if (start + kernel.size > memory.size) {
    throw new LoadError(`the kernel (${hex(start)}-${hex(start + kernel.size)}) does not fit in ${ramMiB} MiB of RAM`);
  }
  if (start + bufferSize > memory.size) {
    throw new LoadError(
      `the kernel and its Multiboot strings (${hex(start)}-${hex(start + bufferSize)}) do not fit in ${ramMiB} MiB of RAM`,
    );
  }
  const warnings = [...kernel.warnings];
  if (start < 0x100000 && start + bufferSize > 0xa0000) {
    warnings.push(`the kernel (${hex(start)}-${hex(start + bufferSize)}) overlaps the VGA and BIOS area 0xa0000-0xfffff, which is not RAM under QEMU`);
  }

  const regions: LoadedRegion[] = [];
  const gdtAddress = optionRomGdtAddress(memory.size);
  memory.writeBytes(BIOS_DATA_AREA_ADDRESS, BIOS_DATA_AREA);
  regions.push({ start: BIOS_DATA_AREA_ADDRESS, end: BIOS_DATA_AREA_ADDRESS + BIOS_DATA_AREA.length, what: 'BIOS data area' });
  memory.writeBytes(gdtAddress, OPTION_ROM_GDT);
  regions.push({ start: gdtAddress, end: gdtAddress + OPTION_ROM_GDT.length, what: 'boot GDT' });

  const map = e820Map(memory.size);
  const mmap = new DataView(new ArrayBuffer(map.length * (MMAP_ENTRY_SIZE + 4)));
  map.forEach((entry, i) => {
    const at = i * (MMAP_ENTRY_SIZE + 4);
    mmap.setUint32(at, MMAP_ENTRY_SIZE, true);
    mmap.setUint32(at + 4, entry.base % 0x100000000, true);
    mmap.setUint32(at + 8, Math.floor(entry.base / 0x100000000), true);
    mmap.setUint32(at + 12, entry.length % 0x100000000, true);
    mmap.setUint32(at + 16, Math.floor(entry.length / 0x100000000), true);
    mmap.setUint32(at + 20, entry.type, true);
  });
  memory.writeBytes(MMAP_ADDRESS, new Uint8Array(mmap.buffer));
  regions.push({ start: MMAP_ADDRESS, end: MMAP_ADDRESS + mmap.byteLength, what: 'Multiboot memory map' });

  const memUpper = memUpperKb(map);
  const mbi = new DataView(new ArrayBuffer(MBI_SIZE));
  mbi.setUint32(0, MBI_FLAGS, true);
  mbi.setUint32(4, MEM_LOWER_KB, true);
  mbi.setUint32(8, memUpper, true);
  mbi.setUint32(12, BOOT_DEVICE, true);
  mbi.setUint32(16, start + cmdlineOffset, true);
  mbi.setUint32(20, 0, true);
  mbi.setUint32(24, start + cmdlineOffset, true);
  mbi.setUint32(44, mmap.byteLength, true);
  mbi.setUint32(48, MMAP_ADDRESS, true);
  mbi.setUint32(64, start + loaderNameOffset, true);
  memory.writeBytes(MBI_ADDRESS, new Uint8Array(mbi.buffer));
  regions.push({ start: MBI_ADDRESS, end: MBI_ADDRESS + MBI_SIZE, what: 'Multiboot information' });

  // The kernel goes in last: the option ROM copies it after building the MBI, so it wins overlaps.
  memory.writeBytes(start, new Uint8Array(bufferSize));
  for (const piece of kernel.pieces) {
    memory.writeBytes(start + piece.offset, piece.data);
    // A later segment's bss clears what an earlier one put there.
    if (piece.size > piece.data.length) memory.writeBytes(start + piece.offset + piece.data.length, new Uint8Array(piece.size - piece.data.length));
  }
  memory.writeBytes(start + cmdlineOffset, cmdline);
  memory.writeBytes(start + loaderNameOffset, loaderName);
  regions.push({ start, end: start + kernel.loadedSize, what: 'kernel' });
  if (kernel.size > kernel.loadedSize) regions.push({ start: start + kernel.loadedSize, end: start + kernel.size, what: 'bss' });
  regions.push({ start: start + cmdlineOffset, end: start + loaderNameOffset + loaderName.length, what: 'command line and boot loader name' });

  return {
    format: kernel.format,
    mode: 'protected',
    regs: {
      eax: MULTIBOOT_BOOTLOADER_MAGIC,
      ecx: kernel.entry,
      edx: ((memUpper & 0xffff0000) | 0x511) >>> 0,
      ebx: MBI_ADDRESS,
      esp: ENTRY_ESP,
      ebp: 0,
      esi: 0,
      edi: bswap32(start),
    },
    eip: kernel.entry,
    eflags: ENTRY_EFLAGS,
    cs: { ...FLAT_CODE },
    ds: { ...FLAT_DATA },
    es: { ...FLAT_DATA },
    fs: { ...FLAT_DATA },
    gs: { ...FLAT_DATA },
    ss: { ...FLAT_DATA },
    ldtr: { ...RESET_LDTR },
    tr: { ...RESET_TR },
    gdtr: { base: gdtAddress, limit: OPTION_ROM_GDT.length - 1 },
    idtr: { base: 0, limit: 0x3ff },
    cr0: ENTRY_CR0,
    cr2: 0,
    cr3: 0,
    cr4: 0,
    dr6: RESET_DR6,
    dr7: RESET_DR7,
    multibootInfo: MBI_ADDRESS,
    regions,
    warnings,
  };
}
