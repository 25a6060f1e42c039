// Memory references and the Memory view: `0x100000` (linear, through the guest's page tables) or
// `phys:0x100000` (guest-physical), so any address can be opened, not only those handed out.
import type { Engine } from '../engine/engine.js';
import { DapError, ErrorId } from './errors.js';
import { hex, parseAddress } from './format.js';

export interface MemoryReference {
  address: number;
  physical: boolean;
}

/** Most bytes one readMemory answers with. */
const MAX_READ = 1 << 20;
const PAGE = 4096;

export function parseMemoryReference(text: string): MemoryReference {
  const m = /^\s*(phys:)?\s*(.+)$/i.exec(text);
  const address = m === null ? undefined : parseAddress(m[2]);
  if (m === null || address === undefined) throw new DapError(ErrorId.Memory, `'${text}' is not a memory reference (use 0x1000 for a linear address or phys:0x1000 for a physical one)`);
  return { address, physical: m[1] !== undefined };
}

export function formatMemoryReference(ref: MemoryReference): string {
  return ref.physical ? `phys:${hex(ref.address)}` : hex(ref.address);
}

/** Physical address of each byte run: page by page, stopping at the first unmapped byte. */
function* physicalRuns(engine: Engine, ref: MemoryReference, count: number): Generator<[phys: number, length: number]> {
  const memSize = engine.machine.memory.size;
  let done = 0;
  while (done < count) {
    const addr = (ref.address + done) >>> 0;
    const inPage = Math.min(PAGE - (addr % PAGE), count - done);
    let phys: number | null;
    if (ref.physical) phys = addr < memSize ? addr : null;
    else phys = engine.translate(addr);
    if (phys === null) return;
    const length = Math.min(inPage, memSize - phys);
    if (length <= 0) return;
    yield [phys, length];
    done += length;
    if (length < inPage) return;
    if (ref.address + done > 0xffffffff) return;
  }
}

export function readMemory(engine: Engine, reference: string, offset: number, count: number): { address: string; data: string; unreadableBytes: number } {
  const base = parseMemoryReference(reference);
  const ref = { address: (base.address + offset) >>> 0, physical: base.physical };
  const n = Math.max(0, Math.min(Math.floor(count), MAX_READ));
  const chunks: Uint8Array[] = [];
  let got = 0;
  for (const [phys, length] of physicalRuns(engine, ref, n)) {
    chunks.push(engine.readPhysical(phys, length));
    got += length;
  }
  return { address: formatMemoryReference(ref), data: Buffer.concat(chunks).toString('base64'), unreadableBytes: n - got };
}

export function writeMemory(engine: Engine, reference: string, offset: number, data: Uint8Array, allowPartial: boolean): number {
  const base = parseMemoryReference(reference);
  const ref = { address: (base.address + offset) >>> 0, physical: base.physical };
  const runs = [...physicalRuns(engine, ref, data.length)];
  const writable = runs.reduce((sum, [, length]) => sum + length, 0);
  if (writable < data.length && !allowPartial) {
    throw new DapError(ErrorId.Memory, `cannot write ${data.length} bytes at ${formatMemoryReference(ref)}: ${formatMemoryReference({ address: (ref.address + writable) >>> 0, physical: ref.physical })} is not mapped`);
  }
  let done = 0;
  for (const [phys, length] of runs) {
    engine.writePhysical(phys, data.subarray(done, done + length));
    done += length;
  }
  return done;
}
