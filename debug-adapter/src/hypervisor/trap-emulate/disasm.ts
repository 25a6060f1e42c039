// The VMM's view of one decoded guest instruction: its NASM text (kept on the Op) and iced's
// operand facts, decoded once per Op from its bytes (the CPU's Op keeps only what its semantics need).
import { Decoder, DecoderOptions, Instruction } from 'iced-x86';
import type { Op } from '../../cpu/op.js';

export interface OpInfo {
  text: string;
  code: number;
  opKinds: number[];
  regs: number[];
}

const cache = new WeakMap<Op, OpInfo>();

export function opInfo(op: Op, code32: boolean): OpInfo {
  const hit = cache.get(op);
  if (hit !== undefined) return hit;
  const decoder = new Decoder(code32 ? 32 : 16, op.bytes, DecoderOptions.None);
  const instr = new Instruction();
  try {
    decoder.ip = BigInt(op.linear >>> 0);
    decoder.decodeOut(instr);
    const count = instr.opCount;
    const opKinds: number[] = [];
    const regs: number[] = [];
    for (let i = 0; i < count; i++) {
      opKinds.push(instr.opKind(i));
      regs.push(instr.opRegister(i));
    }
    const info: OpInfo = { text: op.text, code: instr.code, opKinds, regs };
    cache.set(op, info);
    return info;
  } finally {
    instr.free();
    decoder.free();
  }
}
