// System instructions: descriptor-table registers (LGDT LIDT SGDT SIDT LLDT SLDT LTR STR), the
// machine status word (LMSW SMSW CLTS), control and debug registers (MOV CRn/DRn, compiled from
// move.ts through movSystemRegister), TLB and caches (INVLPG INVD WBINVD), processor
// identification and counters (CPUID RDTSC RDPMC RDMSR WRMSR), descriptor queries (LAR LSL VERR
// VERW ARPL) and the fast system calls (SYSENTER SYSEXIT).
//
// Which instructions need CPL 0 comes from the instruction knowledge base (../../isa); the
// real-mode #UD rules and the conditional privileges (CR4.TSD, CR4.PCE) are applied here.
// Choices where the SDM leaves room, or departs from QEMU:
// - SGDT/SIDT with a 16-bit operand size store the limit and a 24-bit base, the sixth byte 0;
//   LGDT/LIDT with a 16-bit operand size load a 24-bit base (SDM LGDT/SGDT).
// - SMSW and SLDT/STR to a 32-bit register store the whole CR0 / the zero-extended selector
//   (P6 and later); to memory they store 16 bits.
// - MOV to CR0 ignores writes to its reserved bits (they read as 0) and keeps ET = 1, as the SDM
//   describes for IA-32 (QEMU keeps them); PG = 1 with PE = 0, or NW = 1 with CD = 0, is #GP(0).
//   MOV to CR4 with a bit outside CR4_SUPPORTED (VME, PVI, PAE, MCE, OSFXSR ...) is #GP(0).
// - The debug registers hold values but no hardware breakpoints are implemented; DR7.GD does
//   raise #DB (fault, DR6.BD set) on the next MOV DR, and DR4/DR5 alias DR6/DR7 unless CR4.DE.
// - RDPMC: no performance counters exist, so it raises #GP(0) at any CPL (as for an invalid
//   counter number); CPUID reports no performance monitoring.
// - UMIP does not exist on this CPU: SGDT, SIDT, SLDT, STR and SMSW work at any CPL.
import { Mnemonic } from 'iced-x86';
import type { Cpu } from '../cpu.js';
import type { Exec, Op } from '../op.js';
import { OperandKind, type Insn } from '../insn.js';
import { reader0, readerN, writer0 } from '../operands.js';
import { CpuFault } from '../fault.js';
import {
  CR0_CD, CR0_EM, CR0_ET, CR0_MP, CR0_NE, CR0_NW, CR0_PE, CR0_PG, CR0_TS, CR0_WP, CR0_AM,
  CR4_DE, CR4_PGE, CR4_PSE, CR4_SUPPORTED, CR4_TSD, CS, SS, FLAG_IF, FLAG_RF, FLAG_VM, FLAG_ZF,
  VEC_DB, VEC_GP, VEC_NP, VEC_UD,
} from '../constants.js';
import { entryForIcedMnemonic } from '../../isa/iced.js';
import { requiresCpl0 } from '../../isa/index.js';
import { cpuidLeaf } from '../cpuid.js';
import { MSR_SYSENTER_CS, MSR_SYSENTER_EIP, MSR_SYSENTER_ESP, msr32, readMsr, readTsc, writeMsr } from '../msr.js';
import {
  SYS_LDT,
  SYS_TSS16_AVAIL,
  SYS_TSS32_AVAIL,
  descAttr,
  descBase,
  descDpl,
  descLimit,
  descPresent,
  descType,
  fetchDescriptor,
  isCodeDesc,
  isConformingCode,
  isNullSelector,
  isReadableCode,
  isSegmentDesc,
  isWritableData,
  noteCpl,
  selectorError,
  tryDescriptor,
  type Descriptor,
} from '../protection/descriptors.js';
import type { OpTable } from './table.js';

/** CR0 bits that exist on this CPU; the others are reserved (written as 0, read as 0). */
export const CR0_DEFINED = CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG;

function gp0(): never {
  throw new CpuFault(VEC_GP, 0);
}

function ud(): never {
  throw new CpuFault(VEC_UD);
}

/** #UD in real mode (LLDT, SLDT, LTR, STR, LAR, LSL, VERR, VERW, ARPL — SDM "Real-Address Mode Exceptions"). */
function checkProtected(c: Cpu): void {
  if (!c.protectedMode) ud();
}

/** Wraps an Exec with the CPL-0 check when the knowledge base marks the instruction privileged. */
function privileged(insn: Insn, exec: Exec): Exec {
  const entry = entryForIcedMnemonic(insn.mnemonic);
  if (entry === undefined || !entry.privilege.cpl0) return exec;
  return (c, o) => {
    if (c.cpl !== 0) gp0();
    exec(c, o);
  };
}

function modeChanged(c: Cpu, what: 'cr0' | 'cr3' | 'cr4' | 'gdtr' | 'idtr' | 'ldtr' | 'tr'): void {
  c.intercepts?.modeChanged?.(c, what);
}

// ---- descriptor-table registers ---------------------------------------------------------------

/** Address of the n-th byte after a memory operand's offset, wrapped to the address size. */
function next(o: Op, ea: number, n: number): number {
  return o.asz === 4 ? (ea + n) >>> 0 : (ea + n) & 0xffff;
}

function loadTableRegister(idt: boolean) {
  return (insn: Insn): Exec | undefined => {
    if (insn.operands[0] !== OperandKind.Mem) return undefined;
    const baseMask = insn.attrOsz === 2 ? 0xffffff : 0xffffffff;
    return privileged(insn, (c, o) => {
      const ea = o.ea(c, o);
      const limit = c.rd16(o.seg, ea);
      const base = (c.rd32(o.seg, next(o, ea, 2)) & baseMask) >>> 0;
      if (idt) {
        c.idtrBase = base;
        c.idtrLimit = limit;
      } else {
        c.gdtrBase = base;
        c.gdtrLimit = limit;
      }
      modeChanged(c, idt ? 'idtr' : 'gdtr');
    });
  };
}

function storeTableRegister(idt: boolean) {
  return (insn: Insn): Exec | undefined => {
    if (insn.operands[0] !== OperandKind.Mem) return undefined;
    const baseMask = insn.attrOsz === 2 ? 0xffffff : 0xffffffff;
    return (c, o) => {
      const ea = o.ea(c, o);
      const base = ((idt ? c.idtrBase : c.gdtrBase) & baseMask) | 0;
      const limit = idt ? c.idtrLimit : c.gdtrLimit;
      // Both parts are checked before either is written.
      c.linear(o.seg, ea, 2, true);
      c.linear(o.seg, next(o, ea, 2), 4, true);
      c.wr16(o.seg, ea, limit);
      c.wr32(o.seg, next(o, ea, 2), base);
    };
  };
}

function selectorOperand(insn: Insn): (c: Cpu, o: Op) => number {
  const read = reader0(insn);
  return (c, o) => read(c, o) & 0xffff;
}

/** LLDT r/m16: null marks LDTR unusable; otherwise a present LDT descriptor in the GDT. */
function lldt(insn: Insn): Exec {
  const read = selectorOperand(insn);
  return privileged(insn, (c, o) => {
    checkProtected(c);
    const selector = read(c, o);
    if (isNullSelector(selector)) {
      c.ldtrSel = selector;
      c.ldtrBase = 0;
      c.ldtrLimit = 0;
      c.ldtrAttr = 0;
      modeChanged(c, 'ldtr');
      return;
    }
    const err = selectorError(selector);
    if ((selector & 4) !== 0) throw new CpuFault(VEC_GP, err);
    const d = fetchDescriptor(c, selector, VEC_GP, err);
    if (isSegmentDesc(d) || descType(d) !== SYS_LDT) throw new CpuFault(VEC_GP, err);
    if (!descPresent(d)) throw new CpuFault(VEC_NP, err);
    c.ldtrSel = selector;
    c.ldtrBase = descBase(d) | 0;
    c.ldtrLimit = descLimit(d);
    c.ldtrAttr = descAttr(d);
    modeChanged(c, 'ldtr');
  });
}

/** LTR r/m16: an available 16- or 32-bit TSS in the GDT, marked busy in memory and in TR. */
function ltr(insn: Insn): Exec {
  const read = selectorOperand(insn);
  return privileged(insn, (c, o) => {
    checkProtected(c);
    const selector = read(c, o);
    if (isNullSelector(selector)) gp0();
    const err = selectorError(selector);
    if ((selector & 4) !== 0) throw new CpuFault(VEC_GP, err);
    const d = fetchDescriptor(c, selector, VEC_GP, err);
    const type = descType(d);
    if (isSegmentDesc(d) || (type !== SYS_TSS16_AVAIL && type !== SYS_TSS32_AVAIL)) throw new CpuFault(VEC_GP, err);
    if (!descPresent(d)) throw new CpuFault(VEC_NP, err);
    d.hi |= 0x200; // busy
    c.writeSystem8((d.addr + 5) >>> 0, (d.hi >>> 8) & 0xff);
    c.trSel = selector;
    c.trBase = descBase(d) | 0;
    c.trLimit = descLimit(d);
    c.trAttr = descAttr(d);
    modeChanged(c, 'tr');
  });
}

/** SLDT / STR / SMSW: 16 bits to memory, zero-extended (or all of CR0) to a 32-bit register. */
function storeSystemValue(value: (c: Cpu) => number, protectedOnly: boolean) {
  return (insn: Insn): Exec => {
    const write = writer0(insn);
    const wide = insn.operands[0] === OperandKind.Reg32;
    return (c, o) => {
      if (protectedOnly) checkProtected(c);
      const v = value(c);
      write(c, o, wide ? v : v & 0xffff);
    };
  };
}

// ---- CR0 / CR3 / CR4 -----------------------------------------------------------------------

/** MOV to CR0, LMSW and CLTS: validity checks, then the mode change. */
export function writeCr0(c: Cpu, value: number): void {
  const v = ((value & CR0_DEFINED) | CR0_ET) >>> 0;
  if ((v & CR0_PG) !== 0 && (v & CR0_PE) === 0) gp0();
  if ((v & CR0_NW) !== 0 && (v & CR0_CD) === 0) gp0();
  const old = c.cr0 >>> 0;
  if (old === v) return;
  c.cr0 = v | 0;
  if (((old ^ v) & CR0_PE) !== 0) {
    if ((v & CR0_PE) === 0) c.cpl = 0;
    for (let s = 0; s < 6; s++) c.refreshSegmentAccess(s);
  }
  c.modeChanged();
  modeChanged(c, 'cr0');
}

export function writeCr4(c: Cpu, value: number): void {
  if ((value & ~CR4_SUPPORTED) !== 0) gp0();
  const old = c.cr4;
  c.cr4 = value;
  if (((old ^ value) & (CR4_PGE | CR4_PSE)) !== 0) c.flushTlb();
  c.modeChanged();
  modeChanged(c, 'cr4');
}

export function writeCr3(c: Cpu, value: number): void {
  c.cr3 = value;
  c.flushTlb();
  modeChanged(c, 'cr3');
}

function readCr(c: Cpu, n: number): number {
  switch (n) {
    case 0:
      return c.cr0;
    case 2:
      return c.cr2;
    case 3:
      return c.cr3;
    case 4:
      return c.cr4;
    default:
      return ud();
  }
}

function writeCr(c: Cpu, n: number, v: number): void {
  switch (n) {
    case 0:
      writeCr0(c, v);
      return;
    case 2:
      c.cr2 = v;
      return;
    case 3:
      writeCr3(c, v);
      return;
    case 4:
      writeCr4(c, v);
      return;
    default:
      ud();
  }
}

// ---- debug registers -----------------------------------------------------------------------

const DR6_FIXED = 0xffff0ff0 | 0;
const DR6_WRITABLE = 0x0000e00f;
const DR7_WRITABLE = 0xffff23ff | 0;
const DR7_GD = 0x2000;
const DR6_BD = 0x2000;

/** DR4/DR5 alias DR6/DR7 unless CR4.DE (#UD); DR7.GD makes any access a #DB fault. */
function debugRegister(c: Cpu, n: number): number {
  if (n === 4 || n === 5) {
    if ((c.cr4 & CR4_DE) !== 0) ud();
    n += 2;
  }
  if ((c.dr[7] & DR7_GD) !== 0) {
    c.dr[6] |= DR6_BD;
    c.dr[7] &= ~DR7_GD;
    throw new CpuFault(VEC_DB);
  }
  return n;
}

function writeDr(c: Cpu, n: number, v: number): void {
  if (n === 6) c.dr[6] = (v & DR6_WRITABLE) | DR6_FIXED;
  else if (n === 7) c.dr[7] = (v & DR7_WRITABLE) | 0x400;
  else c.dr[n] = v;
}

/**
 * MOV to and from CRn/DRn. iced gives every MOV the same Mnemonic, so move.ts hands the forms
 * with a control, debug or test register to this compiler. Always register operands, always
 * 32 bits; CPL 0 needed (the knowledge base's MOV variants).
 */
export function movSystemRegister(insn: Insn): Exec | undefined {
  const [k0, k1] = insn.operands;
  const cpl0 = requiresCpl0('mov', [shape(insn, 0), shape(insn, 1)]);
  const check = (c: Cpu): void => {
    if (cpl0 && c.cpl !== 0) gp0();
  };
  if (k0 === OperandKind.ControlReg && k1 === OperandKind.Reg32) {
    const n = insn.regs[0];
    if (n !== 0 && n !== 2 && n !== 3 && n !== 4) return undefined;
    return (c, o) => {
      check(c);
      if (c.intercepts?.special?.(c, o, 'cr-write') === 'handled') return;
      writeCr(c, n, c.r32[o.r1]);
    };
  }
  if (k0 === OperandKind.Reg32 && k1 === OperandKind.ControlReg) {
    const n = insn.regs[1];
    if (n !== 0 && n !== 2 && n !== 3 && n !== 4) return undefined;
    return (c, o) => {
      check(c);
      if (c.intercepts?.special?.(c, o, 'cr-read') === 'handled') return;
      c.r32[o.r0] = readCr(c, n);
    };
  }
  if (k0 === OperandKind.DebugReg && k1 === OperandKind.Reg32) {
    const n = insn.regs[0];
    return (c, o) => {
      check(c);
      const reg = debugRegister(c, n);
      if (c.intercepts?.special?.(c, o, 'dr-write') === 'handled') return;
      writeDr(c, reg, c.r32[o.r1]);
    };
  }
  if (k0 === OperandKind.Reg32 && k1 === OperandKind.DebugReg) {
    const n = insn.regs[1];
    return (c, o) => {
      check(c);
      const reg = debugRegister(c, n);
      if (c.intercepts?.special?.(c, o, 'dr-read') === 'handled') return;
      c.r32[o.r0] = c.dr[reg];
    };
  }
  return undefined; // test registers (TR3–TR7) do not exist on this CPU: #UD
}

function shape(insn: Insn, i: number): { kind: 'reg'; name: string } {
  switch (insn.operands[i]) {
    case OperandKind.ControlReg:
      return { kind: 'reg', name: `cr${insn.regs[i]}` };
    case OperandKind.DebugReg:
      return { kind: 'reg', name: `dr${insn.regs[i]}` };
    case OperandKind.TestReg:
      return { kind: 'reg', name: `tr${insn.regs[i]}` };
    default:
      return { kind: 'reg', name: 'eax' };
  }
}

// ---- MSW -----------------------------------------------------------------------------------

/** LMSW r/m16: loads PE, MP, EM, TS; PE can be set but not cleared. */
function lmsw(insn: Insn): Exec {
  const read = selectorOperand(insn);
  return privileged(insn, (c, o) => {
    const v = read(c, o);
    const cr0 = c.cr0 >>> 0;
    writeCr0(c, (cr0 & ~0xe) | (v & 0xf) | (cr0 & CR0_PE));
  });
}

const clts: Exec = (c) => writeCr0(c, c.cr0 & ~CR0_TS);

// ---- TLB and caches ------------------------------------------------------------------------

function invlpg(insn: Insn): Exec | undefined {
  if (insn.operands[0] !== OperandKind.Mem) return undefined;
  return privileged(insn, (c, o) => {
    if (c.intercepts?.special?.(c, o, 'invlpg') === 'handled') return;
    c.flushTlbPage((c.segBase[o.seg] + o.ea(c, o)) >>> 0);
  });
}

const cacheNop: Exec = () => undefined;

// ---- identification, counters, MSRs ---------------------------------------------------------

const cpuid: Exec = (c, o) => {
  if (c.intercepts?.special?.(c, o, 'cpuid') === 'handled') return;
  const [a, b, cx, d] = cpuidLeaf(c.r32[0]);
  c.r32[0] = a;
  c.r32[3] = b;
  c.r32[1] = cx;
  c.r32[2] = d;
};

function setEdxEax(c: Cpu, v: bigint): void {
  c.r32[0] = Number(v & 0xffffffffn) | 0;
  c.r32[2] = Number((v >> 32n) & 0xffffffffn) | 0;
}

/**
 * RDTSC: any CPL unless CR4.TSD (then #GP(0) at CPL > 0). The run loop counts retired
 * instructions per block, so the read ends the block: the next read sees a larger count, and
 * successive reads strictly increase.
 */
const rdtsc: Exec = (c, o) => {
  if ((c.cr4 & CR4_TSD) !== 0 && c.protectedMode && c.cpl !== 0) gp0();
  if (c.intercepts?.special?.(c, o, 'rdtsc') === 'handled') return;
  setEdxEax(c, readTsc(c));
  c.attention = true;
};

/** RDPMC: no performance counters on this CPU — every counter number is invalid. */
const rdpmc: Exec = () => gp0();

function rdmsr(insn: Insn): Exec {
  return privileged(insn, (c, o) => {
    if (c.intercepts?.special?.(c, o, 'rdmsr') === 'handled') return;
    setEdxEax(c, readMsr(c, c.r32[1]));
    c.attention = true; // a TSC read: see RDTSC
  });
}

function wrmsr(insn: Insn): Exec {
  return privileged(insn, (c, o) => {
    if (c.intercepts?.special?.(c, o, 'wrmsr') === 'handled') return;
    writeMsr(c, c.r32[1], (BigInt(c.r32[2] >>> 0) << 32n) | BigInt(c.r32[0] >>> 0));
    c.attention = true;
  });
}

// ---- descriptor queries --------------------------------------------------------------------

/** Visible at the current CPL and the selector's RPL: conforming code always, else DPL ≥ both. */
function visible(c: Cpu, selector: number, d: Descriptor): boolean {
  if (isConformingCode(d)) return true;
  const dpl = descDpl(d);
  return dpl >= c.cpl && dpl >= (selector & 3);
}

/** LAR: code/data segments, TSSs, LDTs, call and task gates (SDM LAR table 3-1). */
const LAR_SYSTEM_TYPES = new Set([1, 2, 3, 4, 5, 9, 0xb, 0xc]);
/** LSL: code/data segments, TSSs and LDTs — no gates. */
const LSL_SYSTEM_TYPES = new Set([1, 2, 3, 9, 0xb]);

function queryDescriptor(c: Cpu, selector: number, systemTypes: ReadonlySet<number>): Descriptor | null {
  if (isNullSelector(selector)) return null;
  const d = tryDescriptor(c, selector);
  if (d === null) return null;
  if (!isSegmentDesc(d) && !systemTypes.has(descType(d))) return null;
  return visible(c, selector, d) ? d : null;
}

function loadAccessOrLimit(lar: boolean) {
  return (insn: Insn): Exec => {
    const read = readerN(insn, 1);
    const wide = insn.operands[0] === OperandKind.Reg32;
    return (c, o) => {
      checkProtected(c);
      const d = queryDescriptor(c, read(c, o) & 0xffff, lar ? LAR_SYSTEM_TYPES : LSL_SYSTEM_TYPES);
      c.setFlag(FLAG_ZF, d !== null);
      if (d === null) return;
      const v = lar ? d.hi & 0x00f0ff00 : descLimit(d);
      if (wide) c.r32[o.r0] = v;
      else c.r16[o.r0] = v & 0xffff;
    };
  };
}

function verify(write: boolean) {
  return (insn: Insn): Exec => {
    const read = selectorOperand(insn);
    return (c, o) => {
      checkProtected(c);
      const selector = read(c, o);
      let ok = false;
      if (!isNullSelector(selector)) {
        const d = tryDescriptor(c, selector);
        if (d !== null && isSegmentDesc(d)) {
          ok = write ? isWritableData(d) : !isCodeDesc(d) || isReadableCode(d);
          ok &&= visible(c, selector, d);
        }
      }
      c.setFlag(FLAG_ZF, ok);
    };
  };
}

/** ARPL r/m16, r16: raise the destination's RPL to the source's (ZF = 1), else ZF = 0. */
function arpl(insn: Insn): Exec {
  const read = reader0(insn, true);
  const write = writer0(insn, true);
  const src = readerN(insn, 1);
  return (c, o) => {
    checkProtected(c);
    const dest = read(c, o);
    const rpl = src(c, o) & 3;
    const adjust = (dest & 3) < rpl;
    write(c, o, adjust ? (dest & ~3) | rpl : dest);
    c.setFlag(FLAG_ZF, adjust);
  };
}

// ---- SYSENTER / SYSEXIT ----------------------------------------------------------------------

/** Flat 4 GiB segments the fast system calls load: code type 0xB, data type 3, D/B = 1, G = 1. */
const FLAT_CODE = 0xc09b;
const FLAT_DATA = 0xc093;

function sysenterCs(c: Cpu): number {
  const cs = msr32(c, MSR_SYSENTER_CS) & 0xffff;
  if (!c.protectedMode || (cs & 0xfffc) === 0) gp0();
  return cs;
}

/** SYSENTER: to CPL 0 at SYSENTER_CS:SYSENTER_EIP, SS = CS + 8, ESP = SYSENTER_ESP; IF, VM, RF cleared. */
const sysenter: Exec = (c) => {
  const cs = sysenterCs(c);
  const before = c.cpl;
  c.setEflags(c.getEflags() & ~(FLAG_IF | FLAG_VM | FLAG_RF));
  c.setSegmentCache(CS, cs & 0xfffc, 0, 0xffffffff, FLAT_CODE);
  c.setSegmentCache(SS, (cs + 8) & 0xfffc, 0, 0xffffffff, FLAT_DATA);
  c.cpl = 0;
  c.r32[4] = msr32(c, MSR_SYSENTER_ESP);
  c.eip = msr32(c, MSR_SYSENTER_EIP);
  noteCpl(c, before);
};

/** SYSEXIT (CPL 0): to CPL 3 at (SYSENTER_CS + 16) | 3 : EDX, SS = (SYSENTER_CS + 24) | 3, ESP = ECX. */
function sysexit(insn: Insn): Exec {
  return privileged(insn, (c) => {
    const cs = sysenterCs(c);
    const before = c.cpl;
    c.setSegmentCache(CS, ((cs + 16) & 0xfffc) | 3, 0, 0xffffffff, FLAT_CODE | 0x60);
    c.setSegmentCache(SS, ((cs + 24) & 0xfffc) | 3, 0, 0xffffffff, FLAT_DATA | 0x60);
    c.cpl = 3;
    c.r32[4] = c.r32[1];
    c.eip = c.r32[2] >>> 0;
    noteCpl(c, before);
  });
}

export const systemOps: OpTable = {
  [Mnemonic.Lgdt]: loadTableRegister(false),
  [Mnemonic.Lidt]: loadTableRegister(true),
  [Mnemonic.Sgdt]: storeTableRegister(false),
  [Mnemonic.Sidt]: storeTableRegister(true),
  [Mnemonic.Lldt]: lldt,
  [Mnemonic.Sldt]: storeSystemValue((c) => c.ldtrSel, true),
  [Mnemonic.Ltr]: ltr,
  [Mnemonic.Str]: storeSystemValue((c) => c.trSel, true),
  [Mnemonic.Lmsw]: lmsw,
  [Mnemonic.Smsw]: storeSystemValue((c) => c.intercepts?.visibleCr0?.(c) ?? c.cr0, false),
  [Mnemonic.Clts]: (insn) => privileged(insn, clts),
  [Mnemonic.Invlpg]: invlpg,
  [Mnemonic.Invd]: (insn) => privileged(insn, cacheNop),
  [Mnemonic.Wbinvd]: (insn) => privileged(insn, cacheNop),
  [Mnemonic.Cpuid]: () => cpuid,
  [Mnemonic.Rdtsc]: () => rdtsc,
  [Mnemonic.Rdpmc]: () => rdpmc,
  [Mnemonic.Rdmsr]: rdmsr,
  [Mnemonic.Wrmsr]: wrmsr,
  [Mnemonic.Lar]: loadAccessOrLimit(true),
  [Mnemonic.Lsl]: loadAccessOrLimit(false),
  [Mnemonic.Verr]: verify(false),
  [Mnemonic.Verw]: verify(true),
  [Mnemonic.Arpl]: arpl,
  [Mnemonic.Sysenter]: () => sysenter,
  [Mnemonic.Sysexit]: sysexit,
};
