// A listing in the manner of `nasm -l`: line number, address, bytes, source text.
import type { PreprocessedLine } from './preprocess.js';

interface LineOutput {
  line: PreprocessedLine;
  address: number;
  bytes: Uint8Array;
  reserved: number;
}

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
const BYTES_PER_ROW = 9;

export function formatListing(lines: PreprocessedLine[], output: LineOutput[]): string {
  const byLine = new Map<PreprocessedLine, LineOutput[]>();
  for (const o of output) {
    const list = byLine.get(o.line);
    if (list) list.push(o);
    else byLine.set(o.line, [o]);
  }
  const rows: string[] = [];
  let n = 0;
  for (const line of lines) {
    n++;
    const num = String(n).padStart(6);
    const outs = byLine.get(line) ?? [];
    const marker = line.macroStack.length ? '<' + line.macroStack.length + '>' : '';
    if (!outs.length) {
      rows.push(`${num} ${' '.repeat(8)} ${' '.repeat(18)} ${marker}${line.text}`);
      continue;
    }
    let first = true;
    for (const o of outs) {
      if (o.reserved) {
        rows.push(`${num} ${hex(o.address, 8)} ${`<res ${hex(o.reserved, 8)}>`.padEnd(18)} ${first ? marker + line.text : ''}`);
        first = false;
        continue;
      }
      for (let i = 0; i < Math.max(1, o.bytes.length); i += BYTES_PER_ROW) {
        const chunk = Array.from(o.bytes.subarray(i, i + BYTES_PER_ROW), (b) => hex(b, 2)).join('');
        const more = i + BYTES_PER_ROW < o.bytes.length ? '-' : '';
        rows.push(`${num} ${hex(o.address + i, 8)} ${(chunk + more).padEnd(18)} ${first ? marker + line.text : ''}`);
        first = false;
      }
    }
  }
  return rows.join('\n') + '\n';
}
