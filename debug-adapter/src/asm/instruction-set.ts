// Which mnemonics the assembler accepts and which iced encodings each may use. TEMPORARY bridge
// until the isa knowledge base lands: then every spelling comes from there.
import { encodingForms, type EncodingForm } from '../isa/forms.js';

const CC_ALIASES: Record<string, string> = {
  c: 'b', nae: 'b', nc: 'ae', nb: 'ae', z: 'e', nz: 'ne', na: 'be', nbe: 'a', pe: 'p', po: 'np',
  nge: 'l', nl: 'ge', ng: 'le', nle: 'g',
};

const TEMP: Record<string, string[]> = {
  pushf: ['pushf', 'pushfd'], popf: ['popf', 'popfd'], pusha: ['pusha', 'pushad'], popa: ['popa', 'popad'],
  iret: ['iret', 'iretd'], retn: ['ret'], sal: ['shl'], loopz: ['loope'], loopnz: ['loopne'], xlat: ['xlatb'],
};

function icedNamesFor(mnemonic: string): string[] {
  const forms = encodingForms();
  if (TEMP[mnemonic]) return TEMP[mnemonic];
  if (forms.has(mnemonic)) return [mnemonic];
  for (const prefix of ['j', 'set', 'cmov']) {
    if (mnemonic.startsWith(prefix) && CC_ALIASES[mnemonic.slice(prefix.length)]) return [prefix + CC_ALIASES[mnemonic.slice(prefix.length)]];
  }
  return [];
}

export function isMnemonic(name: string): boolean {
  return icedNamesFor(name.toLowerCase()).length > 0;
}

const formsCache = new Map<string, EncodingForm[]>();

export function formsFor(mnemonic: string): EncodingForm[] {
  let list = formsCache.get(mnemonic);
  if (!list) {
    const forms = encodingForms();
    list = icedNamesFor(mnemonic).flatMap((n) => forms.get(n) ?? []);
    formsCache.set(mnemonic, list);
  }
  return list;
}
