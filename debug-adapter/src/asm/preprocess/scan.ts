// The quick test that lets most lines skip tokenizing: a line needs the preprocessor only when it
// has a `%` (outside strings and comments), an identifier naming a single-line macro, or a first word
// (or word after a label) naming a multi-line macro. False positives only cost time.
import { CH_DIGIT, CH_IDSTART, CH_WS, charClass, identEnd, stringEnd } from './lex.js';
import type { MMacroTable } from './mmacro.js';
import type { SMacroTable } from './smacro.js';

export function needsWork(line: string, smacros: SMacroTable, mmacros: MMacroTable): boolean {
  const n = line.length;
  let i = 0;
  while (i < n && charClass(line.charCodeAt(i)) & CH_WS) i++;
  if (i < n && line.charCodeAt(i) === 37) return true;
  // Multi-line macro calls: first word, or the word after a label.
  const mm = mmacros;
  if (i < n && charClass(line.charCodeAt(i)) & CH_IDSTART) {
    const e = identEnd(line, i + 1);
    if (mm.prefixes.mayHave(line, i, e) && mm.map.has(line.slice(i, e).toLowerCase())) return true;
    let k = e;
    while (k < n && charClass(line.charCodeAt(k)) & CH_WS) k++;
    if (line.charCodeAt(k) === 58) {
      k++;
      while (k < n && charClass(line.charCodeAt(k)) & CH_WS) k++;
    }
    if (k < n && charClass(line.charCodeAt(k)) & CH_IDSTART) {
      const e2 = identEnd(line, k + 1);
      if (mm.prefixes.mayHave(line, k, e2) && mm.map.has(line.slice(k, e2).toLowerCase())) return true;
    }
  }
  const sm = smacros;
  const cs = sm.cs;
  const ci = sm.ci.size ? sm.ci : null;
  const pre = sm.prefixes;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 59) return false;
    if (c === 37) return true;
    if (c === 39 || c === 34 || c === 96) {
      i = stringEnd(line, i);
      continue;
    }
    const cls = charClass(c);
    if (cls & CH_IDSTART) {
      const e = identEnd(line, i + 1);
      if (pre.mayHave(line, i, e)) {
        const id = line.slice(i, e);
        if (cs.has(id) || (ci && ci.has(id.toLowerCase()))) return true;
      }
      i = e;
      continue;
    }
    if (c === 36 || cls & CH_DIGIT) {
      i = identEnd(line, i + 1);
      continue;
    }
    i++;
  }
  return false;
}

/** `%name` at the start of a line (lower-case name), or null. */
export function directiveName(text: string): string | null {
  const n = text.length;
  let i = 0;
  while (i < n && charClass(text.charCodeAt(i)) & CH_WS) i++;
  if (text.charCodeAt(i) !== 37) return null;
  const s = ++i;
  while (i < n) {
    const c = text.charCodeAt(i) | 0x20;
    if (c < 97 || c > 122) break;
    i++;
  }
  if (i === s) return null;
  return text.slice(s, i).toLowerCase();
}

/** Lines of a file (CR LF or LF; no empty last line for a final newline). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.length && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}
