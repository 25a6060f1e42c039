// The image loader against QEMU 7.2's `-kernel`. The expected memory contents and registers are
// what QEMU's gdb stub showed at each image's entry point for the same nasm-built images:
//   qemu-system-i386 -kernel NAME -serial null -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
//     -display none -m MIB -gdb tcp::1234 -S
//   (gdb) hbreak *ENTRY; continue; monitor info registers; x/22wx 0x9500; x/40wx 0x9000; ...
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EntryState } from '../../debug-adapter/src/machine/entry-state.js';
import { e820Map, memUpperKb } from '../../debug-adapter/src/machine/firmware.js';
import { LoadError } from '../../debug-adapter/src/machine/load-error.js';
import { PcMachine } from '../../debug-adapter/src/machine/pc.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { nasmImage } from './support.js';

const MIB = 1024 * 1024;

function dwords(pc: PcMachine, address: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => pc.memory.read32(address + 4 * i));
}

function cString(pc: PcMachine, address: number): string {
  let s = '';
  for (let a = address; pc.memory.read8(a) !== 0; a++) s += String.fromCharCode(pc.memory.read8(a));
  return s;
}

function boot(image: Uint8Array, kernelName: string, memoryMiB = 32): { pc: PcMachine; entry: EntryState } {
  const pc = new PcMachine({ memoryMiB });
  return { pc, entry: pc.load(image, { kernelName }) };
}

/** A flat Multiboot kernel with the a.out kludge (samples/include/multiboot.inc). */
function flatKernel({ org = 0x100000, data = 16, bss = 16 } = {}): Uint8Array {
  return nasmImage(`
bits 32
org ${org}
%include "multiboot.inc"
section .text
MULTIBOOT_HEADER
_start:
    mov dx, 0xF4
    out dx, al
    hlt
section .data
times ${data} db 0x11
mb_load_end:
section .bss
resb ${bss}
mb_bss_end:
`);
}

/**
 * A hand-written ELF32 executable: code linked at 0xC0100000 and loaded at 0x100000 (p_paddr),
 * a data segment with bss; with or without a Multiboot header (flags 3, no a.out kludge).
 */
function elfKernel({ multiboot = true, machine = 3, elfClass = 1 } = {}): Uint8Array {
  return nasmImage(`
bits 32
section head start=0
ehdr:
    db 0x7f, 'ELF', ${elfClass}, 1, 1, 0
    times 8 db 0
    dw 2, ${machine}
    dd 1
    dd entry
    dd phdrs - ehdr
    dd 0, 0
    dw 52, 32, 2, 0, 0, 0
phdrs:
    dd 1, section.text.start, 0xC0100000, 0x100000, text_end - text_start, text_end - text_start, 5, 0x1000
    dd 1, section.data.start, 0xC0102000, 0x102000, data_end - data_start, 0x3000, 6, 0x1000
section text start=0x1000 vstart=0xC0100000
text_start:
${multiboot ? '    dd 0x1BADB002, 0x00000003, -(0x1BADB002 + 3)' : '    dd 0, 0, 0'}
entry:
    mov dx, 0xF4
    mov al, 2
    out dx, al
    hlt
text_end:
section data start=0x2000 vstart=0xC0102000
data_start:
    db 'D'
    times 0x1234 db 0x77
data_end:
`);
}

/** A kernel whose file has 0x200 bytes before load_addr, with load_end_addr = bss_end_addr = 0. */
function offsetKernel(): Uint8Array {
  return nasmImage(`
bits 32
times 0x200 db 0xEE
org 0x200000 - 0x200
kstart:
mb: dd 0x1BADB002, 0x00010000, -(0x1BADB002 + 0x00010000)
    dd mb, kstart, 0, 0, entry
entry:
    mov dx, 0xF4
    mov al, 9
    out dx, al
    hlt
    times 100 db 0x5A
`);
}

/** The e820 map QEMU put at 0x9000 for 32 MiB, as 36 dwords. */
const MMAP_32_MIB = [
  0x14, 0, 0, 0x9fc00, 0, 1, 0x14, 0x9fc00, 0, 0x400, 0, 2, 0x14, 0xf0000, 0, 0x10000, 0, 2,
  0x14, 0x100000, 0, 0x1ee0000, 0, 1, 0x14, 0x1fe0000, 0, 0x20000, 0, 2, 0x14, 0xfffc0000, 0, 0x40000, 0, 2,
];

describe('Multiboot a.out kludge images', () => {
  const hello = nasmImage(fs.readFileSync(path.join(REPO_ROOT, 'samples', 'hello.asm'), 'utf8'));

  it('samples/hello.asm: the MBI, memory map and strings QEMU builds, at its addresses', () => {
    const { pc, entry } = boot(hello, 'hello.bin');
    expect(dwords(pc, 0x9500, 22)).toEqual([
      0x24f, 0x27f, 0x7b80, 0x8000ffff, 0x102000, 0, 0x102000, 0, 0, 0, 0, 0x90, 0x9000, 0, 0, 0, 0x10200b, 0, 0, 0, 0, 0,
    ]);
    expect(dwords(pc, 0x9000, 36)).toEqual(MMAP_32_MIB);
    expect(cString(pc, 0x102000)).toBe('hello.bin ');
    expect(cString(pc, 0x10200b)).toBe('qemu');
    expect(pc.memory.read32(0x102010)).toBe(0);
    expect(entry.multibootInfo).toBe(0x9500);
    expect(entry.format).toBe('multiboot-aout');
  });

  it('samples/hello.asm: the registers and descriptor tables QEMU enters with', () => {
    const { pc, entry } = boot(hello, 'hello.bin');
    expect(entry.mode).toBe('protected');
    expect(entry.regs).toEqual({ eax: 0x2badb002, ebx: 0x9500, ecx: 0x100020, edx: 0x511, esi: 0, edi: 0x1000, ebp: 0, esp: 0x6f08 });
    expect(entry.eip).toBe(0x100020);
    expect(entry.eflags).toBe(0x6);
    // QEMU: CS =0008 00000000 ffffffff 00cf9a00, the others =0010 00000000 ffffffff 00cf9300
    expect(entry.cs).toEqual({ selector: 8, base: 0, limit: 0xffffffff, access: 0x9a, flags: 0xc });
    for (const seg of [entry.ds, entry.es, entry.fs, entry.gs, entry.ss]) {
      expect(seg).toEqual({ selector: 0x10, base: 0, limit: 0xffffffff, access: 0x93, flags: 0xc });
    }
    expect(entry.ldtr).toEqual({ selector: 0, base: 0, limit: 0xffff, access: 0x82, flags: 0 });
    expect(entry.tr).toEqual({ selector: 0, base: 0, limit: 0xffff, access: 0x8b, flags: 0 });
    expect(entry.gdtr).toEqual({ base: 0xcb2b8, limit: 0x27 });
    expect(entry.idtr).toEqual({ base: 0, limit: 0x3ff });
    expect([entry.cr0, entry.cr2, entry.cr3, entry.cr4, entry.dr6, entry.dr7]).toEqual([0x11, 0, 0, 0, 0xffff0ff0, 0x400]);
    expect(dwords(pc, 0xcb2b8, 10)).toEqual([0, 0, 0xffff, 0xcf9a00, 0xffff, 0xcf9300, 0xffff, 0x9e00, 0xffff, 0x9200]);
    // The BIOS data area: COM1 at 0x3F8, LPT1 at 0x378, EBDA at 0x9FC0, 639 KiB base memory.
    expect(dwords(pc, 0x400, 6)).toEqual([0x3f8, 0, 0x378, 0x9fc00000, 0x7f004227, 0x2]);
  });

  it('loads the file from the header on and zeroes the bss', () => {
    const { pc } = boot(hello, 'hello.bin');
    expect(pc.memory.readBytes(0x100000, hello.length)).toEqual(hello);
    expect(pc.memory.readBytes(0x100000 + hello.length, 0x1000).every((b) => b === 0)).toBe(true);
  });

  it('mem_upper and EDX follow the RAM size (128 MiB measured)', () => {
    const { pc, entry } = boot(hello, 'hello.bin', 128);
    expect(pc.memory.read32(0x9508)).toBe(0x1fb80);
    expect(entry.regs.edx).toBe(0x10511);
    expect(dwords(pc, 0x9048, 6)).toEqual([0x14, 0x100000, 0, 0x7ee0000, 0, 1]);
  });

  it('a bigger kernel: the strings follow its page-aligned bss', () => {
    const { pc, entry } = boot(flatKernel({ data: 70000, bss: 300000 }), 'big.bin');
    expect(dwords(pc, 0x9510, 1)).toEqual([0x15b000]);
    expect(pc.memory.read32(0x9540)).toBe(0x15b009);
    expect(cString(pc, 0x15b000)).toBe('big.bin ');
    expect([entry.regs.edx, entry.regs.edi]).toEqual([0x511, 0x1000]);
  });

  it('1 MiB of RAM and a kernel below 1 MiB (the option ROM GDT moves, no upper memory)', () => {
    const { pc, entry } = boot(flatKernel({ org: 0x20000 }), 'low.bin', 1);
    expect(entry.gdtr).toEqual({ base: 0xdcab8, limit: 0x27 });
    expect(dwords(pc, 0x9500, 17)).toEqual([0x24f, 0x27f, 0, 0x8000ffff, 0x21000, 0, 0x21000, 0, 0, 0, 0, 0x60, 0x9000, 0, 0, 0, 0x21009]);
    expect(dwords(pc, 0x9000, 24)).toEqual([
      0x14, 0, 0, 0x9fc00, 0, 1, 0x14, 0x9fc00, 0, 0x400, 0, 2, 0x14, 0xf0000, 0, 0x10000, 0, 2, 0x14, 0xfffc0000, 0, 0x40000, 0, 2,
    ]);
    expect(entry.regs).toMatchObject({ ecx: 0x20020, edx: 0x511, edi: 0x200 });
  });

  it('load_end_addr 0 loads to the end of the file, bss_end_addr 0 means no bss', () => {
    const image = offsetKernel();
    const { pc, entry } = boot(image, 'skip.bin');
    expect(pc.memory.readBytes(0x200000, image.length - 0x200)).toEqual(image.subarray(0x200));
    expect(pc.memory.read32(0x200088)).toBe(0x5a5a5a5a);
    expect(pc.memory.read32(0x20008c)).toBe(0);
    expect(dwords(pc, 0x9510, 1)).toEqual([0x201000]);
    expect(pc.memory.read32(0x9540)).toBe(0x20100a);
    expect(cString(pc, 0x201000)).toBe('skip.bin ');
    expect(entry.regs).toMatchObject({ ecx: 0x200020, edi: 0x2000 });
  });

  it('appends the command line after the kernel name and warns about video mode requests', () => {
    const image = nasmImage(`
bits 32
org 0x100000
mb: dd 0x1BADB002, 0x00010007, -(0x1BADB002 + 0x00010007)
    dd mb, mb, 0, 0, start, 0, 0, 0, 0
start: hlt
`);
    const pc = new PcMachine();
    const entry = pc.load(image, { kernelName: '/tmp/k.bin', cmdline: 'quiet=1' });
    expect(cString(pc, pc.memory.read32(0x9510))).toBe('/tmp/k.bin quiet=1');
    expect(cString(pc, pc.memory.read32(0x9540))).toBe('qemu');
    expect(entry.warnings).toEqual(["multiboot knows VBE. we don't"]);
  });
});

describe('ELF images', () => {
  it('Multiboot ELF: segments at p_paddr, entry moved to physical, as QEMU does', () => {
    const { pc, entry } = boot(elfKernel(), 'elfhand.elf');
    expect(entry.format).toBe('multiboot-elf');
    expect(entry.eip).toBe(0x10000c);
    expect(entry.regs).toEqual({ eax: 0x2badb002, ebx: 0x9500, ecx: 0x10000c, edx: 0x511, esi: 0, edi: 0x1000, ebp: 0, esp: 0x6f08 });
    expect(dwords(pc, 0x9500, 17)).toEqual([0x24f, 0x27f, 0x7b80, 0x8000ffff, 0x105000, 0, 0x105000, 0, 0, 0, 0, 0x90, 0x9000, 0, 0, 0, 0x10500d]);
    expect(cString(pc, 0x105000)).toBe('elfhand.elf ');
    expect(pc.memory.read32(0x100000)).toBe(0x1badb002);
    expect(pc.memory.read8(0x102000)).toBe(0x44);
    expect(pc.memory.read8(0x103234)).toBe(0x77);
    expect(pc.memory.readBytes(0x103235, 0x105000 - 0x103235).every((b) => b === 0)).toBe(true);
  });

  it('ELF without a Multiboot header boots the same way (QEMU wants a PVH note instead)', () => {
    const { pc, entry } = boot(elfKernel({ multiboot: false }), 'plain.elf');
    expect(entry.format).toBe('elf');
    expect(entry.eip).toBe(0x10000c);
    expect(entry.regs.ebx).toBe(0x9500);
    expect(cString(pc, pc.memory.read32(0x9510))).toBe('plain.elf ');
  });
});

describe('boot sector', () => {
  it('starts a 512-byte boot sector at 0000:7C00 in real mode with DL = 0x80', () => {
    const image = nasmImage('bits 16\norg 0x7c00\nmov al, 1\nout 0xf4, al\nhlt\ntimes 510-($-$$) db 0\ndw 0xAA55\n');
    const { pc, entry } = boot(image, 'bs.img');
    expect(entry.format).toBe('boot-sector');
    expect(entry.mode).toBe('real');
    expect(entry.eip).toBe(0x7c00);
    expect(entry.regs).toEqual({ eax: 0xaa55, ebx: 0, ecx: 0, edx: 0x80, esi: 0, edi: 0, ebp: 0, esp: 0x6f04 });
    expect(entry.eflags).toBe(0x202);
    expect(entry.cs).toEqual({ selector: 0, base: 0, limit: 0xffff, access: 0x9b, flags: 0 });
    expect(entry.ss).toEqual({ selector: 0, base: 0, limit: 0xffff, access: 0x93, flags: 0 });
    expect(entry.cr0).toBe(0x10);
    expect(entry.gdtr).toEqual({ base: 0, limit: 0 });
    expect(pc.memory.readBytes(0x7c00, 512)).toEqual(image);
    // The timer vector leads to an EOI-and-IRET stub; the others to an IRET.
    const timer = pc.memory.read32(8 * 4);
    expect(pc.memory.read8(0xf0000 + (timer & 0xffff))).toBe(0x50);
    expect(pc.memory.read8(0xf0000 + (pc.memory.read32(0x10 * 4) & 0xffff))).toBe(0xcf);
  });
});

describe('bad images', () => {
  const header = (flags: number, fields: string) => `
bits 32
org 0x100000
mb: dd 0x1BADB002, ${flags}, -(0x1BADB002 + ${flags})
    ${fields}
start: hlt
`;
  const loadError = (image: Uint8Array, memoryMiB = 32): string => {
    try {
      new PcMachine({ memoryMiB }).load(image);
    } catch (e) {
      expect(e).toBeInstanceOf(LoadError);
      const message = (e as Error).message;
      expect(message).not.toContain('\n');
      return message;
    }
    throw new Error('the image loaded');
  };

  it('no Multiboot header, or one with a bad checksum or too far in', () => {
    const noHeader = 'not a Multiboot or ELF image: no Multiboot header in the first 8192 bytes';
    expect(loadError(nasmImage('times 600 db 0x90\n'))).toBe(noHeader);
    expect(loadError(nasmImage('dd 0x1BADB002, 0x10000, 0\n'))).toBe(noHeader);
    expect(loadError(nasmImage(`times 8144 db 0\n${header(0x10000, 'dd mb, mb, 0, 0, start')}`))).toBe(noHeader);
    expect(loadError(new Uint8Array(0))).toBe('the image is empty');
  });

  it('a.out kludge addresses QEMU rejects', () => {
    expect(loadError(nasmImage(header(0x10000, 'dd mb, mb + 4, 0, 0, start')))).toMatch(/header_addr 0x100000 is below load_addr 0x100004.*invalid load_addr address/);
    expect(loadError(nasmImage(header(0x10000, 'dd mb, mb - 0x10, 0, 0, start')))).toMatch(/invalid header_addr address/);
    expect(loadError(nasmImage(header(0x10000, 'dd mb, mb, mb - 1, 0, start')))).toMatch(/load_end_addr 0xfffff is below load_addr.*invalid load_end_addr address/);
    expect(loadError(nasmImage(header(0x10000, 'dd mb, mb, mb + 0x20, mb + 0x10, start')))).toMatch(/bss_end_addr 0x100010 is below load_end_addr 0x100020.*invalid bss_end_addr/);
    expect(loadError(nasmImage(header(0x10000, 'dd mb, mb, mb + 0x1000, 0, start')))).toMatch(/truncated image:.*fread\(\) failed/);
    expect(loadError(nasmImage('dd 0x1BADB002, 0x10000, -(0x1BADB002 + 0x10000), 0\n'))).toMatch(/truncated Multiboot header/);
  });

  it('kernels that do not fit in RAM', () => {
    expect(loadError(nasmImage(header(0x10000, 'dd mb, mb, 0, 0x1000000 + 0x100000, start')), 16)).toBe(
      'the kernel (0x100000-0x1100000) does not fit in 16 MiB of RAM',
    );
    expect(loadError(flatKernel(), 1)).toMatch(/does not fit in 1 MiB of RAM/);
    expect(loadError(nasmImage(header(0x10000, 'dd mb, mb, 0, 0xfffff000, start')))).toBe(
      'the kernel (0x100000-0xfffff000) does not fit in 32 MiB of RAM',
    );
  });

  it('ELF files that cannot be loaded', () => {
    expect(loadError(elfKernel({ machine: 62 }))).toMatch(/Cannot load x86-64 image/);
    expect(loadError(elfKernel({ machine: 40 }))).toBe('ELF machine 40 is not i386 (EM_386 = 3)');
    expect(loadError(elfKernel({ elfClass: 2 }))).toBe('ELF class 2 is not ELFCLASS32');
    expect(loadError(elfKernel().subarray(0, 0x2100))).toMatch(/truncated ELF file: segment 1 needs bytes 0x2000-0x3235/);
    expect(loadError(nasmImage(header(0x3, '')))).toMatch(
      /has no a\.out kludge \(bit 16\), so the image must be ELF, and it is not \(QEMU: "Error while loading elf kernel"\)$/,
    );
  });

  it('Linux kernels', () => {
    expect(loadError(nasmImage('times 0x202 db 0\ndb "HdrS"\ntimes 0x400 db 0\n'))).toMatch(/Linux boot-protocol kernels/);
  });
});

describe('memory map for large RAM (computed; measured with -m 2048 and -m 3072)', () => {
  it.each([
    [2048, 0x7fee0000, 0x1ffb80],
    [3072, 0xbfee0000, 0x2ffb80],
  ])('%i MiB', (mib, usable, upper) => {
    const map = e820Map(mib * MIB);
    expect(map[3]).toEqual({ base: 0x100000, length: usable, type: 1 });
    expect(map[4]).toEqual({ base: usable + 0x100000, length: 0x20000, type: 2 });
    expect(memUpperKb(map)).toBe(upper);
  });
});
