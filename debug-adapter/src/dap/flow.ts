// How the instruction at the current EIP transfers control, from the CPU's own decoding (iced's
// FlowControl kept on each Op): calls and software interrupts are stepped over by `next`,
// returns end `stepOut`.
import { FlowControl } from 'iced-x86';
import type { Engine } from '../engine/engine.js';

export type FlowKind = 'call' | 'return' | 'interrupt' | 'other';

export function flowKindOf(flow: number): FlowKind {
  switch (flow) {
    case FlowControl.Call:
    case FlowControl.IndirectCall:
      return 'call';
    case FlowControl.Return:
      return 'return';
    case FlowControl.Interrupt:
      return 'interrupt';
    default:
      return 'other';
  }
}

/** The flow kind of the instruction at CS:EIP ('other' when it cannot be fetched). */
export function flowKindAtEip(engine: Engine): FlowKind {
  const op = engine.cpu.opAt(engine.cpu.eip);
  return op === null ? 'other' : flowKindOf(op.flow);
}
