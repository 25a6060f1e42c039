// Effective-address functions and generic operand accessors, chosen once at decode time.
import type { Cpu } from './cpu.js';
import type { EaFn, Op, Reader, Writer } from './op.js';
import { OperandKind, type Insn } from './insn.js';

const ea32Disp: EaFn = (_c, o) => o.disp >>> 0;
const ea32Base: EaFn = (c, o) => (c.r32[o.base] + o.disp) >>> 0;
const ea32Index: EaFn = (c, o) => ((c.r32[o.index] << o.scale) + o.disp) >>> 0;
const ea32BaseIndex: EaFn = (c, o) => (c.r32[o.base] + (c.r32[o.index] << o.scale) + o.disp) >>> 0;
const ea16Disp: EaFn = (_c, o) => o.disp & 0xffff;
const ea16Base: EaFn = (c, o) => (c.r16[o.base] + o.disp) & 0xffff;
const ea16BaseIndex: EaFn = (c, o) => (c.r16[o.base] + c.r16[o.index] + o.disp) & 0xffff;

export function eaFunction(insn: Insn): EaFn {
  const hasBase = insn.memBase >= 0;
  const hasIndex = insn.memIndex >= 0;
  if (insn.asz === 2) {
    if (hasBase && hasIndex) return ea16BaseIndex;
    if (hasBase) return ea16Base;
    if (hasIndex) return ea16Base; // decode.ts moves a lone 16-bit index into base
    return ea16Disp;
  }
  if (hasBase && hasIndex) return ea32BaseIndex;
  if (hasBase) return ea32Base;
  if (hasIndex) return ea32Index;
  return ea32Disp;
}

const readR8: Reader = (c, o) => c.r8[o.r0];
const readR16: Reader = (c, o) => c.r16[o.r0];
const readR32: Reader = (c, o) => c.r32[o.r0];
const readM8: Reader = (c, o) => c.rd8(o.seg, o.ea(c, o));
const readM16: Reader = (c, o) => c.rd16(o.seg, o.ea(c, o));
const readM32: Reader = (c, o) => c.rd32(o.seg, o.ea(c, o));
const readImm: Reader = (_c, o) => o.imm;

const read1R8: Reader = (c, o) => c.r8[o.r1];
const read1R16: Reader = (c, o) => c.r16[o.r1];
const read1R32: Reader = (c, o) => c.r32[o.r1];

const writeR8: Writer = (c, o, v) => {
  c.r8[o.r0] = v;
};
const writeR16: Writer = (c, o, v) => {
  c.r16[o.r0] = v;
};
const writeR32: Writer = (c, o, v) => {
  c.r32[o.r0] = v;
};
const writeM8: Writer = (c, o, v) => c.wr8(o.seg, o.ea(c, o), v);
const writeM16: Writer = (c, o, v) => c.wr16(o.seg, o.ea(c, o), v);
const writeM32: Writer = (c, o, v) => c.wr32(o.seg, o.ea(c, o), v);

// Read-modify-write memory operands: the read checks write access and stages the address.
const rmwReadM8: Reader = (c, o) => c.rmwRead(o.seg, o.ea(c, o), 1);
const rmwReadM16: Reader = (c, o) => c.rmwRead(o.seg, o.ea(c, o), 2);
const rmwReadM32: Reader = (c, o) => c.rmwRead(o.seg, o.ea(c, o), 4);
const rmwWriteM8: Writer = (c, _o, v) => c.rmwWrite(1, v);
const rmwWriteM16: Writer = (c, _o, v) => c.rmwWrite(2, v);
const rmwWriteM32: Writer = (c, _o, v) => c.rmwWrite(4, v);

function bySize<T>(size: number, b: T, w: T, d: T): T {
  return size === 1 ? b : size === 2 ? w : d;
}

/** Size in bytes of operand `i`. */
export function operandSize(insn: Insn, i: number): number {
  switch (insn.operands[i]) {
    case OperandKind.Reg8:
      return 1;
    case OperandKind.Reg16:
    case OperandKind.SegReg:
      return 2;
    case OperandKind.Reg32:
    case OperandKind.ControlReg:
    case OperandKind.DebugReg:
    case OperandKind.TestReg:
      return 4;
    case OperandKind.Mem:
      return insn.memSize;
    default:
      return insn.osz;
  }
}

/** Reader for operand 0 (`rmw`: the access is followed by a write back through writer0). */
export function reader0(insn: Insn, rmw = false): Reader {
  const size = operandSize(insn, 0);
  switch (insn.operands[0]) {
    case OperandKind.Reg8:
      return readR8;
    case OperandKind.Reg16:
      return readR16;
    case OperandKind.Reg32:
      return readR32;
    case OperandKind.Mem:
      return rmw ? bySize(size, rmwReadM8, rmwReadM16, rmwReadM32) : bySize(size, readM8, readM16, readM32);
    case OperandKind.Imm:
      return readImm;
    default:
      throw new Error(`operand 0 of '${insn.text}' is not a plain operand`);
  }
}

export function writer0(insn: Insn, rmw = false): Writer {
  const size = operandSize(insn, 0);
  switch (insn.operands[0]) {
    case OperandKind.Reg8:
      return writeR8;
    case OperandKind.Reg16:
      return writeR16;
    case OperandKind.Reg32:
      return writeR32;
    case OperandKind.Mem:
      return rmw ? bySize(size, rmwWriteM8, rmwWriteM16, rmwWriteM32) : bySize(size, writeM8, writeM16, writeM32);
    default:
      throw new Error(`operand 0 of '${insn.text}' is not writable`);
  }
}

/** Reader for operand `i` ≥ 1 (registers use Op.r1; only one memory operand exists). */
export function readerN(insn: Insn, i: number): Reader {
  const size = operandSize(insn, i);
  switch (insn.operands[i]) {
    case OperandKind.Reg8:
      return read1R8;
    case OperandKind.Reg16:
      return read1R16;
    case OperandKind.Reg32:
      return read1R32;
    case OperandKind.Mem:
      return bySize(size, readM8, readM16, readM32);
    case OperandKind.Imm:
      return readImm;
    default:
      throw new Error(`operand ${i} of '${insn.text}' is not a plain operand`);
  }
}

export function isReg(kind: OperandKind): boolean {
  return kind === OperandKind.Reg8 || kind === OperandKind.Reg16 || kind === OperandKind.Reg32;
}

/** Mask for a width in bytes. */
export function maskOf(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
}

export type { Cpu, Op };
