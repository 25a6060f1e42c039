// String instructions: MOVS CMPS SCAS LODS STOS INS OUTS (byte, word, dword) with REP, REPE and
// REPNE, either direction (DF), 16- or 32-bit addressing (SI/DI/CX or ESI/EDI/ECX).
//
// The source ([E]SI) uses the instruction's segment (DS or an override: Op.seg); the destination
// ([E]DI) is always ES. A repeated instruction is restartable: the index and count registers are
// updated after every element, so when an element faults they describe the elements already done
// and the run loop's rewind of EIP re-executes the instruction for the rest. At most
// MAX_REP_ITERATIONS elements run per execution; then EIP is set back to the instruction so
// interrupts and the instruction budget are honoured in between (architecturally a REP
// instruction may be interrupted between iterations).
//
// REP MOVS and REP STOS with 32-bit addressing and DF = 0 have a bulk path: whole runs of
// elements that stay within the segment limits, within one page (when paging is on) and inside
// RAM are copied or filled on the physical memory directly (writes into pages holding decoded
// code go through PhysicalMemory.writeBytes, which tells the decoded-code cache). Anything else
// (and any fault) goes through the per-element path.
import { Mnemonic } from 'iced-x86';
import { SEG_DOWN, SEG_READ, SEG_WRITE, type Cpu } from '../cpu.js';
import { REP_E, REP_NONE, type Exec, type Op } from '../op.js';
import { OperandKind, type Insn } from '../insn.js';
import { ES, FLAG_TF } from '../constants.js';
import { portRead, portWrite } from './io.js';
import type { OpTable } from './table.js';

/** Elements one execution of a repeated string instruction processes at most. */
export const MAX_REP_ITERATIONS = 4096;

const MOVS = 0;
const CMPS = 1;
const SCAS = 2;
const LODS = 3;
const STOS = 4;
const INS = 5;
const OUTS = 6;

type Step = (c: Cpu, o: Op) => void;

// ---- registers ---------------------------------------------------------------------------------

function readAcc(c: Cpu, size: number): number {
  return size === 1 ? c.r8[0] : size === 2 ? c.r16[0] : c.r32[0];
}

function writeAcc(c: Cpu, size: number, v: number): void {
  if (size === 1) c.r8[0] = v;
  else if (size === 2) c.r16[0] = v;
  else c.r32[0] = v;
}

function si(c: Cpu, asz: number): number {
  return asz === 4 ? c.r32[6] >>> 0 : c.r16[12];
}

function di(c: Cpu, asz: number): number {
  return asz === 4 ? c.r32[7] >>> 0 : c.r16[14];
}

function advanceSi(c: Cpu, asz: number, delta: number): void {
  if (asz === 4) c.r32[6] += delta;
  else c.r16[12] += delta;
}

function advanceDi(c: Cpu, asz: number, delta: number): void {
  if (asz === 4) c.r32[7] += delta;
  else c.r16[14] += delta;
}

function delta(c: Cpu, size: number): number {
  return c.df ? -size : size;
}

// ---- one element ---------------------------------------------------------------------------------

function stepFor(kind: number, size: 1 | 2 | 4, asz: number): Step {
  const w = size * 8;
  switch (kind) {
    case MOVS:
      return (c, o) => {
        const v = c.readSized(o.seg, si(c, asz), size);
        c.writeSized(ES, di(c, asz), size, v);
        const d = delta(c, size);
        advanceSi(c, asz, d);
        advanceDi(c, asz, d);
      };
    case CMPS:
      return (c, o) => {
        const a = c.readSized(o.seg, si(c, asz), size);
        const b = c.readSized(ES, di(c, asz), size);
        const d = delta(c, size);
        advanceSi(c, asz, d);
        advanceDi(c, asz, d);
        c.flagsSub(a, b, (a - b) | 0, w);
      };
    case SCAS:
      return (c) => {
        const b = c.readSized(ES, di(c, asz), size);
        const a = readAcc(c, size);
        advanceDi(c, asz, delta(c, size));
        c.flagsSub(a, b, (a - b) | 0, w);
      };
    case LODS:
      return (c, o) => {
        writeAcc(c, size, c.readSized(o.seg, si(c, asz), size));
        advanceSi(c, asz, delta(c, size));
      };
    case STOS:
      return (c) => {
        c.writeSized(ES, di(c, asz), size, readAcc(c, size));
        advanceDi(c, asz, delta(c, size));
      };
    case INS:
      return (c) => {
        const off = di(c, asz);
        // Check the destination first so a faulting store does not lose the port's data
        // (QEMU does the same with a dummy store before the port read).
        const lin = c.linear(ES, off, size, true);
        c.phys(lin, true);
        if (size > 1) c.phys((lin + size - 1) >>> 0, true);
        const v = portRead(c, c.r16[4], size);
        c.writeSized(ES, off, size, v);
        advanceDi(c, asz, delta(c, size));
      };
    default: // OUTS
      return (c, o) => {
        const v = c.readSized(o.seg, si(c, asz), size);
        portWrite(c, c.r16[4], size, v);
        advanceSi(c, asz, delta(c, size));
      };
  }
}

// ---- bulk paths (32-bit addressing, DF = 0) -----------------------------------------------------------

/**
 * How many `size`-byte elements from offset `off` of segment `seg` fit the segment limit and
 * (with paging) the current page, up to `max`; 0 when the segment is unusable for the access or
 * expand-down (the per-element path raises the right fault or handles it).
 */
function runLength(c: Cpu, seg: number, off: number, size: number, write: boolean, max: number): number {
  const acc = c.segAcc[seg];
  if ((acc & (write ? SEG_WRITE : SEG_READ)) === 0 || (acc & SEG_DOWN) !== 0) return 0;
  const limit = c.segLimit[seg];
  if (off > limit) return 0;
  let n = Math.min(max, Math.floor((limit - off + 1) / size));
  const lin = (c.segBase[seg] + off) >>> 0;
  if (c.paging) n = Math.min(n, Math.floor((0x1000 - (lin & 0xfff)) / size));
  else n = Math.min(n, Math.floor((0x100000000 - lin) / size));
  return n;
}

/** True when no page of physical [start, end) holds decoded code. */
function noCode(c: Cpu, start: number, end: number): boolean {
  const pages = c.mem.codePages;
  for (let p = start >>> 12, last = (end - 1) >>> 12; p <= last; p++) if (pages[p] !== 0) return false;
  return true;
}

/** Copies a run of MOVS elements; returns how many (0: take the per-element path). */
function movsBulk(c: Cpu, seg: number, size: number, max: number): number {
  const esi = c.r32[6] >>> 0;
  const edi = c.r32[7] >>> 0;
  let n = Math.min(runLength(c, seg, esi, size, false, max), runLength(c, ES, edi, size, true, max));
  if (n <= 1) return 0;
  // Translate (and fault) in the order the first element would.
  const src = c.phys((c.segBase[seg] + esi) >>> 0, false);
  const dst = c.phys((c.segBase[ES] + edi) >>> 0, true);
  const mem = c.mem;
  // A destination just above the source repeats the pattern element by element: copy in
  // chunks no longer than the distance so each chunk reads only bytes already final.
  const gap = dst - src;
  if (gap > 0 && gap < n * size) {
    n = Math.floor(gap / size);
    if (n === 0) return 0;
  }
  const bytes = n * size;
  if (src + bytes > mem.size || dst + bytes > mem.size) return 0;
  if (noCode(c, dst, dst + bytes)) mem.bytes.copyWithin(dst, src, src + bytes);
  else mem.writeBytes(dst, mem.bytes.slice(src, src + bytes)); // tells the decoded-code cache
  c.r32[6] = esi + bytes;
  c.r32[7] = edi + bytes;
  return n;
}

/** Fills a run of STOS elements; returns how many (0: take the per-element path). */
function stosBulk(c: Cpu, size: number, max: number): number {
  const edi = c.r32[7] >>> 0;
  const n = runLength(c, ES, edi, size, true, max);
  if (n <= 1) return 0;
  const dst = c.phys((c.segBase[ES] + edi) >>> 0, true);
  const mem = c.mem;
  const bytes = n * size;
  if (dst + bytes > mem.size) return 0;
  const v = readAcc(c, size);
  const b0 = v & 0xff;
  if (size === 1 || (size === 2 ? v === b0 * 0x101 : (v >>> 0) === b0 * 0x1010101)) {
    mem.bytes.fill(b0, dst, dst + bytes);
  } else if (size === 2) {
    const view = mem.view;
    for (let a = dst, end = dst + bytes; a < end; a += 2) view.setUint16(a, v, true);
  } else {
    const view = mem.view;
    for (let a = dst, end = dst + bytes; a < end; a += 4) view.setInt32(a, v, true);
  }
  // Rewriting the bytes through writeBytes tells the decoded-code cache about them.
  if (!noCode(c, dst, dst + bytes)) mem.writeBytes(dst, mem.bytes.slice(dst, dst + bytes));
  c.r32[7] = edi + bytes;
  return n;
}

// ---- instructions ------------------------------------------------------------------------------------

function setCount(c: Cpu, asz: number, n: number): void {
  if (asz === 4) c.r32[1] = n;
  else c.r16[2] = n;
}

/** Re-executes the instruction later for the remaining elements. */
function yieldRepeat(c: Cpu): void {
  c.eip = c.opEip;
  c.attention = true;
}

/**
 * Elements to run before re-executing the instruction. Under TF one: the single-step trap comes
 * after each iteration, with EIP still at the instruction, as on hardware (and QEMU).
 */
function repBudget(c: Cpu): number {
  return (c.flagBits & FLAG_TF) !== 0 ? 1 : MAX_REP_ITERATIONS;
}

function repeated(step: Step, asz: number, compare: boolean): Exec {
  return (c, o) => {
    if (o.rep === REP_NONE) {
      step(c, o);
      return;
    }
    let n = asz === 4 ? c.r32[1] >>> 0 : c.r16[2];
    if (n === 0) return;
    const whileEqual = o.rep === REP_E;
    for (let budget = repBudget(c); ; ) {
      step(c, o);
      setCount(c, asz, --n);
      if (n === 0) return;
      if (compare && c.zf() !== whileEqual) return;
      if (--budget === 0) break;
    }
    yieldRepeat(c);
  };
}

/** REP MOVS / REP STOS with 32-bit addressing: bulk runs where possible. */
function repeatedBulk(kind: number, step: Step, size: number): Exec {
  const movs = kind === MOVS;
  return (c, o) => {
    if (o.rep === REP_NONE) {
      step(c, o);
      return;
    }
    let n = c.r32[1] >>> 0;
    if (n === 0) return;
    let budget = repBudget(c);
    while (n !== 0 && budget !== 0) {
      const max = Math.min(n, budget);
      // A memory watch must see every element, so it takes the per-element path.
      let done = c.df || c.memoryWatch !== null ? 0 : movs ? movsBulk(c, o.seg, size, max) : stosBulk(c, size, max);
      if (done === 0) {
        step(c, o);
        done = 1;
      }
      n -= done;
      budget -= done;
      c.r32[1] = n;
    }
    if (n !== 0) yieldRepeat(c);
  };
}

const FORMS: Partial<Record<number, [number, 1 | 2 | 4]>> = {
  [Mnemonic.Movsb]: [MOVS, 1], [Mnemonic.Movsw]: [MOVS, 2], [Mnemonic.Movsd]: [MOVS, 4],
  [Mnemonic.Cmpsb]: [CMPS, 1], [Mnemonic.Cmpsw]: [CMPS, 2], [Mnemonic.Cmpsd]: [CMPS, 4],
  [Mnemonic.Scasb]: [SCAS, 1], [Mnemonic.Scasw]: [SCAS, 2], [Mnemonic.Scasd]: [SCAS, 4],
  [Mnemonic.Lodsb]: [LODS, 1], [Mnemonic.Lodsw]: [LODS, 2], [Mnemonic.Lodsd]: [LODS, 4],
  [Mnemonic.Stosb]: [STOS, 1], [Mnemonic.Stosw]: [STOS, 2], [Mnemonic.Stosd]: [STOS, 4],
  [Mnemonic.Insb]: [INS, 1], [Mnemonic.Insw]: [INS, 2], [Mnemonic.Insd]: [INS, 4],
  [Mnemonic.Outsb]: [OUTS, 1], [Mnemonic.Outsw]: [OUTS, 2], [Mnemonic.Outsd]: [OUTS, 4],
};

function stringInsn(insn: Insn): Exec | undefined {
  const form = FORMS[insn.mnemonic];
  // MOVSD and CMPSD also name SSE2 instructions: only the forms with string operands are ours.
  if (form === undefined || !insn.operands.includes(OperandKind.StringMem)) return undefined;
  const [kind, size] = form;
  const asz = insn.asz;
  const step = stepFor(kind, size, asz);
  if ((kind === MOVS || kind === STOS) && asz === 4) return repeatedBulk(kind, step, size);
  return repeated(step, asz, kind === CMPS || kind === SCAS);
}

export const stringOps: OpTable = Object.fromEntries(Object.keys(FORMS).map((m) => [m, stringInsn]));
