// The x86 translation-cache emitter of binary translation's 'x86' mode (see tc-vmm.ts for the
// design): one guest basic block (the CPU's decoded Ops, flat 32-bit code) in, real x86 bytes for
// the translation cache out, with a map from every emitted instruction to the guest address it
// stands for.
//
// What each guest instruction becomes (iced-x86 classifies the control flow):
//   - ordinary, not a control transfer, or an indirect JMP / RET / far JMP: copied unchanged
//     (IDENT) — indirect targets are guest addresses, so they land in guest code and the
//     dispatcher (tc-vmm.ts) finds or makes their translation: that is the indirect-branch lookup;
//   - a sensitive or privileged instruction (knowledge-base class not ordinary): `ud2`, a callout
//     the VMM recognises by its TC address and emulates against the virtual CPU state;
//   - an instruction whose semantics expose EIP (indirect near CALL, INT n / INT3 / INTO, far
//     CALL, anything with an operand-size prefix on a branch): `ud2` too, an *emulation* callout
//     (the VMM runs it with EIP set to the guest address: the guest return address is pushed);
//   - JMP rel8/rel32: `jmp rel32` to the target's translation when one exists (chaining), else to
//     the guest address (the dispatcher translates it on arrival);
//   - Jcc rel8/rel32: `jcc rel32` (0F 8x), chained the same way;
//   - LOOP/LOOPE/LOOPNE/JECXZ (rel8 only): `loopcc +2; jmp short +5; jmp rel32 target`;
//   - CALL rel32: `push imm32 <guest return address>; jmp rel32 target` — the guest sees its own
//     return address on the stack;
//   - (branches to guest addresses are back-patched by the VMM once the target is translated);
//   - the end of a block that does not end in an unconditional transfer: `jmp rel32` to the next
//     guest address (chained when translated).
// The `link` instructions (block-end jump, the jump after a CALL's push, LOOP's two ways out) are
// the translator's own: the VMM runs them as retiring nothing (tc-vmm.ts, tcRun).
// Encoding is done by hand: every form emitted is one of the five fixed encodings above (E9, 0F 8x,
// 68, EB, 0F 0B) and the IDENT bytes are the guest's own.
import { LEGACY_PREFIX_BYTES } from '../../isa/index.js';
import { Decoder, DecoderOptions, FlowControl, Instruction } from 'iced-x86';
import type { Op } from '../../cpu/op.js';

export type TcKind = 'ident' | 'callout' | 'emulate' | 'branch' | 'call-push' | 'link';

export interface TcInstr {
  /** TC linear address of the emitted instruction. */
  tc: number;
  bytes: Uint8Array;
  kind: TcKind;
  /** The guest address the CPU state corresponds to when EIP is here. */
  guest: number;
  /** The original instruction (absent for the block-end link). */
  op?: Op;
}

export interface TcBlock {
  guest: number;
  guestLength: number;
  tc: number;
  bytes: Uint8Array;
  instrs: TcInstr[];
  /** Guest addresses this block jumps to directly (for statistics/debugging). */
  targets: number[];
  /** Direct branches emitted to a guest address (not yet chained): where their rel32 lives. */
  unchained: { target: number; relAt: number }[];
}

/** `ud2`: every callout and every block-exit stamp. */
export const UD2 = new Uint8Array([0x0f, 0x0b]);


function rel32(from: number, target: number): number[] {
  const r = (target - from) | 0;
  return [r & 0xff, (r >>> 8) & 0xff, (r >>> 16) & 0xff, (r >>> 24) & 0xff];
}

function imm32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

interface Flow {
  flow: number;
  target: number;
  /** Index of the opcode byte after prefixes. */
  opcodeAt: number;
  opsize16: boolean;
}

function flowOf(op: Op): Flow {
  const decoder = new Decoder(32, op.bytes, DecoderOptions.None);
  const instr = new Instruction();
  try {
    decoder.ip = BigInt(op.linear >>> 0);
    decoder.decodeOut(instr);
    let at = 0;
    let opsize16 = false;
    while (at < op.bytes.length && LEGACY_PREFIX_BYTES.has(op.bytes[at])) {
      if (op.bytes[at] === 0x66) opsize16 = true;
      at++;
    }
    const flow = instr.flowControl;
    const target = flow === FlowControl.UnconditionalBranch || flow === FlowControl.ConditionalBranch || flow === FlowControl.Call ? Number(instr.nearBranchTarget) >>> 0 : 0;
    return { flow, target, opcodeAt: at, opsize16 };
  } finally {
    instr.free();
    decoder.free();
  }
}

/**
 * Translates a flat 32-bit guest block to TC bytes placed at `tc`. `chain(guest)` gives the TC
 * address of the guest address's live translation, or null (the jump then goes to the guest
 * address and the dispatcher takes over there).
 */
export function emitBlock(ops: readonly Op[], tc: number, chain: (guest: number) => number | null): TcBlock {
  const out: number[] = [];
  const instrs: TcInstr[] = [];
  const targets: number[] = [];
  const unchained: TcBlock['unchained'] = [];
  const at = (): number => (tc + out.length) >>> 0;
  const put = (kind: TcKind, guest: number, bytes: number[] | Uint8Array, op?: Op): void => {
    const a = at();
    const b = Uint8Array.from(bytes);
    instrs.push({ tc: a, bytes: b, kind, guest: guest >>> 0, op });
    for (const x of b) out.push(x);
  };
  const jmpTo = (kind: TcKind, guest: number, target: number, op?: Op): void => {
    const chained = chain(target);
    if (chained === null) unchained.push({ target: target >>> 0, relAt: at() + 1 });
    put(kind, guest, [0xe9, ...rel32(at() + 5, chained ?? target)], op);
    targets.push(target >>> 0);
  };
  let endsUnconditionally = false;
  let guestLength = 0;
  for (const op of ops) {
    const g = op.linear >>> 0;
    const next = (g + op.len) >>> 0;
    guestLength += op.len;
    endsUnconditionally = false;
    if (op.virtClass !== 0) {
      put('callout', g, UD2, op);
      continue;
    }
    const f = flowOf(op);
    const opc = op.bytes[f.opcodeAt];
    switch (f.flow) {
      case FlowControl.Next:
      case FlowControl.Exception:
        put('ident', g, op.bytes, op);
        break;
      case FlowControl.Return:
      case FlowControl.IndirectBranch:
        put('ident', g, op.bytes, op);
        endsUnconditionally = true;
        break;
      case FlowControl.UnconditionalBranch:
        if (f.opsize16) put('emulate', g, UD2, op);
        else if (opc === 0xeb || opc === 0xe9) jmpTo('branch', g, f.target, op);
        else put('ident', g, op.bytes, op); // far JMP ptr16:32: an absolute guest target
        endsUnconditionally = true;
        break;
      case FlowControl.ConditionalBranch: {
        if (f.opsize16) {
          put('emulate', g, UD2, op);
          break;
        }
        const chained = chain(f.target);
        const dest = chained ?? f.target;
        targets.push(f.target);
        if (chained === null && ((opc >= 0x70 && opc <= 0x7f) || opc === 0x0f)) unchained.push({ target: f.target, relAt: at() + 2 });
        if (opc >= 0x70 && opc <= 0x7f) {
          put('branch', g, [0x0f, 0x80 + (opc - 0x70), ...rel32(at() + 6, dest)], op);
        } else if (opc === 0x0f) {
          put('branch', g, [0x0f, op.bytes[f.opcodeAt + 1], ...rel32(at() + 6, dest)], op);
        } else {
          // LOOP/LOOPE/LOOPNE/JECXZ: the original with rel8 = +2, then the two ways out.
          const short = Array.from(op.bytes);
          short[short.length - 1] = 0x02;
          put('branch', g, short, op);
          put('link', next, [0xeb, 0x05]);
          if (chained === null) unchained.push({ target: f.target, relAt: at() + 1 });
          put('link', f.target, [0xe9, ...rel32(at() + 5, dest)]);
        }
        break;
      }
      case FlowControl.Call:
        if (f.opsize16 || opc !== 0xe8) {
          put('emulate', g, UD2, op);
        } else {
          put('call-push', g, [0x68, ...imm32(next)], op);
          jmpTo('link', f.target, f.target);
        }
        endsUnconditionally = true;
        break;
      default:
        // IndirectCall, Interrupt (INT n pushes EIP) and anything unusual: emulated by the VMM.
        put('emulate', g, UD2, op);
        break;
    }
  }
  const first = ops.length > 0 ? ops[0].linear >>> 0 : 0;
  if (!endsUnconditionally) jmpTo('link', (first + guestLength) >>> 0, (first + guestLength) >>> 0);
  return { guest: first, guestLength, tc, bytes: Uint8Array.from(out), instrs, targets, unchained };
}
