// How an instruction transfers control, from its opcode bytes alone (no decoder on the stepping
// path): calls and software interrupts are stepped over by `next`, returns end `stepOut`.
import type { Engine } from '../engine/engine.js';

export type FlowKind = 'call' | 'return' | 'interrupt' | 'other';

const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);

export function flowKind(bytes: Uint8Array): FlowKind {
  let i = 0;
  while (i < bytes.length - 1 && i < 4 && PREFIXES.has(bytes[i])) i++;
  switch (bytes[i]) {
    case 0xe8: // call rel
    case 0x9a: // call far ptr
      return 'call';
    case 0xff: {
      const reg = ((bytes[i + 1] ?? 0) >> 3) & 7;
      return reg === 2 || reg === 3 ? 'call' : 'other'; // call r/m, call far m
    }
    case 0xc3:
    case 0xc2:
    case 0xcb:
    case 0xca:
    case 0xcf: // ret, ret imm, retf, retf imm, iret
      return 'return';
    case 0xcc:
    case 0xcd:
    case 0xce: // int3, int n, into
      return 'interrupt';
    default:
      return 'other';
  }
}

export function flowKindAt(engine: Engine, linear: number): FlowKind {
  const bytes = engine.readLinear(linear, 6) ?? engine.readLinear(linear, 2);
  return bytes === null ? 'other' : flowKind(bytes);
}
