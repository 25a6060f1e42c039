// AMD SVM (AMD-V) instructions, plus VMMCALL — the AMD-V hypercall.
import { FLAGS, type InstructionEntry, type TechniqueTexts } from '../types.js';
import { CPL0, define } from './common.js';

const SVM_WHY = 'Manages AMD-V; valid only with EFER.SVME = 1 and at CPL 0 (#UD or #GP otherwise).';

const SVM_TECHNIQUES: TechniqueTexts = {
  'trap-and-emulate': 'The virtual CPU offers no SVM (EFER.SVME cannot be set), so it raises #UD, which the VMM reflects to the guest.',
  'binary-translation': 'Translated into a raise of #UD: the virtual CPU offers no SVM.',
  paravirt: 'Not available to PV guests; raises #UD.',
  'vt-x': 'An AMD-only instruction: #UD on the Intel CPU this technique models; it exits only if #UD is in the exception bitmap.',
};

export const SVM: readonly InstructionEntry[] = [
  define({
    mnemonic: 'vmmcall',
    icedMnemonics: ['Vmmcall'],
    group: 'svm',
    class: 'hypercall',
    why: 'On AMD-V, when the hypervisor intercepts it, it exits to the hypervisor at any CPL (exit code VMMCALL): the AMD hypercall.',
    summary: 'Call the hypervisor (AMD-V).',
    description:
      'The AMD counterpart of VMCALL. In a guest whose VMCB intercepts it, it causes #VMEXIT with the VMMCALL exit code and the hypervisor handles the request; without the intercept, or outside a guest, it raises #UD.',
    example: 'vmmcall',
    techniques: {
      'trap-and-emulate': 'No SVM under this technique: it raises #UD, which the VMM reflects to the guest.',
      'binary-translation': 'Translated into a raise of #UD.',
      paravirt: 'A Xen PV guest calls Xen with `int 0x82` or its hypercall page instead; VMMCALL raises #UD.',
      'vt-x':
        'An invalid opcode on Intel CPUs: #UD in the guest, which exits only when #UD is in the exception bitmap (hypervisors such as KVM use that to patch it into VMCALL).',
    },
  }),
  define({
    mnemonic: 'vmrun',
    icedMnemonics: ['Vmrun'],
    group: 'svm',
    class: 'svm',
    why: SVM_WHY,
    summary: 'Run a guest (AMD-V).',
    description:
      'With EAX holding the physical address of a VMCB, saves the host state to the host save area, loads the guest state and intercept controls from the VMCB, and runs the guest until an intercepted event causes #VMEXIT. The exit code lands in the VMCB and the host continues after VMRUN. It reads all of EFLAGS because the host\'s copy is saved.',
    example: 'vmrun',
    flags: { read: FLAGS, written: [] },
    privilege: CPL0,
    techniques: SVM_TECHNIQUES,
  }),
  define({
    mnemonic: 'vmload',
    icedMnemonics: ['Vmload'],
    group: 'svm',
    class: 'svm',
    why: SVM_WHY,
    summary: 'Load extra guest state from a VMCB (AMD-V).',
    description:
      'Loads the processor state VMRUN leaves alone — FS, GS, TR and LDTR with their hidden parts and the system-call MSRs, including the SYSENTER ones — from the VMCB at the physical address in EAX.',
    example: 'vmload',
    privilege: CPL0,
    techniques: SVM_TECHNIQUES,
  }),
  define({
    mnemonic: 'vmsave',
    icedMnemonics: ['Vmsave'],
    group: 'svm',
    class: 'svm',
    why: SVM_WHY,
    summary: 'Save extra guest state to a VMCB (AMD-V).',
    description: 'Stores the same state VMLOAD loads into the VMCB at the physical address in EAX.',
    example: 'vmsave',
    privilege: CPL0,
    techniques: SVM_TECHNIQUES,
  }),
  define({
    mnemonic: 'stgi',
    icedMnemonics: ['Stgi'],
    group: 'svm',
    class: 'svm',
    why: SVM_WHY,
    summary: 'Set the global interrupt flag (AMD-V).',
    description: 'Sets GIF, allowing interrupts, NMIs and SMIs to be taken again once the hypervisor has finished switching worlds.',
    example: 'stgi',
    privilege: CPL0,
    techniques: SVM_TECHNIQUES,
  }),
  define({
    mnemonic: 'clgi',
    icedMnemonics: ['Clgi'],
    group: 'svm',
    class: 'svm',
    why: SVM_WHY,
    summary: 'Clear the global interrupt flag (AMD-V).',
    description: 'Clears GIF, holding off every interrupt, NMIs included, while the hypervisor prepares or finishes a world switch.',
    example: 'clgi',
    privilege: CPL0,
    techniques: SVM_TECHNIQUES,
  }),
  define({
    mnemonic: 'skinit',
    icedMnemonics: ['Skinit'],
    group: 'svm',
    class: 'svm',
    why: SVM_WHY,
    summary: 'Secure late launch (AMD-V).',
    description:
      'Reinitializes the processor into a known state, protects the secure loader block at the physical address in EAX from device access, measures it into the TPM and jumps into it: the AMD way to start a trusted hypervisor after boot. Like INIT it resets EFLAGS, clearing every flag.',
    example: 'skinit',
    flags: { read: [], written: FLAGS },
    privilege: CPL0,
    techniques: SVM_TECHNIQUES,
  }),
  define({
    mnemonic: 'invlpga',
    icedMnemonics: ['Invlpga'],
    group: 'svm',
    class: 'svm',
    why: SVM_WHY,
    summary: 'Invalidate a TLB entry of a given address space (AMD-V).',
    description:
      'Invalidates the translation of the virtual address in EAX tagged with the address-space identifier in ECX, so the hypervisor can flush one guest page without running that guest.',
    example: 'invlpga',
    privilege: CPL0,
    techniques: SVM_TECHNIQUES,
  }),
];
