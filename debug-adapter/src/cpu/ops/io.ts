// IN and OUT: the IOPL / I/O-bitmap check, then the hypervisor's intercept, then the bus.
import { Mnemonic } from 'iced-x86';
import type { Cpu } from '../cpu.js';
import type { Exec, Op } from '../op.js';
import { OperandKind, type Insn } from '../insn.js';
import { checkIoPermission } from '../protection/io-permission.js';
import type { OpTable } from './table.js';

/** Reads a port as the CPU does for IN/INS: permission check, intercept, device. */
export function portRead(c: Cpu, port: number, size: 1 | 2 | 4): number {
  checkIoPermission(c, port, size);
  const hooks = c.intercepts;
  if (hooks?.io !== undefined) {
    c.ioValue = 0;
    if (hooks.io(c, port, size, false, 0) === 'handled') return c.ioValue;
  }
  return c.ioRead(port, size);
}

export function portWrite(c: Cpu, port: number, size: 1 | 2 | 4, value: number): void {
  checkIoPermission(c, port, size);
  const hooks = c.intercepts;
  if (hooks?.io !== undefined && hooks.io(c, port, size, true, value) === 'handled') return;
  c.ioWrite(port, size, value);
}

function portOf(insn: Insn, operand: number): (c: Cpu, o: Op) => number {
  return insn.operands[operand] === OperandKind.Imm ? (_c, o) => o.imm & 0xff : (c) => c.r16[4];
}

function storeAccumulator(c: Cpu, size: number, value: number): void {
  if (size === 1) c.r8[0] = value;
  else if (size === 2) c.r16[0] = value;
  else c.r32[0] = value;
}

function readAccumulator(c: Cpu, size: number): number {
  return size === 1 ? c.r8[0] : size === 2 ? c.r16[0] : c.r32[0];
}

function inInsn(insn: Insn): Exec {
  const size = insn.osz;
  const port = portOf(insn, 1);
  return (c, o) => storeAccumulator(c, size, portRead(c, port(c, o), size));
}

function outInsn(insn: Insn): Exec {
  const size = (insn.operands[1] === OperandKind.Reg8 ? 1 : insn.operands[1] === OperandKind.Reg16 ? 2 : 4) as 1 | 2 | 4;
  const port = portOf(insn, 0);
  return (c, o) => portWrite(c, port(c, o), size, readAccumulator(c, size));
}

export const ioOps: OpTable = {
  [Mnemonic.In]: inInsn,
  [Mnemonic.Out]: outInsn,
};
