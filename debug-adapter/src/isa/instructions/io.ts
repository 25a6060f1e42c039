// Port I/O. IN and OUT are IOPL-sensitive: at CPL > IOPL they fault unless the TSS I/O
// permission bitmap allows the port. (INS/OUTS live with the string instructions.)
import type { InstructionEntry, TechniqueTexts, VtxExit } from '../types.js';
import { IOPL_CHECKED, define } from './common.js';

export const IO_WHY =
  'Port access is allowed when CPL ≤ IOPL; otherwise the TSS I/O permission bitmap decides and a denied port raises #GP(0).';

export const IO_VTX: VtxExit = {
  exitReason: 'IO_INSTRUCTION',
  condition: 'unconditional I/O exiting, or use I/O bitmaps with the port\'s bit set',
};

export const IO_TECHNIQUES: TechniqueTexts = {
  'trap-and-emulate':
    'The guest kernel runs at ring 1 with IOPL 0 and no I/O bitmap grants, so the access raises #GP(0); the VMM decodes it and performs it on the virtual device.',
  'binary-translation': 'Replaced by a callout that performs the access on the virtual device model.',
  paravirt:
    'A PV kernel avoids port I/O: its console uses the console_io hypercall and its devices use event channels; a port access it still executes faults to Xen, which emulates it.',
  'vt-x':
    'Exits with IO_INSTRUCTION (the qualification gives port, size, direction, string and REP) when unconditional I/O exiting is set or the port\'s I/O-bitmap bit is 1; otherwise the port is reached directly.',
};

export const IO: readonly InstructionEntry[] = [
  define({
    mnemonic: 'in',
    icedMnemonics: ['In'],
    group: 'io',
    class: 'iopl-sensitive',
    why: IO_WHY,
    summary: 'Read from an I/O port.',
    description:
      'Reads a byte, word or dword from an I/O port into AL, AX or EAX. The port is an 8-bit immediate (ports 0–255) or DX (any of the 65,536 ports). This is how the guest talks to the UART, PIC and PIT of the machine.',
    example: 'in al, dx',
    privilege: IOPL_CHECKED,
    vtx: IO_VTX,
    techniques: IO_TECHNIQUES,
  }),
  define({
    mnemonic: 'out',
    icedMnemonics: ['Out'],
    group: 'io',
    class: 'iopl-sensitive',
    why: IO_WHY,
    summary: 'Write to an I/O port.',
    description:
      'Writes AL, AX or EAX to an I/O port given as an 8-bit immediate or in DX. Writing to port 0xF4 (isa-debug-exit) ends a run with exit status (value << 1) | 1.',
    example: 'out dx, al',
    privilege: IOPL_CHECKED,
    vtx: IO_VTX,
    techniques: IO_TECHNIQUES,
  }),
];
