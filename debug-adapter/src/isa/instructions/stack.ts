// Stack instructions. PUSHF/POPF and the segment-register forms of PUSH/POP are the
// sensitive-but-unprivileged ones (Robin & Irvine).
import type { InstructionEntry, TechniqueTexts } from '../types.js';
import { POPF_FLAGS, define } from './common.js';

const SEGMENT_PUSH_POP: TechniqueTexts = {
  'trap-and-emulate':
    'Runs natively at ring 1 with no trap: PUSH CS/SS stores a selector whose RPL says 1, not 0, and POP SS checks against ring 1 — the guest can observe that it is not at ring 0 (a hole).',
  'binary-translation':
    'PUSH CS/SS is rewritten to push the guest\'s virtual selector (RPL 0); POP of a data segment register is copied, the shadow GDT accepting the guest\'s selectors.',
  paravirt: 'The PV kernel expects ring 1 and Xen\'s FLAT_RING1 selectors, so the values it sees are the ones it planned for.',
  'vt-x': 'Runs natively at guest ring 0 with the guest\'s own selectors; no VM exit.',
};

export const STACK: readonly InstructionEntry[] = [
  define({
    mnemonic: 'push',
    icedMnemonics: ['Push'],
    group: 'stack',
    class: 'ordinary',
    summary: 'Push onto the stack.',
    description:
      'Decrements ESP by the operand size and stores the operand at SS:ESP. Accepts registers, memory, immediates and segment registers; `push esp` stores the value ESP had before the push.',
    example: 'push eax',
    variants: [
      {
        form: 'push Sreg',
        match: { operand: { kind: 'reg', class: 'sreg' }, position: 0 },
        class: 'sensitive-unprivileged',
        why: 'Pushing CS or SS stores a selector whose RPL is the real CPL, so a de-privileged kernel can see its true ring (Robin & Irvine).',
        example: 'push cs',
        techniques: SEGMENT_PUSH_POP,
      },
    ],
  }),
  define({
    mnemonic: 'pop',
    icedMnemonics: ['Pop'],
    group: 'stack',
    class: 'ordinary',
    summary: 'Pop from the stack.',
    description:
      'Loads the operand from SS:ESP and increments ESP by the operand size. POP SS also holds off interrupts until after the next instruction so that a following ESP load completes the stack switch; POP CS does not exist.',
    example: 'pop eax',
    variants: [
      {
        form: 'pop Sreg',
        match: { operand: { kind: 'reg', class: 'sreg' }, position: 0 },
        class: 'sensitive-unprivileged',
        why: 'Loading SS or a data segment register checks the selector\'s RPL and the descriptor\'s DPL against the real CPL, so results differ for a de-privileged kernel without a trap (Robin & Irvine).',
        example: 'pop ds',
        techniques: SEGMENT_PUSH_POP,
      },
    ],
  }),
  define({
    mnemonic: 'pusha',
    aliases: ['pushad', 'pushaw'],
    icedMnemonics: ['Pusha', 'Pushad'],
    group: 'stack',
    class: 'ordinary',
    summary: 'Push all general-purpose registers.',
    description:
      'Pushes EAX, ECX, EDX, EBX, the original ESP, EBP, ESI and EDI (or their 16-bit halves for PUSHAW). PUSHAD names the 32-bit form explicitly; plain PUSHA follows the operand size of the code.',
    example: 'pusha',
  }),
  define({
    mnemonic: 'popa',
    aliases: ['popad', 'popaw'],
    icedMnemonics: ['Popa', 'Popad'],
    group: 'stack',
    class: 'ordinary',
    summary: 'Pop all general-purpose registers.',
    description:
      'Pops EDI, ESI, EBP, a discarded ESP slot, EBX, EDX, ECX and EAX, undoing PUSHA. POPAD names the 32-bit form explicitly.',
    example: 'popa',
  }),
  define({
    mnemonic: 'pushf',
    aliases: ['pushfd', 'pushfw'],
    icedMnemonics: ['Pushf', 'Pushfd'],
    group: 'stack',
    class: 'sensitive-unprivileged',
    why: 'It stores the real EFLAGS — IF and IOPL included — at any CPL, so a de-privileged kernel reads the VMM\'s interrupt state instead of its own (Robin & Irvine).',
    summary: 'Push EFLAGS.',
    description:
      'Pushes EFLAGS (FLAGS for PUSHFW) with VM and RF shown as zero. Kernels use it with POPF to save and restore the interrupt flag around critical sections. In virtual-8086 mode it faults with #GP when IOPL is below 3.',
    example: 'pushf',
    flags: { read: POPF_FLAGS, written: [] },
    techniques: {
      'trap-and-emulate':
        'Runs natively at ring 1: the pushed image carries the real IF (interrupts on, for the VMM) and IOPL 0 rather than the guest\'s virtual values — a silent hole.',
      'binary-translation':
        'Replaced by a callout that pushes the real arithmetic flags merged with the virtual IF and IOPL.',
      paravirt:
        'The PV kernel reads its interrupt state through pv_irq_ops.save_fl, which reports IF as the inverse of evtchn_upcall_mask in its vcpu_info, instead of PUSHF.',
      'vt-x': 'Runs natively at guest ring 0 and pushes the guest\'s own EFLAGS; there is no PUSHF exit control.',
    },
  }),
  define({
    mnemonic: 'popf',
    aliases: ['popfd', 'popfw'],
    icedMnemonics: ['Popf', 'Popfd'],
    group: 'stack',
    class: 'sensitive-unprivileged',
    why: 'At CPL > IOPL it silently keeps IF unchanged (and at CPL > 0 keeps IOPL) instead of faulting, so a de-privileged kernel cannot switch interrupts off with it and the VMM never learns it tried (Robin & Irvine).',
    summary: 'Pop EFLAGS.',
    description:
      'Pops a value into EFLAGS. Which bits may change depends on privilege: IOPL only at CPL 0, IF only when CPL ≤ IOPL; VM, VIF and VIP are never loaded and RF is cleared. Forbidden changes are dropped without any fault. In virtual-8086 mode it faults when IOPL is below 3.',
    example: 'popf',
    flags: { read: [], written: POPF_FLAGS },
    techniques: {
      'trap-and-emulate':
        'Runs natively at ring 1 with IOPL 0: the IF and IOPL changes are silently dropped, so the guest believes interrupts are off while they stay on — the classic hole.',
      'binary-translation':
        'Replaced by a callout that loads the arithmetic flags and updates the virtual IF and IOPL, delivering a pending virtual interrupt when IF becomes 1.',
      paravirt:
        'The PV kernel changes its interrupt state through pv_irq_ops (irq_disable/irq_enable set or clear evtchn_upcall_mask; restore_fl on older kernels) instead of POPF.',
      'vt-x':
        'Runs natively at guest ring 0 and really changes IF; no VM exit (an armed interrupt-window exit fires once IF becomes 1).',
    },
  }),
  define({
    mnemonic: 'enter',
    icedMnemonics: ['Enter'],
    group: 'stack',
    class: 'ordinary',
    summary: 'Make a stack frame.',
    description:
      'Pushes EBP, copies nesting-level frame pointers for nested procedures, points EBP at the new frame and reserves the given number of bytes of locals below it.',
    example: 'enter 16, 0',
  }),
  define({
    mnemonic: 'leave',
    icedMnemonics: ['Leave'],
    group: 'stack',
    class: 'ordinary',
    summary: 'Release a stack frame.',
    description: 'Copies EBP to ESP and pops EBP, undoing ENTER or the usual push ebp / mov ebp, esp prologue.',
    example: 'leave',
  }),
];
