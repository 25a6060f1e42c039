// trap-and-emulate: a classic VMM on IA-32 (Popek & Goldberg's construction, and where x86 breaks
// it). See shadow.ts for the VMM's memory and tables.
//
// De-privileging. At start the guest kernel (which believes it runs at CPL 0) is moved to
// physical ring `guestRing` (1, or 3 as an option) with IOPL 0 and IF = 1: CS/SS/DS/... are
// reloaded from the shadow GDT with RPL = guestRing, GDTR/IDTR/TR point at the VMM's tables, and
// the guest's own GDTR/IDTR/LDTR/TR/IF/IOPL/CR* live in the virtual state. The VMM also runs the
// guest with CR0.NE set (native FPU error reporting, as VMMs do), which SMSW can see.
//
// Traps. Privileged and IOPL-sensitive instructions fault with #GP at CPL > 0 / CPL > IOPL. The
// CPU's `event` hook sees the #GP first; the VMM decodes the instruction at CS:EIP and, when the
// guest's *virtual* privilege allows it, emulates it against the virtual state, advances EIP and
// counts the instruction as retired (a faulting instruction did not retire in the CPU's loop).
// Otherwise the #GP is reflected to the guest. Emulated: CLI STI HLT IN OUT INS OUTS LGDT LIDT
// LLDT LTR, MOV to/from CRn and DRn, LMSW CLTS INVLPG WBINVD INVD RDMSR WRMSR, RDTSC/RDPMC (when
// the guest's CR4.TSD/PCE make them fault), MOV SS/POP SS/LSS with RPL 0 (loaded with RPL =
// guestRing), RETF to RPL 0. Port I/O at virtual CPL > IOPL is allowed by the I/O permission
// bitmap of the guest's own TSS (virtual TR), as bare metal would allow it.
//
// Stale shadows. The guest may rewrite its GDT/LDT without the VMM noticing (no write
// protection here); a #GP/#NP/#SS/#TS that arrives while the re-copy at VMM entry changed the
// shadow restarts the instruction instead of reflecting (recorded as a trap with
// details.shadowResync). The VMM's TSS also mirrors the guest's SS0:ESP0 as SS1:ESP1, so native
// call gates from guest user code into its kernel find the kernel stack.
//
// IRET. At CPL 1 an IRET to the same ring does not fault, but it silently keeps IF (CPL > IOPL):
// the guest could never re-enable virtual interrupts that way. This VMM therefore makes every
// IRET of the virtual kernel (virtual CPL 0) trap: beforeSensitive emulates it against the
// virtual state and records it as a #GP trap (as a VMM that marks its guests' IRETs — e.g. by
// running the kernel's return paths through a faulting stub — would see it). IRETs of guest
// user code (virtual CPL 3) run natively, as on bare metal.
//
// Events. Every exception and interrupt reaches the `event` hook before IDT delivery; the VMM
// reflects it through the guest's IDT (at the virtual IDTR) itself: gate checks against the
// virtual CPL, frame built as bare metal would build it — same privilege when the guest kernel
// was interrupted (on its current, ring-1 stack), or a stack switch to the ring-0 stack named by
// the guest's TSS (virtual TR) when its user code was — with EFLAGS.IF/IOPL and the CS/SS RPLs as
// the guest believes them. INT n checks the gate DPL against the virtual CPL; with guestRing 3,
// where the hardware would check the compressed DPL against physical CPL 3, the difference is
// recorded as an `int` hole. Hardware interrupts are reflected only when virtual IF = 1;
// otherwise they wait in pendingInterrupts and are injected after STI (and its one-instruction
// shadow, which the VMM single-steps with TF), after an IRET that sets IF, and at HLT.
//
// Holes. The sensitive-but-unprivileged instructions run natively (POPF, PUSHF, SGDT, SIDT, SLDT,
// STR, SMSW, PUSH CS/SS, MOV from CS/SS, far CALL pushing CS, LAR/LSL/VERR/VERW);
// beforeSensitive computes what bare metal would show (against the guest's own GDT/LDT and the
// virtual CPL) and what the guest sees (shadow descriptors, physical CPL), and records a hole
// when they differ. A far CALL's hole is recorded once it completed (afterSensitive).
//
// Selectors the hardware handed out with the physical RPL (PUSH CS) come back in IRET frames:
// a kernel IRET to RPL 1 through a descriptor of DPL 0 returns to the kernel, as the native IRET
// at ring 1 would (the PUSH CS hole was already recorded).
//
// Not modelled (documented departures): virtual-8086 mode and real mode (a guest clearing
// CR0.PE), task switches, guest rings 1 and 2 next to guestRing 1 (they collide), paging
// protection for guestRing 3 (the kernel runs at CPL 3, so supervisor pages fault), guest writes
// to its GDT/LDT that make a native segment load *succeed* on a stale shadow entry where bare
// metal would fault (only faulting loads are retried), the accessed bit of descriptors loaded
// natively (copied back into the guest's table at the next VMM entry, not at once).
import { Code, Mnemonic, OpKind, Register } from 'iced-x86';
import type { Cpu } from '../../cpu/cpu.js';
import type { Op } from '../../cpu/op.js';
import type { EventKind } from '../../cpu/deliver.js';
import type { InterceptDecision, Intercepts } from '../../cpu/intercepts.js';
import { CpuFault } from '../../cpu/fault.js';
import {
  CR0_NE, CS, DS, ES, FS, GS, SS, FLAG_IF, FLAG_IOPL, FLAG_NT, FLAG_RF, FLAG_TF, FLAG_VM,
  VEC_DB, VEC_GP, VEC_NP, VEC_SS, VEC_TS, exceptionName, WRITABLE_FLAGS,
} from '../../cpu/constants.js';
import {
  type Descriptor, SYS_INT_GATE16, SYS_INT_GATE32, SYS_TRAP_GATE16, SYS_TRAP_GATE32, StackFrame, currentStack,
  descBase, descDpl, descLimit, descPresent, descType, gateOffset, gateSelector, isCodeDesc, isConformingCode,
  isNullSelector, isSegmentDesc, isWritableData, loadCache, selectorError, stackOfDescriptor, descAttr,
} from '../../cpu/protection/descriptors.js';
import { loadSegment } from '../../cpu/protection/segments.js';
import { recordExit } from '../hypervisor.js';
import type { Hypervisor, HypervisorContext, HypervisorOptions } from '../hypervisor.js';
import type { ExitKind } from '../types.js';
import { emptyVirtualState, virtualStateOf, type VirtualCpuState } from '../virtual-state.js';
import { opInfo, type OpInfo } from './disasm.js';
import { SHADOW_ENTRIES, ShadowGdt, VMM_TSS, VmmLayout } from './shadow.js';

const TECHNIQUE = 'trap-and-emulate' as const;

/** Thrown by emulation to say "not something the VMM emulates here: reflect the #GP". */
class Reflect extends Error {}

export class TrapEmulateVmm implements Hypervisor {
  readonly technique = TECHNIQUE;
  readonly guestRing: 1 | 3;
  private ctx: HypervisorContext | null = null;
  private readonly virt: VirtualCpuState = emptyVirtualState();
  private layout!: VmmLayout;
  private shadow!: ShadowGdt;
  /** A fault escaped the VMM's own reflection: the CPU re-delivers it; reflect, never emulate. */
  private nestedFault = false;
  /** Single-stepping the instruction in an emulated STI's shadow (TF set by the VMM). */
  private shadowStep = false;
  private guestTf = false;
  /**
   * IF and IOPL as bare metal would have them: the virtual values, except after a POPF hole
   * (the VMM never saw the change, the guest believes it happened). Holes compare against these.
   */
  private bareIf = false;
  /** A hole to record after the instruction completed (dropped when it faulted). */
  private pendingHole: (() => void) | null = null;
  private bareIopl = 0;

  constructor(options: HypervisorOptions) {
    this.guestRing = options.guestRing ?? 1;
    if (this.guestRing !== 1 && this.guestRing !== 3) throw new Error(`guestRing must be 1 or 3 (got ${String(this.guestRing)})`);
  }

  virtualState(): VirtualCpuState {
    return this.virt;
  }

  /**
   * The virtual state with IF and IOPL as a POPF hole left them on bare metal. Interrupts that
   * bare metal would have held while the VMM's IF was 1 are not tracked: the pending list is the VMM's.
   */
  bareMetalState(): VirtualCpuState {
    return { ...this.virt, interruptFlag: this.bareIf, iopl: this.bareIopl, pendingInterrupts: [...this.virt.pendingInterrupts] };
  }

  private get c(): HypervisorContext {
    if (this.ctx === null) throw new Error('trap-and-emulate: not started');
    return this.ctx;
  }

  // ---- start: de-privileging -------------------------------------------------------------------

  start(context: HypervisorContext): void {
    this.ctx = context;
    const cpu = context.cpu;
    if (!cpu.protectedMode) throw new Error('trap-and-emulate runs protected-mode guests only (Multiboot entry state)');
    // The guest starts out believing what the loader left in the CPU.
    const v = Object.assign(this.virt, virtualStateOf(cpu));
    this.bareIf = v.interruptFlag;
    this.bareIopl = v.iopl;

    this.layout = new VmmLayout(cpu.mem.size);
    this.shadow = new ShadowGdt(cpu, this.layout, this.guestRing);
    this.shadow.installVmmStructures();
    this.shadow.sync(v.gdtr.base, v.gdtr.limit);
    if (!isNullSelector(v.ldtr.selector)) this.shadow.setLdt(v.ldtr.base, v.ldtr.limit);
    cpu.gdtrLimit = 0xffff;
    cpu.idtrLimit = 0x7ff;
    cpu.trSel = VMM_TSS;
    cpu.trLimit = 0x67;
    cpu.trAttr = 0x8b;
    this.placeTables(cpu);
    const ring = this.physRing(v.cpl);
    for (const seg of [ES, SS, DS, FS, GS, CS]) {
      const sel = cpu.segSel[seg];
      if (isNullSelector(sel)) continue;
      const d = this.shadow.descriptor(sel);
      if (d === null) throw new Error(`trap-and-emulate: the guest's selector 0x${sel.toString(16)} is not in its GDT`);
      loadCache(cpu, seg, (sel & 0xfffc) | ring, d);
    }
    cpu.setEflags((cpu.getEflags() & ~FLAG_IOPL) | FLAG_IF);
    cpu.cr0 |= CR0_NE;
    cpu.blocks.flushAll();
    cpu.intercepts = this.intercepts();
  }

  /** The physical ring of a virtual ring (ring compression). */
  private physRing(vring: number): number {
    return Math.max(vring, this.guestRing);
  }

  private intercepts(): Intercepts {
    return {
      beforeSensitive: (cpu, op) => this.beforeSensitive(cpu, op),
      afterSensitive: () => {
        const hole = this.pendingHole;
        this.pendingHole = null;
        hole?.();
      },
      event: (cpu, vector, errorCode, kind) => this.event(cpu, vector, errorCode, kind),
    };
  }

  // ---- the event hook: every exception and interrupt ------------------------------------------

  private event(cpu: Cpu, vector: number, errorCode: number, kind: EventKind): InterceptDecision {
    const nested = this.nestedFault;
    this.nestedFault = false;
    this.pendingHole = null;
    const tfStep = this.endShadowStep(cpu);
    const stale = this.syncShadow();
    if (stale && !nested && kind === 'exception' && (vector === VEC_GP || vector === VEC_NP || vector === VEC_SS || vector === VEC_TS)) {
      // A native segment load faulted on a shadow entry the guest has since rewritten (its GDT
      // or LDT changed after the last copy): the shadow is fresh now, run the instruction again.
      const op = cpu.opAt(cpu.eip);
      this.exit('trap', exceptionName(vector), vector, cpu.eip, op === null ? '' : opInfo(op, cpu.code32).text, { vector, errorCode, shadowResync: true },
        this.c.costs.trapRoundTrip, 'shadow descriptor tables were stale: re-copied, instruction restarted');
      return 'handled';
    }
    if (tfStep && vector === VEC_DB && kind === 'exception') {
      // The #DB the VMM asked for after the STI shadow: consume it and inject what waited.
      cpu.dr[6] &= ~0x4000;
      this.injectPending(cpu);
      return 'handled';
    }
    try {
      if (kind === 'external') {
        this.externalInterrupt(cpu, vector);
      } else if (kind === 'software') {
        this.softwareInterrupt(cpu, vector);
      } else if (vector === VEC_GP && !nested && this.tryEmulate(cpu)) {
        this.injectPending(cpu);
      } else {
        this.reflectException(cpu, vector, errorCode);
      }
    } catch (e) {
      if (e instanceof CpuFault) this.nestedFault = true;
      throw e;
    }
    return 'handled';
  }

  private externalInterrupt(cpu: Cpu, vector: number): void {
    const costs = this.c.costs;
    if (!this.virt.interruptFlag) {
      this.virt.pendingInterrupts.push(vector);
      this.exit('interrupt', 'EXTERNAL_INTERRUPT', undefined, cpu.eip, '', { vector, pending: true }, costs.trapRoundTrip, `held vector 0x${vector.toString(16)} (virtual IF=0)`);
      return;
    }
    const eip = cpu.eip;
    this.reflect(cpu, vector, -1, 'external');
    this.exit('interrupt', 'EXTERNAL_INTERRUPT', undefined, eip, '', { vector }, costs.trapRoundTrip + costs.reflectEvent, `reflected vector 0x${vector.toString(16)} through the guest's IDT`);
  }

  private softwareInterrupt(cpu: Cpu, vector: number): void {
    const eip = cpu.opEip;
    const op = cpu.opAt(eip);
    const text = op === null ? '' : opInfo(op, cpu.code32).text;
    const reason = text.startsWith('int3') ? '#BP' : text.startsWith('into') ? '#OF' : 'INT';
    const costs = this.c.costs;
    this.reflect(cpu, vector, -1, 'software', op ?? undefined);
    this.exit('trap', reason, vector, eip, text, { vector }, costs.trapRoundTrip + costs.reflectEvent, `reflected vector 0x${vector.toString(16)} through the guest's IDT`);
  }

  private reflectException(cpu: Cpu, vector: number, errorCode: number): void {
    const eip = cpu.eip;
    const op = cpu.opAt(eip);
    const costs = this.c.costs;
    if (cpu.exceptionWatch !== null) cpu.exceptionWatch(vector, errorCode, eip);
    this.reflect(cpu, vector, errorCode, 'exception');
    const details: Record<string, number | string | boolean> = { vector };
    if (errorCode >= 0) details.errorCode = errorCode;
    if (vector === 14) details.cr2 = cpu.cr2 >>> 0;
    this.exit('trap', exceptionName(vector), vector, eip, op === null ? '' : opInfo(op, cpu.code32).text, details, costs.trapRoundTrip + costs.reflectEvent, `reflected ${exceptionName(vector)} to the guest`);
  }

  // ---- #GP: emulation of privileged and IOPL-sensitive instructions ---------------------------

  /** Decodes the instruction at CS:EIP and emulates it; false when the #GP is the guest's. */
  private tryEmulate(cpu: Cpu): boolean {
    const eip = cpu.eip;
    const op = cpu.opAt(eip);
    if (op === null) return false;
    const info = opInfo(op, cpu.code32);
    const v = this.virt;
    const next = ((eip + op.len) & cpu.ipMask) >>> 0;
    let extra = 0;
    let action: string;
    const details: Record<string, number | string | boolean> = { mnemonic: info.text.split(' ')[0], emulated: true };
    try {
      const m = op.mnemonic;
      const kernel = v.cpl === 0;
      const ioOk = v.cpl <= v.iopl;
      switch (m) {
        case Mnemonic.Cli:
        case Mnemonic.Sti:
          if (!ioOk) throw new Reflect();
          cpu.eip = next;
          if (m === Mnemonic.Cli) {
            this.setVirtualIf(false);
          } else if (!v.interruptFlag) {
            this.setVirtualIf(true);
            cpu.interruptShadow = true; // STI's one-instruction shadow
            if (v.pendingInterrupts.length > 0) this.beginShadowStep(cpu);
          } else {
            this.setVirtualIf(true);
          }
          action = `emulated ${m === Mnemonic.Cli ? 'CLI' : 'STI'}: virtual IF=${v.interruptFlag ? 1 : 0}`;
          break;
        case Mnemonic.Hlt:
          if (!kernel) throw new Reflect();
          cpu.eip = next;
          if (v.interruptFlag && v.pendingInterrupts.length > 0) {
            action = 'emulated HLT: a held interrupt wakes it at once';
          } else {
            cpu.halted = true;
            // Virtual IF=0: no interrupt can ever wake the guest; stop the CPU as bare metal would.
            if (!v.interruptFlag) cpu.setEflags(cpu.getEflags() & ~FLAG_IF);
            action = 'emulated HLT';
          }
          break;
        case Mnemonic.In:
        case Mnemonic.Out:
        case Mnemonic.Insb:
        case Mnemonic.Insw:
        case Mnemonic.Insd:
        case Mnemonic.Outsb:
        case Mnemonic.Outsw:
        case Mnemonic.Outsd: {
          const write = m === Mnemonic.Out || m === Mnemonic.Outsb || m === Mnemonic.Outsw || m === Mnemonic.Outsd;
          const immPort = info.opKinds.includes(OpKind.Immediate8);
          const port = immPort ? op.imm & 0xff : cpu.r16[4];
          const size = m === Mnemonic.Insb || m === Mnemonic.Outsb ? 1 : m === Mnemonic.Insw || m === Mnemonic.Outsw ? 2 : m === Mnemonic.Insd || m === Mnemonic.Outsd ? 4 : ioSize(info);
          // CPL > IOPL: bare metal consults the I/O permission bitmap of the guest's own TSS.
          if (!ioOk && !this.guestIoBitmapAllows(cpu, port, size)) throw new Reflect();
          details.port = port;
          details.size = size;
          details.direction = write ? 'out' : 'in';
          this.native(cpu, op, eip, next);
          extra = this.c.costs.deviceAccess;
          action = `emulated ${info.text.split(' ')[0].toUpperCase()} port 0x${(details.port).toString(16)}`;
          break;
        }
        case Mnemonic.Lgdt:
        case Mnemonic.Lidt: {
          if (!kernel) throw new Reflect();
          const ea = op.ea(cpu, op);
          const limit = cpu.rd16(op.seg, ea);
          let base = cpu.rd32(op.seg, (ea + 2) >>> 0) >>> 0;
          if (op.osz === 2) base &= 0xffffff;
          cpu.eip = next;
          if (m === Mnemonic.Lgdt) {
            v.gdtr = { base, limit };
            this.shadow.sync(base, limit);
          } else {
            v.idtr = { base, limit };
          }
          details.base = base;
          details.limit = limit;
          action = `emulated ${m === Mnemonic.Lgdt ? 'LGDT' : 'LIDT'}: virtual base 0x${base.toString(16)}${m === Mnemonic.Lgdt ? ', shadow GDT rebuilt' : ''}`;
          break;
        }
        case Mnemonic.Lldt:
          if (!kernel) throw new Reflect();
          action = this.emulateLldt(cpu, this.selectorOperand(cpu, op, info, 0));
          cpu.eip = next;
          break;
        case Mnemonic.Ltr:
          if (!kernel) throw new Reflect();
          action = this.emulateLtr(cpu, this.selectorOperand(cpu, op, info, 0));
          cpu.eip = next;
          break;
        case Mnemonic.Mov:
          if (info.regs.some((r) => isCr(r) || isDr(r))) {
            if (!kernel) throw new Reflect();
            action = this.emulateMovSystem(cpu, op, info, eip, next);
            break;
          }
          if (info.opKinds[0] === OpKind.Register && info.regs[0] === Register.SS) {
            this.loadSsWithRpl(cpu, this.selectorOperand(cpu, op, info, 1));
            cpu.eip = next;
            action = 'emulated MOV SS: loaded with RPL = guest ring';
            break;
          }
          throw new Reflect();
        case Mnemonic.Pop:
          if (info.regs[0] !== Register.SS) throw new Reflect();
          {
            const sel = cpu.peek(op.osz, 0) & 0xffff;
            this.loadSsWithRpl(cpu, sel);
            cpu.sp = cpu.sp + op.osz;
            cpu.eip = next;
          }
          action = 'emulated POP SS: loaded with RPL = guest ring';
          break;
        case Mnemonic.Lss: {
          // LSS with a selector of RPL = virtual CPL (0): loaded with RPL = guest ring.
          const ea = op.ea(cpu, op);
          const offset = op.osz === 2 ? cpu.rd16(op.seg, ea) : cpu.rd32(op.seg, ea) >>> 0;
          const sel = cpu.rd16(op.seg, (ea + op.osz) >>> 0);
          this.loadSsWithRpl(cpu, sel);
          if (op.osz === 2) cpu.r16[(info.regs[0] - Register.AX) * 2] = offset;
          else cpu.r32[info.regs[0] - Register.EAX] = offset | 0;
          cpu.eip = next;
          action = 'emulated LSS: SS loaded with RPL = guest ring';
          break;
        }
        case Mnemonic.Rdtsc:
        case Mnemonic.Rdpmc:
          // Faults at the guest ring only when the guest set CR4.TSD / cleared CR4.PCE (applied physically).
          if (!kernel) throw new Reflect();
          this.native(cpu, op, eip, next);
          action = `emulated ${m === Mnemonic.Rdtsc ? 'RDTSC' : 'RDPMC'}`;
          break;
        case Mnemonic.Lmsw:
        case Mnemonic.Clts:
          if (!kernel) throw new Reflect();
          this.native(cpu, op, eip, next);
          v.cr0 = ((v.cr0 & ~0xf) | (cpu.cr0 & 0xf)) | 0;
          cpu.cr0 |= CR0_NE;
          action = `emulated ${m === Mnemonic.Lmsw ? 'LMSW' : 'CLTS'}: virtual CR0 0x${(v.cr0 >>> 0).toString(16)}`;
          break;
        case Mnemonic.Invlpg:
        case Mnemonic.Wbinvd:
        case Mnemonic.Invd:
        case Mnemonic.Rdmsr:
        case Mnemonic.Wrmsr:
          if (!kernel) throw new Reflect();
          if (m === Mnemonic.Rdmsr || m === Mnemonic.Wrmsr) details.msr = cpu.r32[1] >>> 0;
          this.native(cpu, op, eip, next);
          action = `emulated ${info.text.split(' ')[0].toUpperCase()}`;
          break;
        case Mnemonic.Retf:
          if (!kernel) throw new Reflect();
          action = this.emulateRetf(cpu, op, next);
          break;
        default:
          return false;
      }
    } catch (e) {
      if (e instanceof Reflect) {
        cpu.eip = eip;
        return false;
      }
      if (e instanceof CpuFault) {
        // A fault while emulating (the operand's page, a bad selector): the guest sees it at the
        // instruction, as bare metal would.
        cpu.eip = eip;
        this.reflectException(cpu, e.vector, e.errorCode);
        return true;
      }
      throw e;
    }
    cpu.retired++;
    const costs = this.c.costs;
    this.exit('trap', '#GP', VEC_GP, eip, info.text, details, costs.trapRoundTrip + costs.emulateInstruction + extra, action);
    return true;
  }

  /** Runs an instruction's own semantics at CPL 0 with the intercepts out of the way. */
  private native(cpu: Cpu, op: Op, eip: number, next: number): void {
    const cpl = cpu.cpl;
    const hooks = cpu.intercepts;
    cpu.intercepts = null;
    cpu.opEip = eip;
    cpu.eip = next;
    cpu.cpl = 0;
    try {
      op.exec(cpu, op);
    } finally {
      cpu.cpl = cpl;
      cpu.intercepts = hooks;
    }
  }

  private emulateMovSystem(cpu: Cpu, op: Op, info: OpInfo, eip: number, next: number): string {
    const v = this.virt;
    const toReg = info.code === Code.Mov_r32_cr || info.code === Code.Mov_r32_dr;
    const sys = toReg ? info.regs[1] : info.regs[0];
    const name = registerName(sys);
    this.native(cpu, op, eip, next);
    if (isCr(sys)) {
      const n = sys - Register.CR0;
      if (toReg) {
        if (n === 0) cpu.r32[op.r0] = v.cr0;
        return `emulated MOV from ${name}`;
      }
      if (n === 0) {
        v.cr0 = cpu.cr0;
        cpu.cr0 |= CR0_NE;
      } else if (n === 2) v.cr2 = cpu.cr2;
      else if (n === 3) v.cr3 = cpu.cr3;
      else if (n === 4) v.cr4 = cpu.cr4;
      if (n === 0 || n === 3 || n === 4) this.placeTables(cpu);
      return `emulated MOV to ${name}: 0x${(cpu.r32[op.r1] >>> 0).toString(16)} (applied physically)`;
    }
    return `emulated MOV ${toReg ? 'from' : 'to'} ${name}`;
  }

  private emulateLldt(cpu: Cpu, sel: number): string {
    const v = this.virt;
    if (isNullSelector(sel)) {
      v.ldtr = { selector: sel, base: 0, limit: 0 };
      this.shadow.setLdt(0, null);
      cpu.ldtrSel = sel;
      cpu.ldtrBase = 0;
      cpu.ldtrLimit = 0;
      cpu.ldtrAttr = 0;
      return 'emulated LLDT: null LDT';
    }
    if ((sel & 4) !== 0) throw new CpuFault(VEC_GP, selectorError(sel));
    const d = this.guestDescriptor(cpu, sel, VEC_GP, selectorError(sel));
    if (isSegmentDesc(d) || descType(d) !== 2) throw new CpuFault(VEC_GP, selectorError(sel));
    if (!descPresent(d)) throw new CpuFault(VEC_NP, selectorError(sel));
    v.ldtr = { selector: sel, base: descBase(d), limit: descLimit(d) };
    this.shadow.setLdt(descBase(d), descLimit(d));
    // The guest's selector and limit, the shadow LDT's base (so SLDT and LSL-style limits agree).
    cpu.ldtrSel = sel;
    cpu.ldtrBase = this.layout.linear(this.layout.ldt, cpu.paging) | 0;
    cpu.ldtrLimit = Math.min(descLimit(d), SHADOW_ENTRIES * 8 - 1);
    cpu.ldtrAttr = descAttr(d);
    return `emulated LLDT 0x${sel.toString(16)}: shadow LDT rebuilt`;
  }

  private emulateLtr(cpu: Cpu, sel: number): string {
    const err = selectorError(sel);
    if (isNullSelector(sel) || (sel & 4) !== 0) throw new CpuFault(VEC_GP, err);
    const d = this.guestDescriptor(cpu, sel, VEC_GP, err);
    const type = descType(d);
    if (isSegmentDesc(d) || (type !== 1 && type !== 9)) throw new CpuFault(VEC_GP, err);
    if (!descPresent(d)) throw new CpuFault(VEC_NP, err);
    // Mark it busy in the guest's GDT, as the processor does.
    cpu.writeSystem8((d.addr + 5) >>> 0, ((d.hi >>> 8) | 2) & 0xff);
    this.virt.tr = { selector: sel, base: descBase(d), limit: descLimit(d) };
    this.syncShadow();
    return `emulated LTR 0x${sel.toString(16)}: virtual TR (the physical TR stays the VMM's)`;
  }

  /** MOV SS / POP SS of a selector with the guest's RPL: the shadow selector at the physical ring. */
  private loadSsWithRpl(cpu: Cpu, sel: number): void {
    const vcpl = this.virt.cpl;
    const err = selectorError(sel);
    if (isNullSelector(sel)) throw new CpuFault(VEC_GP, 0);
    const d = this.guestDescriptor(cpu, sel, VEC_GP, err);
    if ((sel & 3) !== vcpl || !isWritableData(d) || descDpl(d) !== vcpl) throw new CpuFault(VEC_GP, err);
    loadSegment(cpu, SS, (sel & 0xfffc) | this.physRing(vcpl));
  }

  private emulateRetf(cpu: Cpu, op: Op, next: number): string {
    void next;
    const osz = op.osz === 2 ? 2 : 4;
    const newEip = cpu.peek(osz, 0) >>> 0;
    const cs = cpu.peek(osz, osz) & 0xffff;
    const rpl = cs & 3;
    if (rpl !== 0 || this.virt.cpl !== 0) throw new Reflect(); // only the same-ring kernel return faults
    const d = this.guestDescriptor(cpu, cs, VEC_GP, selectorError(cs));
    if (!isCodeDesc(d)) throw new CpuFault(VEC_GP, selectorError(cs));
    if (!descPresent(d)) throw new CpuFault(VEC_NP, selectorError(cs));
    const sd = this.shadowOrFault(cs);
    if (newEip > descLimit(sd)) throw new CpuFault(VEC_GP, 0);
    const imm = op.imm & 0xffff;
    cpu.sp = cpu.sp + 2 * osz + imm;
    loadCache(cpu, CS, (cs & 0xfffc) | this.physRing(0), sd);
    cpu.eip = newEip;
    return 'emulated RETF to RPL 0 (loaded with RPL = guest ring)';
  }

  // ---- IRET and holes (instructions that do not fault) ----------------------------------------

  private beforeSensitive(cpu: Cpu, op: Op): InterceptDecision {
    this.pendingHole = null;
    const m = op.mnemonic;
    if (m === Mnemonic.Iret || m === Mnemonic.Iretd) {
      if (this.virt.cpl !== 0) return 'native';
      this.endShadowStep(cpu);
      this.syncShadow();
      const eip = cpu.opEip;
      const info = opInfo(op, cpu.code32);
      try {
        const action = this.emulateIret(cpu, op.osz === 2 ? 2 : 4);
        const costs = this.c.costs;
        this.exit('trap', '#GP', VEC_GP, eip, info.text, { mnemonic: 'iretd', emulated: true }, costs.trapRoundTrip + costs.emulateInstruction, action);
      } catch (e) {
        if (e instanceof CpuFault) cpu.eip = eip;
        throw e;
      }
      this.injectPending(cpu);
      return 'handled';
    }
    try {
      this.checkHole(cpu, op);
    } catch (e) {
      if (!(e instanceof CpuFault)) throw e; // the native instruction will raise it itself
    }
    return 'native';
  }

  private emulateIret(cpu: Cpu, osz: 2 | 4): string {
    const v = this.virt;
    if ((cpu.getEflags() & FLAG_NT) !== 0) throw new CpuFault(VEC_TS, 0); // task return: not modelled
    const newEip = cpu.peek(osz, 0) >>> 0;
    const cs = cpu.peek(osz, osz) & 0xffff;
    let fl = cpu.peek(osz, 2 * osz) >>> 0;
    if (osz === 2) fl = (cpu.getEflags() & 0xffff0000) | (fl & 0xffff);
    const err = selectorError(cs);
    if (isNullSelector(cs)) throw new CpuFault(VEC_GP, 0);
    const d = this.guestDescriptor(cpu, cs, VEC_GP, err);
    const rpl = isCodeDesc(d) ? this.intendedRpl(cs, d) : cs & 3;
    if (!isCodeDesc(d) || rpl < v.cpl) throw new CpuFault(VEC_GP, err);
    const dpl = descDpl(d);
    if (isConformingCode(d) ? dpl > rpl : dpl !== rpl) throw new CpuFault(VEC_GP, err);
    if (!descPresent(d)) throw new CpuFault(VEC_NP, err);
    const scs = this.shadowOrFault(cs);
    if (newEip > descLimit(scs)) throw new CpuFault(VEC_GP, 0);
    let newEsp = 0;
    let ss = 0;
    let sss: Descriptor | null = null;
    if (rpl > v.cpl) {
      newEsp = cpu.peek(osz, 3 * osz) >>> 0;
      ss = cpu.peek(osz, 4 * osz) & 0xffff;
      const serr = selectorError(ss);
      if (isNullSelector(ss)) throw new CpuFault(VEC_GP, 0);
      const sd = this.guestDescriptor(cpu, ss, VEC_GP, serr);
      if ((ss & 3) !== rpl || !isWritableData(sd) || descDpl(sd) !== rpl) throw new CpuFault(VEC_GP, serr);
      if (!descPresent(sd)) throw new CpuFault(VEC_SS, serr);
      sss = this.shadowOrFault(ss);
    }
    // Commit: the flags as bare metal at virtual CPL 0 would load them, IF/IOPL into the virtual state.
    const wasIf = v.interruptFlag;
    if (v.cpl === 0) v.iopl = (fl >>> 12) & 3;
    if (v.cpl <= v.iopl || v.cpl === 0) v.interruptFlag = (fl & FLAG_IF) !== 0;
    this.bareIf = v.interruptFlag;
    this.bareIopl = v.iopl;
    const phys = ((fl & WRITABLE_FLAGS & ~(FLAG_IOPL | FLAG_VM | FLAG_RF)) | FLAG_IF) >>> 0;
    cpu.sp = cpu.sp + 3 * osz;
    loadCache(cpu, CS, (cs & 0xfffc) | this.physRing(rpl), scs);
    cpu.eip = osz === 2 ? newEip & 0xffff : newEip;
    cpu.setEflags(phys);
    if (sss !== null) {
      loadCache(cpu, SS, (ss & 0xfffc) | this.physRing(rpl), sss);
      if (osz === 4 || cpu.stack32) cpu.r32[4] = newEsp | 0;
      else cpu.r16[8] = newEsp & 0xffff;
      for (const seg of [ES, DS, FS, GS]) {
        const attr = cpu.segAttr[seg];
        const sdpl = (attr >>> 5) & 3;
        const conformingCode = (attr & 0x1c) === 0x1c;
        if (!isNullSelector(cpu.segSel[seg]) && !conformingCode && sdpl < this.physRing(rpl)) cpu.setNullSegment(seg, 0);
      }
    }
    v.cpl = rpl;
    const ifText = wasIf === v.interruptFlag ? '' : `, virtual IF=${v.interruptFlag ? 1 : 0}`;
    return `emulated IRET to ${cs.toString(16).padStart(4, '0')}:${newEip.toString(16)} (virtual CPL ${rpl}${ifText})`;
  }

  private checkHole(cpu: Cpu, op: Op): void {
    const v = this.virt;
    const info = opInfo(op, cpu.code32);
    const m = op.mnemonic;
    const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
    switch (m) {
      case Mnemonic.Pushf:
      case Mnemonic.Pushfd: {
        const fl = cpu.getEflags();
        const pIf = (fl & FLAG_IF) !== 0 ? 1 : 0;
        const pIopl = (fl >>> 12) & 3;
        const bIf = this.bareIf ? 1 : 0;
        const parts: string[] = [];
        if (pIf !== bIf) parts.push(`pushed IF=${pIf}, the guest's IF is ${bIf}`);
        if (pIopl !== this.bareIopl) parts.push(`pushed IOPL=${pIopl}, the guest's IOPL is ${this.bareIopl}`);
        if (parts.length > 0) this.hole(cpu, 'pushf', info.text, `IF=${bIf} IOPL=${this.bareIopl}`, `IF=${pIf} IOPL=${pIopl}`, `PUSHF: ${parts.join('; ')}`);
        return;
      }
      case Mnemonic.Popf:
      case Mnemonic.Popfd: {
        const size = op.osz === 2 ? 2 : 4;
        const value = cpu.peek(size, 0);
        const askedIf = (value & FLAG_IF) !== 0 ? 1 : 0;
        const askedIopl = (value >>> 12) & 3;
        const vIf = v.interruptFlag ? 1 : 0;
        const parts: string[] = [];
        // Bare metal at the virtual CPL: IF changes when CPL <= IOPL, IOPL only at CPL 0.
        if (v.cpl <= v.iopl && askedIf !== vIf) parts.push(`guest asked IF=${askedIf}; IF stays ${vIf}`);
        if (v.cpl === 0 && askedIopl !== v.iopl) parts.push(`guest asked IOPL=${askedIopl}; IOPL stays ${v.iopl}`);
        if (parts.length > 0) {
          const expected = `IF=${v.cpl <= v.iopl ? askedIf : vIf} IOPL=${v.cpl === 0 ? askedIopl : v.iopl}`;
          this.hole(cpu, 'popf', info.text, expected, `IF=${vIf} IOPL=${v.iopl}`, `POPF: ${parts.join('; ')}`);
        }
        // What bare metal would now hold (the VMM's virtual state did not change).
        if (v.cpl <= this.bareIopl) this.bareIf = askedIf === 1;
        if (v.cpl === 0) this.bareIopl = askedIopl;
        return;
      }
      case Mnemonic.Sgdt:
      case Mnemonic.Sidt: {
        const gdt = m === Mnemonic.Sgdt;
        const guest = gdt ? v.gdtr : v.idtr;
        const pb = (gdt ? cpu.gdtrBase : cpu.idtrBase) >>> 0;
        const pl = gdt ? cpu.gdtrLimit : cpu.idtrLimit;
        if (pb !== guest.base || pl !== guest.limit) {
          const name = gdt ? 'SGDT' : 'SIDT';
          const reg = gdt ? 'GDTR' : 'IDTR';
          this.hole(cpu, gdt ? 'sgdt' : 'sidt', info.text, `base ${hex(guest.base)} limit ${hex(guest.limit)}`, `base ${hex(pb)} limit ${hex(pl)}`,
            `${name}: stored the VMM's ${reg} base ${hex(pb)}, the guest's is ${hex(guest.base)}`);
        }
        return;
      }
      case Mnemonic.Sldt:
      case Mnemonic.Str: {
        const ldt = m === Mnemonic.Sldt;
        const phys = ldt ? cpu.ldtrSel : cpu.trSel;
        const guest = ldt ? v.ldtr.selector : v.tr.selector;
        if (phys !== guest) {
          this.hole(cpu, ldt ? 'sldt' : 'str', info.text, `selector ${hex(guest)}`, `selector ${hex(phys)}`,
            `${ldt ? 'SLDT' : 'STR'}: stored the VMM's selector ${hex(phys)}, the guest's is ${hex(guest)}`);
        }
        return;
      }
      case Mnemonic.Smsw: {
        const phys = cpu.cr0 & 0xffff;
        const guest = v.cr0 & 0xffff;
        if (phys !== guest) this.hole(cpu, 'smsw', info.text, hex(guest), hex(phys), `SMSW: stored the VMM's MSW ${hex(phys)}, the guest's is ${hex(guest)}`);
        return;
      }
      case Mnemonic.Push:
      case Mnemonic.Mov: {
        const sreg = m === Mnemonic.Push ? info.regs[0] : info.regs[1];
        if (sreg !== Register.CS && sreg !== Register.SS) return;
        if (m === Mnemonic.Mov && info.opKinds[1] !== OpKind.Register) return;
        const seg = sreg === Register.CS ? CS : SS;
        const phys = cpu.segSel[seg];
        const guest = (phys & 0xfffc) | v.cpl;
        if (phys !== guest) {
          const name = m === Mnemonic.Push ? `PUSH ${sreg === Register.CS ? 'CS' : 'SS'}` : `MOV from ${sreg === Register.CS ? 'CS' : 'SS'}`;
          this.hole(cpu, m === Mnemonic.Push ? 'push' : 'mov', info.text, `selector ${hex(guest)} (RPL ${v.cpl})`, `selector ${hex(phys)} (RPL ${phys & 3})`,
            `${name}: ${m === Mnemonic.Push ? 'pushed' : 'read'} selector ${hex(phys)} (RPL ${phys & 3}), the guest expects RPL ${v.cpl}`);
        }
        return;
      }
      case Mnemonic.Call: {
        // A far CALL pushes the physical CS: RPL = the physical ring, not the guest's CPL.
        const far = info.code === Code.Call_ptr1632 || info.code === Code.Call_ptr1616 || info.code === Code.Call_m1632 || info.code === Code.Call_m1616;
        const phys = cpu.segSel[CS];
        if (!far || (phys & 3) === v.cpl) return;
        const guest = (phys & 0xfffc) | v.cpl;
        // Recorded once the CALL has completed (a CALL that faults pushes nothing).
        this.pendingHole = () => this.hole(cpu, 'call', info.text, `pushed CS ${hex(guest)} (RPL ${v.cpl})`, `pushed CS ${hex(phys)} (RPL ${phys & 3})`,
          `CALL FAR: pushed return CS ${hex(phys)} (RPL ${phys & 3}), the guest expects RPL ${v.cpl}`);
        return;
      }
      case Mnemonic.Lar:
      case Mnemonic.Lsl:
      case Mnemonic.Verr:
      case Mnemonic.Verw: {
        const verify = m === Mnemonic.Verr || m === Mnemonic.Verw;
        const sel = this.selectorOperand(cpu, op, info, verify ? 0 : 1);
        let guest: [number, number] | null = null;
        try {
          const d = this.guestDescriptor(cpu, sel, VEC_GP, 0);
          guest = [d.lo, d.hi];
        } catch (e) {
          if (!(e instanceof CpuFault)) throw e;
        }
        const wide = op.osz !== 2;
        const bare = accessProbe(m, sel, isNullSelector(sel) ? null : guest, v.cpl, wide);
        const seen = accessProbe(m, sel, isNullSelector(sel) ? null : this.shadow.peek(sel), cpu.cpl, wide);
        if (bare !== seen) {
          const name = info.text.split(' ')[0].toUpperCase();
          this.hole(cpu, name.toLowerCase(), info.text, bare, seen,
            `${name} ${hex(sel)}: answered ${seen} for physical CPL ${cpu.cpl} and the shadow descriptor; the guest at CPL ${v.cpl} would get ${bare}`);
        }
        return;
      }
      default:
        return;
    }
  }

  // ---- reflection through the guest's IDT ----------------------------------------------------

  /**
   * Delivers `vector` to the guest as bare metal would at its virtual CPL, through its virtual
   * IDT. Faults on the way are thrown as CpuFaults (the CPU applies the double-fault rules and
   * hands them back to the VMM).
   */
  private reflect(cpu: Cpu, vector: number, errorCode: number, kind: EventKind, op?: Op): void {
    const v = this.virt;
    const ext = kind === 'software' ? 0 : 1;
    const idtError = vector * 8 + 2 + ext;
    if (vector * 8 + 7 > v.idtr.limit) throw new CpuFault(VEC_GP, idtError);
    const at = (v.idtr.base + vector * 8) >>> 0;
    const gate: Descriptor = { lo: cpu.readSystem32(at), hi: cpu.readSystem32((at + 4) >>> 0), addr: at };
    const type = descType(gate);
    if (isSegmentDesc(gate) || (type !== SYS_INT_GATE16 && type !== SYS_INT_GATE32 && type !== SYS_TRAP_GATE16 && type !== SYS_TRAP_GATE32)) {
      throw new CpuFault(VEC_GP, idtError);
    }
    if (kind === 'software') {
      const gateDpl = descDpl(gate);
      const bare = gateDpl >= v.cpl;
      const hardware = this.physRing(gateDpl) >= cpu.cpl;
      if (bare !== hardware && op !== undefined) {
        this.hole(cpu, 'int', opInfo(op, cpu.code32).text, bare ? 'delivered' : '#GP', hardware ? 'delivered' : '#GP',
          `INT: gate DPL ${gateDpl} checked against physical CPL ${cpu.cpl}; the guest is at CPL ${v.cpl}`);
      }
      if (!hardware) throw new CpuFault(VEC_GP, vector * 8 + 2);
    }
    if (!descPresent(gate)) throw new CpuFault(VEC_NP, idtError);
    const gate32 = (type & 8) !== 0;
    const interruptGate = (type & 1) === 0;
    const sel = gateSelector(gate);
    if (isNullSelector(sel)) throw new CpuFault(VEC_GP, ext);
    const csErr = selectorError(sel, ext);
    const code = this.guestDescriptor(cpu, sel, VEC_GP, csErr);
    const dpl = descDpl(code);
    if (!isCodeDesc(code) || dpl > v.cpl) throw new CpuFault(VEC_GP, csErr);
    if (!descPresent(code)) throw new CpuFault(VEC_NP, csErr);
    const scode = this.shadowOrFault(sel);
    const offset = gateOffset(gate, gate32);
    const size = gate32 ? 4 : 2;
    const eflags = this.guestEflags(cpu);
    const csImage = (cpu.segSel[CS] & 0xfffc) | v.cpl;
    let target = v.cpl;
    if (!isConformingCode(code) && dpl < v.cpl) {
      // Inter-privilege: the ring-`dpl` stack from the guest's TSS (32-bit TSS).
      const tss = v.tr;
      const off = (dpl << 3) + 4;
      if (off + 5 > tss.limit) throw new CpuFault(VEC_TS, selectorError(tss.selector, ext));
      const esp = cpu.readSystem32((tss.base + off) >>> 0) >>> 0;
      const ss = cpu.readSystem16((tss.base + off + 4) >>> 0);
      const ssErr = selectorError(ss, ext);
      if (isNullSelector(ss)) throw new CpuFault(VEC_TS, ext);
      const gss = this.guestDescriptor(cpu, ss, VEC_TS, ssErr);
      if ((ss & 3) !== dpl || descDpl(gss) !== dpl || !isWritableData(gss)) throw new CpuFault(VEC_TS, ssErr);
      if (!descPresent(gss)) throw new CpuFault(VEC_SS, ssErr);
      const sss = this.shadowOrFault(ss);
      const frame = new StackFrame(cpu, stackOfDescriptor(sss), esp, false, ssErr);
      frame.push(size, (cpu.segSel[SS] & 0xfffc) | v.cpl);
      frame.push(size, cpu.r32[4]);
      frame.push(size, eflags);
      frame.push(size, csImage);
      frame.push(size, cpu.eip);
      if (errorCode >= 0) frame.push(size, errorCode);
      if (offset > descLimit(scode)) throw new CpuFault(VEC_GP, ext);
      frame.commit();
      loadCache(cpu, SS, (ss & 0xfffc) | this.physRing(dpl), sss);
      cpu.r32[4] = frame.finalEsp;
      target = dpl;
    } else {
      const frame = new StackFrame(cpu, currentStack(cpu, SS), cpu.r32[4], cpu.cpl === 3, ext);
      frame.push(size, eflags);
      frame.push(size, csImage);
      frame.push(size, cpu.eip);
      if (errorCode >= 0) frame.push(size, errorCode);
      if (offset > descLimit(scode)) throw new CpuFault(VEC_GP, ext);
      frame.commit();
      cpu.r32[4] = frame.finalEsp;
    }
    loadCache(cpu, CS, (sel & 0xfffc) | this.physRing(target), scode);
    cpu.eip = offset;
    cpu.setEflags((cpu.getEflags() & ~(FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM)) | FLAG_IF);
    if (interruptGate) this.setVirtualIf(false);
    v.cpl = target;
    cpu.halted = false;
    cpu.callStack?.event(cpu, vector, errorCode, kind, size);
  }

  private setVirtualIf(on: boolean): void {
    this.virt.interruptFlag = on;
    this.bareIf = on;
  }

  /** EFLAGS as the guest believes it: the physical flags with the virtual IF and IOPL. */
  private guestEflags(cpu: Cpu): number {
    const v = this.virt;
    const fl = cpu.getEflags() & ~(FLAG_IF | FLAG_IOPL);
    return (fl | (v.interruptFlag ? FLAG_IF : 0) | (v.iopl << 12)) >>> 0;
  }

  /** Injects held interrupts while the guest's virtual IF allows. */
  private injectPending(cpu: Cpu): void {
    const v = this.virt;
    while (v.interruptFlag && v.pendingInterrupts.length > 0 && !this.shadowStep) {
      const vector = v.pendingInterrupts.shift() ?? 0;
      const eip = cpu.eip;
      this.reflect(cpu, vector, -1, 'external');
      const costs = this.c.costs;
      this.exit('interrupt', 'EXTERNAL_INTERRUPT', undefined, eip, '', { vector, injected: true }, costs.reflectEvent, `injected held vector 0x${vector.toString(16)}`);
    }
  }

  private beginShadowStep(cpu: Cpu): void {
    this.guestTf = (cpu.getEflags() & FLAG_TF) !== 0;
    this.shadowStep = true;
    cpu.setEflags(cpu.getEflags() | FLAG_TF);
  }

  /** Ends a pending STI-shadow single step; true when one was active. */
  private endShadowStep(cpu: Cpu): boolean {
    if (!this.shadowStep) return false;
    this.shadowStep = false;
    if (!this.guestTf) cpu.setEflags(cpu.getEflags() & ~FLAG_TF);
    return true;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** A 16-bit selector operand (r/m16) of MOV Sreg, LLDT, LTR. */
  private selectorOperand(cpu: Cpu, op: Op, info: OpInfo, index: number): number {
    if (info.opKinds[index] === OpKind.Memory) return cpu.rd16(op.seg, op.ea(cpu, op));
    const r = info.regs[index];
    if (r >= Register.EAX && r <= Register.EDI) return cpu.r32[r - Register.EAX] & 0xffff;
    if (r >= Register.AX && r <= Register.DI) return cpu.r16[(r - Register.AX) * 2];
    throw new Reflect();
  }

  /** Re-copies the guest's GDT/LDT into the shadows and keeps the VMM window mapped; true when a shadow entry changed. */
  private syncShadow(): boolean {
    const cpu = this.c.cpu;
    if (cpu.paging && this.shadow.mapWindow()) cpu.flushTlb();
    const gdt = this.shadow.sync(this.virt.gdtr.base, this.virt.gdtr.limit);
    return this.syncTssStack(cpu) || gdt;
  }

  /**
   * The guest kernel's stack for native inter-privilege transfers (a call gate from guest user
   * code to its kernel): the CPU takes the stack of the *physical* target ring from the VMM's TSS,
   * so SS1:ESP1 there mirror the guest's SS0:ESP0 (virtual TR), SS with RPL 1. True when changed.
   */
  private syncTssStack(cpu: Cpu): boolean {
    if (this.guestRing !== 1) return false;
    const tr = this.virt.tr;
    let esp = 0;
    let ss = 0;
    if (!isNullSelector(tr.selector) && tr.limit >= 11) {
      try {
        esp = cpu.readSystem32((tr.base + 4) >>> 0) >>> 0;
        ss = cpu.readSystem16((tr.base + 8) >>> 0);
      } catch (e) {
        if (!(e instanceof CpuFault)) throw e;
      }
    }
    if (!isNullSelector(ss)) ss = (ss & 0xfffc) | 1;
    const mem = cpu.mem;
    const at = this.layout.tss;
    if ((mem.read32(at + 12) >>> 0) === esp && mem.read16(at + 16) === ss) return false;
    mem.write32(at + 12, esp | 0);
    mem.write16(at + 16, ss);
    return true;
  }

  /**
   * Points the physical GDTR, IDTR, LDTR and TR at the VMM's tables where the CPU can reach them:
   * their physical addresses without paging, the VMM window (VMM_LINEAR) with it, mapped into
   * the current page directory (see shadow.ts).
   */
  private placeTables(cpu: Cpu): void {
    const L = this.layout;
    const paging = cpu.paging;
    if (paging && this.shadow.mapWindow()) cpu.flushTlb();
    cpu.gdtrBase = L.linear(L.gdt, paging) | 0;
    cpu.idtrBase = L.linear(L.idt, paging) | 0;
    cpu.trBase = L.linear(L.tss, paging) | 0;
    if (!isNullSelector(this.virt.ldtr.selector)) cpu.ldtrBase = L.linear(L.ldt, paging) | 0;
  }

  /**
   * The I/O permission bitmap of the guest's TSS (virtual TR) for an access at CPL > IOPL, as the
   * processor would consult it on bare metal (the VMM's own TSS has no bitmap, so every such
   * access faults to the VMM).
   */
  private guestIoBitmapAllows(cpu: Cpu, port: number, size: number): boolean {
    const tr = this.virt.tr;
    if (isNullSelector(tr.selector) || tr.limit < 103) return false;
    try {
      const d = this.guestDescriptor(cpu, tr.selector, VEC_GP, 0);
      if (isSegmentDesc(d) || (descType(d) & 0x9) !== 0x9) return false; // a 32-bit TSS (available or busy)
      const base = cpu.readSystem16((tr.base + 102) >>> 0);
      const at = base + ((port & 0xffff) >>> 3);
      if (at + 1 > tr.limit) return false;
      const bits = cpu.readSystem16((tr.base + at) >>> 0) >>> (port & 7);
      return (bits & ((1 << size) - 1)) === 0;
    } catch (e) {
      if (e instanceof CpuFault) return false;
      throw e;
    }
  }

  /**
   * The RPL the guest meant by a code/stack selector it handed back to the VMM (IRET frame): a
   * selector the hardware produced (PUSH CS, MOV from SS, an interrupt frame built natively)
   * carries the physical ring, not the virtual one. When the descriptor's DPL compresses to that
   * same physical ring, the selector names the guest's own ring `dpl` — which is what the native
   * IRET at the physical ring would have done with it (the PUSH CS hole was recorded already).
   */
  private intendedRpl(sel: number, d: Descriptor): number {
    const rpl = sel & 3;
    const dpl = descDpl(d);
    if (this.virt.cpl === 0 && dpl < rpl && this.physRing(dpl) === this.physRing(rpl) && this.physRing(rpl) === this.guestRing) return dpl;
    return rpl;
  }

  /** A descriptor of the guest's own tables (virtual GDTR and LDTR). */
  private guestDescriptor(cpu: Cpu, sel: number, vector: number, err: number): Descriptor {
    const off = sel & 0xfff8;
    let addr: number;
    if ((sel & 4) !== 0) {
      const ldt = this.virt.ldtr;
      if (isNullSelector(ldt.selector) || off + 7 > ldt.limit) throw new CpuFault(vector, err);
      addr = (ldt.base + off) >>> 0;
    } else {
      if (off + 7 > this.virt.gdtr.limit) throw new CpuFault(vector, err);
      addr = (this.virt.gdtr.base + off) >>> 0;
    }
    return { lo: cpu.readSystem32(addr), hi: cpu.readSystem32((addr + 4) >>> 0), addr };
  }

  private shadowOrFault(sel: number): Descriptor {
    const d = this.shadow.descriptor(sel);
    if (d === null) throw new CpuFault(VEC_GP, selectorError(sel));
    return d;
  }



  private exit(kind: ExitKind, reason: string, reasonNumber: number | undefined, eip: number, instruction: string,
    details: Record<string, number | string | boolean>, cost: number, action: string): void {
    recordExit(this.c, TECHNIQUE, { kind, reason, reasonNumber, eip, instruction, details, cost, action });
  }

  private hole(cpu: Cpu, mnemonic: string, instruction: string, expected: string, observed: string, message: string): void {
    const c = this.c;
    const eip = cpu.opEip >>> 0;
    c.log.hole({
      seq: c.log.nextSeq(), vcpu: 0, technique: TECHNIQUE, kind: 'hole', mnemonic, eip, source: c.sourceAt(eip),
      instruction, expected, observed, message,
    });
  }
}

function isCr(r: number): boolean {
  return r >= Register.CR0 && r <= Register.CR15;
}

function isDr(r: number): boolean {
  return r >= Register.DR0 && r <= Register.DR15;
}

function registerName(r: number): string {
  if (isCr(r)) return `CR${r - Register.CR0}`;
  if (isDr(r)) return `DR${r - Register.DR0}`;
  return `reg ${r}`;
}

/** Size of IN/OUT from the accumulator operand. */
function ioSize(info: OpInfo): 1 | 2 | 4 {
  const acc = info.regs.find((r) => r === Register.AL || r === Register.AX || r === Register.EAX);
  return acc === Register.AL ? 1 : acc === Register.AX ? 2 : 4;
}

/**
 * What LAR, LSL, VERR or VERW answers for a selector whose descriptor words are `d` (null: null
 * selector or beyond the table) at privilege `cpl` (SDM vol. 2: the descriptor types each accepts,
 * the DPL ≥ max(CPL, RPL) check except for conforming code, readability/writability for VERR/VERW;
 * the present bit is not checked). "ZF=0", or "ZF=1" with the loaded value for LAR/LSL.
 */
function accessProbe(m: number, sel: number, d: [number, number] | null, cpl: number, wide: boolean): string {
  if (d === null) return 'ZF=0';
  const [lo, hi] = d;
  const segment = (hi & 0x1000) !== 0;
  const type = (hi >>> 8) & 0xf;
  const dpl = (hi >>> 13) & 3;
  const code = segment && (type & 8) !== 0;
  const conforming = code && (type & 4) !== 0;
  const privOk = conforming || (dpl >= cpl && dpl >= (sel & 3));
  const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
  switch (m) {
    case Mnemonic.Lar:
    case Mnemonic.Lsl: {
      const lar = m === Mnemonic.Lar;
      const validSystem = lar ? [1, 2, 3, 4, 5, 9, 0xb, 0xc] : [1, 2, 3, 9, 0xb];
      if (!segment && !validSystem.includes(type)) return 'ZF=0';
      if (!privOk) return 'ZF=0';
      if (lar) return `ZF=1 ${hex(wide ? hi & 0x00ffff00 : hi & 0xff00)}`;
      let limit = (lo & 0xffff) | (hi & 0x000f0000);
      if ((hi & 0x00800000) !== 0) limit = ((limit << 12) | 0xfff) >>> 0;
      return `ZF=1 ${hex(wide ? limit : limit & 0xffff)}`;
    }
    case Mnemonic.Verr:
      return segment && privOk && (!code || (type & 2) !== 0) ? 'ZF=1' : 'ZF=0';
    default: // VERW
      return segment && !code && (type & 2) !== 0 && privOk ? 'ZF=1' : 'ZF=0';
  }
}
