// Which mnemonics the assembler accepts and which encodings each may use: the spellings come from
// the isa knowledge base (aliases included), the encodings from iced's opcode tables.
import { lookupMnemonic, type NasmSyntax } from '../isa/index.js';
import { encodingForms, type EncodingForm } from '../isa/forms.js';

export function isMnemonic(name: string): boolean {
  return lookupMnemonic(name) !== undefined;
}

const formsCache = new Map<string, EncodingForm[]>();

export function formsFor(mnemonic: string): EncodingForm[] {
  let list = formsCache.get(mnemonic);
  if (!list) {
    const entry = lookupMnemonic(mnemonic);
    const forms = encodingForms();
    const all = (entry?.icedMnemonics ?? []).flatMap((n) => forms.get(n.toLowerCase()) ?? []);
    list = all;
    if (entry && mnemonic !== entry.mnemonic) {
      // Sized spellings pick their operand size: pushfd/iretd are 32-bit, pushfw/iretw 16-bit.
      if (mnemonic === entry.mnemonic + 'w') list = all.filter((f) => f.operandSize === 16);
      else if (mnemonic === entry.mnemonic + 'd') list = all.filter((f) => f.operandSize === 32);
    }
    formsCache.set(mnemonic, list);
  }
  return list;
}

/** NASM writing conventions of a mnemonic (operand order, implied operands, ...). */
export function syntaxFor(mnemonic: string): NasmSyntax | undefined {
  return lookupMnemonic(mnemonic)?.syntax;
}
