// Stack frames: the current instruction, then the return addresses found by walking the EBP
// chain ([EBP] = caller's EBP, [EBP+4] = return address), each named by the nearest label and
// placed at its source line.
import type { Engine } from '../engine/engine.js';
import type { ProgramIndex } from './program-index.js';

export interface Frame {
  /** Guest EIP of the frame (the return address for callers). */
  eip: number;
  name: string;
  file?: string;
  line?: number;
}

const MAX_FRAMES = 64;
const SS = 2;

export function frameName(index: ProgramIndex, eip: number): string {
  const label = index.nearestLabel(eip, true);
  return label === undefined ? `0x${(eip >>> 0).toString(16).padStart(8, '0')}` : label.name;
}

function dwordAt(engine: Engine, linear: number): number | undefined {
  const b = engine.readLinear(linear, 4);
  return b === null ? undefined : (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

export function stackFrames(engine: Engine, index: ProgramIndex, limit = MAX_FRAMES): Frame[] {
  const make = (eip: number, caller: boolean): Frame => {
    // A caller's line is the one of its call: the instruction before the return address.
    let at = eip;
    if (caller) {
      const i = index.instructionIndex(eip) - 1;
      if (i >= 0) at = index.instructionStarts[i];
    }
    const pos = engine.sourceAt(at);
    return { eip, name: frameName(index, at), file: pos?.file, line: pos?.line };
  };
  const eip = engine.guestEip;
  const frames = [make(eip, false)];
  const cpu = engine.cpu;
  if (!cpu.code32) return frames;
  const ssBase = cpu.segBase[SS] >>> 0;
  let ebp = cpu.r32[5] >>> 0;
  const esp = cpu.r32[4] >>> 0;
  // A frame pointer below the stack pointer is stale (no frame set up yet).
  while (frames.length < limit && ebp !== 0 && ebp >= esp) {
    const saved = dwordAt(engine, (ssBase + ebp) >>> 0);
    const ret = dwordAt(engine, (ssBase + ebp + 4) >>> 0);
    if (saved === undefined || ret === undefined) break;
    // Only return addresses into the program's code make frames (no garbage from data words).
    if (index.hasSource && engine.sourceAt(ret) === undefined && index.nearestLabel(ret) === undefined) break;
    frames.push(make(ret, true));
    if (saved <= ebp) break; // the chain goes up the stack, or it ends
    ebp = saved;
  }
  return frames;
}
