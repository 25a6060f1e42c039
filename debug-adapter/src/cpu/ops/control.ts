// Control transfer: near and far JMP/CALL/RET, Jcc, LOOP/JCXZ, INT n/INT3/INTO/INT1, BOUND,
// IRET and HLT. Protected-mode far transfers and IRET go through ../protection/transfers.
import { Mnemonic } from 'iced-x86';
import type { Cpu } from '../cpu.js';
import type { Exec } from '../op.js';
import { OperandKind, type Insn } from '../insn.js';
import { operandSize, reader0 } from '../operands.js';
import { farCall, farJump, farReturn, interruptReturn } from '../protection/transfers.js';
import { condition, conditionOfMnemonic } from './conditions.js';
import {
  CS, FLAG_OF, VEC_BP, VEC_BR, VEC_DB, VEC_GP, VEC_OF, WRITABLE_FLAGS,
} from '../constants.js';
import { CpuFault } from '../fault.js';
import type { OpTable } from './table.js';

/** Sets EIP to a near target after the CS limit check (#GP(0) beyond it). */
function nearJump(c: Cpu, target: number): void {
  if (target > c.segLimit[CS]) throw new CpuFault(VEC_GP, 0);
  c.eip = target;
}

function targetMask(insn: Insn): number {
  return insn.attrOsz === 4 ? 0xffffffff : 0xffff;
}

function jmp(insn: Insn, op: { imm: number }): Exec | undefined {
  const k0 = insn.operands[0];
  if (k0 === OperandKind.NearBranch) {
    op.imm = insn.branchRel;
    const mask = targetMask(insn);
    return (c, o) => nearJump(c, ((c.eip + o.imm) & mask) >>> 0);
  }
  if (k0 === OperandKind.FarBranch) {
    const size = insn.attrOsz;
    const selector = insn.farSelector;
    const offset = insn.farOffset;
    return (c) => farTransfer(c, false, selector, offset, size);
  }
  if (insn.farIndirect) return farIndirect(insn, false);
  const read0 = reader0(insn);
  const mask = operandSize(insn, 0) === 4 ? 0xffffffff : 0xffff;
  return (c, o) => nearJump(c, (read0(c, o) & mask) >>> 0);
}

function farTransfer(c: Cpu, call: boolean, selector: number, offset: number, size: 2 | 4): void {
  if (c.protectedMode) {
    if (call) farCall(c, selector, offset, size);
    else farJump(c, selector, offset, size);
    return;
  }
  const target = size === 2 ? offset & 0xffff : offset >>> 0;
  if (call) {
    c.push(size, c.segSel[CS]);
    c.push(size, c.eip);
  }
  c.loadRealSegment(CS, selector);
  c.eip = target;
}

function farIndirect(insn: Insn, call: boolean): Exec {
  const size = insn.attrOsz;
  return (c, o) => {
    const ea = o.ea(c, o);
    const offset = size === 4 ? c.rd32(o.seg, ea) >>> 0 : c.rd16(o.seg, ea);
    const selector = c.rd16(o.seg, (ea + size) >>> 0);
    farTransfer(c, call, selector, offset, size);
  };
}

function call(insn: Insn, op: { imm: number }): Exec | undefined {
  const k0 = insn.operands[0];
  const size = insn.attrOsz;
  if (k0 === OperandKind.NearBranch) {
    op.imm = insn.branchRel;
    const mask = targetMask(insn);
    return (c, o) => {
      const target = ((c.eip + o.imm) & mask) >>> 0;
      if (target > c.segLimit[CS]) throw new CpuFault(VEC_GP, 0);
      c.push(size, c.eip);
      c.eip = target;
    };
  }
  if (k0 === OperandKind.FarBranch) {
    const selector = insn.farSelector;
    const offset = insn.farOffset;
    return (c) => farTransfer(c, true, selector, offset, size);
  }
  if (insn.farIndirect) return farIndirect(insn, true);
  const opSize = operandSize(insn, 0);
  const read0 = reader0(insn);
  const mask = opSize === 4 ? 0xffffffff : 0xffff;
  return (c, o) => {
    const target = (read0(c, o) & mask) >>> 0;
    if (target > c.segLimit[CS]) throw new CpuFault(VEC_GP, 0);
    c.push(opSize, c.eip);
    c.eip = target;
  };
}

function ret(insn: Insn): Exec {
  const size = insn.attrOsz;
  const hasImm = insn.operands[0] === OperandKind.Imm;
  return (c, o) => {
    const target = size === 4 ? c.peek(4, 0) >>> 0 : c.peek(2, 0);
    if (target > c.segLimit[CS]) throw new CpuFault(VEC_GP, 0);
    c.sp = c.sp + size + (hasImm ? o.imm & 0xffff : 0);
    c.eip = target;
  };
}

function retf(insn: Insn): Exec {
  const size = insn.attrOsz;
  const hasImm = insn.operands[0] === OperandKind.Imm;
  return (c, o) => {
    const extra = hasImm ? o.imm & 0xffff : 0;
    if (c.protectedMode) {
      farReturn(c, size, extra);
      return;
    }
    const offset = size === 4 ? c.peek(4, 0) >>> 0 : c.peek(2, 0);
    const selector = c.peek(size, size) & 0xffff;
    c.sp = c.sp + 2 * size + extra;
    c.loadRealSegment(CS, selector);
    c.eip = offset;
  };
}

function iret(insn: Insn): Exec {
  const size = insn.attrOsz;
  return (c) => {
    c.attention = true;
    if (c.protectedMode) {
      interruptReturn(c, size);
      return;
    }
    const ip = size === 4 ? c.peek(4, 0) >>> 0 : c.peek(2, 0);
    const cs = c.peek(size, size) & 0xffff;
    const flags = c.peek(size, 2 * size);
    if (ip > 0xffff) throw new CpuFault(VEC_GP, 0);
    c.sp = c.sp + 3 * size;
    const keep = size === 4 ? 0 : c.getEflags() & 0xffff0000;
    c.setEflags(keep | (flags & (size === 4 ? WRITABLE_FLAGS : 0xffff)));
    c.loadRealSegment(CS, cs);
    c.eip = ip;
  };
}

function jcc(insn: Insn, op: { imm: number }): Exec | undefined {
  const cc = conditionOfMnemonic(insn.mnemonic);
  if (cc < 0) return undefined;
  op.imm = insn.branchRel;
  const mask = targetMask(insn);
  if (cc === 4) {
    return (c, o) => {
      if (c.zf()) nearJump(c, ((c.eip + o.imm) & mask) >>> 0);
    };
  }
  if (cc === 5) {
    return (c, o) => {
      if (!c.zf()) nearJump(c, ((c.eip + o.imm) & mask) >>> 0);
    };
  }
  return (c, o) => {
    if (condition(c, cc)) nearJump(c, ((c.eip + o.imm) & mask) >>> 0);
  };
}

/** LOOP/LOOPE/LOOPNE (kind 0/1/2), and JCXZ/JECXZ (kind 3). The counter size is the address size. */
function loop(kind: number) {
  return (insn: Insn, op: { imm: number }): Exec => {
    op.imm = insn.branchRel;
    const mask = targetMask(insn);
    const wide = insn.asz === 4;
    return (c, o) => {
      let count: number;
      if (kind === 3) {
        count = wide ? c.r32[1] : c.r16[2];
        if (count === 0) nearJump(c, ((c.eip + o.imm) & mask) >>> 0);
        return;
      }
      if (wide) count = c.r32[1] = c.r32[1] - 1;
      else count = c.r16[2] = c.r16[2] - 1;
      const taken = count !== 0 && (kind === 0 || (kind === 1 ? c.zf() : !c.zf()));
      if (taken) nearJump(c, ((c.eip + o.imm) & mask) >>> 0);
    };
  };
}

function softwareInterrupt(vector: number | null): (insn: Insn) => Exec {
  return () => (c, o) => c.deliverEvent(vector ?? o.imm & 0xff, -1, 'software');
}

const into: Exec = (c) => {
  if (c.flag(FLAG_OF)) c.deliverEvent(VEC_OF, -1, 'software');
};

/** INT1 (ICEBP): a debug trap that ignores the gate's DPL. */
const int1: Exec = (c) => c.deliverEvent(VEC_DB, -1, 'exception');

function bound(insn: Insn): Exec {
  const size = operandSize(insn, 0);
  const shift = 32 - size * 8;
  return (c, o) => {
    const ea = o.ea(c, o);
    const lower = (c.readSized(o.seg, ea, size) << shift) >> shift;
    const upper = (c.readSized(o.seg, (ea + size) >>> 0, size) << shift) >> shift;
    const index = size === 4 ? c.r32[o.r0] : (c.r16[o.r0] << 16) >> 16;
    if (index < lower || index > upper) throw new CpuFault(VEC_BR);
  };
}

const hlt: Exec = (c, o) => {
  if (c.protectedMode && c.cpl !== 0) throw new CpuFault(VEC_GP, 0);
  if (c.intercepts?.special?.(c, o, 'hlt') === 'handled') return;
  c.halted = true;
  c.attention = true;
};

export const controlOps: OpTable = {
  [Mnemonic.Jmp]: jmp,
  [Mnemonic.Call]: call,
  [Mnemonic.Ret]: ret,
  [Mnemonic.Retf]: retf,
  [Mnemonic.Iret]: iret,
  [Mnemonic.Iretd]: iret,
  [Mnemonic.Loop]: loop(0),
  [Mnemonic.Loope]: loop(1),
  [Mnemonic.Loopne]: loop(2),
  [Mnemonic.Jcxz]: loop(3),
  [Mnemonic.Jecxz]: loop(3),
  [Mnemonic.Int]: softwareInterrupt(null),
  [Mnemonic.Int3]: softwareInterrupt(VEC_BP),
  [Mnemonic.Into]: () => into,
  [Mnemonic.Int1]: () => int1,
  [Mnemonic.Bound]: bound,
  [Mnemonic.Hlt]: () => hlt,
};

for (const name of ['Jo', 'Jno', 'Jb', 'Jae', 'Je', 'Jne', 'Jbe', 'Ja', 'Js', 'Jns', 'Jp', 'Jnp', 'Jl', 'Jge', 'Jle', 'Jg'] as const) {
  controlOps[Mnemonic[name]] = jcc;
}

