// Test support for the isa suites: assemble NASM lines with the real nasm, decode them with
// iced-x86, and enumerate iced's opcode table as operand shapes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  Code,
  CodeExt,
  Decoder,
  DecoderOptions,
  EncodingKind,
  MemorySize,
  Mnemonic,
  OpCodeOperandKind,
  type Instruction,
  type OpCodeInfo,
} from 'iced-x86';
import { entryForIcedMnemonic } from '../../debug-adapter/src/isa/iced.js';
import type { InstructionEntry, OperandShape } from '../../debug-adapter/src/isa/index.js';

/**
 * NASM 2.16 refuses `skinit` in 32-bit mode (and with an `eax` operand), although the
 * instruction exists there; its bytes are given directly.
 */
const NASM_CANNOT: Readonly<Record<string, string>> = {
  skinit: 'db 0x0f, 0x01, 0xde',
};

export function hasNasm(): boolean {
  try {
    execFileSync('nasm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Decoded {
  readonly line: string;
  /** iced Mnemonic name of the decoded instruction. */
  readonly mnemonic: string;
  readonly instr: Instruction;
}

/**
 * Assembles each line as one instruction (bits 32) in a single nasm run and decodes the result.
 * The test-register forms decode only with iced's MovTr option, so it is on. Call `free` after use.
 */
export function assembleAndDecode(lines: readonly string[]): { decoded: Decoded[]; free: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'isa-test-'));
  try {
    const src = path.join(dir, 'lines.asm');
    const out = path.join(dir, 'lines.bin');
    const body = lines.map((l) => NASM_CANNOT[l.trim()] ?? l);
    writeFileSync(src, ['bits 32', ...body, ''].join('\n'));
    try {
      execFileSync('nasm', ['-f', 'bin', '-o', out, src], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const stderr = String((e as { stderr?: Buffer }).stderr ?? e);
      const bad = [...stderr.matchAll(/:(\d+): error/g)].map((m) => lines[Number(m[1]) - 2]);
      throw new Error(`nasm rejected: ${JSON.stringify(bad)}\n${stderr}`, { cause: e });
    }
    const bytes = readFileSync(out);
    const decoder = new Decoder(32, bytes, DecoderOptions.MovTr);
    const decoded: Decoded[] = [];
    let i = 0;
    while (decoder.canDecode) {
      const instr = decoder.decode();
      decoded.push({ line: lines[i] ?? '<extra>', mnemonic: Mnemonic[instr.mnemonic]!, instr });
      i++;
    }
    decoder.free();
    if (decoded.length !== lines.length) {
      decoded.forEach((d) => d.instr.free());
      throw new Error(`expected ${lines.length} instructions, decoded ${decoded.length}`);
    }
    return { decoded, free: () => decoded.forEach((d) => d.instr.free()) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Number of iced Code values. */
export function codeCount(): number {
  let max = 0;
  for (const v of Object.values(Code)) if (typeof v === 'number' && v > max) max = v;
  return max + 1;
}

export interface LegacyCode {
  readonly code: number;
  readonly codeName: string;
  readonly mnemonic: Mnemonic;
  readonly mnemonicName: string;
  /** The table entry, when the table covers this form (SSE forms sharing an iced mnemonic are not covered). */
  readonly entry: InstructionEntry | undefined;
  readonly shapes: OperandShape[];
  readonly mustBeCpl0: boolean;
  readonly mayRequireCpl0: boolean;
  /** iced: CPL 0 instructions (except VMCALL) plus the IOPL ones. */
  readonly isPrivileged: boolean;
}

const IMPLICIT = new Set<OpCodeOperandKind>([
  OpCodeOperandKind.seg_rSI,
  OpCodeOperandKind.es_rDI,
  OpCodeOperandKind.seg_rDI,
  OpCodeOperandKind.seg_rBX_al,
]);

const FIXED_REGISTER: Partial<Record<OpCodeOperandKind, string>> = {
  [OpCodeOperandKind.es]: 'es',
  [OpCodeOperandKind.cs]: 'cs',
  [OpCodeOperandKind.ss]: 'ss',
  [OpCodeOperandKind.ds]: 'ds',
  [OpCodeOperandKind.fs]: 'fs',
  [OpCodeOperandKind.gs]: 'gs',
  [OpCodeOperandKind.al]: 'al',
  [OpCodeOperandKind.cl]: 'cl',
  [OpCodeOperandKind.ax]: 'ax',
  [OpCodeOperandKind.dx]: 'dx',
  [OpCodeOperandKind.eax]: 'eax',
  [OpCodeOperandKind.seg_reg]: 'ds',
  [OpCodeOperandKind.cr_reg]: 'cr0',
  [OpCodeOperandKind.dr_reg]: 'dr7',
  [OpCodeOperandKind.tr_reg]: 'tr6',
};

function kindName(k: OpCodeOperandKind): string {
  return OpCodeOperandKind[k] ?? String(k);
}

/** Operand shapes of one opcode form, as a NASM line of that form would give them. */
function shapesOf(info: OpCodeInfo): OperandShape[] {
  const kinds: OpCodeOperandKind[] = [];
  for (let i = 0; i < info.opCount; i++) kinds.push(info.opKind(i));
  if (kinds.some((k) => IMPLICIT.has(k))) return [];
  const farMemory = info.memorySize === MemorySize.SegPtr16 || info.memorySize === MemorySize.SegPtr32;
  return kinds.map((k): OperandShape => {
    const fixed = FIXED_REGISTER[k];
    if (fixed) return { kind: 'reg', name: fixed };
    const name = kindName(k);
    if (name === 'farbr2_2' || name === 'farbr4_2') return { kind: 'far' };
    if (name === 'imm8_const_1') return { kind: 'imm', value: 1 };
    if (name.startsWith('imm') || name.startsWith('br')) return { kind: 'imm' };
    if (name.startsWith('r8_')) return { kind: 'reg', name: 'bl' };
    if (name.startsWith('r16_')) return { kind: 'reg', name: 'bx' };
    if (name.startsWith('r32_')) return { kind: 'reg', name: 'ebx' };
    if (name === 'mem' || name === 'mem_offs') {
      const branch = info.mnemonic === Mnemonic.Call || info.mnemonic === Mnemonic.Jmp;
      return farMemory && branch ? { kind: 'far' } : { kind: 'mem' };
    }
    throw new Error(`no shape for operand kind ${name} of ${info.instructionString}`);
  });
}

/** SSE/MMX/x87/AVX operand kinds: forms with them are not integer instructions (e.g. SSE2 MOVSD, CMPSD). */
function isIntegerForm(info: OpCodeInfo): boolean {
  for (let i = 0; i < info.opCount; i++) {
    if (/^(mm|xmm|ymm|zmm|k_|kp1|bnd|tmm|st0|sti)/.test(kindName(info.opKind(i)))) return false;
  }
  return true;
}

let cached: LegacyCode[] | undefined;

/**
 * Every iced Code with a legacy encoding that exists in 32-bit mode. Shapes are computed only for
 * mnemonics the table covers (others get []), since exotic operand kinds have no shape.
 */
export function legacy32Codes(): LegacyCode[] {
  if (cached) return cached;
  const list: LegacyCode[] = [];
  const n = codeCount();
  for (let code = 0; code < n; code++) {
    const info = CodeExt.opCode(code);
    try {
      if (info.encoding !== EncodingKind.Legacy || !info.mode32 || !info.isInstruction) continue;
      const entry = isIntegerForm(info) ? entryForIcedMnemonic(info.mnemonic) : undefined;
      list.push({
        code,
        codeName: Code[code]!,
        mnemonic: info.mnemonic,
        mnemonicName: Mnemonic[info.mnemonic]!,
        entry,
        shapes: entry ? shapesOf(info) : [],
        mustBeCpl0: info.mustBeCpl0,
        mayRequireCpl0: info.mayRequireCpl0,
        isPrivileged: info.isPrivileged,
      });
    } finally {
      info.free();
    }
  }
  cached = list;
  return list;
}
