// A 512-byte boot sector (signature 0x55 0xAA at its end), started as SeaBIOS starts one from a
// disk (qemu-system-i386 -drive format=raw,file=IMG; `-kernel` does not take boot sectors):
// loaded at 0000:7C00 in real mode with DL = 0x80. Measured there through QEMU 7.2's gdb stub:
// EAX = 0xAA55, EDX = 0x80, other general registers 0, ESP = 0x6F04, EFLAGS = 0x202 (interrupts
// on), all segment registers 0 with 64 KiB limits, GDTR 0/0, IDTR 0/0x3FF, CR0 = 0x10.
//
// There is no BIOS behind it: INT services do nothing. So that the timer interrupt SeaBIOS leaves
// enabled does not send the CPU into zeroed memory, every real-mode vector points at an IRET in
// the BIOS area (F000:FF53, where SeaBIOS keeps its own), and the hardware IRQ vectors (08h-0Fh,
// 70h-77h) at stubs that acknowledge the PIC first.
import type { EntryState, SegmentRegister } from './entry-state.js';
import { RESET_DR6, RESET_DR7, RESET_LDTR, RESET_TR } from './entry-state.js';
import { BIOS_DATA_AREA, BIOS_DATA_AREA_ADDRESS } from './firmware.js';
import { LoadError } from './load-error.js';
import type { PhysicalMemory } from './memory.js';

export const BOOT_SECTOR_SIZE = 512;
export const BOOT_SECTOR_ADDRESS = 0x7c00;

const BIOS_SEGMENT = 0xf000;
const IRET_OFFSET = 0xff53;
const MASTER_EOI_OFFSET = 0xff40;
const SLAVE_EOI_OFFSET = 0xff48;
// push ax; mov al, 0x20; out 0x20, al; pop ax; iret
const MASTER_EOI_STUB = [0x50, 0xb0, 0x20, 0xe6, 0x20, 0x58, 0xcf];
// push ax; mov al, 0x20; out 0xa0, al; out 0x20, al; pop ax; iret
const SLAVE_EOI_STUB = [0x50, 0xb0, 0x20, 0xe6, 0xa0, 0xe6, 0x20, 0x58, 0xcf];

export function isBootSector(image: Uint8Array): boolean {
  return image.length === BOOT_SECTOR_SIZE && image[510] === 0x55 && image[511] === 0xaa;
}

function realModeSegment(access: number): SegmentRegister {
  return { selector: 0, base: 0, limit: 0xffff, access, flags: 0 };
}

export function startBootSector(memory: PhysicalMemory, image: Uint8Array): EntryState {
  if (!isBootSector(image)) throw new LoadError('not a boot sector: needs 512 bytes ending in 0x55 0xAA');
  const ivt = new DataView(new ArrayBuffer(256 * 4));
  for (let vector = 0; vector < 256; vector++) {
    let offset = IRET_OFFSET;
    if (vector >= 0x08 && vector <= 0x0f) offset = MASTER_EOI_OFFSET;
    if (vector >= 0x70 && vector <= 0x77) offset = SLAVE_EOI_OFFSET;
    ivt.setUint16(vector * 4, offset, true);
    ivt.setUint16(vector * 4 + 2, BIOS_SEGMENT, true);
  }
  const bios = BIOS_SEGMENT * 16;
  memory.writeBytes(0, new Uint8Array(ivt.buffer));
  memory.writeBytes(BIOS_DATA_AREA_ADDRESS, BIOS_DATA_AREA);
  memory.writeBytes(bios + MASTER_EOI_OFFSET, Uint8Array.from(MASTER_EOI_STUB));
  memory.writeBytes(bios + SLAVE_EOI_OFFSET, Uint8Array.from(SLAVE_EOI_STUB));
  memory.writeBytes(bios + IRET_OFFSET, Uint8Array.of(0xcf));
  memory.writeBytes(BOOT_SECTOR_ADDRESS, image);
  const data = realModeSegment(0x93);
  return {
    format: 'boot-sector',
    mode: 'real',
    regs: { eax: 0xaa55, ecx: 0, edx: 0x80, ebx: 0, esp: 0x6f04, ebp: 0, esi: 0, edi: 0 },
    eip: BOOT_SECTOR_ADDRESS,
    eflags: 0x202,
    cs: realModeSegment(0x9b),
    ds: { ...data },
    es: { ...data },
    fs: { ...data },
    gs: { ...data },
    ss: { ...data },
    ldtr: { ...RESET_LDTR },
    tr: { ...RESET_TR },
    gdtr: { base: 0, limit: 0 },
    idtr: { base: 0, limit: 0x3ff },
    cr0: 0x10,
    cr2: 0,
    cr3: 0,
    cr4: 0,
    dr6: RESET_DR6,
    dr7: RESET_DR7,
    regions: [
      { start: 0, end: 0x400, what: 'real-mode interrupt vectors' },
      { start: BIOS_DATA_AREA_ADDRESS, end: BIOS_DATA_AREA_ADDRESS + BIOS_DATA_AREA.length, what: 'BIOS data area' },
      { start: bios + MASTER_EOI_OFFSET, end: bios + IRET_OFFSET + 1, what: 'interrupt stubs' },
      { start: BOOT_SECTOR_ADDRESS, end: BOOT_SECTOR_ADDRESS + BOOT_SECTOR_SIZE, what: 'boot sector' },
    ],
    warnings: [],
  };
}
