// Number formatting shared by the views (registers, memory, disassembly, evaluate).

/** `0x0010002a` (8 digits by default). */
export function hex(value: number, digits = 8): string {
  return '0x' + (value >>> 0).toString(16).padStart(digits, '0');
}

/** Parses a number as the user or the client writes it (`0x10`, `16`), or undefined. */
export function parseAddress(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  let v: number;
  if (/^0x[0-9a-f]+$/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^[0-9]+$/.test(t)) v = parseInt(t, 10);
  else return undefined;
  return Number.isSafeInteger(v) && v <= 0xffffffff ? v : undefined;
}

/** An expression result as the views show it: numbers in hex, strings quoted. */
export function formatValue(value: number | string): string {
  return typeof value === 'number' ? '0x' + (value >>> 0).toString(16) : JSON.stringify(value);
}
