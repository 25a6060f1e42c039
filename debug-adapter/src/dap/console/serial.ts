// `serial TEXT`: bytes for the guest's COM1 receiver, with C escapes (\n \r \t \0 \\ \" \xNN, \NNN
// octal). Characters beyond ASCII go as UTF-8. Surrounding double quotes are dropped, so leading or
// trailing spaces can be sent as `serial " x "`.
import { ConsoleError, type ConsoleContext } from './context.js';
import { quoteBytes } from './examine.js';

const SIMPLE: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, e: 27, f: 12, v: 11, '\\': 92, '"': 34, "'": 39 };

export function decodeEscapes(text: string): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '\\') {
      const cp = text.codePointAt(i) as number;
      const ch = String.fromCodePoint(cp);
      out.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) throw new ConsoleError('a lone backslash at the end (write \\\\ for a backslash)');
    if (e in SIMPLE) {
      out.push(SIMPLE[e]);
      i += 2;
    } else if (e === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 2));
      if (m === null) throw new ConsoleError(`\\x needs one or two hex digits (at column ${i + 1})`);
      out.push(parseInt(m[0], 16));
      i += 2 + m[0].length;
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(text.slice(i + 1)) as RegExpExecArray;
      const v = parseInt(m[0], 8);
      if (v > 0xff) throw new ConsoleError(`octal escape \\${m[0]} is more than one byte`);
      out.push(v);
      i += 1 + m[0].length;
    } else {
      throw new ConsoleError(`unknown escape \\${e} (known: \\n \\r \\t \\0 \\\\ \\" \\xNN \\NNN)`);
    }
  }
  return Uint8Array.from(out);
}

export function serialCommand(ctx: ConsoleContext, args: string): string {
  let text = args.trim();
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1);
  if (text === '') throw new ConsoleError('nothing to send (usage: serial TEXT, e.g. serial hello\\n)');
  const bytes = decodeEscapes(text);
  ctx.sendSerial(bytes);
  return `queued ${bytes.length} byte${bytes.length === 1 ? '' : 's'} for COM1: ${quoteBytes(bytes)}`;
}
