// Stack instructions: PUSH/POP of registers, memory, immediates and segment registers,
// PUSHA/POPA, PUSHF/POPF (with the privilege rules for IF and IOPL), ENTER and LEAVE.
import { Mnemonic } from 'iced-x86';
import type { Cpu } from '../cpu.js';
import type { Exec } from '../op.js';
import { OperandKind, type Insn } from '../insn.js';
import { operandSize } from '../operands.js';
import { loadSegment } from '../protection/segments.js';
import {
  ARITH_FLAGS, CS, FLAG_AC, FLAG_DF, FLAG_ID, FLAG_IF, FLAG_IOPL, FLAG_NT, FLAG_RF, FLAG_TF, FLAG_VM, SS,
} from '../constants.js';
import type { OpTable } from './table.js';

function push(insn: Insn): Exec | undefined {
  const k0 = insn.operands[0];
  switch (k0) {
    case OperandKind.Reg32:
      return (c, o) => c.push(4, c.r32[o.r0]);
    case OperandKind.Reg16:
      return (c, o) => c.push(2, c.r16[o.r0]);
    case OperandKind.SegReg: {
      const size = insn.attrOsz;
      const seg = insn.regs[0];
      return (c) => c.push(size, c.segSel[seg]);
    }
    case OperandKind.Imm: {
      const size = insn.attrOsz;
      return (c, o) => c.push(size, o.imm);
    }
    case OperandKind.Mem: {
      const size = operandSize(insn, 0);
      return (c, o) => c.push(size, c.readSized(o.seg, o.ea(c, o), size));
    }
    default:
      return undefined;
  }
}

/** Restores the stack pointer when the rest of an instruction faults after it popped. */
function withStackRollback(c: Cpu, body: () => void): void {
  const esp = c.r32[4];
  try {
    body();
  } catch (e) {
    c.r32[4] = esp;
    throw e;
  }
}

function pop(insn: Insn): Exec | undefined {
  const k0 = insn.operands[0];
  switch (k0) {
    case OperandKind.Reg32:
      return (c, o) => {
        const v = c.pop(4);
        c.r32[o.r0] = v;
      };
    case OperandKind.Reg16:
      return (c, o) => {
        const v = c.pop(2);
        c.r16[o.r0] = v;
      };
    case OperandKind.SegReg: {
      const size = insn.attrOsz;
      const seg = insn.regs[0];
      if (seg === CS) return undefined;
      return (c) => {
        const selector = c.peek(size, 0) & 0xffff;
        loadSegment(c, seg, selector);
        c.sp = c.sp + size;
      };
    }
    case OperandKind.Mem: {
      const size = operandSize(insn, 0);
      // The destination address is computed after ESP is incremented (SDM POP).
      return (c, o) =>
        withStackRollback(c, () => {
          const v = c.pop(size);
          c.writeSized(o.seg, o.ea(c, o), size, v);
        });
    }
    default:
      return undefined;
  }
}

function pusha(size: 2 | 4): Exec {
  return (c) => {
    const sp = c.sp;
    const mask = c.stack32 ? 0xffffffff : 0xffff;
    for (let i = 0; i < 8; i++) {
      const value = i === 4 ? sp : size === 4 ? c.r32[i] : c.r16[i * 2];
      c.writeSized(SS, ((sp - (i + 1) * size) & mask) >>> 0, size, value);
    }
    c.sp = sp - 8 * size;
  };
}

function popa(size: 2 | 4): Exec {
  return (c) => {
    const sp = c.sp;
    const mask = c.stack32 ? 0xffffffff : 0xffff;
    const values: number[] = [];
    for (let i = 0; i < 8; i++) values.push(c.readSized(SS, ((sp + i * size) & mask) >>> 0, size));
    for (let i = 0; i < 8; i++) {
      const reg = 7 - i;
      if (reg === 4) continue;
      if (size === 4) c.r32[reg] = values[i];
      else c.r16[reg * 2] = values[i];
    }
    c.sp = sp + 8 * size;
  };
}

function pushf(size: 2 | 4): Exec {
  return (c) => c.push(size, c.getEflags() & ~(FLAG_VM | FLAG_RF));
}

/** The EFLAGS bits POPF/IRET may change at the current privilege (SDM POPF, table 4-16). */
export function poppableFlags(c: Cpu, size: 2 | 4): number {
  let mask = ARITH_FLAGS | FLAG_TF | FLAG_DF | FLAG_NT;
  if (size === 4) mask |= FLAG_AC | FLAG_ID;
  if (!c.protectedMode || c.cpl === 0) mask |= FLAG_IOPL;
  if (!c.protectedMode || c.cpl <= c.iopl) mask |= FLAG_IF;
  return size === 2 ? mask & 0xffff : mask;
}

function popf(size: 2 | 4): Exec {
  return (c) => {
    const value = c.peek(size, 0);
    const mask = poppableFlags(c, size);
    c.setEflags(((c.getEflags() & ~mask) | (value & mask)) & ~FLAG_RF);
    c.sp = c.sp + size;
    c.attention = true;
  };
}

function enter(insn: Insn): Exec {
  const size = insn.attrOsz;
  return (c, o) =>
    withStackRollback(c, () => {
      const allocate = o.imm & 0xffff;
      const level = o.imm2 & 31;
      const ebp = c.r32[5];
      c.push(size, size === 4 ? ebp : ebp & 0xffff);
      const frame = c.sp;
      if (level > 0) {
        let bp = c.stack32 ? ebp >>> 0 : ebp & 0xffff;
        for (let i = 1; i < level; i++) {
          bp = c.stack32 ? (bp - size) >>> 0 : (bp - size) & 0xffff;
          c.push(size, c.readSized(SS, bp, size));
        }
        c.push(size, frame);
      }
      const newSp = c.stack32 ? (c.r32[4] - allocate) >>> 0 : (c.r16[8] - allocate) & 0xffff;
      // Touch the lowest byte of the new frame so a stack fault happens here, as on hardware.
      if (allocate > 0) c.readSized(SS, newSp, 1);
      if (size === 4) c.r32[5] = frame;
      else c.r16[10] = frame;
      c.sp = newSp;
    });
}

function leave(insn: Insn): Exec {
  const size = insn.attrOsz;
  return (c) => {
    const sp = c.sp;
    c.sp = c.stack32 ? c.r32[5] : c.r16[10];
    try {
      const v = c.pop(size);
      if (size === 4) c.r32[5] = v;
      else c.r16[10] = v;
    } catch (e) {
      c.sp = sp;
      throw e;
    }
  };
}

export const stackOps: OpTable = {
  [Mnemonic.Push]: push,
  [Mnemonic.Pop]: pop,
  [Mnemonic.Pusha]: () => pusha(2),
  [Mnemonic.Pushad]: () => pusha(4),
  [Mnemonic.Popa]: () => popa(2),
  [Mnemonic.Popad]: () => popa(4),
  [Mnemonic.Pushf]: () => pushf(2),
  [Mnemonic.Pushfd]: () => pushf(4),
  [Mnemonic.Popf]: () => popf(2),
  [Mnemonic.Popfd]: () => popf(4),
  [Mnemonic.Enter]: enter,
  [Mnemonic.Leave]: leave,
};
