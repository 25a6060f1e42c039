// The `hyperstep.translation` request: under binary translation, the translated block covering a
// guest address side by side with the guest's instructions (the extension's "show the translation
// of the current block"). Translation-cache lines that are not identical copies are disassembled
// from the cache itself.
import type { Engine } from '../engine/engine.js';
import { DapError, ErrorId } from './errors.js';
import type { Disassembler } from './disassembly.js';
import { hex } from './format.js';

export interface TranslationLine {
  address: string;
  bytes: string;
  text: string;
  /** Guest lines: the source position; translation lines: the guest instruction they stand for. */
  line?: number;
  file?: string;
  kind?: string;
  guest?: string;
}

export interface TranslationBody {
  /** A readable side-by-side listing (what the extension shows). */
  title: string;
  content: string;
  guestAddress: string;
  tc: string;
  tcLength: number;
  guest: TranslationLine[];
  translation: TranslationLine[];
}

export function translationOf(engine: Engine, disassembler: Disassembler, address: number): TranslationBody {
  const hv = engine.hypervisor;
  if (hv === null || hv.translation === undefined) {
    throw new DapError(ErrorId.BadArguments, `no translation: the guest runs under ${engine.technique}, not binary-translation`);
  }
  const t = hv.translation(address >>> 0);
  if (t === null) throw new DapError(ErrorId.BadArguments, `no translation covers ${hex(address)}: the block has not run yet, or it runs untranslated (user mode)`);
  const guest: TranslationLine[] = t.guest.map((g) => {
    const pos = engine.sourceAt(g.address);
    return { address: hex(g.address), bytes: g.bytes, text: g.text, file: pos?.file, line: pos?.line };
  });
  const translation: TranslationLine[] = t.translation.map((l) => ({
    address: hex(l.address),
    bytes: l.bytes,
    text: l.text !== '' ? l.text : (disassembler.decodeAt(l.address)?.text ?? '??'),
    kind: l.kind,
    guest: hex(l.guest),
  }));
  const title = `Translation of the block at ${hex(address)} (${t.tcLength} bytes at ${hex(t.tc)} in the translation cache)`;
  const content = [
    `; ${title}`,
    '; guest code',
    ...guest.map((g) => `${g.address}  ${g.bytes.padEnd(24)} ${g.text}${g.line === undefined ? '' : `    ; line ${g.line}`}`),
    '; translation (kind: ident = copied as is; callout/emulate = calls into the VMM; branch/link = the translator\'s control flow)',
    ...translation.map((l) => `${l.address}  ${l.bytes.padEnd(24)} ${l.text.padEnd(40)} ; ${l.kind} for ${l.guest}`),
    '',
  ].join('\n');
  return { title, content, guestAddress: hex(address), tc: hex(t.tc), tcLength: t.tcLength, guest, translation };
}
