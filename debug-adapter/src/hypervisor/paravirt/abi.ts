// The subset of the Xen x86_32 PV ABI this technique implements: hypercall numbers and names
// (xen/include/public/xen.h), commands of the implemented hypercalls (sched.h, event_channel.h,
// version.h, callback.h), errno values (xen/include/public/errno.h), and the layouts of the pages
// the guest sees (start_info, shared_info, trap_info). See vmm.ts for what each call does here.

/** Hypercall numbers (xen.h), by the names exits are recorded under. */
export const HYPERCALL_NAMES: Readonly<Record<number, string>> = {
  0: 'set_trap_table', 1: 'mmu_update', 2: 'set_gdt', 3: 'stack_switch', 4: 'set_callbacks',
  5: 'fpu_taskswitch', 6: 'sched_op_compat', 7: 'platform_op', 8: 'set_debugreg', 9: 'get_debugreg',
  10: 'update_descriptor', 12: 'memory_op', 13: 'multicall', 14: 'update_va_mapping',
  15: 'set_timer_op', 16: 'event_channel_op_compat', 17: 'xen_version', 18: 'console_io',
  19: 'physdev_op_compat', 20: 'grant_table_op', 21: 'vm_assist', 22: 'update_va_mapping_otherdomain',
  23: 'iret', 24: 'vcpu_op', 25: 'set_segment_base', 26: 'mmuext_op', 27: 'xsm_op', 28: 'nmi_op',
  29: 'sched_op', 30: 'callback_op', 31: 'xenoprof_op', 32: 'event_channel_op', 33: 'physdev_op',
  34: 'hvm_op', 35: 'sysctl', 36: 'domctl', 37: 'kexec_op', 38: 'tmem_op', 39: 'argo_op',
  40: 'xenpmu_op', 41: 'dm_op', 42: 'hypfs_op',
};

export const HC = {
  set_trap_table: 0, mmu_update: 1, set_gdt: 2, stack_switch: 3, set_callbacks: 4, fpu_taskswitch: 5, sched_op_compat: 6,
  update_descriptor: 10, update_va_mapping: 14, set_timer_op: 15, xen_version: 17, console_io: 18, vm_assist: 21, iret: 23,
  mmuext_op: 26, sched_op: 29, callback_op: 30, event_channel_op: 32,
} as const;

/** The name an exit is recorded under: the Xen name, or `hypercall_N` for numbers Xen never assigned. */
export function hypercallName(nr: number): string {
  return HYPERCALL_NAMES[nr] ?? `hypercall_${nr >>> 0}`;
}

/** The trap vector of the 32-bit hypercall transport (HYPERCALL_VECTOR). */
export const HYPERCALL_VECTOR = 0x82;

// errno.h (Xen's own values, negated in EAX).
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EFAULT = 14;
export const EEXIST = 17;
export const EINVAL = 22;
export const ENOSYS = 38;

export const CONSOLEIO_write = 0;
export const CONSOLEIO_read = 1;

export const SCHEDOP_yield = 0;
export const SCHEDOP_block = 1;
export const SCHEDOP_shutdown = 2;
export const SCHEDOP_poll = 3;
/** struct sched_poll (x86_32): ports (guest pointer to u32 ports), nr_ports, u64 timeout. */
export const SCHED_POLL_SIZE = 16;
/** Xen's limit on sched_poll.nr_ports (the domain's vCPU count is 1 here; Xen caps at 128). */
export const SCHED_POLL_MAX_PORTS = 128;

export const SHUTDOWN_poweroff = 0;
export const SHUTDOWN_reboot = 1;
export const SHUTDOWN_suspend = 2;
export const SHUTDOWN_crash = 3;
export const SHUTDOWN_watchdog = 4;
export const SHUTDOWN_soft_reset = 5;
export const SHUTDOWN_NAMES = ['poweroff', 'reboot', 'suspend', 'crash', 'watchdog', 'soft_reset'];

export const EVTCHNOP_bind_virq = 1;
export const EVTCHNOP_close = 3;
export const EVTCHNOP_send = 4;
export const EVTCHNOP_unmask = 9;

export const VIRQ_TIMER = 0;
export const VIRQ_CONSOLE = 2;
export const NR_VIRQS = 24;
/** Event channel ports this VMM offers (one 32-bit word of evtchn_pending). */
export const NR_PORTS = 32;

export const XENVER_version = 0;
export const XENVER_extraversion = 1;
export const XENVER_capabilities = 3;
export const XENVER_platform_parameters = 5;
export const XENVER_get_features = 6;
export const XENVER_pagesize = 7;
/** The version this VMM reports (XENVER_version: major << 16 | minor) and its extraversion. */
export const XEN_MAJOR = 4;
export const XEN_MINOR = 0;
export const XEN_EXTRAVERSION = '-hyperstep';
export const XEN_CAPABILITIES = 'xen-3.0-x86_32p';
/** HYPERVISOR_VIRT_START of a PAE x86_32 Xen: the guest may not use addresses at or above it. */
export const HYPERVISOR_VIRT_START = 0xf5800000;

export const CALLBACKOP_register = 0;
export const CALLBACKTYPE_event = 0;
export const CALLBACKTYPE_failsafe = 1;
/** callback_register.flags (u16 after the u16 type): mask events on entry. */
export const CALLBACKF_mask_events = 1;

// Memory management (xen.h). mmu_update requests are { u64 ptr; u64 val } (16 bytes); ptr's low two
// bits select the command. mmuext_op entries are { u32 cmd; u32 arg1 (mfn | linear_addr);
// u32 arg2 (nr_ents | vcpumask | src_mfn) } (12 bytes on x86_32).
export const MMU_NORMAL_PT_UPDATE = 0;
export const MMU_MACHPHYS_UPDATE = 1;
export const MMU_PT_UPDATE_PRESERVE_AD = 2;
export const MMU_UPDATE_SIZE = 16;
export const MMUEXT_PIN_L1_TABLE = 0;
export const MMUEXT_PIN_L2_TABLE = 1;
export const MMUEXT_PIN_L3_TABLE = 2;
export const MMUEXT_PIN_L4_TABLE = 3;
export const MMUEXT_UNPIN_TABLE = 4;
export const MMUEXT_NEW_BASEPTR = 5;
export const MMUEXT_TLB_FLUSH_LOCAL = 6;
export const MMUEXT_INVLPG_LOCAL = 7;
export const MMUEXT_TLB_FLUSH_MULTI = 8;
export const MMUEXT_INVLPG_MULTI = 9;
export const MMUEXT_TLB_FLUSH_ALL = 10;
export const MMUEXT_INVLPG_ALL = 11;
export const MMUEXT_OP_SIZE = 12;
export const MMUEXT_NAMES: Readonly<Record<number, string>> = {
  0: 'PIN_L1_TABLE', 1: 'PIN_L2_TABLE', 2: 'PIN_L3_TABLE', 3: 'PIN_L4_TABLE', 4: 'UNPIN_TABLE', 5: 'NEW_BASEPTR',
  6: 'TLB_FLUSH_LOCAL', 7: 'INVLPG_LOCAL', 8: 'TLB_FLUSH_MULTI', 9: 'INVLPG_MULTI', 10: 'TLB_FLUSH_ALL', 11: 'INVLPG_ALL',
  12: 'FLUSH_CACHE', 13: 'SET_LDT', 15: 'NEW_USER_BASEPTR',
};
/** update_va_mapping flags: bits 1:0 the flush type, the rest LOCAL (0), ALL (4) or a vcpumask pointer. */
export const UVMF_NONE = 0;
export const UVMF_TLB_FLUSH = 1;
export const UVMF_INVLPG = 2;
export const UVMF_FLUSHTYPE_MASK = 3;
export const UVMF_LOCAL = 0;
export const UVMF_ALL = 4;
export const DOMID_SELF = 0x7ff0;
/** First page-directory slot owned by the hypervisor (HYPERVISOR_VIRT_START >> 22 = 982). */
export const FIRST_XEN_L2_SLOT = HYPERVISOR_VIRT_START >>> 22;

export const VMASST_CMD_enable = 0;
export const VMASST_CMD_disable = 1;

// Segment selectors of the reserved GDT area (arch-x86/xen-x86_32.h): entry 0xE000 / 8 = 7168
// onwards belong to Xen. The guest's own GDT (set_gdt) may use entries 0 .. 7167.
export const FIRST_RESERVED_GDT_ENTRY = 7168;
export const FLAT_RING1_CS = 0xe019;
export const FLAT_RING1_DS = 0xe021;
export const FLAT_RING3_CS = 0xe02b;
export const FLAT_RING3_DS = 0xe033;
/** The VMM's own selectors (Xen's __HYPERVISOR_CS/DS) and its TSS, also in the reserved area. */
export const HYPERVISOR_CS = 0xe008;
export const HYPERVISOR_DS = 0xe010;
export const HYPERVISOR_TSS = 0xe040;

/**
 * start_info (xen.h, x86_32: `unsigned long` and xen_pfn_t are 32 bits). The subset filled:
 * magic, nr_pages, shared_info, flags (0), store/console fields (0), mod_start/mod_len (0: no
 * module), cmd_line. pt_base, nr_pt_frames, mfn_list are 0: the guest starts without paging.
 */
export const START_INFO = {
  magic: 0, // char[32]
  nr_pages: 32,
  shared_info: 36, // machine (= physical) address of shared_info
  flags: 40,
  store_mfn: 44,
  store_evtchn: 48,
  console_mfn: 52,
  console_evtchn: 56,
  pt_base: 60,
  nr_pt_frames: 64,
  mfn_list: 68,
  mod_start: 72,
  mod_len: 76,
  cmd_line: 80, // char[1024]
  first_p2m_pfn: 1104,
  nr_p2m_frames: 1108,
} as const;
export const START_INFO_MAGIC = 'xen-3.0-x86_32p';
export const MAX_GUEST_CMDLINE = 1024;

/**
 * shared_info (xen.h, x86_32): vcpu_info[32] of 64 bytes, then evtchn_pending[32] and
 * evtchn_mask[32] (32-bit words), then the wallclock.
 */
export const SHARED_INFO = {
  vcpu0: 0,
  evtchn_pending: 2048,
  evtchn_mask: 2176,
  wc_version: 2304,
  wc_sec: 2308,
  wc_nsec: 2312,
} as const;
/** vcpu_info (64 bytes): upcall flags, pending selector, arch (cr2), time info. */
export const VCPU_INFO = {
  evtchn_upcall_pending: 0,
  evtchn_upcall_mask: 1,
  evtchn_pending_sel: 4,
  arch_cr2: 8,
  time_version: 32,
  time_tsc_timestamp: 40,
  time_system_time: 48,
  time_tsc_to_system_mul: 56,
  time_tsc_shift: 60,
} as const;

/** trap_info entries: u8 vector, u8 flags (bits 1:0 DPL, bit 2 mask events), u16 cs, u32 address. */
export const TRAP_INFO_SIZE = 8;
export const TI_MASK_EVENTS = 4;
