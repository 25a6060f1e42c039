// What a Xen PV kernel (x86_32, ring 1) uses instead of the privileged and sensitive instructions
// it must not execute: the pv_ops macro of samples/include/pvops.inc where there is one, and the
// Xen hypercall behind it. Hypercalls are written `{name}` so callers can name their numbers.
import { registerClass } from './registers.js';
import type { OperandShape } from './types.js';

const IO_MNEMONICS = new Set(['in', 'out', 'ins', 'outs', 'insb', 'insw', 'insd', 'outsb', 'outsw', 'outsd']);

const BY_MNEMONIC: Readonly<Record<string, string>> = {
  cli: 'irq_disable (pv_ops) or set the event-channel upcall mask in shared_info (vcpu_info.evtchn_upcall_mask = 1)',
  sti: 'irq_enable (pv_ops): clear evtchn_upcall_mask, then let Xen deliver pending events with a cheap hypercall such as {xen_version}',
  popf: "restore_fl (pv_ops), or irq_enable / irq_disable: they set evtchn_upcall_mask, which is the PV kernel's IF",
  pushf: 'save_fl (pv_ops), which reads the interrupt state from evtchn_upcall_mask',
  hlt: 'safe_halt (pv_ops): {sched_op} with SCHEDOP_block',
  invlpg: 'flush_tlb_one (pv_ops): {mmuext_op} with MMUEXT_INVLPG_LOCAL',
  lgdt: 'the {set_gdt}',
  lidt: 'the {set_trap_table}',
  lldt: '{mmuext_op} with MMUEXT_SET_LDT',
  ltr: 'nothing: Xen owns the TSS; name the kernel stack with {stack_switch}',
  iret: 'the {iret}, through its hypercall-page slot',
  clts: '{fpu_taskswitch} (it owns CR0.TS)',
  wbinvd: '{mmuext_op} with MMUEXT_FLUSH_CACHE',
  invd: '{mmuext_op} with MMUEXT_FLUSH_CACHE',
};

/**
 * Sensitive forms a PV kernel may use as they are: it expects to run at ring 1 with Xen's
 * selectors, so what they reveal or do is what it was written for.
 */
export const PV_HARMLESS_SENSITIVE: ReadonlySet<string> = new Set(['mov', 'push', 'pop', 'lar', 'lsl', 'verr', 'verw', 'int']);

/** The replacement for a (canonical) mnemonic and its operands, with `{hypercall}` placeholders. */
export function pvReplacement(mnemonic: string, operands: readonly OperandShape[]): string | undefined {
  if (mnemonic === 'mov') {
    const regs = operands.flatMap((o) => (o.kind === 'reg' ? [o.name.toLowerCase()] : []));
    if (regs.includes('cr3')) return 'write_cr3 (pv_ops): {mmuext_op} with MMUEXT_NEW_BASEPTR';
    if (regs.some((r) => registerClass(r) === 'cr')) return '{fpu_taskswitch} for CR0.TS; the other control registers belong to Xen';
    if (regs.some((r) => registerClass(r) === 'dr')) return '{set_debugreg} / {get_debugreg}';
    return undefined;
  }
  if (IO_MNEMONICS.has(mnemonic)) return '{console_io} for the console, and {physdev_op} to be granted I/O ports';
  return BY_MNEMONIC[mnemonic];
}
