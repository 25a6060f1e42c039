// Protected-mode system instructions: descriptor-table registers, the CR0 machine-status word,
// descriptor queries, HLT and the fast system-call pair. Most of Robin & Irvine's list is here.
import type { InstructionEntry, TechniqueTexts, VtxExit } from '../types.js';
import { CPL0, define } from './common.js';

const UMIP_NOTE =
  'On CPUs with UMIP (not Pentium-class), setting CR4.UMIP makes it fault with #GP(0) at CPL > 0 — the late hardware fix for this hole.';

const DT_EXIT: VtxExit = { exitReason: 'GDTR_IDTR', condition: 'descriptor-table exiting (secondary control bit 2)' };
const LDT_TR_EXIT: VtxExit = { exitReason: 'LDTR_TR', condition: 'descriptor-table exiting (secondary control bit 2)' };

const DT_STORE_VTX = (reg: string, reason: string): string =>
  `Runs at guest ring 0 and stores the guest's own ${reg}; exits with ${reason} only when descriptor-table exiting is enabled.`;

const QUERY_WHY =
  'The answer depends on the descriptor\'s DPL compared with the real CPL and the selector\'s RPL, so a kernel moved to ring 1 or 3 is told that its own DPL-0 descriptors are out of reach — with no trap (Robin & Irvine).';

const QUERY_TECHNIQUES: TechniqueTexts = {
  'trap-and-emulate':
    'Runs natively at ring 1 against the shadow descriptor tables: answers for descriptors the guest made DPL 0 differ from bare metal, silently.',
  'binary-translation': 'Rewritten to evaluate the access rights against the virtual CPL and the guest\'s own descriptor tables.',
  paravirt: 'The PV kernel knows it runs in ring 1 with Xen-reserved GDT entries and does not rely on ring-0 answers.',
  'vt-x': 'Runs natively at guest ring 0 on the guest\'s own descriptors; no VM exit.',
};

export const SYSTEM: readonly InstructionEntry[] = [
  // Descriptor-table registers.
  define({
    mnemonic: 'lgdt',
    icedMnemonics: ['Lgdt'],
    group: 'system',
    class: 'privileged',
    why: 'Loads the GDT register, which defines every segment in the system; only CPL 0 may.',
    summary: 'Load the global descriptor table register.',
    description:
      'Loads GDTR from a 6-byte memory operand: a 16-bit limit followed by a 32-bit linear base (only 24 bits with a 16-bit operand size). Segment registers keep their cached descriptors until they are reloaded.',
    example: 'lgdt [ebx]',
    privilege: CPL0,
    vtx: DT_EXIT,
    techniques: {
      'trap-and-emulate':
        '#GP(0) at ring 1; the VMM records the new virtual GDTR and rebuilds its shadow GDT from the guest\'s table with DPLs adjusted for ring 1 — the real GDTR keeps pointing at the shadow.',
      'binary-translation': 'Replaced by a callout that updates the virtual GDTR and refreshes the shadow GDT.',
      paravirt: 'The PV kernel hands its GDT frames to Xen with the set_gdt hypercall instead; Xen validates every descriptor.',
      'vt-x': 'Loads the guest GDTR natively; exits with GDTR_IDTR only when descriptor-table exiting is enabled.',
    },
  }),
  define({
    mnemonic: 'sgdt',
    icedMnemonics: ['Sgdt'],
    group: 'system',
    class: 'sensitive-unprivileged',
    why: 'Stores GDTR at any CPL, so a de-privileged kernel reads the VMM\'s table address and limit instead of the values it loaded (Robin & Irvine).',
    summary: 'Store the global descriptor table register.',
    description:
      'Writes the GDTR limit and base to a 6-byte memory operand. Nothing about it is checked against CPL, which is why it leaks the real table location to any program.',
    example: 'sgdt [ebx]',
    privilege: { cpl0: false, iopl: false, conditional: UMIP_NOTE },
    vtx: DT_EXIT,
    techniques: {
      'trap-and-emulate':
        'Runs natively at ring 1 and stores the real GDTR — the VMM\'s shadow table — instead of what the guest loaded: a silent hole.',
      'binary-translation': 'Rewritten to store the virtual GDTR the guest loaded.',
      paravirt: 'PV kernels keep track of the frames they passed to set_gdt and do not use SGDT; executed, it shows Xen\'s per-vCPU GDT.',
      'vt-x': DT_STORE_VTX('GDTR', 'GDTR_IDTR'),
    },
  }),
  define({
    mnemonic: 'lidt',
    icedMnemonics: ['Lidt'],
    group: 'system',
    class: 'privileged',
    why: 'Loads the IDT register, which decides where every interrupt and exception goes; only CPL 0 may.',
    summary: 'Load the interrupt descriptor table register.',
    description:
      'Loads IDTR from a 6-byte memory operand (16-bit limit, 32-bit base). In real mode it also relocates the interrupt vector table.',
    example: 'lidt [ebx]',
    privilege: CPL0,
    vtx: DT_EXIT,
    techniques: {
      'trap-and-emulate':
        '#GP(0) at ring 1; the VMM records the virtual IDTR. The real IDT stays the VMM\'s, and interrupts meant for the guest are reflected through the virtual one.',
      'binary-translation': 'Replaced by a callout that records the virtual IDTR.',
      paravirt: 'The PV kernel registers its handlers with the set_trap_table hypercall instead.',
      'vt-x': 'Loads the guest IDTR natively; exits with GDTR_IDTR only when descriptor-table exiting is enabled.',
    },
  }),
  define({
    mnemonic: 'sidt',
    icedMnemonics: ['Sidt'],
    group: 'system',
    class: 'sensitive-unprivileged',
    why: 'Stores IDTR at any CPL, revealing the VMM\'s IDT instead of the guest\'s — the basis of the well-known "red pill" VM check (Robin & Irvine).',
    summary: 'Store the interrupt descriptor table register.',
    description: 'Writes the IDTR limit and base to a 6-byte memory operand, at any privilege level.',
    example: 'sidt [ebx]',
    privilege: { cpl0: false, iopl: false, conditional: UMIP_NOTE },
    vtx: DT_EXIT,
    techniques: {
      'trap-and-emulate':
        'Runs natively at ring 1 and stores the VMM\'s real IDTR rather than the guest\'s virtual one: a silent hole that also lets software detect the VMM.',
      'binary-translation': 'Rewritten to store the virtual IDTR.',
      paravirt: 'PV kernels do not use it (their handlers live in the trap table); executed, it shows Xen\'s IDT.',
      'vt-x': DT_STORE_VTX('IDTR', 'GDTR_IDTR'),
    },
  }),
  define({
    mnemonic: 'lldt',
    syntax: { sizeFreeOperands: [0] },
    icedMnemonics: ['Lldt'],
    group: 'system',
    class: 'privileged',
    why: 'Loads LDTR, selecting the local descriptor table; only CPL 0 may.',
    summary: 'Load the local descriptor table register.',
    description:
      'Loads LDTR with a selector that must name an LDT descriptor in the GDT; a null selector leaves the LDT unusable.',
    example: 'lldt ax',
    privilege: CPL0,
    vtx: LDT_TR_EXIT,
    techniques: {
      'trap-and-emulate': '#GP(0) at ring 1; the VMM records the virtual LDTR and builds a shadow LDT.',
      'binary-translation': 'Replaced by a callout that switches the virtual LDTR and its shadow.',
      paravirt: 'The PV kernel installs an LDT with mmuext_op(MMUEXT_SET_LDT) instead.',
      'vt-x': 'Loads the guest LDTR natively; exits with LDTR_TR only when descriptor-table exiting is enabled.',
    },
  }),
  define({
    mnemonic: 'sldt',
    icedMnemonics: ['Sldt'],
    group: 'system',
    class: 'sensitive-unprivileged',
    why: 'Stores the LDTR selector at any CPL, exposing the VMM\'s shadow LDT selector instead of the guest\'s (Robin & Irvine).',
    summary: 'Store the local descriptor table register.',
    description:
      'Writes the LDTR selector to a register or 16-bit memory operand; with a 32-bit register the upper half is zeroed.',
    example: 'sldt eax',
    privilege: { cpl0: false, iopl: false, conditional: UMIP_NOTE },
    vtx: LDT_TR_EXIT,
    techniques: {
      'trap-and-emulate': 'Runs natively at ring 1 and returns the real LDTR selector, not the virtual one: a silent hole.',
      'binary-translation': 'Rewritten to return the virtual LDTR selector.',
      paravirt: 'PV kernels remember what they passed to MMUEXT_SET_LDT and do not need SLDT.',
      'vt-x': DT_STORE_VTX('LDTR', 'LDTR_TR'),
    },
  }),
  define({
    mnemonic: 'ltr',
    syntax: { sizeFreeOperands: [0] },
    icedMnemonics: ['Ltr'],
    group: 'system',
    class: 'privileged',
    why: 'Loads the task register, naming the TSS that supplies inner-ring stacks and the I/O bitmap; only CPL 0 may.',
    summary: 'Load the task register.',
    description:
      'Loads TR with a selector of an available TSS descriptor in the GDT and marks that descriptor busy. The TSS then supplies the ring 0–2 stacks used on privilege changes and the I/O permission bitmap.',
    example: 'ltr ax',
    privilege: CPL0,
    vtx: LDT_TR_EXIT,
    techniques: {
      'trap-and-emulate':
        '#GP(0) at ring 1; the VMM records the virtual TR and copies the guest kernel stack into its own TSS so ring-1 entries land on it.',
      'binary-translation': 'Replaced by a callout that records the virtual TR.',
      paravirt: 'Xen owns the TSS; the PV kernel reports its kernel stack with the stack_switch hypercall instead.',
      'vt-x': 'Loads the guest TR natively; exits with LDTR_TR only when descriptor-table exiting is enabled.',
    },
  }),
  define({
    mnemonic: 'str',
    icedMnemonics: ['Str'],
    group: 'system',
    class: 'sensitive-unprivileged',
    why: 'Stores the TR selector at any CPL, revealing the VMM\'s TSS selector (and its RPL) instead of the guest\'s (Robin & Irvine).',
    summary: 'Store the task register.',
    description: 'Writes the TR selector to a register or 16-bit memory operand, at any privilege level.',
    example: 'str eax',
    privilege: { cpl0: false, iopl: false, conditional: UMIP_NOTE },
    vtx: LDT_TR_EXIT,
    techniques: {
      'trap-and-emulate': 'Runs natively at ring 1 and returns the VMM\'s TR selector: a silent hole.',
      'binary-translation': 'Rewritten to return the virtual TR selector.',
      paravirt: 'PV kernels do not load or read TR; executed, it shows Xen\'s TSS selector.',
      'vt-x': DT_STORE_VTX('TR', 'LDTR_TR'),
    },
  }),

  // The machine-status word (low 16 bits of CR0).
  define({
    mnemonic: 'lmsw',
    syntax: { sizeFreeOperands: [0] },
    icedMnemonics: ['Lmsw'],
    group: 'system',
    class: 'privileged',
    why: 'Writes CR0 bits PE, MP, EM and TS; only CPL 0 may.',
    summary: 'Load the machine-status word (CR0 bits 3:0).',
    description:
      'The 286 way to write CR0: loads PE, MP, EM and TS from the low bits of the operand and ignores the rest. It can set PE but never clear it, so it cannot leave protected mode. New code uses MOV CR0.',
    example: 'lmsw ax',
    privilege: CPL0,
    vtx: { exitReason: 'CR_ACCESS', condition: 'when it would change a CR0 bit set in the CR0 guest/host mask' },
    techniques: {
      'trap-and-emulate': '#GP(0) at ring 1; the VMM applies it to the virtual CR0.',
      'binary-translation': 'Replaced by a callout that updates the virtual CR0.',
      paravirt: 'Not used by PV kernels (CR0 changes go through pv_cpu_ops.write_cr0 and fpu_taskswitch).',
      'vt-x':
        'Exits with CR_ACCESS (access type LMSW) only when it would change a host-owned CR0 bit; otherwise runs natively.',
    },
  }),
  define({
    mnemonic: 'smsw',
    icedMnemonics: ['Smsw'],
    group: 'system',
    class: 'sensitive-unprivileged',
    why: 'Stores CR0 bits 15:0 at any CPL, so a de-privileged guest sees the real PE, MP, EM and TS — e.g. PE = 1 while it believes it is in real mode (Robin & Irvine).',
    summary: 'Store the machine-status word (CR0 bits 15:0).',
    description:
      'Stores the low 16 bits of CR0 to a register or 16-bit memory operand. With a 32-bit register destination the upper half is undefined on the 386/486 and holds CR0 bits 31:16 on later CPUs. Unlike MOV from CR0 it needs no privilege.',
    example: 'smsw eax',
    privilege: { cpl0: false, iopl: false, conditional: UMIP_NOTE },
    techniques: {
      'trap-and-emulate':
        'Runs natively at ring 1 and reveals the real CR0 bits (for instance TS as the VMM left it) instead of the virtual CR0: a silent hole.',
      'binary-translation': 'Rewritten to store the low word of the virtual CR0.',
      paravirt: 'PV kernels avoid it and read CR0 through pv_cpu_ops.read_cr0.',
      'vt-x':
        'Runs natively; CR0 bits owned by the host (guest/host mask) come from the CR0 read shadow, so the guest sees its own values. No VM exit.',
    },
  }),
  define({
    mnemonic: 'clts',
    icedMnemonics: ['Clts'],
    group: 'system',
    class: 'privileged',
    why: 'Clears CR0.TS; only CPL 0 may.',
    summary: 'Clear the task-switched flag in CR0.',
    description:
      'Clears CR0.TS. Kernels that switch FPU state lazily set TS on a task switch, take #NM on the next FPU use, then CLTS and restore the state.',
    example: 'clts',
    privilege: CPL0,
    vtx: {
      exitReason: 'CR_ACCESS',
      condition: 'when CR0.TS is set in the CR0 guest/host mask and the read shadow has TS = 1',
    },
    techniques: {
      'trap-and-emulate': '#GP(0) at ring 1; the VMM clears the virtual CR0.TS (and the real one if the guest owns the FPU).',
      'binary-translation': 'Replaced by a callout that clears the virtual CR0.TS.',
      paravirt: 'The PV kernel calls fpu_taskswitch(0) instead.',
      'vt-x': 'Exits with CR_ACCESS (access type CLTS) only when TS is host-owned and the shadow shows it set; otherwise runs natively.',
    },
  }),

  // Descriptor queries.
  define({
    mnemonic: 'lar',
    syntax: { sizeFreeOperands: [1] },
    icedMnemonics: ['Lar'],
    group: 'system',
    class: 'sensitive-unprivileged',
    why: QUERY_WHY,
    summary: 'Load access rights.',
    description:
      'If the selector names a descriptor visible at the current CPL and RPL, loads its access-rights bytes (masked) into the destination and sets ZF; otherwise clears ZF and leaves the destination alone.',
    example: 'lar eax, ebx',
    flags: { read: [], written: ['ZF'] },
    techniques: QUERY_TECHNIQUES,
  }),
  define({
    mnemonic: 'lsl',
    syntax: { sizeFreeOperands: [1] },
    icedMnemonics: ['Lsl'],
    group: 'system',
    class: 'sensitive-unprivileged',
    why: QUERY_WHY,
    summary: 'Load segment limit.',
    description:
      'If the selector names a descriptor visible at the current CPL and RPL, loads its byte-granular limit (scaled when G = 1) and sets ZF; otherwise clears ZF.',
    example: 'lsl eax, ebx',
    flags: { read: [], written: ['ZF'] },
    techniques: QUERY_TECHNIQUES,
  }),
  define({
    mnemonic: 'verr',
    syntax: { sizeFreeOperands: [0] },
    icedMnemonics: ['Verr'],
    group: 'system',
    class: 'sensitive-unprivileged',
    why: QUERY_WHY,
    summary: 'Verify a segment for reading.',
    description: 'Sets ZF when the selected segment could be read at the current CPL and the selector\'s RPL, clears it otherwise; never faults for a bad selector.',
    example: 'verr ax',
    flags: { read: [], written: ['ZF'] },
    techniques: QUERY_TECHNIQUES,
  }),
  define({
    mnemonic: 'verw',
    syntax: { sizeFreeOperands: [0] },
    icedMnemonics: ['Verw'],
    group: 'system',
    class: 'sensitive-unprivileged',
    why: QUERY_WHY,
    summary: 'Verify a segment for writing.',
    description: 'Sets ZF when the selected segment is a writable data segment accessible at the current CPL and RPL, clears it otherwise.',
    example: 'verw ax',
    flags: { read: [], written: ['ZF'] },
    techniques: QUERY_TECHNIQUES,
  }),
  define({
    mnemonic: 'arpl',
    syntax: { sizeFreeOperands: [0, 1] },
    icedMnemonics: ['Arpl'],
    group: 'system',
    class: 'ordinary',
    summary: 'Adjust the RPL field of a selector.',
    description:
      'If the destination selector\'s RPL is lower (more privileged) than the source\'s, raises it to match and sets ZF; otherwise clears ZF. Kernels use it so that a pointer handed in by a caller cannot carry more privilege than the caller had. It compares two operands only, never CPL, so it is innocuous.',
    example: 'arpl ax, bx',
    flags: { read: [], written: ['ZF'] },
  }),

  // Halting and fast system calls.
  define({
    mnemonic: 'hlt',
    icedMnemonics: ['Hlt'],
    group: 'system',
    class: 'privileged',
    why: 'Stops the processor until the next interrupt; only CPL 0 may, or any program could freeze the machine.',
    summary: 'Halt until an interrupt arrives.',
    description:
      'Stops instruction execution until an external interrupt, NMI or reset. With IF = 0 only an NMI can wake it, so `cli; hlt` is the machine\'s final stop (this project then ends the run with exit status 2).',
    example: 'hlt',
    privilege: CPL0,
    vtx: { exitReason: 'HLT', condition: 'HLT exiting (primary control bit 7)' },
    techniques: {
      'trap-and-emulate':
        '#GP(0) at ring 1; the VMM idles the virtual CPU until a virtual interrupt is pending — with the virtual IF clear, that is the end of the guest.',
      'binary-translation': 'Replaced by a callout that idles the virtual CPU until a virtual interrupt is pending.',
      paravirt:
        'The PV kernel blocks with sched_op(SCHEDOP_block) (pv_irq_ops.safe_halt), or takes the vCPU down when interrupts are off; an executed HLT faults to Xen.',
      'vt-x': 'Exits with HLT when HLT exiting is set; otherwise the CPU halts in non-root mode until an interrupt arrives.',
    },
  }),
  define({
    mnemonic: 'sysenter',
    icedMnemonics: ['Sysenter'],
    group: 'system',
    class: 'ordinary',
    why: 'Callable at any CPL; its ring-0 target comes from MSRs only the kernel (or VMM) can write, so it acts like a gate, not a hole.',
    summary: 'Fast system call into ring 0 (Pentium II+).',
    description:
      'Enters ring 0 with flat segments derived from the SYSENTER_CS MSR, at the EIP and ESP held in SYSENTER_EIP and SYSENTER_ESP, and clears IF, VM and RF. Nothing is saved on the stack; user code passes its return point in registers. It raises #GP when SYSENTER_CS is zero.',
    example: 'sysenter',
    flags: { read: [], written: ['IF', 'VM', 'RF'] },
    techniques: {
      'trap-and-emulate':
        'The real SYSENTER MSRs are the VMM\'s, so the call lands in the VMM, which forwards it to the target in the guest\'s virtual MSRs at the virtual ring 0.',
      'binary-translation':
        'Only directly executed guest user code runs it; it enters the VMM, which continues at the guest kernel\'s handler in translated code.',
      paravirt: 'Xen owns the MSRs; the PV kernel registers its fast system-call entry with callback_op (or set_callbacks) instead.',
      'vt-x': 'Runs natively through the guest\'s own SYSENTER MSRs; no VM exit.',
    },
  }),
  define({
    mnemonic: 'sysexit',
    icedMnemonics: ['Sysexit'],
    group: 'system',
    class: 'privileged',
    why: 'Returns to ring 3 with segments derived from SYSENTER_CS; only CPL 0 may execute it.',
    summary: 'Fast return to ring 3 (Pentium II+).',
    description:
      'Returns from a SYSENTER handler to ring 3: CS and SS come from SYSENTER_CS + 16 and + 24, EIP from EDX and ESP from ECX. EFLAGS is not restored, so the handler must re-enable interrupts itself (typically with STI just before it).',
    example: 'sysexit',
    privilege: CPL0,
    techniques: {
      'trap-and-emulate': '#GP(0) at ring 1; the VMM emulates the return to guest user mode.',
      'binary-translation': 'Replaced by a callout that leaves translated kernel code for the guest\'s user code.',
      paravirt: 'PV kernels return to user mode with the iret hypercall instead.',
      'vt-x': 'Runs natively at guest ring 0; no VM exit.',
    },
  }),
  define({
    mnemonic: 'rsm',
    icedMnemonics: ['Rsm'],
    group: 'system',
    class: 'ordinary',
    why: 'Valid only in system-management mode; everywhere else it raises #UD at every ring, so it behaves the same for a guest as on bare metal.',
    summary: 'Resume from system-management mode.',
    description:
      'Restores the processor state saved on entry to SMM and returns to the interrupted program. Outside SMM it raises #UD. This machine never enters SMM, so the instruction only ever faults.',
    example: 'rsm',
    flags: { read: [], written: ['CF', 'PF', 'AF', 'ZF', 'SF', 'TF', 'IF', 'DF', 'OF', 'IOPL', 'NT', 'RF', 'VM', 'AC', 'ID'] },
    privilege: { cpl0: false, iopl: false, conditional: 'Valid only in system-management mode (#UD elsewhere, at any CPL).' },
    techniques: {
      'trap-and-emulate': 'Raises #UD (no SMM), which the VMM reflects to the guest.',
      'binary-translation': 'Translated into a raise of #UD for the guest.',
      paravirt: 'Raises #UD; Xen bounces it to the guest\'s handler.',
      'vt-x': 'Raises #UD in the guest (the RSM exit exists only for SMM); exits only if #UD is in the exception bitmap.',
    },
  }),
];
