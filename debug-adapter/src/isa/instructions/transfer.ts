// Data movement, conversions and far-pointer loads. MOV carries the form-dependent classes:
// control, debug and test registers are privileged; segment registers are sensitive.
import type { FlagEffects, InstructionEntry } from '../types.js';
import { CPL0, STATUS, define } from './common.js';

const UNDEFINED_STATUS: FlagEffects = { read: [], written: [], undefined: STATUS };

const SEGMENT_LOAD_NOTE =
  'Loading the segment register applies the same selector and descriptor checks as MOV to that register; Robin & Irvine list MOV, PUSH and POP of segment registers, not these loads, so the entry stays ordinary — under trap-and-emulate it only works because the shadow GDT lowers descriptor DPLs to the guest kernel\'s ring.';

export const TRANSFER: readonly InstructionEntry[] = [
  define({
    mnemonic: 'mov',
    syntax: { sizeFreeOperands: [1] },
    icedMnemonics: ['Mov'],
    group: 'transfer',
    class: 'ordinary',
    summary: 'Copy data; with CRn, DRn or a segment register, a system operation.',
    description:
      'Copies the source to the destination: register, memory or immediate, of equal size, never memory to memory. The same mnemonic also reads and writes the control registers (CR0 protection and paging, CR2 fault address, CR3 page-directory base, CR4 extensions), the debug registers and the segment registers; those forms are the variants below and carry the virtualization story.',
    example: 'mov eax, ebx',
    variants: [
      {
        form: 'mov CRn, r32 | mov r32, CRn',
        match: { operand: { kind: 'reg', class: 'cr' } },
        class: 'privileged',
        why: 'Control registers hold paging, protection and cache configuration; only CPL 0 may touch them.',
        example: 'mov cr0, eax',
        privilege: CPL0,
        flags: UNDEFINED_STATUS,
        vtx: {
          exitReason: 'CR_ACCESS',
          condition:
            'MOV to CR0/CR4 that changes a bit set in the CR0/CR4 guest/host mask; MOV to CR3 with CR3-load exiting; MOV from CR3 with CR3-store exiting',
        },
        techniques: {
          'trap-and-emulate':
            'At ring 1 it raises #GP(0); the VMM decodes it and applies it to the virtual control register (a CR3 write switches the shadow page tables, a CR0 write may turn guest paging on or off).',
          'binary-translation':
            'Replaced by a callout that reads or updates the virtual control register; CR3 writes also switch the shadow page tables.',
          paravirt:
            'The PV kernel does not write control registers: CR3 changes go through mmuext_op(NEW_BASEPTR), CR0.TS through fpu_taskswitch, and the rest through pv_cpu_ops.read_cr0/write_cr0 and friends; a MOV CR that is executed anyway faults to Xen.',
          'vt-x':
            'Runs at guest ring 0 in non-root mode: reads of CR0/CR4 return the read shadow for host-owned bits, and writes exit with CR_ACCESS only when they would change a host-owned bit (CR3 per the CR3-load/store controls).',
        },
      },
      {
        form: 'mov DRn, r32 | mov r32, DRn',
        match: { operand: { kind: 'reg', class: 'dr' } },
        class: 'privileged',
        why: 'Debug registers arm hardware breakpoints for the whole machine; only CPL 0 may touch them.',
        example: 'mov eax, dr7',
        privilege: CPL0,
        flags: UNDEFINED_STATUS,
        vtx: { exitReason: 'DR_ACCESS', condition: 'MOV-DR exiting' },
        techniques: {
          'trap-and-emulate':
            'At ring 1 it raises #GP(0); the VMM emulates it on the virtual debug registers, keeping the real DR7 for itself and the debugger.',
          'binary-translation': 'Replaced by a callout that reads or writes the virtual debug register.',
          paravirt: 'The PV kernel calls set_debugreg / get_debugreg (pv_cpu_ops.set_debugreg) instead.',
          'vt-x':
            'Exits with DR_ACCESS when MOV-DR exiting is set; otherwise runs natively on the guest\'s debug registers.',
        },
      },
      {
        form: 'mov TRn, r32 | mov r32, TRn',
        match: { operand: { kind: 'reg', class: 'tr' } },
        class: 'privileged',
        why: 'The 386/486 test registers were CPL 0 only; Pentium-class CPUs removed them, so this CPU raises #UD.',
        example: 'mov eax, tr6',
        privilege: CPL0,
        flags: UNDEFINED_STATUS,
        techniques: {
          'trap-and-emulate': 'Raises #UD at any ring (no test registers on a Pentium-class CPU); the VMM reflects it to the guest.',
          'binary-translation': 'Translated into a raise of #UD for the guest.',
          paravirt: 'Not used by PV kernels; raises #UD.',
          'vt-x': 'Raises #UD in the guest; it exits only if #UD is set in the exception bitmap (EXCEPTION_NMI).',
        },
      },
      {
        form: 'mov Sreg, r/m16 | mov r/m16, Sreg',
        match: { operand: { kind: 'reg', class: 'sreg' } },
        class: 'sensitive-unprivileged',
        why: 'MOV from CS or SS reveals the real CPL in the selector\'s RPL bits, and MOV to SS and the data segments checks against the real CPL — without ever trapping (Robin & Irvine).',
        example: 'mov eax, cs',
        techniques: {
          'trap-and-emulate':
            'Runs natively at ring 1 with no trap: reading CS or SS yields RPL 1 instead of 0, so a kernel that checks its own ring sees the VMM (a hole); loads succeed only because the shadow GDT lowers descriptor DPLs.',
          'binary-translation':
            'Segment loads are copied (the shadow GDT accepts the guest\'s selectors); reads of CS and SS are rewritten to produce the guest\'s virtual selector with RPL 0.',
          paravirt:
            'The PV kernel knows it runs at ring 1 and uses Xen\'s FLAT_RING1 selectors (0xE019 code, 0xE021 data), so nothing needs hiding.',
          'vt-x': 'Runs natively at guest ring 0: the selectors and checks are the guest\'s own; no VM exit.',
        },
      },
    ],
  }),
  define({
    mnemonic: 'movzx',
    icedMnemonics: ['Movzx'],
    group: 'transfer',
    class: 'ordinary',
    summary: 'Move with zero extension.',
    description: 'Copies an 8- or 16-bit source into a wider register, filling the upper bits with zeros.',
    example: 'movzx eax, bl',
  }),
  define({
    mnemonic: 'movsx',
    icedMnemonics: ['Movsx'],
    group: 'transfer',
    class: 'ordinary',
    summary: 'Move with sign extension.',
    description: 'Copies an 8- or 16-bit source into a wider register, filling the upper bits with copies of the sign bit.',
    example: 'movsx eax, bl',
  }),
  define({
    mnemonic: 'xchg',
    syntax: { commutative: 'reg-first' },
    icedMnemonics: ['Xchg'],
    group: 'transfer',
    class: 'ordinary',
    summary: 'Exchange two operands.',
    description:
      'Swaps the contents of two registers or of a register and memory. With a memory operand the processor locks the bus implicitly, so it is atomic even without a LOCK prefix — the classic spinlock primitive. `xchg eax, eax` is the one-byte NOP encoding.',
    example: 'xchg eax, ebx',
  }),
  define({
    mnemonic: 'lea',
    icedMnemonics: ['Lea'],
    group: 'transfer',
    class: 'ordinary',
    summary: 'Load effective address.',
    description:
      'Computes the offset of a memory operand (base + index × scale + displacement) and stores it in a register without accessing memory; also a cheap way to add and scale.',
    example: 'lea eax, [ebx+ecx*4+8]',
  }),
  define({
    mnemonic: 'xlatb',
    aliases: ['xlat'],
    icedMnemonics: ['Xlatb'],
    group: 'transfer',
    class: 'ordinary',
    summary: 'Table look-up translation.',
    description: 'Replaces AL with the byte at DS:[EBX + zero-extended AL], a one-instruction table look-up.',
    example: 'xlatb',
  }),
  define({
    mnemonic: 'bswap',
    icedMnemonics: ['Bswap'],
    group: 'transfer',
    class: 'ordinary',
    summary: 'Byte swap (486+).',
    description:
      'Reverses the byte order of a 32-bit register, converting between little- and big-endian. With a 16-bit operand the result is undefined.',
    example: 'bswap eax',
  }),

  define({
    mnemonic: 'cbw',
    icedMnemonics: ['Cbw'],
    group: 'convert',
    class: 'ordinary',
    summary: 'Sign-extend AL into AX.',
    description: 'Copies the sign bit of AL into every bit of AH, widening a signed byte to a word before a 16-bit IDIV or arithmetic.',
    example: 'cbw',
  }),
  define({
    mnemonic: 'cwde',
    icedMnemonics: ['Cwde'],
    group: 'convert',
    class: 'ordinary',
    summary: 'Sign-extend AX into EAX.',
    description: 'Copies the sign bit of AX into the upper 16 bits of EAX, widening a signed word to a doubleword in place.',
    example: 'cwde',
  }),
  define({
    mnemonic: 'cwd',
    icedMnemonics: ['Cwd'],
    group: 'convert',
    class: 'ordinary',
    summary: 'Sign-extend AX into DX:AX.',
    description: 'Fills DX with the sign bit of AX, forming the 32-bit dividend DX:AX that a 16-bit IDIV expects.',
    example: 'cwd',
  }),
  define({
    mnemonic: 'cdq',
    icedMnemonics: ['Cdq'],
    group: 'convert',
    class: 'ordinary',
    summary: 'Sign-extend EAX into EDX:EAX.',
    description: 'Fills EDX with the sign bit of EAX, forming the 64-bit dividend EDX:EAX that a 32-bit IDIV expects.',
    example: 'cdq',
  }),

  define({
    mnemonic: 'lds',
    icedMnemonics: ['Lds'],
    group: 'segment',
    class: 'ordinary',
    summary: 'Load a far pointer into DS and a register.',
    description: `Reads a selector:offset pair from memory, loading the offset into the register operand and the selector into DS. ${SEGMENT_LOAD_NOTE}`,
    example: 'lds esi, [ebx]',
  }),
  define({
    mnemonic: 'les',
    icedMnemonics: ['Les'],
    group: 'segment',
    class: 'ordinary',
    summary: 'Load a far pointer into ES and a register.',
    description: `Reads a selector:offset pair from memory, loading the offset into the register operand and the selector into ES. ${SEGMENT_LOAD_NOTE}`,
    example: 'les edi, [ebx]',
  }),
  define({
    mnemonic: 'lfs',
    icedMnemonics: ['Lfs'],
    group: 'segment',
    class: 'ordinary',
    summary: 'Load a far pointer into FS and a register.',
    description: `Reads a selector:offset pair from memory, loading the offset into the register operand and the selector into FS. ${SEGMENT_LOAD_NOTE}`,
    example: 'lfs eax, [ebx]',
  }),
  define({
    mnemonic: 'lgs',
    icedMnemonics: ['Lgs'],
    group: 'segment',
    class: 'ordinary',
    summary: 'Load a far pointer into GS and a register.',
    description: `Reads a selector:offset pair from memory, loading the offset into the register operand and the selector into GS. ${SEGMENT_LOAD_NOTE}`,
    example: 'lgs eax, [ebx]',
  }),
  define({
    mnemonic: 'lss',
    icedMnemonics: ['Lss'],
    group: 'segment',
    class: 'ordinary',
    summary: 'Load a far pointer into SS and ESP (or another register).',
    description: `Reads a selector:offset pair from memory, loading the selector into SS and the offset into the register, so a stack switch happens in one instruction and no interrupt can see a half-loaded stack pointer. ${SEGMENT_LOAD_NOTE}`,
    example: 'lss esp, [ebx]',
  }),
];
