// The extension's side of its custom DAP requests: what it sends and how it reads the answers.

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0', '\\': '\\', e: '\x1b' };

/**
 * The text for `hyperstep.serialInput` from what the user typed: the escapes \n \r \t \0 \e \\
 * and \xNN, other characters as their UTF-8 bytes, one character per byte (the adapter sends the
 * text's latin1 bytes), and a newline appended when asked. Throws on an unknown escape.
 */
export function serialRequestText(typed: string, appendNewline: boolean): string {
  let out = '';
  for (let i = 0; i < typed.length; i++) {
    const c = typed[i];
    if (c !== '\\') {
      const cp = typed.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      out += cp < 0x80 ? c : Buffer.from(String.fromCodePoint(cp), 'utf8').toString('latin1');
      continue;
    }
    const e = typed[i + 1];
    const hex = /^x([0-9a-fA-F]{2})/.exec(typed.slice(i + 1));
    if (hex !== null) {
      out += String.fromCharCode(parseInt(hex[1], 16));
      i += 3;
    } else if (e !== undefined && e in ESCAPES) {
      out += ESCAPES[e];
      i++;
    } else {
      throw new Error(e === undefined ? 'a lone backslash at the end (type \\\\ for a backslash)' : `unknown escape \\${e} (known: \\n \\r \\t \\0 \\e \\\\ \\xNN)`);
    }
  }
  return out + (appendNewline ? '\n' : '');
}

/** A request the adapter does not know (an adapter older than the extension). */
export function isUnknownRequest(error: unknown, command: string): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return message.includes(`unknown request '${command}'`) || /unrecognized request|unknown request/i.test(message);
}

export interface TranslationView {
  title: string;
  content: string;
}

/**
 * The answer to `hyperstep.translation`: `{ content, title? }` (a listing of the current block's
 * guest instructions and their translation). Undefined when the body has no text to show.
 */
export function asTranslation(body: unknown): TranslationView | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const content = typeof b.content === 'string' ? b.content : typeof b.listing === 'string' ? b.listing : undefined;
  if (content === undefined) return undefined;
  return { title: typeof b.title === 'string' && b.title !== '' ? b.title : 'translation', content };
}
