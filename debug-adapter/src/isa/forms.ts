// Operand forms of every supported instruction, derived once from iced-x86's opcode tables
// (OpCodeInfo): which encodings exist, their operand kinds and sizes. The knowledge base says which
// mnemonics we support and what they mean; this module says how each can be encoded.
import { MemorySize as MemorySizeName } from 'iced-x86';
import { Code, CodeExt, CpuidFeature, EncodingKind, Instruction, MemorySizeExt, Mnemonic, OpCodeOperandKind } from 'iced-x86';

/** CPUID feature sets of the IA-32 integer and system instructions of a Pentium-class CPU and the VMX/SVM extensions. */
const SUPPORTED_FEATURES = new Set<string>([
  'INTEL8086', 'INTEL186', 'INTEL286', 'INTEL386', 'INTEL486', 'CPUID', 'CX8', 'CMOV', 'MSR', 'TSC',
  'RDPMC', 'SEP', 'MONITOR', 'PAUSE', 'MULTIBYTENOP', 'MOV_TR', 'VMX', 'VMX+INVEPT', 'VMX+INVVPID', 'SVM', 'SKINIT_or_SVM',
]);

/** Operand kinds that are implied by the mnemonic and never written in NASM syntax (string instruction operands). */
const IMPLICIT_KINDS = new Set<number>([
  OpCodeOperandKind.seg_rSI, OpCodeOperandKind.es_rDI, OpCodeOperandKind.seg_rDI, OpCodeOperandKind.seg_rBX_al,
]);

export interface EncodingForm {
  code: Code;
  /** iced's mnemonic name, e.g. 'Add', 'Jne', 'Pushfd'. */
  icedMnemonic: string;
  /** Kinds of the operands written in source, in order. */
  explicit: OpCodeOperandKind[];
  /** Kinds of all operands as iced sees them (including implicit string operands). */
  all: OpCodeOperandKind[];
  /** 16 or 32 when the form fixes the operand size, else 0. */
  operandSize: number;
  addressSize: number;
  mode16: boolean;
  mode32: boolean;
  /** Size in bytes of a memory operand (0 when unknown, e.g. LEA). */
  memoryBytes: number;
  /** True for far-pointer memory operands (m16:16, m16:32). */
  farMemory: boolean;
  /** e.g. "o32 83 /0 ib" and "ADD r/m32, imm8", for documentation. */
  opCodeString: string;
  instructionString: string;
}

let formsByMnemonic: Map<string, EncodingForm[]> | undefined;

function codeCount(): number {
  let max = 0;
  for (const v of Object.values(Code)) if (typeof v === 'number' && v > max) max = v;
  return max + 1;
}

function build(): Map<string, EncodingForm[]> {
  const map = new Map<string, EncodingForm[]>();
  const probe = new Instruction();
  const count = codeCount();
  for (let code = 0; code < count; code++) {
    const info = CodeExt.opCode(code);
    try {
      if (info.encoding !== EncodingKind.Legacy || !info.isInstruction || !(info.mode32 || info.mode16)) continue;
      probe.code = code;
      const features = Array.from(probe.cpuidFeatures(), (f) => CpuidFeature[f]).join('+');
      if (!SUPPORTED_FEATURES.has(features)) continue;
      const all: OpCodeOperandKind[] = [];
      for (let i = 0; i < info.opCount; i++) all.push(info.opKind(i));
      const form: EncodingForm = {
        code,
        icedMnemonic: Mnemonic[info.mnemonic],
        // String instructions (movsb, lodsd, insb...) take no operands in NASM syntax.
        explicit: all.some((k) => IMPLICIT_KINDS.has(k)) ? [] : all,
        all,
        operandSize: info.operandSize,
        addressSize: info.addressSize,
        mode16: info.mode16,
        mode32: info.mode32,
        memoryBytes: MemorySizeExt.size(info.memorySize),
        farMemory: /SegPtr/.test(String(MemorySizeName[info.memorySize])),
        opCodeString: info.opCodeString,
        instructionString: info.instructionString,
      };
      const key = form.icedMnemonic.toLowerCase();
      const list = map.get(key);
      if (list) list.push(form);
      else map.set(key, [form]);
    } finally {
      info.free();
    }
  }
  probe.free();
  return map;
}

/** Encoding forms by lower-case iced mnemonic name ('add', 'jne', 'pushfd', ...). */
export function encodingForms(): ReadonlyMap<string, readonly EncodingForm[]> {
  formsByMnemonic ??= build();
  return formsByMnemonic;
}

export function formsOfIcedMnemonic(icedMnemonic: string): readonly EncodingForm[] {
  return encodingForms().get(icedMnemonic.toLowerCase()) ?? [];
}
