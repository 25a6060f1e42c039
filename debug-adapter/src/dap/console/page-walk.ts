// `page ADDR`: the translation of a linear address walked step by step through the CPU's page
// tables (32-bit paging, 4 KiB and 4 MiB pages), with the access each kind of code would get; and
// `info tlb`: the translations the CPU has cached. Reads only: no accessed or dirty bit is set.
import { tlbEntries } from '../../cpu/mmu.js';
import { hex } from '../format.js';
import { ConsoleError, evalAddress, type ConsoleContext } from './context.js';

const P = 1;
const RW = 2;
const US = 4;
const PWT = 8;
const PCD = 0x10;
const A = 0x20;
const D = 0x40;
const PS = 0x80;
const G = 0x100;

/** Most lines `info tlb` prints. */
const MAX_TLB_LINES = 512;

function bit(value: number, mask: number): number {
  return (value & mask) !== 0 ? 1 : 0;
}

/** P R/W U/S A (D PS for a PDE that maps a page), and PWT PCD G when set. */
function flags(entry: number, kind: 'pde' | 'pte' | 'large'): string {
  const parts = [`P=${bit(entry, P)}`, `R/W=${bit(entry, RW)}`, `U/S=${bit(entry, US)}`, `A=${bit(entry, A)}`];
  if (kind !== 'pde') parts.push(`D=${bit(entry, D)}`);
  if (kind !== 'pte') parts.push(`PS=${bit(entry, PS)}`);
  if (entry & PWT) parts.push('PWT=1');
  if (entry & PCD) parts.push('PCD=1');
  if (kind !== 'pde' && entry & G) parts.push('G=1');
  return parts.join(' ');
}

/** Which of the entries has a permission bit clear: "the PDE", "the PTE" or both. */
function culprit(pde: number, pte: number | undefined, mask: number): string {
  const inPde = (pde & mask) === 0;
  const inPte = pte !== undefined && (pte & mask) === 0;
  if (inPde && inPte) return 'the PDE and the PTE';
  return inPde ? (pte === undefined ? 'the 4 MiB PDE' : 'the PDE') : 'the PTE';
}

function access(pde: number, pte: number | undefined, writeProtect: boolean): string {
  const perm = pte === undefined ? pde : pde & pte;
  const name = (mask: number, bitName: string) => `${bitName}=0 in ${culprit(pde, pte, mask)}`;
  const supervisor =
    (perm & RW) !== 0
      ? 'read/write'
      : writeProtect
        ? `read-only (a write faults: ${name(RW, 'R/W')}, CR0.WP=1)`
        : `read/write (${name(RW, 'R/W')} but CR0.WP=0)`;
  let user: string;
  if ((perm & US) === 0) user = `no access (any user access faults: ${name(US, 'U/S')})`;
  else if ((perm & RW) === 0) user = `read-only (a user write faults: ${name(RW, 'R/W')})`;
  else user = 'read/write';
  return `access: supervisor ${supervisor}; user ${user}`;
}

function tlbNote(ctx: ConsoleContext, linear: number): string | undefined {
  const cpu = ctx.engine.cpu;
  const page = linear >>> 12;
  const notes: string[] = [];
  for (const [entry, who] of [[cpu.tlbSup[page], 'supervisor'], [cpu.tlbUser[page], 'user']] as const) {
    if (entry !== 0) notes.push(`${who} -> ${hex(entry & ~0xfff)}${entry & 2 ? ' (write ok)' : ''}`);
  }
  return notes.length === 0 ? undefined : `TLB: cached for ${notes.join(', ')}`;
}

/** The walk of one linear address, line by line. */
export function walk(ctx: ConsoleContext, linear: number): string {
  const { cpu, hypervisor } = ctx.engine;
  const mem = ctx.engine.machine.memory;
  const ramEnd = mem.size;
  const lines: string[] = [];
  const physical = (phys: number): void => {
    lines.push(`physical ${hex(phys)}${phys >= ramEnd ? `: beyond guest RAM (${ramEnd / (1024 * 1024)} MiB), reads give 0xff and writes are lost` : ''}`);
  };
  if (!cpu.paging) {
    lines.push(`paging is off (CR0.PG=0): linear ${hex(linear)} is the physical address`);
    physical(linear);
    return lines.join('\n');
  }
  const dirIndex = linear >>> 22;
  const tableIndex = (linear >>> 12) & 0x3ff;
  lines.push(`linear ${hex(linear)}: directory index ${hex(dirIndex, 3)}, table index ${hex(tableIndex, 3)}, offset ${hex(linear & 0xfff, 3)}`);
  const virt = hypervisor?.virtualState() ?? null;
  const guestCr3 = virt !== null && virt.cr3 >>> 0 !== cpu.cr3 >>> 0 ? ` (the guest's CR3 is ${hex(virt.cr3)}; the CPU walks its own)` : '';
  const dir = (cpu.cr3 & ~0xfff) >>> 0;
  lines.push(`CR3 ${hex(cpu.cr3)}: page directory at physical ${hex(dir)}${guestCr3}`);
  const pdeAddr = (dir + dirIndex * 4) >>> 0;
  if (pdeAddr >= ramEnd) lines.push(`(the PDE lies beyond guest RAM: the CPU reads 0xffffffff there)`);
  const pde = mem.read32(pdeAddr) >>> 0;
  const large = (pde & PS) !== 0 && cpu.pse;
  const pdeHead = `PDE at ${hex(pdeAddr)} = ${hex(pde)}  ${flags(pde, large ? 'large' : 'pde')}`;
  if ((pde & P) === 0) {
    lines.push(`${pdeHead}: not present`);
    lines.push(`the walk fails: any access to ${hex(linear)} raises #PF (P=0 in the PDE), with CR2 = ${hex(linear)}`);
    return withTlb(ctx, linear, lines);
  }
  if (large) {
    const frame = (pde & 0xffc00000) >>> 0;
    lines.push(`${pdeHead} -> 4 MiB page at ${hex(frame)}`);
    physical((frame | (linear & 0x3fffff)) >>> 0);
    lines.push(access(pde, undefined, cpu.writeProtect));
    return withTlb(ctx, linear, lines);
  }
  const table = (pde & ~0xfff) >>> 0;
  lines.push(`${pdeHead} -> page table at ${hex(table)}${(pde & PS) !== 0 ? ' (PS=1 is ignored: CR4.PSE=0)' : ''}`);
  const pteAddr = (table + tableIndex * 4) >>> 0;
  if (pteAddr >= ramEnd) lines.push(`(the PTE lies beyond guest RAM: the CPU reads 0xffffffff there)`);
  const pte = mem.read32(pteAddr) >>> 0;
  const pteHead = `PTE at ${hex(pteAddr)} = ${hex(pte)}  ${flags(pte, 'pte')}`;
  if ((pte & P) === 0) {
    lines.push(`${pteHead}: not present`);
    lines.push(`the walk fails: any access to ${hex(linear)} raises #PF (P=0 in the PTE), with CR2 = ${hex(linear)}`);
    return withTlb(ctx, linear, lines);
  }
  const frame = (pte & ~0xfff) >>> 0;
  lines.push(`${pteHead} -> 4 KiB page at ${hex(frame)}`);
  physical((frame | (linear & 0xfff)) >>> 0);
  lines.push(access(pde, pte, cpu.writeProtect));
  return withTlb(ctx, linear, lines);
}

function withTlb(ctx: ConsoleContext, linear: number, lines: string[]): string {
  const note = tlbNote(ctx, linear);
  if (note !== undefined) lines.push(note);
  return lines.join('\n');
}

/** `page ADDR`. */
export function pageCommand(ctx: ConsoleContext, args: string): string {
  if (args.trim() === '') throw new ConsoleError('missing address (usage: page ADDR, e.g. `page esp` or `page my_label+4`)');
  const a = evalAddress(ctx, args);
  if (a.physical) throw new ConsoleError('page takes a linear address (phys: addresses are not translated)');
  return walk(ctx, a.address);
}

/** `info tlb`. */
export function infoTlb(ctx: ConsoleContext): string {
  const cpu = ctx.engine.cpu;
  if (!cpu.paging) return 'paging is off (CR0.PG=0): linear addresses are physical and the TLB is not used';
  const entries = tlbEntries(cpu);
  const head = `TLB: ${entries.length} cached translation${entries.length === 1 ? '' : 's'} (CR3 ${hex(cpu.cr3)}, CR4.PSE=${cpu.pse ? 1 : 0}, CR0.WP=${cpu.writeProtect ? 1 : 0}); "write" = a write needs no walk (writable and dirty)`;
  if (entries.length === 0) return `${head}\nempty: the next access to any page walks the page tables`;
  const lines = [head, 'linear      physical    for         write'];
  for (const e of entries.slice(0, MAX_TLB_LINES)) {
    lines.push(`${hex(e.linear)}  ${hex(e.phys)}  ${(e.user ? 'user' : 'supervisor').padEnd(10)}  ${e.write ? 'yes' : 'no'}`);
  }
  if (entries.length > MAX_TLB_LINES) lines.push(`... and ${entries.length - MAX_TLB_LINES} more`);
  return lines.join('\n');
}
