// Flag instructions. CLI and STI are the IOPL-sensitive ones; the rest touch only CF, DF or the
// arithmetic flags and are innocuous.
import type { InstructionEntry } from '../types.js';
import { IOPL_CHECKED, define } from './common.js';

const IF_WHY =
  'IF may change only when CPL ≤ IOPL; otherwise the instruction raises #GP(0) (in virtual-8086 mode with VME, or with PVI at CPL 3, it changes VIF instead).';

export const FLAG_OPS: readonly InstructionEntry[] = [
  define({
    mnemonic: 'clc',
    icedMnemonics: ['Clc'],
    group: 'flags',
    class: 'ordinary',
    summary: 'Clear the carry flag.',
    description: 'Sets CF to 0, for example to report success from a routine that signals errors in CF, or before an ADC/RCL chain that must start without a carry.',
    example: 'clc',
    flags: { read: [], written: ['CF'] },
  }),
  define({
    mnemonic: 'stc',
    icedMnemonics: ['Stc'],
    group: 'flags',
    class: 'ordinary',
    summary: 'Set the carry flag.',
    description: 'Sets CF to 1, for example to return an error indication from a routine.',
    example: 'stc',
    flags: { read: [], written: ['CF'] },
  }),
  define({
    mnemonic: 'cmc',
    icedMnemonics: ['Cmc'],
    group: 'flags',
    class: 'ordinary',
    summary: 'Complement the carry flag.',
    description: 'Inverts CF. Together with CLC and STC it lets code steer the carry directly, e.g. to negate the result of a comparison before a branch.',
    example: 'cmc',
    flags: { read: ['CF'], written: ['CF'] },
  }),
  define({
    mnemonic: 'cld',
    icedMnemonics: ['Cld'],
    group: 'flags',
    class: 'ordinary',
    summary: 'Clear the direction flag.',
    description: 'Sets DF to 0 so that string instructions step upward through memory; calling conventions expect DF clear.',
    example: 'cld',
    flags: { read: [], written: ['DF'] },
  }),
  define({
    mnemonic: 'std',
    icedMnemonics: ['Std'],
    group: 'flags',
    class: 'ordinary',
    summary: 'Set the direction flag.',
    description: 'Sets DF to 1 so that string instructions step downward, e.g. for an overlapping copy toward higher addresses.',
    example: 'std',
    flags: { read: [], written: ['DF'] },
  }),
  define({
    mnemonic: 'cli',
    icedMnemonics: ['Cli'],
    group: 'flags',
    class: 'iopl-sensitive',
    why: IF_WHY,
    summary: 'Clear the interrupt flag (disable maskable interrupts).',
    description:
      'Clears IF so that the CPU stops accepting maskable hardware interrupts; NMIs and exceptions still arrive. Kernels bracket short critical sections with CLI and STI (or PUSHF/CLI ... POPF).',
    example: 'cli',
    flags: { read: [], written: ['IF'] },
    privilege: IOPL_CHECKED,
    techniques: {
      'trap-and-emulate':
        'The guest kernel runs at ring 1 with IOPL 0, so CLI raises #GP(0); the VMM clears the virtual IF and resumes after it. This one traps — unlike POPF.',
      'binary-translation': 'Translated inline into a store that clears the virtual IF in VMM memory; no fault is taken.',
      paravirt:
        'The PV kernel sets evtchn_upcall_mask = 1 in its vcpu_info (pv_irq_ops.irq_disable) instead; a CLI executed anyway faults to Xen.',
      'vt-x':
        'Runs natively at guest ring 0 and really clears IF; no VM exit (with external-interrupt exiting, interrupts still exit to the VMM regardless of IF).',
    },
  }),
  define({
    mnemonic: 'sti',
    icedMnemonics: ['Sti'],
    group: 'flags',
    class: 'iopl-sensitive',
    why: IF_WHY,
    summary: 'Set the interrupt flag (enable maskable interrupts).',
    description:
      'Sets IF. Interrupts are recognised only after the following instruction, so `sti; hlt` cannot lose a wake-up interrupt between the two.',
    example: 'sti',
    flags: { read: [], written: ['IF'] },
    privilege: IOPL_CHECKED,
    techniques: {
      'trap-and-emulate':
        'At ring 1 with IOPL 0 it raises #GP(0); the VMM sets the virtual IF and, if a virtual interrupt is pending, delivers it after the next instruction.',
      'binary-translation':
        'Translated inline into a store that sets the virtual IF, followed by a check for pending virtual interrupts.',
      paravirt:
        'The PV kernel clears evtchn_upcall_mask (pv_irq_ops.irq_enable) and, if evtchn_upcall_pending is set, forces delivery with a cheap hypercall (xen_version).',
      'vt-x':
        'Runs natively at guest ring 0; if interrupt-window exiting is armed, the window that opens after the STI shadow exits with INTERRUPT_WINDOW.',
    },
  }),
  define({
    mnemonic: 'lahf',
    icedMnemonics: ['Lahf'],
    group: 'flags',
    class: 'ordinary',
    summary: 'Load status flags into AH.',
    description: 'Copies SF, ZF, AF, PF and CF (the low byte of EFLAGS, with the fixed bit 1 set) into AH, a way to inspect the status flags without PUSHF.',
    example: 'lahf',
    flags: { read: ['CF', 'PF', 'AF', 'ZF', 'SF'], written: [] },
  }),
  define({
    mnemonic: 'sahf',
    icedMnemonics: ['Sahf'],
    group: 'flags',
    class: 'ordinary',
    summary: 'Store AH into the status flags.',
    description: 'Loads SF, ZF, AF, PF and CF from the corresponding bits of AH; OF and the system flags are untouched.',
    example: 'sahf',
    flags: { read: [], written: ['CF', 'PF', 'AF', 'ZF', 'SF'] },
  }),
];
