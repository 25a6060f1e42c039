// Control transfer (conditional jumps are in conditional.ts). Far transfers, RETF, INT n and IRET
// are sensitive but unprivileged: their checks use the real CPL and never trap for it.
import type { Flag, InstructionEntry, TechniqueTexts, VtxExit } from '../types.js';
import { NEAR_BRANCH, POPF_FLAGS, define } from './common.js';

/** Flags every software interrupt clears on delivery (IF too when the gate is an interrupt gate). */
const INT_CLEARS: readonly Flag[] = ['TF', 'NT', 'RF', 'VM'];

const FAR_WHY =
  'A far transfer loads CS from a descriptor, possibly through a call or task gate, with DPL/RPL checks and stack switches computed from the real CPL — at ring 1 the outcome silently differs from ring 0 (Robin & Irvine).';

const FAR_VTX: VtxExit = { exitReason: 'TASK_SWITCH', condition: 'only when the target is a TSS or task gate (task switches always exit)' };

const FAR_TRANSFER: TechniqueTexts = {
  'trap-and-emulate':
    'Runs natively at ring 1 with no trap: descriptor and gate checks compare against ring 1 and the shadow GDT, the loaded CS carries RPL 1, and a gate call switches to the TSS stack of the wrong ring — the guest sees results bare metal would not give (a hole).',
  'binary-translation':
    'Rewritten into a callout that performs the far transfer against the virtual CPL and the guest\'s own descriptor tables, then continues in the translation of the target.',
  paravirt:
    'The PV kernel avoids far transfers in its own code: system calls reach it through the trap table registered with set_trap_table, and it returns to user mode with the iret hypercall.',
  'vt-x':
    'Runs natively at guest ring 0 on the guest\'s own descriptor tables; no VM exit unless it switches tasks (TASK_SWITCH).',
};

const EXCEPTION_TECHNIQUES = (name: string, bit: number): TechniqueTexts => ({
  'trap-and-emulate': `Raises ${name}; the real IDT belongs to the VMM, which reflects the exception through the guest's virtual IDT (or hands it to the debugger).`,
  'binary-translation': `Translated into a callout that delivers ${name} through the guest's virtual IDT at the virtual CPL.`,
  paravirt: `Xen catches ${name} and bounces it to the handler the guest registered with set_trap_table.`,
  'vt-x': `Delivered through the guest's own IDT, unless bit ${bit} of the exception bitmap is set: then it exits with EXCEPTION_NMI.`,
});

export const CONTROL: readonly InstructionEntry[] = [
  define({
    mnemonic: 'jmp',
    syntax: { farKeyword: true },
    icedMnemonics: ['Jmp'],
    group: 'control',
    class: 'ordinary',
    summary: 'Unconditional jump.',
    description:
      'Transfers control without saving a return address: near (relative, or indirect through a register or memory) within the current code segment, or far to another code segment, call gate or TSS. Far forms are the variant below.',
    example: 'jmp $',
    techniques: NEAR_BRANCH,
    variants: [
      {
        form: 'jmp ptr16:32 | jmp far m16:32',
        match: { operand: { kind: 'far' }, position: 0 },
        class: 'sensitive-unprivileged',
        why: FAR_WHY,
        example: 'jmp 0x08:0x1000',
        vtx: FAR_VTX,
        techniques: FAR_TRANSFER,
      },
    ],
  }),
  define({
    mnemonic: 'call',
    syntax: { farKeyword: true },
    icedMnemonics: ['Call'],
    group: 'control',
    class: 'ordinary',
    summary: 'Call a procedure.',
    description:
      'Pushes the return address (and for far calls the old CS) and transfers control. Near calls stay in the code segment; far calls may go through a call gate to a more privileged ring, switching to the stack named in the TSS and copying parameters. Far forms are the variant below.',
    example: 'call $',
    techniques: NEAR_BRANCH,
    variants: [
      {
        form: 'call ptr16:32 | call far m16:32',
        match: { operand: { kind: 'far' }, position: 0 },
        class: 'sensitive-unprivileged',
        why: FAR_WHY,
        example: 'call far [ebx]',
        vtx: FAR_VTX,
        techniques: FAR_TRANSFER,
      },
    ],
  }),
  define({
    mnemonic: 'ret',
    aliases: ['retn'],
    icedMnemonics: ['Ret'],
    group: 'control',
    class: 'ordinary',
    summary: 'Near return.',
    description:
      'Pops the return address into EIP and, with an immediate, releases that many further bytes of arguments from the stack (callee-cleaned conventions such as stdcall).',
    example: 'ret',
    techniques: NEAR_BRANCH,
  }),
  define({
    mnemonic: 'retf',
    aliases: ['retfd', 'retfw'],
    icedMnemonics: ['Retf'],
    group: 'control',
    class: 'sensitive-unprivileged',
    why: 'A far return pops CS and compares its RPL with the real CPL: a return into "ring 0" code from a kernel at ring 1 faults, and a return to an outer ring reloads SS:ESP and clears data segments by the real rules (Robin & Irvine).',
    summary: 'Far return.',
    description:
      'Pops EIP and CS (and the immediate count of argument bytes). When the new CS has a numerically higher RPL it is a return to an outer ring: SS:ESP are popped too and data segment registers the outer ring may not use are cleared.',
    example: 'retf',
    techniques: {
      ...FAR_TRANSFER,
      'vt-x': 'Runs natively at guest ring 0 on the guest\'s own descriptor tables; no VM exit (a far return never switches tasks).',
    },
  }),
  define({
    mnemonic: 'loop',
    icedMnemonics: ['Loop'],
    group: 'control',
    class: 'ordinary',
    summary: 'Decrement ECX and jump if not zero.',
    description:
      'Decrements ECX (CX with a 16-bit address size) without touching the flags and jumps to the short target while the count is not zero.',
    example: 'loop $',
    techniques: NEAR_BRANCH,
  }),
  define({
    mnemonic: 'loope',
    aliases: ['loopz'],
    icedMnemonics: ['Loope'],
    group: 'control',
    class: 'ordinary',
    summary: 'Decrement ECX and jump if not zero and ZF = 1.',
    description: 'Decrements ECX like LOOP and jumps while ECX is not zero and ZF is set, so a loop over a comparison ends at the first mismatch.',
    example: 'loope $',
    flags: { read: ['ZF'], written: [] },
    techniques: NEAR_BRANCH,
  }),
  define({
    mnemonic: 'loopne',
    aliases: ['loopnz'],
    icedMnemonics: ['Loopne'],
    group: 'control',
    class: 'ordinary',
    summary: 'Decrement ECX and jump if not zero and ZF = 0.',
    description: 'Decrements ECX like LOOP and jumps while ECX is not zero and ZF is clear, so a search loop ends at the first match.',
    example: 'loopne $',
    flags: { read: ['ZF'], written: [] },
    techniques: NEAR_BRANCH,
  }),
  define({
    mnemonic: 'jcxz',
    icedMnemonics: ['Jcxz'],
    group: 'control',
    class: 'ordinary',
    summary: 'Jump if CX is zero.',
    description: 'Jumps to a short target when CX is zero (16-bit address size); typically guards a LOOP against a zero count.',
    example: 'jcxz $',
    techniques: NEAR_BRANCH,
  }),
  define({
    mnemonic: 'jecxz',
    icedMnemonics: ['Jecxz'],
    group: 'control',
    class: 'ordinary',
    summary: 'Jump if ECX is zero.',
    description: 'Jumps to a short target when ECX is zero; flags are neither read nor written.',
    example: 'jecxz $',
    techniques: NEAR_BRANCH,
  }),
  define({
    mnemonic: 'int',
    icedMnemonics: ['Int'],
    group: 'control',
    class: 'sensitive-unprivileged',
    why: 'INT n is delivered through an IDT gate whose DPL is checked against the real CPL and whose stack switch uses the TSS stack of the real ring, so a de-privileged kernel gets different outcomes without a trap of its own (Robin & Irvine).',
    summary: 'Software interrupt.',
    description:
      'Raises interrupt vector n: pushes EFLAGS, CS and EIP (and SS:ESP when the handler runs in an inner ring), then enters the handler named by the IDT gate. The gate\'s DPL must be at least CPL or the CPU raises #GP instead; an interrupt gate also clears IF, a trap gate leaves it. Operating systems use it for system calls (Linux i386 `int 0x80`).',
    example: 'int 0x80',
    flags: { read: [], written: INT_CLEARS },
    vtx: { exitReason: 'TASK_SWITCH', condition: 'only when the IDT entry is a task gate (task switches always exit)' },
    techniques: {
      'trap-and-emulate':
        'The real IDT is the VMM\'s, so INT n enters the VMM, which reflects it through the guest\'s virtual IDT; the gate DPL check on the way in uses the real ring (1 or 3), so gates the guest marked DPL 0 behave differently than on bare metal.',
      'binary-translation':
        'Replaced by a callout that delivers the interrupt through the guest\'s virtual IDT at the virtual CPL.',
      paravirt:
        'The guest registers its system-call vectors with set_trap_table (the flags give the lowest ring allowed to raise them); Xen bounces the INT to the guest handler in ring 1.',
      'vt-x': 'Delivered natively through the guest\'s own IDT at guest ring 0; software interrupts never exit.',
    },
    variants: [
      {
        form: 'int 0x82',
        match: { operand: { kind: 'imm', value: 0x82 }, position: 0 },
        class: 'hypercall',
        why: 'Vector 0x82 is the Xen x86_32 PV hypercall trap: EAX holds the hypercall number, EBX, ECX, EDX, ESI and EDI the arguments, and EAX receives the result.',
        example: 'int 0x82',
        techniques: {
          'trap-and-emulate': 'No hypervisor listens on vector 0x82 here: it is reflected through the guest\'s virtual IDT like any INT n.',
          'binary-translation': 'Handled like any INT n: delivered through the guest\'s virtual IDT.',
          paravirt:
            'The hypercall itself: Xen dispatches on EAX (console_io = 18, sched_op = 29, ...), runs the handler and resumes after the INT with the result in EAX.',
          'vt-x': 'An ordinary INT through the guest\'s IDT; hardware-assisted guests call the hypervisor with VMCALL instead.',
        },
      },
    ],
  }),
  define({
    mnemonic: 'int3',
    icedMnemonics: ['Int3'],
    group: 'control',
    class: 'ordinary',
    summary: 'Breakpoint trap (one byte, 0xCC).',
    description:
      'Raises #BP (vector 3) as a trap, so the saved EIP points after it. Debuggers write this byte over an instruction to set a software breakpoint. Unlike `int 3` (two bytes) it skips the IOPL check in virtual-8086 mode.',
    example: 'int3',
    flags: { read: [], written: INT_CLEARS },
    vtx: { exitReason: 'EXCEPTION_NMI', condition: 'exception bitmap bit 3 (#BP)' },
    techniques: EXCEPTION_TECHNIQUES('#BP', 3),
  }),
  define({
    mnemonic: 'into',
    icedMnemonics: ['Into'],
    group: 'control',
    class: 'ordinary',
    summary: 'Interrupt on overflow.',
    description: 'Raises #OF (vector 4) as a trap when OF is set; otherwise does nothing.',
    example: 'into',
    flags: { read: ['OF'], written: INT_CLEARS },
    vtx: { exitReason: 'EXCEPTION_NMI', condition: 'exception bitmap bit 4 (#OF), when OF = 1' },
    techniques: EXCEPTION_TECHNIQUES('#OF', 4),
  }),
  define({
    mnemonic: 'bound',
    icedMnemonics: ['Bound'],
    group: 'control',
    class: 'ordinary',
    summary: 'Check an array index against bounds.',
    description:
      'Compares a signed index register with a lower and an upper bound stored as a pair in memory and raises #BR (vector 5, a fault) when the index is outside them.',
    example: 'bound eax, [ebx]',
    vtx: { exitReason: 'EXCEPTION_NMI', condition: 'exception bitmap bit 5 (#BR), when out of bounds' },
    techniques: EXCEPTION_TECHNIQUES('#BR', 5),
  }),
  define({
    mnemonic: 'iret',
    aliases: ['iretd', 'iretw'],
    icedMnemonics: ['Iret', 'Iretd'],
    group: 'control',
    class: 'sensitive-unprivileged',
    why: 'Like POPF it silently keeps IOPL at CPL > 0 and IF at CPL > IOPL, and its return-to-ring checks use the real CPL, so a de-privileged kernel\'s interrupt returns misbehave without trapping.',
    summary: 'Return from interrupt.',
    description:
      'Pops EIP, CS and EFLAGS (and SS:ESP when returning to an outer ring, or the segment registers when returning to virtual-8086 mode), ending an interrupt or exception handler. With NT set it instead returns to the previous task through the TSS back link. IRETD names the 32-bit form, IRETW the 16-bit one.',
    example: 'iret',
    flags: { read: [], written: [...POPF_FLAGS, 'RF', 'VM', 'VIF', 'VIP'] },
    vtx: { exitReason: 'TASK_SWITCH', condition: 'only with NT = 1 (return to the previous task)' },
    techniques: {
      'trap-and-emulate':
        'Runs natively at ring 1: the IF and IOPL in the popped image are silently filtered, and a frame returning to ring-0 code faults; the VMM emulates returns from the interrupts it reflected.',
      'binary-translation':
        'Replaced by a callout that pops the frame, applies the virtual IF and IOPL, and continues at the translated kernel target or the untranslated user target.',
      paravirt:
        'Returns to guest user mode use the iret hypercall (number 23: its hypercall-page slot is jumped to with EAX pushed), which restores the frame and the virtual IF.',
      'vt-x': 'Runs natively at guest ring 0 with full effect; no VM exit (no IRET exit control) unless it returns to another task.',
    },
  }),
];
