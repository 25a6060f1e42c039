// The vt-x technique: the guest runs at its own ring 0 in "VMX non-root operation", which here is
// the ordinary CPU model with intercepts installed. Exits happen exactly where the SDM (vol. 3C
// ch. 26 "VMX non-root operation") says, given the controls of controls.ts; each fills the VMCS
// exit-information and guest-state fields, is recorded as one ExitRecord, and is handled by the
// VMM, which then resumes the guest with VM entry (injecting events through the VM-entry
// interruption-information field). Guest-physical memory is mapped 1:1.
//
// How the VMM handles each exit (what the guest then observes equals bare metal, except where
// the controls make it differ on purpose: CPUID's hypervisor leaves, CR0/CR4 read shadows):
//   CPUID            emulated: the CPU's own CPUID plus leaf 1 ECX bit 31 (hypervisor present)
//                    and the hypervisor leaves 0x40000000 (EAX = 0x40000001, the highest
//                    hypervisor leaf; EBX:ECX:EDX = "HyperstepVMX") and 0x40000001 (all zero:
//                    no paravirtual features); 0x40000002–0x400000FF read as zero.
//   HLT              the vCPU halts until the next interrupt (as natively).
//   I/O              the access goes to the device models (one exit per instruction; a REP
//                    INS/OUTS is emulated whole, as KVM does, restarting every 4096 elements as
//                    the CPU model does).
//   RDMSR/WRMSR      emulated on the CPU's MSR set (msr.ts); #GP(0) injected for MSRs it lacks.
//   MOV CR, CLTS, LMSW  applied to the guest's CR; for CR0/CR4 the read shadow is updated to the
//                    value the guest wrote in the bits the VMM owns. Reads of CR0/CR4 (no exit)
//                    return the read shadow in the masked bits.
//   MOV DR, INVLPG, RDTSC, INVD  emulated (their native semantics).
//   RDPMC            #GP(0) injected (no performance counters, as natively).
//   VMCALL           no hypercall interface: #UD injected (as natively).
//   VMX instructions #UD injected (no nested VMX).
//   MONITOR/MWAIT    #UD injected (the virtual CPU reports no MONITOR/MWAIT, as natively).
//   exceptions       reflected to the guest (injected on VM entry with their error code).
//   external interrupts  acknowledged on exit, injected on VM entry.
//   INTERRUPT_WINDOW recorded where the guest's interrupt window opens (STI, POPF or IRET setting
//                    IF); RIP is the next instruction.
//   TRIPLE_FAULT     recorded; the guest is shut down (the run ends as natively).
import { Mnemonic, Code } from 'iced-x86';
import { LEGACY_PREFIX_BYTES } from '../../isa/index.js';
import type { Cpu, ShutdownInfo } from '../../cpu/cpu.js';
import type { Op } from '../../cpu/op.js';
import type { EventKind } from '../../cpu/deliver.js';
import type { Intercepts, InterceptDecision } from '../../cpu/intercepts.js';
import { cpuidLeaf } from '../../cpu/cpuid.js';
import { msrExists } from '../../cpu/msr.js';
import { CR0_TS, CR4_PCE } from '../../cpu/constants.js';
import type { Hypervisor, HypervisorContext, HypervisorFactory, HypervisorOptions } from '../hypervisor.js';
import type { ExitRecord } from '../types.js';
import type { VirtualCpuState } from '../virtual-state.js';
import { Vmcs, vmcsField, vmcsSlot, F } from './vmcs.js';
import {
  ON_OFF_CONTROLS, PIN_DEFAULT1, PRIMARY_DEFAULT1, controlWords, ioBitmapExits, msrBitmapExits, parseVmxControls,
  type ControlWords, type OnOffControl, type VmxConfig,
} from './controls.js';
import {
  CR_ACCESS_CLTS, CR_ACCESS_LMSW, CR_ACCESS_MOV_FROM, CR_ACCESS_MOV_TO, EXIT, EXIT_REASON_NAMES, GPR_NAMES,
  INTR_TYPE_EXTERNAL, INTR_TYPE_HARD_EXCEPTION, INTR_TYPE_SOFT_EXCEPTION, crQualification, drQualification,
  interruptionInfo, ioQualification, memoryInstructionInfo, stringIoInstructionInfo,
} from './exits.js';

export const HYPERVISOR_VENDOR = 'HyperstepVMX';
export const HYPERVISOR_MAX_LEAF = 0x40000001;
export const CPUID_HYPERVISOR_PRESENT = 0x80000000; // leaf 1 ECX bit 31

const ES = 0;
const CS = 1;

/** What beforeSensitive does with an instruction, by iced Mnemonic. */
const enum Kind {
  None,
  Invd,
  Vmcall,
  Vmx,
  Rdpmc,
  Monitor,
  Mwait,
  Clts,
  Lmsw,
  Mov,
  Io,
  IoString,
  IfSetter,
}

const KINDS = new Map<number, Kind>([
  [Mnemonic.Invd, Kind.Invd],
  [Mnemonic.Vmcall, Kind.Vmcall],
  [Mnemonic.Rdpmc, Kind.Rdpmc],
  [Mnemonic.Monitor, Kind.Monitor],
  [Mnemonic.Mwait, Kind.Mwait],
  [Mnemonic.Clts, Kind.Clts],
  [Mnemonic.Lmsw, Kind.Lmsw],
  [Mnemonic.Mov, Kind.Mov],
  [Mnemonic.In, Kind.Io],
  [Mnemonic.Out, Kind.Io],
  [Mnemonic.Insb, Kind.IoString],
  [Mnemonic.Insw, Kind.IoString],
  [Mnemonic.Insd, Kind.IoString],
  [Mnemonic.Outsb, Kind.IoString],
  [Mnemonic.Outsw, Kind.IoString],
  [Mnemonic.Outsd, Kind.IoString],
  [Mnemonic.Sti, Kind.IfSetter],
  [Mnemonic.Popf, Kind.IfSetter],
  [Mnemonic.Popfd, Kind.IfSetter],
  [Mnemonic.Iret, Kind.IfSetter],
  [Mnemonic.Iretd, Kind.IfSetter],
]);

const VMX_EXITS = new Map<number, number>([
  [Mnemonic.Vmclear, EXIT.VMCLEAR],
  [Mnemonic.Vmlaunch, EXIT.VMLAUNCH],
  [Mnemonic.Vmptrld, EXIT.VMPTRLD],
  [Mnemonic.Vmptrst, EXIT.VMPTRST],
  [Mnemonic.Vmread, EXIT.VMREAD],
  [Mnemonic.Vmresume, EXIT.VMRESUME],
  [Mnemonic.Vmwrite, EXIT.VMWRITE],
  [Mnemonic.Vmxoff, EXIT.VMXOFF],
  [Mnemonic.Vmxon, EXIT.VMXON],
  [Mnemonic.Invept, EXIT.INVEPT],
  [Mnemonic.Invvpid, EXIT.INVVPID],
]);
for (const m of VMX_EXITS.keys()) KINDS.set(m, Kind.Vmx);

// VMCS slots the exit path writes directly.
const S = {
  reason: vmcsSlot(F.VM_EXIT_REASON),
  qual: vmcsSlot(F.EXIT_QUALIFICATION),
  linear: vmcsSlot(F.GUEST_LINEAR_ADDRESS),
  intrInfo: vmcsSlot(F.VM_EXIT_INTR_INFO),
  intrError: vmcsSlot(F.VM_EXIT_INTR_ERROR_CODE),
  idtVectoring: vmcsSlot(F.IDT_VECTORING_INFO_FIELD),
  insnLen: vmcsSlot(F.VM_EXIT_INSTRUCTION_LEN),
  insnInfo: vmcsSlot(F.VMX_INSTRUCTION_INFO),
  entryIntr: vmcsSlot(F.VM_ENTRY_INTR_INFO_FIELD),
  entryError: vmcsSlot(F.VM_ENTRY_EXCEPTION_ERROR_CODE),
  entryLen: vmcsSlot(F.VM_ENTRY_INSTRUCTION_LEN),
  ioRcx: vmcsSlot(F.EXIT_IO_RCX),
  ioRsi: vmcsSlot(F.EXIT_IO_RSI),
  ioRdi: vmcsSlot(F.EXIT_IO_RDI),
  ioRip: vmcsSlot(F.EXIT_IO_RIP),
  sel: vmcsSlot(F.GUEST_ES_SELECTOR),
  limit: [0, 1, 2, 3, 4, 5].map((i) => vmcsSlot(0x4800 + 2 * i)),
  ar: [0, 1, 2, 3, 4, 5].map((i) => vmcsSlot(0x4814 + 2 * i)),
  base: [0, 1, 2, 3, 4, 5].map((i) => vmcsSlot(0x6806 + 2 * i)),
  selectors: [0, 1, 2, 3, 4, 5].map((i) => vmcsSlot(0x0800 + 2 * i)),
  ldtrSel: vmcsSlot(F.GUEST_LDTR_SELECTOR),
  ldtrLimit: vmcsSlot(F.GUEST_LDTR_LIMIT),
  ldtrAr: vmcsSlot(F.GUEST_LDTR_AR_BYTES),
  ldtrBase: vmcsSlot(F.GUEST_LDTR_BASE),
  trSel: vmcsSlot(F.GUEST_TR_SELECTOR),
  trLimit: vmcsSlot(F.GUEST_TR_LIMIT),
  trAr: vmcsSlot(F.GUEST_TR_AR_BYTES),
  trBase: vmcsSlot(F.GUEST_TR_BASE),
  gdtrBase: vmcsSlot(F.GUEST_GDTR_BASE),
  gdtrLimit: vmcsSlot(F.GUEST_GDTR_LIMIT),
  idtrBase: vmcsSlot(F.GUEST_IDTR_BASE),
  idtrLimit: vmcsSlot(F.GUEST_IDTR_LIMIT),
  cr0: vmcsSlot(F.GUEST_CR0),
  cr3: vmcsSlot(F.GUEST_CR3),
  cr4: vmcsSlot(F.GUEST_CR4),
  dr7: vmcsSlot(F.GUEST_DR7),
  rsp: vmcsSlot(F.GUEST_RSP),
  rip: vmcsSlot(F.GUEST_RIP),
  rflags: vmcsSlot(F.GUEST_RFLAGS),
  interruptibility: vmcsSlot(F.GUEST_INTERRUPTIBILITY_INFO),
  activity: vmcsSlot(F.GUEST_ACTIVITY_STATE),
  cr0Shadow: vmcsSlot(F.CR0_READ_SHADOW),
  cr4Shadow: vmcsSlot(F.CR4_READ_SHADOW),
};

/** VMX access-rights form of a descriptor cache (same bit layout as descriptor bits 40–55; bit 16 = unusable). */
function accessRights(attr: number): number {
  return attr === 0 ? 0x10000 : attr & 0xf0ff;
}

/** Offset of the ModR/M byte in an instruction's bytes (after prefixes and the opcode). */
function modrmOffset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && LEGACY_PREFIX_BYTES.has(bytes[i])) i++;
  if (bytes[i] !== 0x0f) return i + 1;
  return bytes[i + 1] === 0x38 || bytes[i + 1] === 0x3a ? i + 3 : i + 2;
}

function hasMemoryOperand(op: Op): boolean {
  const m = op.bytes[modrmOffset(op.bytes)];
  return m !== undefined && m >>> 6 !== 3;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

export class VtxHypervisor implements Hypervisor {
  readonly technique = 'vt-x' as const;
  readonly vmcs = new Vmcs();
  readonly config: VmxConfig;
  readonly words: ControlWords;
  private ctx: HypervisorContext | null = null;
  private cr0Mask: number;
  private cr4Mask: number;
  private cr0Shadow = 0;
  private cr4Shadow = 0;
  private readonly c: VmxConfig['controls'];
  /** The I/O instruction whose first port access decides its exit (see io()). */
  private ioOp: Op | null = null;
  /** IF before an STI/POPF/IRET, for interrupt-window exits. */
  private ifBefore = true;
  /** VM-entry injection pending from the last exit (cleared at the next exit, as VM entry would). */
  private injecting = false;

  constructor(options: HypervisorOptions = {}) {
    this.config = parseVmxControls(options.vmx ?? {});
    this.words = controlWords(this.config);
    this.c = this.config.controls;
    this.cr0Mask = this.config.cr0Mask >>> 0;
    this.cr4Mask = this.config.cr4Mask >>> 0;
  }

  start(context: HypervisorContext): void {
    this.ctx = context;
    const cpu = context.cpu;
    const v = this.vmcs;
    const cfg = this.config;
    this.cr0Shadow = (cfg.cr0Shadow ?? cpu.cr0) >>> 0;
    this.cr4Shadow = (cfg.cr4Shadow ?? cpu.cr4) >>> 0;
    v.write(F.PIN_BASED_VM_EXEC_CONTROL, this.words.pin);
    v.write(F.CPU_BASED_VM_EXEC_CONTROL, this.words.primary);
    v.write(F.SECONDARY_VM_EXEC_CONTROL, this.words.secondary);
    v.write(F.VM_EXIT_CONTROLS, this.words.exit);
    v.write(F.VM_ENTRY_CONTROLS, this.words.entry);
    v.write(F.EXCEPTION_BITMAP, cfg.exceptionBitmap);
    v.write(F.PAGE_FAULT_ERROR_CODE_MASK, cfg.pfErrorCodeMask);
    v.write(F.PAGE_FAULT_ERROR_CODE_MATCH, cfg.pfErrorCodeMatch);
    v.write(F.CR0_GUEST_HOST_MASK, this.cr0Mask);
    v.write(F.CR4_GUEST_HOST_MASK, this.cr4Mask);
    v.write(F.CR0_READ_SHADOW, this.cr0Shadow);
    v.write(F.CR4_READ_SHADOW, this.cr4Shadow);
    v.write(F.CR3_TARGET_COUNT, 0);
    v.write64(F.VMCS_LINK_POINTER, 0xffffffffffffffffn);
    // The bitmaps live in the VMM (config.ioBitmap, config.msrBitmap), not in guest memory; the
    // address fields hold notional host-physical addresses for display.
    v.write64(F.IO_BITMAP_A, 0x1000n);
    v.write64(F.IO_BITMAP_B, 0x2000n);
    v.write64(F.MSR_BITMAP, 0x3000n);
    // Host state: a notional 32-bit flat host.
    v.write(F.HOST_CS_SELECTOR, 0x08);
    for (const f of [F.HOST_ES_SELECTOR, F.HOST_SS_SELECTOR, F.HOST_DS_SELECTOR, F.HOST_FS_SELECTOR, F.HOST_GS_SELECTOR]) v.write(f, 0x10);
    v.write(F.HOST_TR_SELECTOR, 0x18);
    v.write(F.HOST_CR0, 0x80000031);
    v.write(F.HOST_CR4, 0x2000);
    this.captureGuest(cpu, cpu.eip);
    cpu.intercepts = this.intercepts();
  }

  virtualState(): VirtualCpuState | null {
    const cpu = this.ctx?.cpu;
    if (cpu === undefined) return null;
    return {
      cpl: cpu.cpl,
      interruptFlag: cpu.interruptsEnabled,
      iopl: cpu.iopl,
      cr0: this.guestCr0(cpu),
      cr2: cpu.cr2 >>> 0,
      cr3: cpu.cr3 >>> 0,
      cr4: this.guestCr4(cpu),
      gdtr: { base: cpu.gdtrBase >>> 0, limit: cpu.gdtrLimit },
      idtr: { base: cpu.idtrBase >>> 0, limit: cpu.idtrLimit },
      ldtr: { selector: cpu.ldtrSel, base: cpu.ldtrBase >>> 0, limit: cpu.ldtrLimit >>> 0 },
      tr: { selector: cpu.trSel, base: cpu.trBase >>> 0, limit: cpu.trLimit >>> 0 },
      pendingInterrupts: [],
    };
  }

  /** CR0 as the guest reads it: the read shadow in the bits the VMM owns. */
  guestCr0(cpu: Cpu): number {
    return ((cpu.cr0 & ~this.cr0Mask) | (this.cr0Shadow & this.cr0Mask)) >>> 0;
  }

  guestCr4(cpu: Cpu): number {
    return ((cpu.cr4 & ~this.cr4Mask) | (this.cr4Shadow & this.cr4Mask)) >>> 0;
  }

  // ---- VMWRITE from the debugger ---------------------------------------------------------------

  /**
   * Writes a control field as the VMM's own VMWRITE would. Every exit decision reads `config`
   * and the CR0/CR4 masks and shadows when it is made, so updating them here makes the CPU honour
   * the new value from the next instruction on. Returns why the write is refused (a read-only or
   * unmodelled field or bit, a default-1 bit cleared), or null once applied.
   */
  writeControl(encoding: number, value: number): string | null {
    const info = vmcsField(encoding);
    value = info.width === 16 ? value & 0xffff : value >>> 0;
    switch (info.group) {
      case 'exit-info':
        return `${info.name} is read-only exit information: the processor writes it at each VM exit`;
      case 'guest':
        return `${info.name} is saved from the CPU at each VM exit and never reloaded from here: change the register itself`;
      case 'host':
        return `${info.name} is notional: this VMM's host state is not modelled`;
      case 'control':
        break;
    }
    switch (encoding) {
      case F.PIN_BASED_VM_EXEC_CONTROL:
      case F.CPU_BASED_VM_EXEC_CONTROL: {
        const word = encoding === F.PIN_BASED_VM_EXEC_CONTROL ? 'pin' : 'primary';
        const why = checkControlWord(value, word === 'pin' ? PIN_DEFAULT1 : PRIMARY_DEFAULT1, modelledBits(word));
        if (why !== null) return `${info.name}: ${why}`;
        for (const [name, control] of Object.entries(ON_OFF_CONTROLS)) {
          if (control.word === word) this.c[name as OnOffControl] = (value & (1 << control.bit)) !== 0;
        }
        this.words[word] = value;
        break;
      }
      case F.EXCEPTION_BITMAP:
        this.config.exceptionBitmap = value;
        break;
      case F.PAGE_FAULT_ERROR_CODE_MASK:
        this.config.pfErrorCodeMask = value;
        break;
      case F.PAGE_FAULT_ERROR_CODE_MATCH:
        this.config.pfErrorCodeMatch = value;
        break;
      case F.CR0_GUEST_HOST_MASK:
        this.cr0Mask = value;
        break;
      case F.CR4_GUEST_HOST_MASK:
        this.cr4Mask = value;
        break;
      case F.CR0_READ_SHADOW:
        this.setCr0Shadow(value);
        break;
      case F.CR4_READ_SHADOW:
        this.setCr4Shadow(value);
        break;
      default:
        if (value === this.vmcs.read(encoding)) return null;
        return `${info.name} is not modelled by this VMM (${UNMODELLED[encoding] ?? 'the VMM never reads it'})`;
    }
    this.vmcs.write(encoding, value);
    return null;
  }

  // ---- the exit path ---------------------------------------------------------------------------

  /** Guest-state area from the CPU (at a VM exit). */
  private captureGuest(cpu: Cpu, rip: number): void {
    const s = this.vmcs.slots;
    for (let i = 0; i < 6; i++) {
      s[S.selectors[i]] = cpu.segSel[i];
      s[S.base[i]] = cpu.segBase[i];
      s[S.limit[i]] = cpu.segLimit[i];
      s[S.ar[i]] = accessRights(cpu.segAttr[i]);
    }
    s[S.ldtrSel] = cpu.ldtrSel;
    s[S.ldtrBase] = cpu.ldtrBase;
    s[S.ldtrLimit] = cpu.ldtrLimit;
    s[S.ldtrAr] = cpu.ldtrSel === 0 ? 0x10000 : 0x82;
    s[S.trSel] = cpu.trSel;
    s[S.trBase] = cpu.trBase;
    s[S.trLimit] = cpu.trLimit;
    s[S.trAr] = cpu.trAttr & 0xf0ff;
    s[S.gdtrBase] = cpu.gdtrBase;
    s[S.gdtrLimit] = cpu.gdtrLimit;
    s[S.idtrBase] = cpu.idtrBase;
    s[S.idtrLimit] = cpu.idtrLimit;
    s[S.cr0] = cpu.cr0;
    s[S.cr3] = cpu.cr3;
    s[S.cr4] = cpu.cr4;
    s[S.dr7] = cpu.dr[7];
    s[S.rsp] = cpu.r32[4];
    s[S.rip] = rip;
    s[S.rflags] = cpu.getEflags();
    s[S.interruptibility] = cpu.interruptShadow ? 1 : 0;
    s[S.activity] = cpu.halted ? 1 : 0;
  }


  /**
   * One VM exit: exit-information fields, guest state, the record. `op` is the instruction for
   * instruction exits (fault-like: RIP = its address), null for events between instructions.
   */
  private exit(
    cpu: Cpu,
    reason: number,
    op: Op | null,
    qualification: number,
    details: Record<string, number | string | boolean>,
    action: string,
    handling: number,
    eipOverride = -1,
  ): void {
    const ctx = this.ctx!;
    const s = this.vmcs.slots;
    const eip = eipOverride >= 0 ? eipOverride : op !== null ? cpu.opEip >>> 0 : cpu.eip >>> 0;
    s[S.reason] = reason;
    s[S.qual] = qualification;
    s[S.insnLen] = op !== null ? op.len : 0;
    s[S.insnInfo] = 0;
    s[S.intrInfo] = 0;
    s[S.intrError] = 0;
    s[S.idtVectoring] = 0;
    s[S.linear] = 0;
    if (this.injecting) {
      // The previous VM entry consumed its injection.
      s[S.entryIntr] = 0;
      s[S.entryError] = 0;
      s[S.entryLen] = 0;
      this.injecting = false;
    }
    this.captureGuest(cpu, eip);
    const record: ExitRecord = {
      seq: ctx.log.nextSeq(),
      vcpu: 0,
      technique: 'vt-x',
      kind: 'vmexit',
      reason: EXIT_REASON_NAMES[reason] ?? `EXIT_${reason}`,
      reasonNumber: reason,
      eip,
      source: ctx.sourceAt(eip),
      instruction: op !== null ? op.text : '',
      qualification,
      details,
      cost: ctx.costs.vmexitRoundTrip + handling,
      action,
    };
    ctx.log.exit(record);
  }

  /** VM-entry event injection (the event is then delivered by the CPU as natively). */
  private inject(info: number, errorCode: number): void {
    const s = this.vmcs.slots;
    s[S.entryIntr] = info;
    s[S.entryError] = errorCode >= 0 ? errorCode : 0;
    this.injecting = true;
  }

  // ---- the intercepts --------------------------------------------------------------------------

  private intercepts(): Intercepts {
    return {
      beforeSensitive: (cpu, op) => this.beforeSensitive(cpu, op),
      afterSensitive: (cpu, op) => this.afterSensitive(cpu, op),
      special: (cpu, op, what) => this.special(cpu, op, what),
      // SMSW never exits; like MOV from CR0 it reads owned bits from the read shadow.
      visibleCr0: (cpu) => (this.cr0Mask !== 0 ? this.guestCr0(cpu) : cpu.cr0),
      io: (cpu, port, size, write, value) => this.io(cpu, port, size, write, value),
      event: (cpu, vector, errorCode, kind) => this.event(cpu, vector, errorCode, kind),
      shutdown: (cpu, info) => this.shutdown(cpu, info),
    };
  }

  private beforeSensitive(cpu: Cpu, op: Op): InterceptDecision {
    const kind = KINDS.get(op.mnemonic);
    if (kind === undefined) return 'native';
    const costs = this.ctx!.costs;
    // Faults based on privilege level have priority over VM exits (SDM 26.1.1).
    const privileged = cpu.protectedMode && cpu.cpl !== 0;
    switch (kind) {
      case Kind.Invd:
        if (privileged) return 'native';
        this.exit(cpu, EXIT.INVD, op, 0, {}, 'emulated (caches written back and invalidated)', costs.emulateInstruction);
        return 'native';
      case Kind.Vmcall:
        this.exit(cpu, EXIT.VMCALL, op, 0, { eax: hex(cpu.r32[0]) }, 'no hypercall interface: injected #UD', costs.emulateInstruction);
        return 'native';
      case Kind.Vmx: {
        if (!cpu.protectedMode) return 'native'; // #UD in real mode has priority
        const reason = VMX_EXITS.get(op.mnemonic)!;
        const mem = hasMemoryOperand(op);
        this.exit(cpu, reason, op, mem ? op.disp >>> 0 : 0, {}, 'no nested VMX: injected #UD', costs.emulateInstruction);
        this.vmcs.slots[S.insnInfo] = memoryInstructionInfo({
          scale: op.scale, asz: op.asz, register: !mem, reg1: op.r0, seg: op.seg, index: op.index, base: op.base, reg2: op.r1,
        });
        return 'native';
      }
      case Kind.Rdpmc:
        if (!this.c['rdpmc-exiting'] || (privileged && (cpu.cr4 & CR4_PCE) === 0)) return 'native';
        this.exit(cpu, EXIT.RDPMC, op, 0, { counter: hex(cpu.r32[1]) }, 'no performance counters: injected #GP(0)', costs.emulateInstruction);
        return 'native';
      case Kind.Monitor:
      case Kind.Mwait: {
        const mwait = kind === Kind.Mwait;
        if (!this.c[mwait ? 'mwait-exiting' : 'monitor-exiting'] || privileged) return 'native';
        this.exit(cpu, mwait ? EXIT.MWAIT_INSTRUCTION : EXIT.MONITOR_INSTRUCTION, op, 0, {}, 'not offered by the virtual CPU: injected #UD', costs.emulateInstruction);
        return 'native';
      }
      case Kind.Clts:
        if (privileged) return 'native';
        // CLTS exits when CR0.TS is set in both the guest/host mask and the read shadow (SDM 26.1.3).
        if ((this.cr0Mask & this.cr0Shadow & CR0_TS) !== 0) {
          this.exit(cpu, EXIT.CR_ACCESS, op, crQualification(0, CR_ACCESS_CLTS, 0), { cr: 0, access: 'CLTS' }, 'emulated: CR0.TS cleared, read shadow updated', costs.emulateInstruction);
          this.setCr0Shadow((this.cr0Shadow & ~CR0_TS) >>> 0);
        }
        return 'native';
      case Kind.Lmsw:
        return privileged ? 'native' : this.lmsw(cpu, op);
      case Kind.Mov:
        if (op.code === Code.Mov_dr_r32 || op.code === Code.Mov_r32_dr) {
          // MOV-DR exits take priority even over the CPL and CR4.DE checks (SDM 26.1.3).
          if (!this.c['mov-dr-exiting']) return 'native';
          const from = op.code === Code.Mov_r32_dr;
          const dr = from ? op.r1 : op.r0;
          const gpr = from ? op.r0 : op.r1;
          this.exit(cpu, EXIT.DR_ACCESS, op, drQualification(dr, from, gpr), { dr, direction: from ? 'from DR' : 'to DR', register: GPR_NAMES[gpr] }, 'emulated', costs.emulateInstruction);
        }
        return 'native';
      case Kind.Io:
      case Kind.IoString:
        this.ioOp = op;
        return 'native';
      case Kind.IfSetter:
        this.ifBefore = cpu.interruptsEnabled;
        return 'native';
    }
    return 'native';
  }

  private afterSensitive(cpu: Cpu, op: Op): void {
    if (!this.c['interrupt-window-exiting'] || this.ifBefore || !cpu.interruptsEnabled) return;
    if (KINDS.get(op.mnemonic) !== Kind.IfSetter) return;
    this.ifBefore = true;
    this.exit(cpu, EXIT.INTERRUPT_WINDOW, null, 0, { after: op.text }, 'interrupt window open: pending interrupts can be injected', 0);
  }

  private lmsw(cpu: Cpu, op: Op): InterceptDecision {
    const mem = hasMemoryOperand(op);
    let lin = 0;
    let src: number;
    if (mem) {
      const ea = op.ea(cpu, op);
      lin = (cpu.segBase[op.seg] + ea) >>> 0;
      src = cpu.rd16(op.seg, ea); // operand faults have priority over the exit
    } else {
      src = cpu.r16[op.r0];
    }
    const mask = this.cr0Mask & 0xf;
    const shadow = this.cr0Shadow;
    // PE: exits when owned, set in the source and clear in the shadow (LMSW never clears PE);
    // MP, EM, TS: exits when owned and different from the shadow (SDM 26.1.3).
    const exits = (mask & 1 & src & ~shadow) !== 0 || (mask & 0xe & (src ^ shadow)) !== 0;
    if (!exits) return 'native';
    this.exit(
      cpu, EXIT.CR_ACCESS, op, crQualification(0, CR_ACCESS_LMSW, 0, mem, src),
      { cr: 0, access: 'LMSW', operand: mem ? 'memory' : 'register', data: hex(src & 0xffff) },
      'emulated: CR0 bits 3:0 loaded, read shadow updated', this.ctx!.costs.emulateInstruction,
    );
    if (mem) this.vmcs.slots[S.linear] = lin;
    this.setCr0Shadow(((shadow & ~0xe) | (src & 0xe) | (shadow & 1) | (src & 1)) >>> 0);
    return 'native';
  }

  private setCr0Shadow(v: number): void {
    this.cr0Shadow = v >>> 0;
    this.vmcs.slots[S.cr0Shadow] = this.cr0Shadow;
  }

  private setCr4Shadow(v: number): void {
    this.cr4Shadow = v >>> 0;
    this.vmcs.slots[S.cr4Shadow] = this.cr4Shadow;
  }

  private special(cpu: Cpu, op: Op, what: Parameters<NonNullable<Intercepts['special']>>[2]): InterceptDecision {
    const costs = this.ctx!.costs;
    switch (what) {
      case 'cpuid':
        return this.cpuid(cpu, op);
      case 'hlt':
        if (this.c['hlt-exiting']) this.exit(cpu, EXIT.HLT, op, 0, {}, 'guest idle: vCPU halted until the next interrupt', costs.emulateInstruction);
        return 'native';
      case 'rdtsc':
        if (this.c['rdtsc-exiting']) this.exit(cpu, EXIT.RDTSC, op, 0, {}, 'emulated: TSC of the virtual clock', costs.emulateInstruction);
        return 'native';
      case 'rdmsr':
      case 'wrmsr': {
        const write = what === 'wrmsr';
        const msr = cpu.r32[1] >>> 0;
        if (this.c['use-msr-bitmaps'] && !msrBitmapExits(this.config.msrBitmap, msr, write)) return 'native';
        const details: Record<string, number | string | boolean> = { msr: hex(msr) };
        if (write) details.value = `0x${(cpu.r32[2] >>> 0).toString(16)}:${(cpu.r32[0] >>> 0).toString(16).padStart(8, '0')}`;
        const action = msrExists(msr) ? 'emulated on the MSR set' : 'no such MSR: injected #GP(0)';
        this.exit(cpu, write ? EXIT.MSR_WRITE : EXIT.MSR_READ, op, 0, details, action, costs.emulateInstruction);
        return 'native';
      }
      case 'cr-write':
        return this.crWrite(cpu, op);
      case 'cr-read':
        return this.crRead(cpu, op);
      case 'pause':
        if (this.c['pause-exiting']) this.exit(cpu, EXIT.PAUSE_INSTRUCTION, op, 0, {}, 'emulated: PAUSE (a spin-wait hint)', costs.emulateInstruction);
        return 'native';
      case 'invlpg': {
        if (!this.c['invlpg-exiting']) return 'native';
        const lin = (cpu.segBase[op.seg] + op.ea(cpu, op)) >>> 0;
        this.exit(cpu, EXIT.INVLPG, op, lin, { address: hex(lin) }, 'emulated: TLB entry invalidated', costs.emulateInstruction);
        return 'native';
      }
      default:
        return 'native'; // MOV DR: decided in beforeSensitive
    }
  }

  private cpuid(cpu: Cpu, op: Op): InterceptDecision {
    const leaf = cpu.r32[0] >>> 0;
    this.exit(cpu, EXIT.CPUID, op, 0, { leaf: hex(leaf), subleaf: hex(cpu.r32[1]) }, 'emulated', this.ctx!.costs.emulateInstruction);
    let a: number, b: number, c: number, d: number;
    if (leaf >= 0x40000000 && leaf <= 0x400000ff) {
      if (leaf === 0x40000000) {
        a = HYPERVISOR_MAX_LEAF;
        b = dword(HYPERVISOR_VENDOR, 0);
        c = dword(HYPERVISOR_VENDOR, 4);
        d = dword(HYPERVISOR_VENDOR, 8);
      } else {
        a = b = c = d = 0;
      }
    } else {
      [a, b, c, d] = cpuidLeaf(leaf);
      if (leaf === 1) c = (c | CPUID_HYPERVISOR_PRESENT) >>> 0;
    }
    cpu.r32[0] = a;
    cpu.r32[3] = b;
    cpu.r32[1] = c;
    cpu.r32[2] = d;
    return 'handled';
  }

  private crWrite(cpu: Cpu, op: Op): InterceptDecision {
    const cr = op.r0;
    const gpr = op.r1;
    const value = cpu.r32[gpr] >>> 0;
    const costs = this.ctx!.costs;
    if (cr === 0 || cr === 4) {
      const mask = cr === 0 ? this.cr0Mask : this.cr4Mask;
      const shadow = cr === 0 ? this.cr0Shadow : this.cr4Shadow;
      const changed = ((value ^ shadow) & mask) >>> 0;
      if (changed === 0) return 'native';
      this.exit(
        cpu, EXIT.CR_ACCESS, op, crQualification(cr, CR_ACCESS_MOV_TO, gpr),
        { cr, access: 'MOV to CR', register: GPR_NAMES[gpr], value: hex(value), ownedBitsChanged: hex(changed) },
        `emulated: CR${cr} written, read shadow updated`, costs.emulateInstruction,
      );
      const next = ((shadow & ~mask) | (value & mask)) >>> 0;
      if (cr === 0) this.setCr0Shadow(next);
      else this.setCr4Shadow(next);
      return 'native';
    }
    if (cr === 3 && this.c['cr3-load-exiting']) {
      // CR3-target count is 0: every MOV to CR3 exits.
      this.exit(
        cpu, EXIT.CR_ACCESS, op, crQualification(3, CR_ACCESS_MOV_TO, gpr),
        { cr: 3, access: 'MOV to CR', register: GPR_NAMES[gpr], value: hex(value) }, 'emulated: CR3 loaded', costs.emulateInstruction,
      );
    }
    return 'native';
  }

  private crRead(cpu: Cpu, op: Op): InterceptDecision {
    const cr = op.r1;
    const gpr = op.r0;
    if (cr === 3) {
      if (this.c['cr3-store-exiting']) {
        this.exit(
          cpu, EXIT.CR_ACCESS, op, crQualification(3, CR_ACCESS_MOV_FROM, gpr),
          { cr: 3, access: 'MOV from CR', register: GPR_NAMES[gpr] }, 'emulated: CR3 stored', this.ctx!.costs.emulateInstruction,
        );
      }
      return 'native';
    }
    // Reads of CR0/CR4 never exit; the owned bits come from the read shadow.
    if (cr === 0 && this.cr0Mask !== 0) {
      cpu.r32[gpr] = this.guestCr0(cpu);
      return 'handled';
    }
    if (cr === 4 && this.cr4Mask !== 0) {
      cpu.r32[gpr] = this.guestCr4(cpu);
      return 'handled';
    }
    return 'native';
  }

  private io(cpu: Cpu, port: number, size: 1 | 2 | 4, write: boolean, value: number): InterceptDecision {
    const op = this.ioOp;
    if (op === null) return 'native'; // a later element of a string instruction already decided
    this.ioOp = null;
    const exits = this.c['use-io-bitmaps'] ? ioBitmapExits(this.config.ioBitmap, port, size) : this.c['unconditional-io-exiting'];
    if (!exits) return 'native';
    const string = KINDS.get(op.mnemonic) === Kind.IoString;
    const rep = string && op.rep !== 0;
    const immediate = !string && (op.bytes[op.bytes.length - 2] === 0xe4 || op.bytes[op.bytes.length - 2] === 0xe5 || op.bytes[op.bytes.length - 2] === 0xe6 || op.bytes[op.bytes.length - 2] === 0xe7);
    const details: Record<string, number | string | boolean> = {
      port: hex(port), size, direction: write ? 'out' : 'in', string, rep, operand: immediate ? 'immediate' : 'dx',
    };
    if (write && !string) details.value = hex(value);
    this.exit(cpu, EXIT.IO_INSTRUCTION, op, ioQualification(size, !write, string, rep, immediate, port), details, 'emulated by the device model', this.ctx!.costs.deviceAccess);
    const s = this.vmcs.slots;
    s[S.ioRcx] = cpu.r32[1];
    s[S.ioRsi] = cpu.r32[6];
    s[S.ioRdi] = cpu.r32[7];
    s[S.ioRip] = cpu.opEip;
    if (string) {
      const seg = write ? op.seg : ES;
      const off = op.asz === 4 ? cpu.r32[write ? 6 : 7] >>> 0 : cpu.r16[write ? 12 : 14];
      s[S.linear] = (cpu.segBase[seg] + off) >>> 0;
      s[S.insnInfo] = stringIoInstructionInfo(op.asz, seg);
    }
    if (write) {
      cpu.ioWrite(port, size, value);
    } else {
      cpu.ioValue = cpu.ioRead(port, size);
    }
    return 'handled';
  }

  private event(cpu: Cpu, vector: number, errorCode: number, kind: EventKind): InterceptDecision {
    const costs = this.ctx!.costs;
    if (kind === 'external') {
      if (!this.c['external-interrupt-exiting']) return 'native';
      const info = interruptionInfo(vector, INTR_TYPE_EXTERNAL, false);
      this.exit(cpu, EXIT.EXTERNAL_INTERRUPT, null, 0, { vector: hex(vector) }, `acknowledged; injected vector ${hex(vector)} on VM entry`, costs.reflectEvent);
      this.vmcs.slots[S.intrInfo] = info;
      this.inject(info, -1);
      return 'native';
    }
    if (vector >= 32) return 'native';
    let type = INTR_TYPE_HARD_EXCEPTION;
    if (kind === 'software') {
      // INT3 and INTO are software exceptions and consult the exception bitmap; INT n does not.
      const byte = cpu.mem.read8(cpu.phys((cpu.segBase[CS] + cpu.opEip) >>> 0, false));
      if (!((vector === 3 && byte === 0xcc) || (vector === 4 && byte === 0xce))) return 'native';
      type = INTR_TYPE_SOFT_EXCEPTION;
    }
    let exits = (this.config.exceptionBitmap & (1 << vector)) !== 0;
    if (vector === 14 && ((errorCode & this.config.pfErrorCodeMask) >>> 0) !== this.config.pfErrorCodeMatch >>> 0) exits = !exits;
    if (!exits) return 'native';
    const hasError = errorCode >= 0;
    const info = interruptionInfo(vector, type, hasError);
    const qualification = vector === 14 ? cpu.cr2 >>> 0 : vector === 1 ? cpu.dr[6] & 0x600f : 0;
    const details: Record<string, number | string | boolean> = { vector, exception: EXCEPTION_NAMES[vector] ?? `#${vector}` };
    if (hasError) details.errorCode = hex(errorCode);
    if (vector === 14) details.address = hex(qualification);
    const name = EXCEPTION_NAMES[vector] ?? `vector ${vector}`;
    // Exits for INT3/INTO are fault-like: RIP is the instruction, the instruction length 1.
    this.exit(
      cpu, EXIT.EXCEPTION_NMI, null, qualification, details, `reflected ${name} to the guest (injected on VM entry)`, costs.reflectEvent,
      type === INTR_TYPE_SOFT_EXCEPTION ? cpu.opEip >>> 0 : -1,
    );
    const s = this.vmcs.slots;
    s[S.intrInfo] = info;
    s[S.intrError] = hasError ? errorCode : 0;
    if (type === INTR_TYPE_SOFT_EXCEPTION) s[S.insnLen] = 1;
    this.inject(info, errorCode);
    if (type === INTR_TYPE_SOFT_EXCEPTION) s[S.entryLen] = 1;
    return 'native';
  }

  private shutdown(cpu: Cpu, info: ShutdownInfo): void {
    this.exit(cpu, EXIT.TRIPLE_FAULT, null, 0, { reason: info.reason }, 'guest shut down', 0);
    this.vmcs.slots[S.activity] = 2; // shutdown
    this.vmcs.slots[S.rip] = info.eip;
  }
}

/** The on/off controls the VMM honours in a control word. */
function modelledBits(word: 'pin' | 'primary'): number {
  let mask = 0;
  for (const control of Object.values(ON_OFF_CONTROLS)) if (control.word === word) mask |= 1 << control.bit;
  return mask >>> 0;
}

function bitList(mask: number): string {
  const bits: number[] = [];
  for (let b = 0; b < 32; b++) if ((mask >>> b) & 1) bits.push(b);
  return `bit${bits.length > 1 ? 's' : ''} ${bits.join(', ')}`;
}

function checkControlWord(value: number, default1: number, modelled: number): string | null {
  const cleared = (default1 & ~value) >>> 0;
  if (cleared !== 0) return `${bitList(cleared)} must stay 1 (default-1: VM entry would fail)`;
  const unmodelled = (value & ~(default1 | modelled)) >>> 0;
  if (unmodelled !== 0) return `${bitList(unmodelled)} not modelled by this VMM`;
  return null;
}

/** Why a control field other than those writeControl applies cannot change. */
const UNMODELLED: Record<number, string> = {
  [F.SECONDARY_VM_EXEC_CONTROL]: 'no secondary controls: no EPT, VPID, unrestricted guest',
  [F.VM_EXIT_CONTROLS]: 'its exit path is fixed: a 32-bit host, interrupts acknowledged on exit',
  [F.VM_ENTRY_CONTROLS]: 'its entry path is fixed: a 32-bit guest',
  [F.CR3_TARGET_COUNT]: 'every MOV to CR3 exits under CR3-load exiting',
  [F.IO_BITMAP_A]: "the I/O bitmap lives in the VMM: set 'io-bitmap' in the launch configuration",
  [F.IO_BITMAP_B]: "the I/O bitmap lives in the VMM: set 'io-bitmap' in the launch configuration",
  [F.MSR_BITMAP]: "the MSR bitmap lives in the VMM: set 'msr-bitmap' in the launch configuration",
  [F.VM_ENTRY_INTR_INFO_FIELD]: 'the VMM injects events itself at each exit',
  [F.VM_ENTRY_EXCEPTION_ERROR_CODE]: 'the VMM injects events itself at each exit',
  [F.VM_ENTRY_INSTRUCTION_LEN]: 'the VMM injects events itself at each exit',
};

const EXCEPTION_NAMES: Record<number, string> = {
  0: '#DE', 1: '#DB', 2: 'NMI', 3: '#BP', 4: '#OF', 5: '#BR', 6: '#UD', 7: '#NM', 8: '#DF', 10: '#TS',
  11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF', 16: '#MF', 17: '#AC', 18: '#MC', 19: '#XM',
};

function dword(text: string, at: number): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v |= (text.charCodeAt(at + i) || 0) << (8 * i);
  return v >>> 0;
}

export const vtxFactory: HypervisorFactory = (options) => new VtxHypervisor(options);

