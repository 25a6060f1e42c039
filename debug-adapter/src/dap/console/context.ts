// What the console commands share: the session's view of the guest, the error a command answers
// with, and argument helpers (expressions with an optional `phys:` prefix, labels of addresses).
import type { Engine } from '../../engine/engine.js';
import { compileExpression } from '../expression.js';
import { hex } from '../format.js';
import { GuestContext } from '../guest-context.js';
import type { ProgramIndex } from '../program-index.js';

export interface ConsoleContext {
  engine: Engine;
  index: ProgramIndex;
  /** Feeds bytes to the guest's serial port (the `serial` command). */
  sendSerial(bytes: Uint8Array): void;
}

/** A bad argument or an unreadable address: its message is the command's answer. */
export class ConsoleError extends Error {}

export interface Address {
  address: number;
  physical: boolean;
}

/** Evaluates an expression of the debugger's language to a number. */
export function evalNumber(ctx: ConsoleContext, text: string, what: string): number {
  if (text.trim() === '') throw new ConsoleError(`missing ${what}`);
  const value = compileExpression(text)(new GuestContext(ctx.engine, ctx.index));
  if (typeof value !== 'number') throw new ConsoleError(`${what} must be a number, not the string ${JSON.stringify(value)}`);
  return value >>> 0;
}

/** `EXPR` (linear) or `phys:EXPR` (guest-physical). */
export function evalAddress(ctx: ConsoleContext, text: string): Address {
  const m = /^\s*phys\s*:(.*)$/is.exec(text);
  if (m !== null) return { address: evalNumber(ctx, m[1], 'address'), physical: true };
  return { address: evalNumber(ctx, text, 'address'), physical: false };
}

/** A decimal or 0x count that must lie in 1..max. */
export function parseCount(text: string, what: string, max: number): number {
  const t = text.trim().toLowerCase();
  const n = /^0x[0-9a-f]+$/.test(t) ? parseInt(t.slice(2), 16) : /^[0-9]+$/.test(t) ? parseInt(t, 10) : NaN;
  if (!Number.isSafeInteger(n)) throw new ConsoleError(`${what} must be a number, got '${text.trim()}'`);
  if (n < 1 || n > max) throw new ConsoleError(`${what} must be between 1 and ${max}, got ${n}`);
  return n;
}

/** `<label>` or `<label+0x12>` for an address at or after a label no farther than `reach`, else ''. */
export function labelOf(index: ProgramIndex, address: number, reach = 0x10000): string {
  const label = index.nearestLabel(address);
  if (label === undefined) return '';
  const off = (address >>> 0) - label.address;
  if (off > reach) return '';
  return off === 0 ? `<${label.name}>` : `<${label.name}+0x${off.toString(16)}>`;
}

export function formatAddress(a: Address): string {
  return a.physical ? `phys:${hex(a.address)}` : hex(a.address);
}

/** The physical address of one byte, or null when it is unmapped or beyond guest RAM. */
export function physicalOf(engine: Engine, a: Address): number | null {
  const phys = a.physical ? a.address : engine.translate(a.address);
  if (phys === null || phys >= engine.machine.memory.size) return null;
  return phys;
}

/** Reads `length` bytes, or as many as can be read before an unmapped byte. */
export function readBytes(engine: Engine, a: Address, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const phys = physicalOf(engine, { address: (a.address + i) >>> 0, physical: a.physical });
    if (phys === null) return out.subarray(0, i);
    out[i] = engine.machine.memory.read8(phys);
  }
  return out;
}

/** Why an address cannot be read, in one phrase. */
export function unreadable(engine: Engine, a: Address): string {
  if (a.physical) return `physical address ${hex(a.address)} is beyond guest RAM (${engine.machine.memory.size / (1024 * 1024)} MiB)`;
  const phys = engine.translate(a.address);
  if (phys === null) return `linear address ${hex(a.address)} is not mapped (try \`page ${hex(a.address)}\`)`;
  return `linear address ${hex(a.address)} maps to physical ${hex(phys)}, beyond guest RAM`;
}
