// `info gdt`, `info idt`, `info ldt`: the descriptor tables entry by entry. Under a VMM the guest's
// tables (its virtual GDTR/IDTR/LDTR) and the CPU's (the VMM's own or shadow tables) differ; the
// guest's are shown unless `hw` is given, and the heading says which one it is.
import { exceptionName } from '../../cpu/constants.js';
import { hex } from '../format.js';
import { ConsoleError, labelOf, readBytes, type ConsoleContext } from './context.js';

export type TableKind = 'gdt' | 'idt' | 'ldt';

interface Raw {
  lo: number;
  hi: number;
}

interface Table {
  base: number;
  limit: number;
  /** The base is a physical address (a paravirtualized guest hands its GDT over as frames). */
  physical: boolean;
  heading: string;
  /** 8, or 4 for the real-mode interrupt vector table (segment:offset entries). */
  entrySize: 4 | 8;
}

/** Most lines one listing prints; a range (FROM TO) shows the rest. */
const MAX_LINES = 300;

const SYSTEM_TYPES: Record<number, string> = {
  0x1: '16-bit TSS (available)',
  0x2: 'LDT',
  0x3: '16-bit TSS (busy)',
  0x4: '16-bit call gate',
  0x5: 'task gate',
  0x6: '16-bit interrupt gate',
  0x7: '16-bit trap gate',
  0x9: '32-bit TSS (available)',
  0xb: '32-bit TSS (busy)',
  0xc: '32-bit call gate',
  0xe: '32-bit interrupt gate',
  0xf: '32-bit trap gate',
};

const isGateType = (type: number): boolean => type === 4 || type === 5 || type === 6 || type === 7 || type === 0xc || type === 0xe || type === 0xf;

/** One descriptor in words: its type, and base/limit or the gate's target. */
export function describeDescriptor(ctx: ConsoleContext, lo: number, hi: number, inIdt: boolean): string {
  if (lo === 0 && hi === 0) return 'empty';
  const present = (hi >>> 15) & 1;
  const dpl = (hi >>> 13) & 3;
  const type = (hi >>> 8) & 0xf;
  const system = (hi & 0x1000) === 0;
  const tail = `DPL=${dpl} P=${present}`;
  if (system && isGateType(type)) {
    const selector = lo >>> 16;
    if (type === 5) return `task gate -> TSS selector ${hex(selector, 4)}  ${tail}`;
    const is32 = (type & 8) !== 0;
    const offset = is32 ? ((lo & 0xffff) | (hi & 0xffff0000)) >>> 0 : lo & 0xffff;
    const label = labelOf(ctx.index, offset);
    const params = type === 4 || type === 0xc ? `  params=${hi & 0x1f}` : '';
    return `${SYSTEM_TYPES[type]} -> ${hex(selector, 4)}:${hex(offset)}${label ? ' ' + label : ''}${params}  ${tail}`;
  }
  const base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
  const rawLimit = (lo & 0xffff) | (hi & 0xf0000);
  const g = (hi >>> 23) & 1;
  const limit = g ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit;
  const db = (hi >>> 22) & 1;
  const where = `base=${hex(base)} limit=${hex(limit)}`;
  const bits = `${tail} D/B=${db} G=${g}${(hi >>> 20) & 1 ? ' AVL=1' : ''}`;
  let what: string;
  if (!system) {
    const code = (type & 8) !== 0;
    const words = code
      ? ['execute' + (type & 2 ? '/read' : '-only'), type & 4 ? 'conforming' : '']
      : ['read' + (type & 2 ? '/write' : '-only'), type & 4 ? 'expand-down' : ''];
    if (type & 1) words.push('accessed');
    what = `${db ? '32' : '16'}-bit ${code ? 'code' : 'data'} (${words.filter((w) => w !== '').join(', ')})`;
  } else {
    what = SYSTEM_TYPES[type] ?? `reserved system type ${hex(type, 1)}`;
  }
  const note = inIdt ? '  (not a gate: invalid in the IDT)' : '';
  return `${where}  ${what}  ${bits}${note}`;
}

function tableOf(ctx: ConsoleContext, kind: TableKind, hw: boolean): Table | string {
  const { cpu, hypervisor, technique } = ctx.engine;
  const virt = hypervisor?.virtualState() ?? null;
  const name = kind.toUpperCase();
  const cpuTable =
    kind === 'gdt'
      ? { base: cpu.gdtrBase >>> 0, limit: cpu.gdtrLimit, selector: -1 }
      : kind === 'idt'
        ? { base: cpu.idtrBase >>> 0, limit: cpu.idtrLimit, selector: -1 }
        : { base: cpu.ldtrBase >>> 0, limit: cpu.ldtrLimit, selector: cpu.ldtrSel };
  const guestTable = virt === null ? cpuTable : kind === 'gdt' ? { ...virt.gdtr, selector: -1 } : kind === 'idt' ? { ...virt.idtr, selector: -1 } : virt.ldtr;
  const same = virt === null || (guestTable.base >>> 0 === cpuTable.base && guestTable.limit === cpuTable.limit && guestTable.selector === cpuTable.selector);
  const t = hw ? cpuTable : guestTable;
  const register = kind === 'ldt' ? `LDTR ${hex(t.selector, 4)}, ` : '';
  const where = `${register}base ${hex(t.base)}, limit ${hex(t.limit, 4)}`;
  // paravirt keeps the frames the guest passed to set_gdt: its GDT is addressed physically.
  const physical = !hw && !same && technique === 'paravirt' && kind === 'gdt';
  let heading: string;
  if (virt === null) heading = `${name} (${where}; native: the guest's tables are the CPU's)`;
  else if (same) heading = `${name} of the guest, the same as the CPU's under ${technique} (${where})`;
  else if (hw) heading = `the CPU's ${name}, the ${technique} VMM's table (${where}); \`info ${kind}\` shows the guest's`;
  else heading = `the guest's ${name}, its virtual ${name}R kept by the ${technique} VMM (${physical ? 'physical ' : ''}${where}); \`info ${kind} hw\` shows the CPU's`;
  if (kind === 'ldt' && (t.selector & 0xfffc) === 0) return `${heading}\nno LDT loaded (null LDTR selector)`;
  if (!hw && !same && technique === 'paravirt' && kind === 'idt') {
    return `${heading}\nno IDT: a paravirtualized guest registers its handlers with the set_trap_table hypercall`;
  }
  if (kind === 'idt' && !cpu.protectedMode && (hw || same)) {
    return { base: t.base >>> 0, limit: t.limit, physical, heading: `${heading}\nreal mode (CR0.PE=0): the IDTR points at an interrupt vector table of segment:offset entries`, entrySize: 4 };
  }
  return { base: t.base >>> 0, limit: t.limit, physical, heading, entrySize: 8 };
}

function entryLabel(kind: TableKind, i: number, exceptionNames = true): string {
  if (kind === 'idt') {
    const name = i < 32 && exceptionNames ? exceptionName(i) : '';
    return `[${hex(i, 2)}${/^(#|NMI)/.test(name) ? ' ' + name : ''}]`.padEnd(10);
  }
  const selector = (i << 3) | (kind === 'ldt' ? 4 : 0);
  return `[${String(i).padStart(4)}] ${hex(selector, 4)}`;
}

/** `info gdt|idt|ldt [hw] [FROM [TO]]`. */
export function infoTable(ctx: ConsoleContext, kind: TableKind, args: string): string {
  const words = args.split(/\s+/).filter((w) => w !== '');
  const hw = words[0] === 'hw';
  if (hw) words.shift();
  if (words.length > 2) throw new ConsoleError(`too many arguments (usage: info ${kind} [hw] [FROM [TO]])`);
  const table = tableOf(ctx, kind, hw);
  if (typeof table === 'string') return table;
  const size = table.entrySize;
  const entries = Math.min(Math.floor((table.limit + 1) / size), kind === 'idt' ? 256 : 8192);
  const lines = [table.heading];
  if (entries === 0) return `${table.heading}\nno entries (the limit holds no complete ${size}-byte entry)`;
  const from = words.length > 0 ? parseIndex(words[0]) : 0;
  if (from >= entries) throw new ConsoleError(`entry ${from} is beyond the table's limit (entries 0 to ${entries - 1})`);
  const to = words.length > 1 ? parseIndex(words[1]) : words.length === 1 ? from : entries - 1;
  if (to < from || to >= entries) throw new ConsoleError(`TO must lie between ${from} and ${entries - 1}`);
  const raw: (Raw | undefined)[] = [];
  for (let i = from; i <= to; i++) {
    const at = (table.base + i * size) >>> 0;
    const bytes = readBytes(ctx.engine, { address: at, physical: table.physical }, size);
    if (bytes.length < size) {
      raw.push(undefined);
      continue;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, size);
    raw.push({ lo: view.getUint32(0, true), hi: size === 8 ? view.getUint32(4, true) : 0 });
  }
  const same = (a: Raw | undefined, b: Raw | undefined): boolean => (a === undefined ? b === undefined : b !== undefined && a.lo === b.lo && a.hi === b.hi);
  // Real-mode vectors 8-15 are IRQs, not exceptions: the IVT's labels carry no exception names.
  const entry = (i: number): string => entryLabel(kind, i, size === 8);
  const range = (a: number, b: number): string => (a === b ? entry(a) : `${entry(a).trimEnd()} .. ${entry(b).trimEnd()}`);
  for (let i = from; i <= to; ) {
    if (lines.length >= MAX_LINES) {
      lines.push(`... (entries ${i} to ${to} not shown: \`info ${kind}${hw ? ' hw' : ''} ${i} ${to}\`)`);
      break;
    }
    const r = raw[i - from];
    let j = i;
    // The GDT's entry 0 stands alone: it is the null descriptor whatever it holds.
    if (!(kind === 'gdt' && i === 0)) while (j < to && same(raw[j + 1 - from], r)) j++;
    const count = j > i ? ` (${j - i + 1} entries)` : '';
    if (r === undefined) {
      const at = (table.base + i * size) >>> 0;
      lines.push(`${range(i, j)}  unreadable${count}: ${table.physical ? 'physical' : 'linear'} ${hex(at)} cannot be read (unmapped or beyond RAM)`);
    } else if (kind === 'gdt' && i === 0) {
      lines.push(`${range(i, j)}  null descriptor${r.lo === 0 && r.hi === 0 ? '' : ` (holds ${hex(r.hi)}:${hex(r.lo)}; the CPU never uses entry 0)`}`);
    } else if (size === 4) {
      const target = `${hex(r.lo >>> 16, 4)}:${hex(r.lo & 0xffff, 4)}`;
      const label = labelOf(ctx.index, ((r.lo >>> 16) * 16 + (r.lo & 0xffff)) >>> 0);
      lines.push(`${range(i, j)}  ${target}${label ? ' ' + label : ''}${count}`);
    } else if (r.lo === 0 && r.hi === 0) {
      lines.push(`${range(i, j)}  empty${count}`);
    } else {
      lines.push(`${entry(i)}  ${describeDescriptor(ctx, r.lo, r.hi, kind === 'idt')}`);
      if (j > i) lines.push(`${range(i + 1, j)}  the same as ${kind === 'idt' ? `vector ${hex(i, 2)}` : `entry ${i}`}${j > i + 1 ? ` (${j - i} entries)` : ''}`);
    }
    i = j + 1;
  }
  return lines.join('\n');
}

function parseIndex(text: string): number {
  const t = text.toLowerCase();
  const n = /^0x[0-9a-f]+$/.test(t) ? parseInt(t.slice(2), 16) : /^[0-9]+$/.test(t) ? parseInt(t, 10) : NaN;
  if (!Number.isSafeInteger(n)) throw new ConsoleError(`'${text}' is not an entry number`);
  return n;
}
