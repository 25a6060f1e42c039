// Data movement: MOV (general and segment registers), MOVZX/MOVSX, LEA, XCHG, the sign
// extensions, LAHF/SAHF, XLAT, LDS/LES/LFS/LGS/LSS and NOP.
import { Mnemonic } from 'iced-x86';
import type { Exec } from '../op.js';
import { OperandKind, type Insn } from '../insn.js';
import { isReg, operandSize, reader0, readerN, writer0 } from '../operands.js';
import { loadSegment } from '../protection/segments.js';
import { CS, DS, FLAG_AF, FLAG_CF, FLAG_PF, FLAG_SF, FLAG_ZF, VEC_UD } from '../constants.js';
import { CpuFault } from '../fault.js';
import type { OpTable } from './table.js';
import { movSystemRegister } from './system.js';

function mov(insn: Insn): Exec | undefined {
  const [k0, k1] = insn.operands;
  if (k0 === OperandKind.SegReg) {
    if (insn.regs[0] === CS) return undefined; // MOV CS is #UD
    const rd1 = readerN(insn, 1);
    const seg = insn.regs[0];
    return (c, o) => loadSegment(c, seg, rd1(c, o) & 0xffff);
  }
  if (k1 === OperandKind.SegReg) {
    const seg = insn.regs[1];
    if (k0 === OperandKind.Mem) return (c, o) => c.wr16(o.seg, o.ea(c, o), c.segSel[seg]);
    const wr0 = writer0(insn);
    return (c, o) => wr0(c, o, c.segSel[seg]); // a 32-bit destination gets the selector zero-extended
  }
  if (isSystemRegister(k0) || isSystemRegister(k1)) return movSystemRegister(insn);
  if (!isReg(k1) && k1 !== OperandKind.Mem && k1 !== OperandKind.Imm) return undefined;
  if (k0 === OperandKind.Reg32 && k1 === OperandKind.Reg32) {
    return (c, o) => {
      c.r32[o.r0] = c.r32[o.r1];
    };
  }
  if (k0 === OperandKind.Reg32 && k1 === OperandKind.Imm) {
    return (c, o) => {
      c.r32[o.r0] = o.imm;
    };
  }
  if (k0 === OperandKind.Reg32 && k1 === OperandKind.Mem) {
    return (c, o) => {
      c.r32[o.r0] = c.rd32(o.seg, o.ea(c, o));
    };
  }
  const rd1 = readerN(insn, 1);
  const wr0 = writer0(insn);
  return (c, o) => wr0(c, o, rd1(c, o));
}

function isSystemRegister(kind: OperandKind): boolean {
  return kind === OperandKind.ControlReg || kind === OperandKind.DebugReg || kind === OperandKind.TestReg;
}

function extend(signed: boolean) {
  return (insn: Insn): Exec => {
    const from = operandSize(insn, 1);
    const rd1 = readerN(insn, 1);
    const wr0 = writer0(insn);
    if (!signed) return (c, o) => wr0(c, o, rd1(c, o));
    const shift = 32 - from * 8;
    return (c, o) => wr0(c, o, (rd1(c, o) << shift) >> shift);
  };
}

function lea(insn: Insn): Exec | undefined {
  if (insn.operands[1] !== OperandKind.Mem) return undefined;
  const wr0 = writer0(insn);
  return (c, o) => wr0(c, o, o.ea(c, o));
}

function xchg(insn: Insn): Exec {
  const [k0, k1] = insn.operands;
  const size = operandSize(insn, 0);
  if (k0 === OperandKind.Mem || k1 === OperandKind.Mem) {
    // Memory with a register: the register is operand 0 or 1; exchange through an RMW access.
    const regFirst = k0 !== OperandKind.Mem;
    const regIndex = regFirst ? insn.regs[0] : insn.regs[1];
    return (c, o) => {
      const m = c.rmwRead(o.seg, o.ea(c, o), size);
      const r = size === 1 ? c.r8[regIndex] : size === 2 ? c.r16[regIndex] : c.r32[regIndex];
      c.rmwWrite(size, r);
      if (size === 1) c.r8[regIndex] = m;
      else if (size === 2) c.r16[regIndex] = m;
      else c.r32[regIndex] = m;
    };
  }
  const rd0 = reader0(insn);
  const rd1 = readerN(insn, 1);
  const wr0 = writer0(insn);
  return (c, o) => {
    const a = rd0(c, o);
    const b = rd1(c, o);
    wr0(c, o, b);
    if (size === 1) c.r8[o.r1] = a;
    else if (size === 2) c.r16[o.r1] = a;
    else c.r32[o.r1] = a;
  };
}

const cbw: Exec = (c) => {
  c.r16[0] = (c.r8[0] << 24) >> 24;
};
const cwde: Exec = (c) => {
  c.r32[0] = (c.r16[0] << 16) >> 16;
};
const cwd: Exec = (c) => {
  c.r16[4] = (c.r16[0] & 0x8000) !== 0 ? 0xffff : 0;
};
const cdq: Exec = (c) => {
  c.r32[2] = c.r32[0] >> 31;
};

const LAHF_MASK = FLAG_SF | FLAG_ZF | FLAG_AF | FLAG_PF | FLAG_CF;

const lahf: Exec = (c) => {
  c.r8[1] = (c.getEflags() & LAHF_MASK) | 2;
};
const sahf: Exec = (c) => {
  c.setArithFlags(c.r8[1], LAHF_MASK);
};

function xlat(insn: Insn): Exec {
  const seg = insn.memSeg;
  return insn.asz === 4
    ? (c) => {
        c.r8[0] = c.rd8(seg, (c.r32[3] + c.r8[0]) >>> 0);
      }
    : (c) => {
        c.r8[0] = c.rd8(seg, (c.r16[6] + c.r8[0]) & 0xffff);
      };
}

/** LDS/LES/LFS/LGS/LSS r, m16:16/32 — offset then selector; the segment load is checked first. */
function loadFarPointer(seg: number) {
  return (insn: Insn): Exec | undefined => {
    if (insn.operands[1] !== OperandKind.Mem) return undefined;
    const size = operandSize(insn, 0);
    const wr0 = writer0(insn);
    return (c, o) => {
      const ea = o.ea(c, o);
      const offset = size === 4 ? c.rd32(o.seg, ea) : c.rd16(o.seg, ea);
      const selector = c.rd16(o.seg, (ea + size) >>> 0);
      loadSegment(c, seg, selector, false); // only MOV SS and POP SS hold off interrupts
      wr0(c, o, offset);
    };
  };
}

const nop: Exec = () => undefined;

/** PAUSE: a NOP for the CPU, visible to a hypervisor (VT-x PAUSE exiting). */
const pause: Exec = (c, o) => {
  c.intercepts?.special?.(c, o, 'pause');
};

const ud: Exec = () => {
  throw new CpuFault(VEC_UD);
};

export const moveOps: OpTable = {
  [Mnemonic.Mov]: mov,
  [Mnemonic.Movzx]: extend(false),
  [Mnemonic.Movsx]: extend(true),
  [Mnemonic.Lea]: lea,
  [Mnemonic.Xchg]: xchg,
  [Mnemonic.Cbw]: () => cbw,
  [Mnemonic.Cwde]: () => cwde,
  [Mnemonic.Cwd]: () => cwd,
  [Mnemonic.Cdq]: () => cdq,
  [Mnemonic.Lahf]: () => lahf,
  [Mnemonic.Sahf]: () => sahf,
  [Mnemonic.Xlatb]: xlat,
  [Mnemonic.Lds]: loadFarPointer(DS),
  [Mnemonic.Les]: loadFarPointer(0),
  [Mnemonic.Lfs]: loadFarPointer(4),
  [Mnemonic.Lgs]: loadFarPointer(5),
  [Mnemonic.Lss]: loadFarPointer(2),
  [Mnemonic.Nop]: () => nop,
  [Mnemonic.Pause]: () => pause,
  [Mnemonic.Wait]: () => nop,
  [Mnemonic.Ud0]: () => ud,
  [Mnemonic.Ud1]: () => ud,
  [Mnemonic.Ud2]: () => ud,
};
