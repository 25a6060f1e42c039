// The translator of the binary-translation technique: one guest basic block (the CPU's decoded
// Ops, in guest order) in, one translated block out. See bt.ts for the design.
//
// The translation cache (TC) holds the engine's compact form of code — arrays of Ops — which is
// this emulator's "machine code". An innocuous instruction is copied unchanged (IDENT: the very
// same Op object, so the run loop executes it exactly as natively). A sensitive or privileged
// one (knowledge-base class not ordinary, Op.virtClass !== 0) is replaced by a callout Op: a copy
// of the Op whose exec calls into the VMM, which records the callout and emulates the
// instruction against the virtual CPU state. Control transfers are copied as IDENT Ops that
// compute *guest* targets; the dispatcher (bt.ts) chains them to the target's translation by
// looking the guest address up in the cache, so every guest-visible value (a CALL's return
// address, a fault's EIP) stays a guest address.
//
// TC addresses and bytes are modelled: each translated block gets an address in a notional
// VMM-private region (TC_BASE, outside guest-physical memory); IDENT instructions occupy their
// original bytes, a callout occupies a 5-byte `call rel32` into the VMM's handler for that
// mnemonic (CALLOUT_HANDLERS + 16 × handler index).
import { lookupPrefix } from '../../isa/index.js';
import { Mnemonic } from 'iced-x86';
import { Op, type Exec } from '../../cpu/op.js';

/** Start of the notional translation-cache region (VMM-private, never guest-physical). */
export const TC_BASE = 0xfd000000;
/** Start of the notional callout handlers (one 16-byte slot per mnemonic). */
export const CALLOUT_HANDLERS = 0xfcff0000;
/** `call rel32`. */
export const CALLOUT_STUB_BYTES = 5;

export type EntryKind = 'ident' | 'callout';

export interface TcEntry {
  kind: EntryKind;
  /** Guest linear address of the original instruction. */
  guest: number;
  /** Address of the translation in the TC. */
  tc: number;
  /** Bytes in the TC (original bytes for IDENT, the call stub for a callout). */
  bytes: Uint8Array;
  /** The original instruction. */
  op: Op;
  /** Callouts: the lowercase mnemonic (the exit reason). */
  callout?: string;
}

export interface Translation {
  /** Guest linear address of the block's first instruction. */
  guest: number;
  /** Guest bytes covered. */
  guestLength: number;
  /** TC address of the translated block. */
  tc: number;
  /** Bytes the translation occupies in the TC. */
  tcLength: number;
  code32: boolean;
  /** What the run loop executes: IDENT Ops and callout Ops. */
  ops: Op[];
  entries: TcEntry[];
  callouts: number;
}

/** Called by a callout Op: the VMM emulates `original` (EIP already points past it). */
export type CalloutHandler = (original: Op, name: string) => Exec;

/** Lowercase mnemonic of NASM text ('popf', 'out', 'rep outsb' → 'outsb'). */
export function calloutName(text: string, op: Op): string {
  for (const w of text.trim().split(/\s+/)) {
    const word = w.toLowerCase();
    if (word !== '' && lookupPrefix(word) === undefined) return word;
  }
  return ((Mnemonic as unknown as Record<number, string>)[op.mnemonic] ?? 'unknown').toLowerCase();
}

/** Slot of each mnemonic's handler in the notional handler table. */
const handlerSlots = new Map<string, number>();
function handlerAddress(name: string): number {
  let slot = handlerSlots.get(name);
  if (slot === undefined) {
    slot = handlerSlots.size;
    handlerSlots.set(name, slot);
  }
  return (CALLOUT_HANDLERS + slot * 16) >>> 0;
}

function callStub(at: number, target: number): Uint8Array {
  const rel = (target - (at + CALLOUT_STUB_BYTES)) | 0;
  return new Uint8Array([0xe8, rel & 0xff, (rel >>> 8) & 0xff, (rel >>> 16) & 0xff, (rel >>> 24) & 0xff]);
}

/**
 * Translates one guest block. `textOf` gives an instruction's NASM text; `handler` builds the
 * exec of a callout Op for an original sensitive Op.
 */
export function translateBlock(ops: readonly Op[], code32: boolean, tc: number, textOf: (op: Op) => string, handler: CalloutHandler): Translation {
  const out: Op[] = [];
  const entries: TcEntry[] = [];
  let at = tc;
  let guestLength = 0;
  let callouts = 0;
  for (const op of ops) {
    guestLength += op.len;
    if (op.virtClass === 0) {
      out.push(op);
      entries.push({ kind: 'ident', guest: op.linear, tc: at, bytes: op.bytes, op });
      at += op.bytes.length;
      continue;
    }
    const name = calloutName(textOf(op), op);
    const stub = Object.assign(new Op(), op);
    stub.exec = handler(op, name);
    out.push(stub);
    entries.push({ kind: 'callout', guest: op.linear, tc: at, bytes: callStub(at, handlerAddress(name)), op, callout: name });
    at += CALLOUT_STUB_BYTES;
    callouts++;
  }
  return { guest: ops.length > 0 ? ops[0].linear : 0, guestLength, tc, tcLength: at - tc, code32, ops: out, entries, callouts };
}

/** Same instruction bytes (a re-decoded block whose code did not change). */
export function sameBytes(a: readonly Op[], b: readonly Op[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i].bytes;
    const y = b[i].bytes;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
