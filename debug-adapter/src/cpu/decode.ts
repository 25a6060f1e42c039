// iced-x86 decoding → the engine's Op. Runs once per code address; the result is cached by
// block-cache.ts, so nothing here is on the hot path.
import { CpuidFeature, Decoder, DecoderError, DecoderOptions, Formatter, FormatterSyntax, Instruction, MemorySizeExt, Mnemonic, OpKind, Register } from 'iced-x86';
import { classify, LEGACY_PREFIX_BYTES, LOCKABLE_MNEMONICS, lookupMnemonic, VIRT_CLASSES } from '../isa/index.js';
import { entryForInstruction, operandShapes } from '../isa/iced.js';
import { Op, REP_E, REP_NE, REP_NONE, type Exec } from './op.js';
import { OperandKind, type Insn } from './insn.js';
import { eaFunction } from './operands.js';
import { compile } from './ops/index.js';
import { CpuFault } from './fault.js';
import { CR0_EM, CR0_TS, VEC_NM, VEC_UD } from './constants.js';

const R8: Partial<Record<number, number>> = {
  [Register.AL]: 0, [Register.CL]: 4, [Register.DL]: 8, [Register.BL]: 12,
  [Register.AH]: 1, [Register.CH]: 5, [Register.DH]: 9, [Register.BH]: 13,
};
const R16: Partial<Record<number, number>> = {
  [Register.AX]: 0, [Register.CX]: 2, [Register.DX]: 4, [Register.BX]: 6,
  [Register.SP]: 8, [Register.BP]: 10, [Register.SI]: 12, [Register.DI]: 14,
};
const R32: Partial<Record<number, number>> = {
  [Register.EAX]: 0, [Register.ECX]: 1, [Register.EDX]: 2, [Register.EBX]: 3,
  [Register.ESP]: 4, [Register.EBP]: 5, [Register.ESI]: 6, [Register.EDI]: 7,
};
const SREG: Partial<Record<number, number>> = {
  [Register.ES]: 0, [Register.CS]: 1, [Register.SS]: 2, [Register.DS]: 3, [Register.FS]: 4, [Register.GS]: 5,
};

function numbered(prefix: string): Partial<Record<number, number>> {
  const out: Partial<Record<number, number>> = {};
  for (let i = 0; i < 16; i++) {
    const reg = (Register as unknown as Record<string, number>)[`${prefix}${i}`];
    if (reg !== undefined) out[reg] = i;
  }
  return out;
}
const CR = numbered('CR');
const DR = numbered('DR');
const TR = numbered('TR');

/** Index in the Cpu.r16 view (2 × register number) of a 16-bit register, in r32 of a 32-bit one. */
function addressRegister(reg: number): number {
  if (reg === Register.None) return -1;
  const r32 = R32[reg];
  if (r32 !== undefined) return r32;
  const r16 = R16[reg];
  if (r16 !== undefined) return r16;
  return -1;
}

function registerOperand(reg: number): [OperandKind, number] {
  let i = R8[reg];
  if (i !== undefined) return [OperandKind.Reg8, i];
  i = R16[reg];
  if (i !== undefined) return [OperandKind.Reg16, i];
  i = R32[reg];
  if (i !== undefined) return [OperandKind.Reg32, i];
  i = SREG[reg];
  if (i !== undefined) return [OperandKind.SegReg, i];
  i = CR[reg];
  if (i !== undefined) return [OperandKind.ControlReg, i];
  i = DR[reg];
  if (i !== undefined) return [OperandKind.DebugReg, i];
  i = TR[reg];
  if (i !== undefined) return [OperandKind.TestReg, i];
  return [OperandKind.Other, 0];
}

/** The compilers' view of iced's operand kinds other than registers. */
const OPERAND_KINDS = new Map<OpKind, OperandKind>([
  [OpKind.Memory, OperandKind.Mem],
  [OpKind.MemorySegSI, OperandKind.StringMem],
  [OpKind.MemorySegESI, OperandKind.StringMem],
  [OpKind.MemorySegDI, OperandKind.StringMem],
  [OpKind.MemorySegEDI, OperandKind.StringMem],
  [OpKind.MemoryESDI, OperandKind.StringMem],
  [OpKind.MemoryESEDI, OperandKind.StringMem],
  [OpKind.Immediate8, OperandKind.Imm],
  [OpKind.Immediate8_2nd, OperandKind.Imm],
  [OpKind.Immediate16, OperandKind.Imm],
  [OpKind.Immediate32, OperandKind.Imm],
  [OpKind.Immediate8to16, OperandKind.Imm],
  [OpKind.Immediate8to32, OperandKind.Imm],
  [OpKind.NearBranch16, OperandKind.NearBranch],
  [OpKind.NearBranch32, OperandKind.NearBranch],
  [OpKind.FarBranch16, OperandKind.FarBranch],
  [OpKind.FarBranch32, OperandKind.FarBranch],
]);


const formatter = new Formatter(FormatterSyntax.Nasm);

export function formatInstruction(instr: Instruction): string {
  return formatter.format(instr);
}

/** Flattens an iced Instruction into the compilers' view. */
export function toInsn(instr: Instruction, bytes: Uint8Array, bitness: 16 | 32): Insn {
  let opsize66 = false;
  let addr67 = false;
  for (const b of bytes) {
    if (!LEGACY_PREFIX_BYTES.has(b)) break;
    if (b === 0x66) opsize66 = true;
    if (b === 0x67) addr67 = true;
  }
  const attrOsz = (bitness === 32) !== opsize66 ? 4 : 2;
  const asz = (bitness === 32) !== addr67 ? 4 : 2;
  const operands: OperandKind[] = [];
  const regs: number[] = [];
  let imm = 0;
  let imm2 = 0;
  let branchRel = 0;
  let farSelector = 0;
  let farOffset = 0;
  let memSize = 0;
  let sizeFromOperand = 0;
  for (let i = 0; i < instr.opCount; i++) {
    const kind = instr.opKind(i);
    if (kind !== OpKind.Register) {
      operands.push(OPERAND_KINDS.get(kind) ?? OperandKind.Other);
      regs.push(0);
    }
    switch (kind) {
      case OpKind.Register: {
        const [k, index] = registerOperand(instr.opRegister(i));
        operands.push(k);
        regs.push(index);
        if (sizeFromOperand === 0) {
          if (k === OperandKind.Reg8) sizeFromOperand = 1;
          else if (k === OperandKind.Reg16) sizeFromOperand = 2;
          else if (k === OperandKind.Reg32) sizeFromOperand = 4;
        }
        break;
      }
      case OpKind.Memory:
        memSize = MemorySizeExt.size(instr.memorySize);
        if (sizeFromOperand === 0 && (memSize === 1 || memSize === 2 || memSize === 4)) sizeFromOperand = memSize;
        break;
      case OpKind.MemorySegSI:
      case OpKind.MemorySegESI:
      case OpKind.MemorySegDI:
      case OpKind.MemorySegEDI:
      case OpKind.MemoryESDI:
      case OpKind.MemoryESEDI:
        memSize = MemorySizeExt.size(instr.memorySize);
        if (sizeFromOperand === 0) sizeFromOperand = memSize;
        break;
      case OpKind.Immediate8:
        imm = instr.immediate8;
        break;
      case OpKind.Immediate8_2nd:
        imm2 = instr.immediate8_2nd;
        break;
      case OpKind.Immediate16:
        imm = instr.immediate16;
        break;
      case OpKind.Immediate32:
        imm = instr.immediate32 | 0;
        break;
      case OpKind.Immediate8to16:
        imm = instr.immediate8to16;
        break;
      case OpKind.Immediate8to32:
        imm = instr.immediate8to32 | 0;
        break;
      case OpKind.NearBranch16:
        branchRel = (instr.nearBranch16 - instr.nextIP16) | 0;
        break;
      case OpKind.NearBranch32:
        branchRel = (instr.nearBranch32 - instr.nextIP32) | 0;
        break;
      case OpKind.FarBranch16:
        farSelector = instr.farBranchSelector;
        farOffset = instr.farBranch16;
        break;
      case OpKind.FarBranch32:
        farSelector = instr.farBranchSelector;
        farOffset = instr.farBranch32 >>> 0;
        break;
    }
  }
  let memBase = addressRegister(instr.memoryBase);
  let memIndex = addressRegister(instr.memoryIndex);
  const scale = instr.memoryIndexScale;
  const memScale = scale === 8 ? 3 : scale === 4 ? 2 : scale === 2 ? 1 : 0;
  if (asz === 2 && memBase < 0 && memIndex >= 0) {
    memBase = memIndex; // [si] / [di]: a lone index is a base in 16-bit addressing
    memIndex = -1;
  }
  const osz = (sizeFromOperand === 1 || sizeFromOperand === 2 || sizeFromOperand === 4 ? sizeFromOperand : attrOsz) as 1 | 2 | 4;
  return {
    code: instr.code,
    mnemonic: instr.mnemonic,
    length: instr.length,
    bitness,
    operands,
    regs,
    osz,
    attrOsz,
    asz,
    memSize,
    memSeg: SREG[instr.memorySegment] ?? 3,
    memBase,
    memIndex,
    memScale,
    memDisp: Number(instr.memoryDisplacement & 0xffffffffn) | 0,
    imm,
    imm2,
    branchRel,
    farIndirect: instr.isJmpFarIndirect || instr.isCallFarIndirect,
    farSelector,
    farOffset,
    rep: instr.hasRepePrefix ? 1 : instr.hasRepnePrefix ? 2 : 0,
    lock: instr.hasLockPrefix,
    hasSegmentPrefix: instr.hasSegmentPrefix,
    text: formatInstruction(instr),
  };
}

const raiseUd = (): void => {
  throw new CpuFault(VEC_UD);
};

/**
 * There is no x87 unit (CPUID reports FPU = 0): an x87 instruction raises #NM when CR0.EM or
 * CR0.TS is set, so an OS can emulate it, and #UD otherwise.
 */
const x87Absent: Exec = (cpu) => {
  throw new CpuFault((cpu.cr0 & (CR0_EM | CR0_TS)) !== 0 ? VEC_NM : VEC_UD);
};

function isX87(instr: Instruction): boolean {
  const features = instr.cpuidFeatures();
  return features.includes(CpuidFeature.FPU) || features.includes(CpuidFeature.FPU387) || features.includes(CpuidFeature.FPU287);
}

/** Builds the Op for one decoded instruction. */
export function buildOp(instr: Instruction, bytes: Uint8Array, bitness: 16 | 32, linear: number): Op {
  const op = new Op();
  op.len = instr.length;
  op.linear = linear;
  op.bytes = bytes;
  op.code = instr.code;
  op.mnemonic = instr.mnemonic;
  if (instr.isInvalid) {
    op.exec = raiseUd;
    return op;
  }
  const insn = toInsn(instr, bytes, bitness);
  op.osz = insn.osz;
  op.asz = insn.asz;
  op.rep = insn.rep === 1 ? REP_E : insn.rep === 2 ? REP_NE : REP_NONE;
  op.imm = insn.imm;
  op.imm2 = insn.imm2;
  op.r0 = insn.regs[0] ?? 0;
  op.r1 = insn.regs[1] ?? 0;
  op.seg = insn.memSeg;
  op.base = insn.memBase;
  op.index = insn.memIndex;
  op.scale = insn.memScale;
  op.disp = insn.memDisp;
  if (insn.operands.includes(OperandKind.Mem)) op.ea = eaFunction(insn);
  op.virtClass = virtClassOf(instr);
  op.text = insn.text;
  op.flow = instr.flowControl;
  const exec = insn.lock && !lockAllowed(insn) ? raiseUd : compile(insn, op) ?? (isX87(instr) ? x87Absent : raiseUd);
  op.exec = op.virtClass === 0 ? exec : withIntercepts(exec);
  return op;
}

/** iced Mnemonic values of the instructions the knowledge base says LOCK may prefix. */
const LOCKABLE = new Set<number>(
  LOCKABLE_MNEMONICS.flatMap((name) => (lookupMnemonic(name)?.icedMnemonics ?? []).map((m) => Mnemonic[m])),
);
/** LOCK is allowed only on these read-modify-write instructions with a memory destination (SDM: #UD otherwise). */
function lockAllowed(insn: Insn): boolean {
  return LOCKABLE.has(insn.mnemonic) && insn.operands[0] === OperandKind.Mem;
}

/** Sensitive and privileged instructions consult the hypervisor's intercepts (none natively). */
function withIntercepts(exec: Exec): Exec {
  return (cpu, op) => {
    const hooks = cpu.intercepts;
    if (hooks === null) {
      exec(cpu, op);
      return;
    }
    if (hooks.beforeSensitive?.(cpu, op) === 'handled') return;
    exec(cpu, op);
    hooks.afterSensitive?.(cpu, op);
  };
}

function virtClassOf(instr: Instruction): number {
  const entry = entryForInstruction(instr);
  if (entry === undefined) return 0;
  const cls = classify(entry.mnemonic, operandShapes(instr));
  return cls === undefined ? 0 : VIRT_CLASSES.indexOf(cls.class);
}

export interface DecodedRun {
  ops: Op[];
  /** Bytes consumed. */
  length: number;
  /** The last instruction needs bytes past the end of `bytes` (decode again with more). */
  truncated: boolean;
}

const MAX_BLOCK_OPS = 64;

/**
 * Decodes a basic block from `bytes` (which start at linear address `linear`, at offset `eip` in
 * the code segment): up to a control transfer, MAX_BLOCK_OPS instructions, or the end of the bytes.
 * Branch targets in the ops' text are EIP-relative, as the source writes them.
 */
export function decodeBlock(bytes: Uint8Array, bitness: 16 | 32, linear: number, maxBytes: number, eip: number): DecodedRun {
  const decoder = new Decoder(bitness, bytes, DecoderOptions.None);
  const instr = new Instruction();
  const ops: Op[] = [];
  let offset = 0;
  let truncated = false;
  try {
    while (offset < maxBytes && ops.length < MAX_BLOCK_OPS) {
      decoder.ip = BigInt(((eip + offset) & (bitness === 32 ? 0xffffffff : 0xffff)) >>> 0);
      decoder.position = offset;
      decoder.decodeOut(instr);
      if (decoder.lastError === DecoderError.NoMoreBytes) {
        truncated = true;
        break;
      }
      const len = instr.length;
      const op = buildOp(instr, bytes.slice(offset, offset + len), bitness, (linear + offset) >>> 0);
      ops.push(op);
      offset += len;
      if (instr.isInvalid || instr.flowControl !== 0 /* FlowControl.Next */) break;
    }
  } finally {
    instr.free();
    decoder.free();
  }
  return { ops, length: offset, truncated };
}
