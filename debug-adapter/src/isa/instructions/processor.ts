// Processor identification, time stamp and counters, model-specific registers, caches and TLB,
// idle hints and the no-ops.
import type { InstructionEntry } from '../types.js';
import { CPL0, define } from './common.js';

const MONITOR_NOTE =
  'At CPL > 0 it raises #UD rather than #GP. Intel lets an implementation allow MONITOR/MWAIT at CPL > 0 (enumerated separately); this CPU model allows them at CPL 0 only.';

export const PROCESSOR: readonly InstructionEntry[] = [
  define({
    mnemonic: 'cpuid',
    icedMnemonics: ['Cpuid'],
    group: 'misc',
    class: 'ordinary',
    why: 'Unprivileged and not in Robin & Irvine\'s list, but it reports the real processor; VT-x exits on it unconditionally so the VMM can choose what the guest sees.',
    summary: 'Identify the processor and its features.',
    description:
      'Selects an information leaf with EAX (and sometimes a subleaf with ECX) and returns vendor, family/model/stepping and feature bits in EAX, EBX, ECX and EDX. It is also a serializing instruction.',
    example: 'cpuid',
    privilege: {
      cpl0: false,
      iopl: false,
      conditional: 'CPUID faulting, an MSR feature of later CPUs, makes it fault at CPL > 0; a Pentium-class CPU has no such control.',
    },
    vtx: { exitReason: 'CPUID', condition: 'always' },
    techniques: {
      'trap-and-emulate':
        'Runs natively: the guest sees the real processor\'s features, including ones the VMM cannot virtualize — a fidelity problem, although not one of the classic holes.',
      'binary-translation': 'Replaced by a callout that returns the VMM\'s filtered feature set.',
      paravirt:
        'PV kernels ask through pv_cpu_ops.cpuid, which uses Xen\'s forced-emulation prefix (ud2a; .ascii "xen"; cpuid) to get the filtered view; a plain CPUID sees the hardware.',
      'vt-x': 'Always exits with CPUID; the VMM fills EAX–EDX with the feature set it chose for the guest.',
    },
  }),
  define({
    mnemonic: 'rdtsc',
    icedMnemonics: ['Rdtsc'],
    group: 'misc',
    class: 'ordinary',
    summary: 'Read the time-stamp counter.',
    description:
      'Loads the 64-bit time-stamp counter into EDX:EAX. The counter increases with every clock; in this project it advances with retired instructions, so runs stay deterministic.',
    example: 'rdtsc',
    privilege: { cpl0: false, iopl: false, conditional: 'With CR4.TSD = 1 it faults with #GP(0) at CPL > 0.' },
    vtx: { exitReason: 'RDTSC', condition: 'RDTSC exiting (primary control bit 12); TSC offsetting adjusts the value without an exit' },
    techniques: {
      'trap-and-emulate':
        'Runs natively unless the VMM sets CR4.TSD, in which case it faults at ring 1 and the VMM returns virtual time; otherwise the guest sees time pass while it was not running.',
      'binary-translation': 'Copied when real time is acceptable; a VMM that virtualizes time translates it into a callout returning the virtual TSC.',
      paravirt: 'PV kernels read time from the vcpu_time_info fields of the shared-info page scaled by the TSC; RDTSC itself runs natively.',
      'vt-x': 'Exits with RDTSC when RDTSC exiting is set; otherwise runs natively with the TSC offset added when offsetting is enabled.',
    },
  }),
  define({
    mnemonic: 'rdpmc',
    icedMnemonics: ['Rdpmc'],
    group: 'misc',
    class: 'privileged',
    why: 'Performance counters reveal system-wide activity; unless the kernel sets CR4.PCE only CPL 0 may read them.',
    summary: 'Read a performance-monitoring counter.',
    description:
      'Loads the performance counter selected by ECX into EDX:EAX (40 bits on the Pentium). An invalid counter number raises #GP(0).',
    example: 'rdpmc',
    privilege: { cpl0: true, iopl: false, conditional: 'With CR4.PCE = 1 it is allowed at any CPL.' },
    vtx: { exitReason: 'RDPMC', condition: 'RDPMC exiting (primary control bit 11)' },
    techniques: {
      'trap-and-emulate': '#GP(0) at ring 1 (PCE clear); the VMM returns its virtual counter value.',
      'binary-translation': 'Replaced by a callout that returns the virtual counter.',
      paravirt: 'PV kernels go through pv_cpu_ops.read_pmc; Xen virtualizes counters with the xenpmu_op hypercall.',
      'vt-x': 'Exits with RDPMC when RDPMC exiting is set; otherwise reads the hardware counter natively.',
    },
  }),
  define({
    mnemonic: 'rdmsr',
    icedMnemonics: ['Rdmsr'],
    group: 'msr',
    class: 'privileged',
    why: 'Model-specific registers configure the processor itself; only CPL 0 may read them.',
    summary: 'Read a model-specific register.',
    description:
      'Loads the 64-bit MSR selected by ECX into EDX:EAX. An unimplemented MSR number raises #GP(0); the MSRs this CPU implements are documented with the CPU model.',
    example: 'rdmsr',
    privilege: CPL0,
    vtx: { exitReason: 'MSR_READ', condition: 'always, unless use MSR bitmaps is set and the MSR\'s read bit is 0' },
    techniques: {
      'trap-and-emulate': '#GP(0) at ring 1; the VMM returns the value of its virtual MSR.',
      'binary-translation': 'Replaced by a callout that reads the virtual MSR.',
      paravirt: 'PV kernels use pv_cpu_ops.read_msr; an executed RDMSR faults to Xen, which emulates a small set of MSRs.',
      'vt-x': 'Exits with MSR_READ unless the MSR bitmap lets the read through to the hardware.',
    },
  }),
  define({
    mnemonic: 'wrmsr',
    icedMnemonics: ['Wrmsr'],
    group: 'msr',
    class: 'privileged',
    why: 'Model-specific registers configure the processor itself; only CPL 0 may write them.',
    summary: 'Write a model-specific register.',
    description:
      'Writes EDX:EAX to the MSR selected by ECX. An unimplemented MSR or a reserved bit set raises #GP(0). The SYSENTER MSRs and the time-stamp counter are among the writable ones.',
    example: 'wrmsr',
    privilege: CPL0,
    vtx: { exitReason: 'MSR_WRITE', condition: 'always, unless use MSR bitmaps is set and the MSR\'s write bit is 0' },
    techniques: {
      'trap-and-emulate': '#GP(0) at ring 1; the VMM updates its virtual MSR (and the real one only if that is safe).',
      'binary-translation': 'Replaced by a callout that writes the virtual MSR.',
      paravirt: 'PV kernels use pv_cpu_ops.write_msr; an executed WRMSR faults to Xen, which accepts only MSRs it virtualizes.',
      'vt-x': 'Exits with MSR_WRITE unless the MSR bitmap lets the write through to the hardware.',
    },
  }),

  define({
    mnemonic: 'invd',
    icedMnemonics: ['Invd'],
    group: 'cache',
    class: 'privileged',
    why: 'Discards the caches without writing them back, which can lose other programs\' data; only CPL 0 may.',
    summary: 'Invalidate caches without write-back.',
    description:
      'Marks every internal cache line invalid without writing modified lines to memory and signals external caches to do the same. Almost only firmware uses it; this machine has no cache model, so it has no visible effect.',
    example: 'invd',
    privilege: CPL0,
    vtx: { exitReason: 'INVD', condition: 'always' },
    techniques: {
      'trap-and-emulate': '#GP(0) at ring 1; the VMM treats it as WBINVD (dropping dirty lines would corrupt the VMM too) or ignores it.',
      'binary-translation': 'Replaced by a callout that performs a safe write-back flush instead.',
      paravirt: 'Not used by PV kernels; an executed INVD faults to Xen.',
      'vt-x': 'Always exits with INVD; the VMM emulates it safely.',
    },
  }),
  define({
    mnemonic: 'wbinvd',
    icedMnemonics: ['Wbinvd'],
    group: 'cache',
    class: 'privileged',
    why: 'Writes back and invalidates every cache, a system-wide operation; only CPL 0 may.',
    summary: 'Write back and invalidate caches.',
    description:
      'Writes every modified cache line back to memory, then invalidates the caches. Used when changing memory types or before handing memory to a device. No visible effect on this machine beyond its cost.',
    example: 'wbinvd',
    privilege: CPL0,
    vtx: { exitReason: 'WBINVD', condition: 'WBINVD exiting (secondary control bit 6)' },
    techniques: {
      'trap-and-emulate': '#GP(0) at ring 1; the VMM performs (or skips) the flush on the guest\'s behalf.',
      'binary-translation': 'Replaced by a callout that performs the flush.',
      paravirt: 'PV kernels call pv_cpu_ops.wbinvd, which Xen implements with mmuext_op(MMUEXT_FLUSH_CACHE).',
      'vt-x': 'Exits with WBINVD when WBINVD exiting is set; otherwise runs natively.',
    },
  }),
  define({
    mnemonic: 'invlpg',
    icedMnemonics: ['Invlpg'],
    group: 'cache',
    class: 'privileged',
    why: 'Invalidates a TLB entry, part of managing the address space; only CPL 0 may.',
    summary: 'Invalidate the TLB entry for one page.',
    description:
      'Removes the translation of the page containing the memory operand\'s linear address from the TLB, so the next access walks the page tables again. The kernel issues it after changing a page-table entry.',
    example: 'invlpg [ebx]',
    privilege: CPL0,
    vtx: { exitReason: 'INVLPG', condition: 'INVLPG exiting (primary control bit 9)' },
    techniques: {
      'trap-and-emulate': '#GP(0) at ring 1; the VMM drops the matching shadow page-table entry and the real TLB entry.',
      'binary-translation': 'Replaced by a callout that invalidates the shadow mapping.',
      paravirt: 'PV kernels use mmuext_op(MMUEXT_INVLPG_LOCAL) or update_va_mapping with UVMF_INVLPG.',
      'vt-x': 'Exits with INVLPG when INVLPG exiting is set (needed with shadow paging); with EPT it runs natively.',
    },
  }),

  define({
    mnemonic: 'monitor',
    icedMnemonics: ['Monitor'],
    group: 'misc',
    class: 'privileged',
    why: 'Arms address monitoring for MWAIT, an idle-management facility reserved to the kernel.',
    summary: 'Set up an address range to monitor (SSE3+).',
    description:
      'Arms the monitoring hardware on the linear address in EAX (DS-relative; ECX extensions, EDX hints). A later MWAIT sleeps until that address is written or an interrupt arrives.',
    example: 'monitor',
    privilege: { cpl0: true, iopl: false, conditional: MONITOR_NOTE },
    vtx: { exitReason: 'MONITOR_INSTRUCTION', condition: 'MONITOR exiting (primary control bit 29)' },
    techniques: {
      'trap-and-emulate': 'Raises #UD at ring 1; the VMM recognizes the faulting MONITOR and records the monitored address on the virtual CPU.',
      'binary-translation': 'Replaced by a callout that records the monitored address.',
      paravirt: 'PV kernels idle with sched_op(SCHEDOP_block) and do not use MONITOR.',
      'vt-x': 'Exits with MONITOR_INSTRUCTION when MONITOR exiting is set; otherwise runs natively.',
    },
  }),
  define({
    mnemonic: 'mwait',
    icedMnemonics: ['Mwait'],
    group: 'misc',
    class: 'privileged',
    why: 'Puts the processor into an optimized wait state; reserved to the kernel like HLT.',
    summary: 'Wait for a write to the monitored range (SSE3+).',
    description:
      'Enters an implementation-defined sleep state (hinted by EAX, with options in ECX) until the range armed by MONITOR is written or an interrupt arrives; a halt that also wakes on a memory write.',
    example: 'mwait',
    privilege: { cpl0: true, iopl: false, conditional: MONITOR_NOTE },
    vtx: { exitReason: 'MWAIT_INSTRUCTION', condition: 'MWAIT exiting (primary control bit 10)' },
    techniques: {
      'trap-and-emulate': 'Raises #UD at ring 1; the VMM recognizes the faulting MWAIT and treats it like HLT on the virtual CPU.',
      'binary-translation': 'Replaced by a callout that idles the virtual CPU.',
      paravirt: 'PV kernels idle with sched_op(SCHEDOP_block) instead.',
      'vt-x': 'Exits with MWAIT_INSTRUCTION when MWAIT exiting is set; otherwise the CPU waits natively.',
    },
  }),
  define({
    mnemonic: 'pause',
    icedMnemonics: ['Pause'],
    group: 'misc',
    class: 'ordinary',
    summary: 'Spin-loop hint.',
    description:
      'Tells the processor that the code is a spin-wait loop, saving power and avoiding a pipeline flush on exit. Encoded as REP NOP, so older CPUs simply treat it as NOP.',
    example: 'pause',
    vtx: { exitReason: 'PAUSE_INSTRUCTION', condition: 'PAUSE exiting (primary bit 30), or PAUSE-loop exiting (secondary bit 10) for long spins' },
    techniques: {
      'trap-and-emulate': 'Runs natively; the VMM never sees it.',
      'binary-translation': 'Copied unchanged into the translation cache.',
      paravirt: 'Used unchanged; PV spinlocks block with a hypercall after spinning for a while.',
      'vt-x': 'Runs natively unless PAUSE exiting or PAUSE-loop exiting is set: then it exits with PAUSE_INSTRUCTION, letting the VMM run the vCPU that holds the lock.',
    },
  }),
  define({
    mnemonic: 'nop',
    icedMnemonics: ['Nop'],
    group: 'misc',
    class: 'ordinary',
    summary: 'No operation.',
    description:
      'Does nothing but advance EIP. The one-byte form is opcode 0x90 (the encoding of `xchg eax, eax`); the multi-byte form 0F 1F /0 takes a memory operand that is never accessed and is used for padding.',
    example: 'nop',
  }),
  define({
    mnemonic: 'wait',
    aliases: ['fwait'],
    icedMnemonics: ['Wait'],
    group: 'misc',
    class: 'ordinary',
    summary: 'Wait for the floating-point unit.',
    description:
      'Checks for pending unmasked x87 exceptions before continuing; with CR0.MP and CR0.TS both set it raises #NM instead. This CPU has no x87, so only the #NM check applies.',
    example: 'wait',
  }),
  define({
    mnemonic: 'ud2',
    aliases: ['ud2a'],
    icedMnemonics: ['Ud2'],
    group: 'misc',
    class: 'ordinary',
    summary: 'Guaranteed invalid opcode.',
    description:
      'Always raises #UD (vector 6). Compilers place it where control must never arrive, kernels use it for assertions, and Xen PV guests use it as a prefix for forced emulation.',
    example: 'ud2',
    vtx: { exitReason: 'EXCEPTION_NMI', condition: 'exception bitmap bit 6 (#UD)' },
    techniques: {
      'trap-and-emulate': 'Raises #UD; the VMM reflects it through the guest\'s virtual IDT.',
      'binary-translation': 'Translated into a raise of #UD for the guest.',
      paravirt: 'Xen checks for its forced-emulation signature ("xen" after UD2) and emulates the following instruction; otherwise it bounces #UD to the guest.',
      'vt-x': 'Delivered through the guest\'s IDT, unless #UD is in the exception bitmap: then it exits with EXCEPTION_NMI.',
    },
  }),
];
