// The Disassembly view: instructions with their bytes, the label at their address and their
// source line. Decoded text is cached per address and reused while the bytes there are unchanged,
// so scrolling and stepping do not decode again.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction } from 'iced-x86';
import type { Engine } from '../engine/engine.js';
import { hex } from './format.js';
import { parseMemoryReference } from './memory.js';
import type { ProgramIndex } from './program-index.js';

const MAX_INSN = 15;
const MAX_COUNT = 4096;

interface Decoded {
  bytes: Uint8Array;
  length: number;
  text: string;
}

export interface DisassembledLine {
  address: number;
  bytes?: Uint8Array;
  text: string;
  invalid?: boolean;
}

export class Disassembler {
  private readonly cache = new Map<number, Decoded>();
  private readonly formatter = new Formatter(FormatterSyntax.Nasm);

  constructor(
    private readonly engine: Engine,
    private readonly index: ProgramIndex,
  ) {
    this.formatter.hexPrefix = '0x';
    this.formatter.hexSuffix = '';
    this.formatter.spaceAfterOperandSeparator = true;
  }

  /** The instruction at a linear address (undefined when its first byte is unmapped). */
  decodeAt(address: number): Decoded | undefined {
    const a = address >>> 0;
    let bytes = this.engine.readLinear(a, MAX_INSN);
    if (bytes === null) {
      // The instruction may end before an unmapped page: take what is mapped.
      let n = MAX_INSN - 1;
      while (n > 0 && bytes === null) bytes = this.engine.readLinear(a, n--);
      if (bytes === null) return undefined;
    }
    const cached = this.cache.get(a);
    if (cached !== undefined && sameStart(cached.bytes, bytes, cached.length)) return cached;
    const bitness = this.engine.cpu.code32 ? 32 : 16;
    const decoder = new Decoder(bitness, bytes, DecoderOptions.None);
    const instr = new Instruction();
    try {
      decoder.ip = BigInt(a);
      decoder.decodeOut(instr);
      const length = instr.isInvalid ? 1 : instr.length;
      const text = instr.isInvalid ? `db ${hex(bytes[0], 2)}` : this.formatter.format(instr);
      const d: Decoded = { bytes: bytes.slice(0, length), length, text };
      this.cache.set(a, d);
      return d;
    } finally {
      instr.free();
      decoder.free();
    }
  }

  /**
   * `count` instructions around a reference: `instructionOffset` instructions before (negative) or
   * after it. Going backwards uses the program's known instruction boundaries; where none are
   * known, the view gets invalid one-byte placeholders.
   */
  lines(reference: string, offset: number, instructionOffset: number, count: number): DisassembledLine[] {
    const ref = parseMemoryReference(reference);
    let address = (ref.address + offset) >>> 0;
    const n = Math.max(0, Math.min(Math.floor(count), MAX_COUNT));
    const out: DisassembledLine[] = [];
    if (instructionOffset < 0) {
      const starts = this.index.instructionStarts;
      const k = this.index.instructionIndex(address);
      const back = -instructionOffset;
      if (k < starts.length && starts[k] === address && k - back >= 0) {
        address = starts[k - back];
      } else {
        const known = k < starts.length && starts[k] === address ? k : 0;
        const missing = back - known;
        for (let i = missing; i > 0 && out.length < n; i--) out.push({ address: (address - known - i) >>> 0, text: '??', invalid: true });
        address = known > 0 ? starts[k - known] : address;
      }
    } else {
      for (let i = 0; i < instructionOffset; i++) address = (address + (this.decodeAt(address)?.length ?? 1)) >>> 0;
    }
    while (out.length < n) {
      const d = this.decodeAt(address);
      if (d === undefined) out.push({ address, text: '??', invalid: true });
      else out.push({ address, bytes: d.bytes, text: d.text });
      address = (address + (d?.length ?? 1)) >>> 0;
    }
    return out;
  }

  /** DAP form, with labels and source positions. */
  disassemble(reference: string, offset: number, instructionOffset: number, count: number, sourceOf: (file: string) => DebugProtocol.Source): DebugProtocol.DisassembledInstruction[] {
    return this.lines(reference, offset, instructionOffset, count).map((l) => {
      const d: DebugProtocol.DisassembledInstruction = { address: hex(l.address), instruction: l.text };
      if (l.invalid) {
        d.presentationHint = 'invalid';
        return d;
      }
      if (l.bytes !== undefined) d.instructionBytes = Array.from(l.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
      const label = this.index.labelAt(l.address);
      if (label !== undefined) d.symbol = label;
      const pos = this.engine.sourceAt(l.address);
      if (pos !== undefined) {
        d.location = sourceOf(pos.file);
        d.line = pos.line;
      }
      return d;
    });
  }
}

function sameStart(a: Uint8Array, b: Uint8Array, length: number): boolean {
  if (b.length < length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}
