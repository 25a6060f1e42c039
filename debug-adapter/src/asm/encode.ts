// Chooses the encoding nasm would choose for one instruction and has iced-x86 encode it.
// nasm's choices, reproduced here: the shortest matching form; sign-extended imm8 forms only for
// plain numbers (not labels) that fit; MR before RM for register pairs; short jumps when the target
// is known and in range; its effective-address rules (base/index hints, [eax*2] split, disp sizes).
import { Encoder, Instruction, OpCodeOperandKind as K, OpKind, Register } from 'iced-x86';
import type { EncodingForm } from '../isa/forms.js';
import type { NasmSyntax } from '../isa/index.js';
import { isSimple, type EaRegister, type Value } from './expr.js';
import { registerByName, type RegisterInfo } from './registers.js';
import type { JumpKind } from './parser.js';

export type EvalOperand =
  | { k: 'reg'; reg: RegisterInfo }
  | { k: 'imm'; v: Value; size?: number; strict: boolean; jump?: JumpKind }
  | { k: 'mem'; ea: EffectiveAddress; size?: number; far: boolean; seg?: RegisterInfo }
  | { k: 'farptr'; seg: Value; off: Value; size?: number };

export interface EffectiveAddress {
  base?: RegisterInfo;
  index?: RegisterInfo;
  scale: number;
  disp: Value;
  /** 16 or 32. */
  addrSize: number;
  /** 0 (none), 1, 2 or 4 bytes, chosen by nasm's rules. */
  dispBytes: number;
}

export class EncodeError extends Error {
  constructor(
    message: string,
    /** Index of the operand the error is about, or -1. */
    readonly operand = -1,
  ) {
    super(message);
  }
}

export interface EncodeRequest {
  mnemonic: string;
  forms: readonly EncodingForm[];
  /** NASM conventions of the instruction, from the knowledge base. */
  syntax?: NasmSyntax;
  prefixes: string[];
  operands: EvalOperand[];
  bits: number;
  address: number;
}

export interface EncodeResult {
  bytes: Uint8Array;
  warnings: string[];
}

const encoders = new Map<number, Encoder>();
function encoderFor(bits: number): Encoder {
  let e = encoders.get(bits);
  if (!e) encoders.set(bits, (e = new Encoder(bits)));
  return e;
}

// ---------------------------------------------------------------------------------------------
// Effective addresses

const REG16_RM: Record<string, number> = { 'bx+si': 0, 'bx+di': 1, 'bp+si': 2, 'bp+di': 3, si: 4, di: 5, bp: 6, bx: 7 };

export function resolveEffectiveAddress(
  regs: EaRegister[],
  disp: Value,
  bits: number,
  nosplit: boolean,
  dispHint: number | undefined,
  addrPrefix: number | undefined,
): EffectiveAddress {
  const merged: EaRegister[] = [];
  for (const r of regs) {
    const m = merged.find((x) => x.reg.name === r.reg.name);
    if (m) {
      m.scale += r.scale;
      m.mul ||= r.mul;
    } else merged.push({ ...r });
  }
  const terms = merged.filter((r) => r.scale !== 0n);
  if (terms.some((r) => r.reg.cls !== 'gpr' || r.reg.size === 8)) throw new EncodeError('invalid effective address');
  const sizes = new Set(terms.map((r) => r.reg.size));
  if (sizes.size > 1) throw new EncodeError('invalid effective address: impossible register combination');
  const addrSize = terms.length ? terms[0].reg.size : (addrPrefix ?? bits);
  if (terms.length > 2) throw new EncodeError('invalid effective address');
  const simple = disp.known && disp.rel === 0;
  const d = addrSize === 32 ? BigInt.asIntN(32, disp.n) : BigInt.asIntN(16, disp.n);
  const fits8 = simple && d >= -128n && d <= 127n;

  if (addrSize === 16) {
    if (terms.some((t) => t.scale !== 1n)) throw new EncodeError('invalid 16-bit effective address');
    const names = terms.map((t) => t.reg.name).sort();
    const key = names.length === 2 ? (names[0] === 'bp' || names[0] === 'bx' ? `${names[0]}+${names[1]}` : `${names[1]}+${names[0]}`) : names[0] ?? '';
    if (key && REG16_RM[key] === undefined) throw new EncodeError('invalid 16-bit effective address');
    const [bn, inn] = key.includes('+') ? key.split('+') : [key, ''];
    const base = bn ? registerByName(bn) : undefined;
    const index = inn ? registerByName(inn) : undefined;
    let dispBytes: number;
    if (!base) dispBytes = 2;
    else if (dispHint === 8) dispBytes = 1;
    else if (dispHint === 16) dispBytes = 2;
    else if (simple && d === 0n && key !== 'bp') dispBytes = 0;
    else dispBytes = fits8 ? 1 : 2;
    return { base, index, scale: 1, disp, addrSize, dispBytes };
  }

  let base: EaRegister | undefined;
  let index: EaRegister | undefined;
  // nasm walks the registers in its register-table order: the first with scale 1 becomes the base.
  const ordered = [...terms].sort((a, b) => (a.reg.name < b.reg.name ? -1 : 1));
  for (const t of ordered) {
    if (t.scale === 1n && !base) base = t;
    else if (!index) index = t;
    else throw new EncodeError('invalid effective address');
  }
  // Hints from the source: the first register written is meant as the base, unless it was multiplied.
  const first = terms[0];
  if (base && index && index.scale === 1n && first) {
    if ((first === index && !first.mul) || (first === base && first.mul)) [base, index] = [index, base];
  }
  let scale = index ? Number(index.scale) : 1;
  if (index && !base && !nosplit) {
    if (scale === 1) [base, index] = [index, undefined];
    else if (scale === 2 || scale === 3 || scale === 5 || scale === 9) {
      base = index;
      scale -= 1;
    }
  }
  if (index && index.reg.name === 'esp') {
    if (scale === 1 && base && base.reg.name !== 'esp') [base, index] = [index, base];
    else throw new EncodeError('invalid effective address: ESP cannot be an index register');
  }
  if (index && ![1, 2, 4, 8].includes(scale)) throw new EncodeError('invalid effective address: scale factor must be 1, 2, 4 or 8');
  let dispBytes: number;
  if (!base) dispBytes = 4;
  else if (dispHint === 8) dispBytes = 1;
  else if (dispHint === 32) dispBytes = 4;
  else if (simple && d === 0n && base.reg.name !== 'ebp') dispBytes = 0;
  else dispBytes = fits8 ? 1 : 4;
  return { base: base?.reg, index: index?.reg, scale, disp, addrSize, dispBytes };
}

// ---------------------------------------------------------------------------------------------
// Operand matching

const REG_KIND_SIZE = new Map<number, number>([
  [K.r8_reg, 8], [K.r8_opcode, 8], [K.r16_reg, 16], [K.r16_opcode, 16], [K.r16_rm, 16],
  [K.r32_reg, 32], [K.r32_opcode, 32], [K.r32_rm, 32],
]);
const RM_KIND_SIZE = new Map<number, number>([
  [K.r8_or_mem, 8], [K.r16_or_mem, 16], [K.r32_or_mem, 32], [K.r16_reg_mem, 16], [K.r32_reg_mem, 32],
]);
const FIXED_REG: Map<number, string> = new Map([
  [K.al, 'al'], [K.ax, 'ax'], [K.eax, 'eax'], [K.cl, 'cl'], [K.dx, 'dx'],
  [K.es, 'es'], [K.cs, 'cs'], [K.ss, 'ss'], [K.ds, 'ds'], [K.fs, 'fs'], [K.gs, 'gs'],
]);
const SHORT_BRANCH = new Set<number>([K.br16_1, K.br32_1]);
const NEAR_BRANCH = new Set<number>([K.br16_2, K.br32_4]);

function gprOfSize(reg: RegisterInfo, size: number): RegisterInfo {
  const base = reg.size === 32 ? reg.name.slice(1) : reg.name;
  return registerByName(size === 32 ? 'e' + base : base)!;
}

function fitsSigned8(v: bigint, width: number): boolean {
  const x = BigInt.asIntN(width, v);
  return x >= -128n && x <= 127n;
}

interface MatchState {
  form: EncodingForm;
  /** Register operands to encode at another size (operand index → bits), e.g. `mov ds, eax` in 16-bit code. */
  coerce: Map<number, number>;
}

function matchOperand(kind: K, op: EvalOperand, form: EncodingForm, req: EncodeRequest, index: number, st: MatchState): boolean {
  switch (op.k) {
    case 'reg': {
      const r = op.reg;
      const fixed = FIXED_REG.get(kind);
      if (fixed) return r.name === fixed;
      const regSize = REG_KIND_SIZE.get(kind) ?? RM_KIND_SIZE.get(kind);
      if (regSize !== undefined) {
        if (r.cls !== 'gpr') return false;
        if (r.size === regSize) return true;
        // Loads of 16-bit system values (`mov sreg, r`, lldt, ltr, lar...) take either register size
        // and nasm encodes them without an operand-size prefix: use the form of the current mode.
        // Only forms that read a 16-bit value qualify (not `mov r16, r/m16`).
        const systemValueForm = form.explicit.length === 1 || form.explicit.includes(K.seg_reg) || form.memoryBytes * 8 !== regSize;
        if (
          r.size !== 8 && regSize !== 8 && form.memoryBytes === 2 && regSize === req.bits &&
          req.syntax?.sizeFreeOperands?.includes(index) && systemValueForm
        ) {
          st.coerce.set(index, regSize);
          return true;
        }
        return false;
      }
      if (kind === K.seg_reg) return r.cls === 'sreg';
      if (kind === K.cr_reg) return r.cls === 'cr';
      if (kind === K.dr_reg) return r.cls === 'dr';
      if (kind === K.tr_reg) return r.cls === 'tr';
      return false;
    }
    case 'mem': {
      // `jmp far [m]`/`call far [m]` need the keyword; lds/les/lss take their far pointer without it.
      if (req.syntax?.farKeyword ? op.far !== form.farMemory : op.far) return false;
      const rmSize = RM_KIND_SIZE.get(kind);
      if (rmSize !== undefined) return op.size === undefined || op.size === form.memoryBytes * 8;
      // A far pointer's size keyword names its offset: `word` is m16:16, `dword` m16:32.
      if (form.farMemory) return op.size === undefined || op.size === (form.memoryBytes - 2) * 8;
      if (kind === K.mem) return op.size === undefined || form.memoryBytes === 0 || op.size === form.memoryBytes * 8;
      if (kind === K.mem_offs) {
        if (op.ea.base || op.ea.index) return false;
        return op.size === undefined || op.size === form.memoryBytes * 8;
      }
      return false;
    }
    case 'imm': {
      const v = op.v;
      if (op.jump === 'far') return false;
      if (SHORT_BRANCH.has(kind) || NEAR_BRANCH.has(kind)) {
        const bits = kind === K.br16_1 || kind === K.br16_2 ? 16 : 32;
        if (op.size !== undefined && op.size !== bits && form.operandSize !== 0) return false;
        // nasm shortens only unsized targets: `jmp dword x` stays near.
        if (SHORT_BRANCH.has(kind)) return op.jump !== 'near' && (op.size === undefined || op.jump === 'short');
        return op.jump !== 'short';
      }
      switch (kind) {
        case K.imm8_const_1:
          return !op.strict && isSimple(v) && v.n === 1n && (op.size === undefined || op.size === 8);
        case K.imm8:
          return op.size === undefined || op.size === 8;
        case K.imm16:
          return op.size === undefined || op.size === 16;
        case K.imm32:
          return op.size === undefined || op.size === 32;
        case K.imm8sex16:
        case K.imm8sex32: {
          const width = kind === K.imm8sex16 ? 16 : 32;
          if (op.size === 8) return true;
          if (op.strict || (op.size !== undefined && op.size !== width)) return false;
          return isSimple(v) && fitsSigned8(v.n, width);
        }
        default:
          return false;
      }
    }
    case 'farptr':
      if (kind === K.farbr2_2) return op.size === undefined ? req.bits === 16 : op.size === 16;
      if (kind === K.farbr4_2) return op.size === undefined ? req.bits === 32 : op.size === 32;
      return false;
  }
}

function formOperandSizeMatchesBits(form: EncodingForm, bits: number): boolean {
  return form.operandSize === 0 || form.operandSize === bits;
}

// ---------------------------------------------------------------------------------------------
// Building and encoding an iced instruction

const IMM_OPKIND = new Map<number, OpKind>([
  [K.imm8, OpKind.Immediate8], [K.imm8_const_1, OpKind.Immediate8], [K.imm16, OpKind.Immediate16],
  [K.imm32, OpKind.Immediate32], [K.imm8sex16, OpKind.Immediate8to16], [K.imm8sex32, OpKind.Immediate8to32],
]);

function build(form: EncodingForm, ops: EvalOperand[], req: EncodeRequest, st: MatchState, warnings: string[]): Instruction {
  const ins = new Instruction();
  ins.code = form.code;
  let explicitIndex = 0;
  let immCount = 0;
  for (let i = 0; i < form.all.length; i++) {
    const kind = form.all[i];
    if (kind === K.seg_rSI || kind === K.es_rDI || kind === K.seg_rDI || kind === K.seg_rBX_al) {
      const a16 = form.addressSize === 16 || (form.addressSize === 0 && addressSizeOf(req) === 16);
      if (kind === K.seg_rSI) ins.setOpKind(i, a16 ? OpKind.MemorySegSI : OpKind.MemorySegESI);
      else if (kind === K.es_rDI) ins.setOpKind(i, a16 ? OpKind.MemoryESDI : OpKind.MemoryESEDI);
      else if (kind === K.seg_rDI) ins.setOpKind(i, a16 ? OpKind.MemorySegDI : OpKind.MemorySegEDI);
      else {
        ins.setOpKind(i, OpKind.Memory);
        ins.memoryBase = a16 ? Register.BX : Register.EBX;
        ins.memoryIndex = Register.AL;
        ins.memoryIndexScale = 1;
      }
      continue;
    }
    if (form.explicit.length === 0) {
      const fixed = FIXED_REG.get(kind);
      if (fixed) {
        ins.setOpKind(i, OpKind.Register);
        ins.setOpRegister(i, registerByName(fixed)!.id);
      }
      continue;
    }
    const op = ops[explicitIndex];
    const opIndex = explicitIndex++;
    switch (op.k) {
      case 'reg': {
        ins.setOpKind(i, OpKind.Register);
        const size = st.coerce.get(opIndex);
        ins.setOpRegister(i, size ? gprOfSize(op.reg, size).id : op.reg.id);
        break;
      }
      case 'mem': {
        ins.setOpKind(i, OpKind.Memory);
        const ea = op.ea;
        ins.memoryBase = ea.base?.id ?? Register.None;
        ins.memoryIndex = ea.index?.id ?? Register.None;
        ins.memoryIndexScale = ea.index ? ea.scale : 1;
        const dispWidth = ea.addrSize === 16 ? 16 : 32;
        const disp = BigInt.asUintN(dispWidth, ea.disp.n);
        ins.memoryDisplacement = disp;
        ins.memoryDisplSize = kind === K.mem_offs ? (ea.addrSize === 16 ? 2 : 4) : ea.dispBytes;
        if (op.seg) ins.segmentPrefix = op.seg.id;
        break;
      }
      case 'imm': {
        if (SHORT_BRANCH.has(kind) || NEAR_BRANCH.has(kind)) {
          const bits = kind === K.br16_1 || kind === K.br16_2 ? 16 : 32;
          ins.setOpKind(i, bits === 16 ? OpKind.NearBranch16 : OpKind.NearBranch32);
          const target = Number(BigInt.asUintN(bits, op.v.n));
          if (bits === 16) ins.nearBranch16 = target;
          else ins.nearBranch32 = target;
          break;
        }
        const opKind = immCount === 1 && form.all.filter((k) => IMM_OPKIND.has(k)).length === 2 && kind === K.imm8 ? OpKind.Immediate8_2nd : IMM_OPKIND.get(kind)!;
        immCount++;
        ins.setOpKind(i, opKind);
        const width = kind === K.imm16 ? 16 : kind === K.imm32 ? 32 : 8;
        checkImmediateRange(op.v, width, kind === K.imm8sex16 ? 16 : kind === K.imm8sex32 ? 32 : 0, warnings);
        const value = Number(BigInt.asUintN(width, op.v.n));
        if (opKind === OpKind.Immediate8to16 || opKind === OpKind.Immediate8to32) ins.setImmediateI32(i, value > 127 ? value - 256 : value);
        else ins.setImmediateU32(i, value);
        break;
      }
      case 'farptr': {
        const is32 = kind === K.farbr4_2;
        ins.setOpKind(i, is32 ? OpKind.FarBranch32 : OpKind.FarBranch16);
        ins.farBranchSelector = Number(BigInt.asUintN(16, op.seg.n));
        if (is32) ins.farBranch32 = Number(BigInt.asUintN(32, op.off.n));
        else ins.farBranch16 = Number(BigInt.asUintN(16, op.off.n));
        break;
      }
    }
  }
  for (const p of req.prefixes) {
    if (p === 'lock') ins.hasLockPrefix = true;
    else if (p === 'rep' || p === 'repe' || p === 'repz') {
      if (form.icedMnemonic.startsWith('Cmps') || form.icedMnemonic.startsWith('Scas')) ins.hasRepePrefix = true;
      else ins.hasRepPrefix = true;
    } else if (p === 'repne' || p === 'repnz') ins.hasRepnePrefix = true;
    else {
      const seg = registerByName(p);
      if (seg?.cls === 'sreg') ins.segmentPrefix = seg.id;
    }
  }
  return ins;
}

function checkImmediateRange(v: Value, width: number, signExtendedTo: number, warnings: string[]): void {
  if (!isSimple(v)) return;
  const n = signExtendedTo ? BigInt.asIntN(signExtendedTo, v.n) : v.n;
  const min = signExtended(signExtendedTo) ? -128n : -(1n << BigInt(width - 1));
  const max = signExtended(signExtendedTo) ? 255n : (1n << BigInt(width)) - 1n;
  if (n < min || n > max) {
    if (width === 8) warnings.push(`byte data exceeds bounds`);
    else if (width === 16) warnings.push(`word data exceeds bounds`);
    else warnings.push(`dword data exceeds bounds`);
  }
}

function signExtended(to: number): boolean {
  return to !== 0;
}

function addressSizeIsExplicit(req: EncodeRequest): boolean {
  return req.prefixes.includes('a16') || req.prefixes.includes('a32') || req.operands.some((o) => o.k === 'mem');
}

function addressSizeOf(req: EncodeRequest): number {
  if (req.prefixes.includes('a16')) return 16;
  if (req.prefixes.includes('a32')) return 32;
  for (const op of req.operands) if (op.k === 'mem' && (op.ea.base || op.ea.index)) return op.ea.addrSize;
  return req.bits;
}

/** A short branch whose target is clearly out of rel8 range is not worth an encode attempt. */
function shortBranchHopeless(form: EncodingForm, ops: EvalOperand[], req: EncodeRequest): boolean {
  const i = form.explicit.findIndex((k) => SHORT_BRANCH.has(k));
  if (i < 0) return false;
  const op = ops[i];
  if (op.k !== 'imm') return false;
  const distance = Number(BigInt.asIntN(32, op.v.n - BigInt(req.address)));
  return distance > 140 || distance < -140;
}

function encodeForm(form: EncodingForm, req: EncodeRequest, ops: EvalOperand[], st: MatchState, warnings: string[]): Uint8Array | undefined {
  if (shortBranchHopeless(form, ops, req)) return undefined;
  const ins = build(form, ops, req, st, warnings);
  try {
    const encoder = encoderFor(req.bits);
    encoder.encode(ins, BigInt(req.address));
    const bytes = encoder.takeBuffer();
    return nasmPrefixOrder(applyManualPrefixes(bytes, form, req));
  } catch {
    // A failed encode (e.g. rel8 out of range) can leave bytes behind in the encoder's buffer.
    encoders.delete(req.bits);
    return undefined;
  } finally {
    ins.free();
  }
}

/** nasm emits legacy prefixes as rep/repne, lock, segment, 66h, 67h; iced orders them differently. */
const PREFIX_RANK: Record<number, number> = { 0x9b: 0, 0xf2: 1, 0xf3: 1, 0xf0: 2, 0x26: 3, 0x2e: 3, 0x36: 3, 0x3e: 3, 0x64: 3, 0x65: 3, 0x66: 4, 0x67: 5 };

function nasmPrefixOrder(bytes: Uint8Array): Uint8Array {
  let n = 0;
  while (n < bytes.length - 1 && PREFIX_RANK[bytes[n]] !== undefined) n++;
  if (n < 2) return bytes;
  const sorted = Array.from(bytes.subarray(0, n)).sort((a, b) => PREFIX_RANK[a] - PREFIX_RANK[b]);
  bytes.set(sorted);
  return bytes;
}

/** o16/o32/a16/a32 prefixes iced does not derive from the form itself. */
function applyManualPrefixes(bytes: Uint8Array, form: EncodingForm, req: EncodeRequest): Uint8Array {
  const extra: number[] = [];
  const wantOp = req.prefixes.includes('o16') ? 16 : req.prefixes.includes('o32') ? 32 : 0;
  if (wantOp && form.operandSize === 0 && wantOp !== req.bits) extra.push(0x66);
  const wantAddr = req.prefixes.includes('a16') ? 16 : req.prefixes.includes('a32') ? 32 : 0;
  const formAddr = form.addressSize;
  if (wantAddr && wantAddr !== req.bits && formAddr === 0 && !req.operands.some((o) => o.k === 'mem' && (o.ea.base || o.ea.index))) {
    if (!bytes.includes(0x67)) extra.push(0x67);
  }
  if (!extra.length) return bytes;
  const out = new Uint8Array(extra.length + bytes.length);
  out.set(extra);
  out.set(bytes, extra.length);
  return out;
}

// ---------------------------------------------------------------------------------------------


interface Candidate {
  form: EncodingForm;
  ops: EvalOperand[];
  st: MatchState;
  swapped: boolean;
}

function candidates(req: EncodeRequest): Candidate[] {
  const out: Candidate[] = [];
  const orders: { ops: EvalOperand[]; swapped: boolean }[] = [{ ops: req.operands, swapped: false }];
  const commutative = req.syntax?.commutative;
  if (commutative && req.operands.length === 2) {
    const swappedOps = { ops: [req.operands[1], req.operands[0]], swapped: true };
    if (commutative === 'reg-first') orders.unshift(swappedOps);
    else orders.push(swappedOps);
  }
  const addrSize = addressSizeOf(req);
  const wantOp = req.prefixes.includes('o16') ? 16 : req.prefixes.includes('o32') ? 32 : 0;
  for (const { ops, swapped } of orders) {
    for (const form of req.forms) {
      if (req.bits === 32 ? !form.mode32 : !form.mode16) continue;
      if (form.explicit.length !== ops.length) continue;
      // A form's address size matters for memory operands and explicit a16/a32; otherwise (jcxz vs
      // jecxz, loop, string instructions) the mnemonic decides and the shortest encoding wins.
      if (form.addressSize !== 0 && form.addressSize !== addrSize && addressSizeIsExplicit(req)) continue;
      if (wantOp && form.operandSize !== 0 && form.operandSize !== wantOp) continue;
      const st: MatchState = { form, coerce: new Map() };
      let ok = true;
      for (let i = 0; i < ops.length && ok; i++) ok = matchOperand(form.explicit[i], ops[i], form, req, i, st);
      if (ok) out.push({ form, ops, st, swapped });
    }
  }
  return out;
}

/** Size pinned by the operands (registers, explicit sizes), or undefined when nothing pins it. */
function operandsPinSize(ops: EvalOperand[]): boolean {
  return ops.some((o) => (o.k === 'reg' && o.reg.cls === 'gpr') || ((o.k === 'mem' || o.k === 'imm') && o.size !== undefined));
}

/** NASM's shorthand forms (from the knowledge base): `imul r, imm` is `imul r, r, imm`; `aam` is `aam 10`. */
function expandShorthand(req: EncodeRequest): EncodeRequest {
  const ops = req.operands;
  if (req.syntax?.duplicatesFirstOperand && ops.length === 2 && ops[0].k === 'reg' && ops[1].k === 'imm') {
    return { ...req, operands: [ops[0], ops[0], ops[1]] };
  }
  const defaults = req.syntax?.defaultOperands;
  if (defaults && ops.length === 0) {
    return { ...req, operands: defaults.map((n) => ({ k: 'imm', v: { n: BigInt(n), rel: 0, known: true }, strict: false })) };
  }
  return req;
}

export function encodeInstruction(request: EncodeRequest): EncodeResult {
  const req = expandShorthand(request);
  let list = candidates(req);
  if (!list.length) throw new EncodeError(noMatchMessage(req));
  // Without a register or size keyword, the forms of different operand sizes are ambiguous, except
  // for those nasm sizes by the mode (near jumps and calls, push/pop of segment registers...).
  const sizes = new Set(list.map((c) => c.form.operandSize));
  if (sizes.size > 1) {
    const hasMem = req.operands.some((o) => o.k === 'mem');
    if (hasMem && !operandsPinSize(req.operands) && !req.syntax?.farKeyword) {
      const memSizes = new Set(list.map((c) => c.form.memoryBytes));
      if (memSizes.size > 1) throw new EncodeError('operation size not specified');
    }
    const byMode = list.filter((c) => formOperandSizeMatchesBits(c.form, req.bits));
    if (byMode.length && !operandsPinSize(req.operands)) list = byMode;
  }
  let best: { bytes: Uint8Array; rank: number; warnings: string[] } | undefined;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    const warnings: string[] = [];
    const bytes = encodeForm(c.form, req, c.ops, c.st, warnings);
    if (!bytes) continue;
    // Equal sizes: prefer the MR form of a register pair (op0 in ModRM.rm), then table order.
    // Then nasm's table order: sign-extended imm8 forms before the full-immediate accumulator forms.
    const mrPenalty = c.form.explicit.length === 2 && RM_KIND_SIZE.has(c.form.explicit[1]) && c.ops[1].k === 'reg' ? 1 : 0;
    const fullImmPenalty = c.form.explicit.some((k) => k === K.imm16 || k === K.imm32) ? 2 : 0;
    const rank = bytes.length * 16 + mrPenalty + fullImmPenalty;
    if (!best || rank < best.rank) best = { bytes, rank, warnings };
  }
  if (!best) {
    const jump = list.find((c) => c.form.explicit.some((k) => SHORT_BRANCH.has(k)));
    if (jump && !list.some((c) => c.form.explicit.some((k) => NEAR_BRANCH.has(k)))) throw new EncodeError('short jump is out of range');
    throw new EncodeError(noMatchMessage(req));
  }
  return { bytes: best.bytes, warnings: best.warnings };
}

/** Whether a short (rel8) form could be used for this branch if the target is in range. */
export function isBranchRequest(req: EncodeRequest): boolean {
  return req.forms.some((f) => f.explicit.some((k) => SHORT_BRANCH.has(k)));
}

function noMatchMessage(req: EncodeRequest): string {
  if (req.operands.some((o) => o.k === 'mem' && o.size === undefined) && !req.operands.some((o) => o.k === 'reg')) {
    const anySized = candidatesIgnoringSize(req);
    if (anySized) return 'operation size not specified';
  }
  return 'invalid combination of opcode and operands';
}

function candidatesIgnoringSize(req: EncodeRequest): boolean {
  return req.forms.some((f) => f.explicit.length === req.operands.length);
}
