// Register documentation for hovers: class, encoding number, the parts of a general-purpose
// register, and what the register is for (including its role in the Xen hypercall ABI).
import { registerClass, registersOf } from '../isa/index.js';
import { registerClassText } from './vocabulary.js';

const ROLES: Readonly<Record<string, string>> = {
  eax: 'Accumulator: MUL/DIV, IN/OUT data, return values. Xen PV: the hypercall number in, the result out.',
  ebx: 'Base register. Xen PV: hypercall argument 1. Multiboot: the boot information pointer at entry.',
  ecx: 'Counter: LOOP, REP and shift counts. Xen PV: hypercall argument 2.',
  edx: 'Data: the port of IN/OUT DX, the high half of MUL/DIV. Xen PV: hypercall argument 3.',
  esi: 'Source index of string instructions. Xen PV: hypercall argument 4, and start_info at kernel entry.',
  edi: 'Destination index of string instructions. Xen PV: hypercall argument 5.',
  esp: 'Stack pointer.',
  ebp: 'Frame pointer (base of the current stack frame).',
  cs: 'Code segment: its RPL is the current privilege level (CPL). Reading it at ring 1 shows a de-privileged kernel where it really runs.',
  ss: 'Stack segment: its RPL equals the CPL.',
  ds: 'Default data segment.',
  es: 'Extra segment: the destination of string instructions.',
  fs: 'Extra data segment.',
  gs: 'Extra data segment.',
  cr0: 'System control flags: PE (bit 0), MP (1), EM (2), TS (3), ET (4), NE (5), WP (16), AM (18), NW (29), CD (30), PG (31).',
  cr2: 'The linear address of the last page fault.',
  cr3: 'Page-directory base (PDBR), with PWT (bit 3) and PCD (bit 4); writing it flushes the TLB.',
  cr4: 'Extensions: VME (bit 0), PVI (1), TSD (2), DE (3), PSE (4), PAE (5), MCE (6), PGE (7), PCE (8), VMXE (13).',
  dr0: 'Breakpoint address 0.',
  dr1: 'Breakpoint address 1.',
  dr2: 'Breakpoint address 2.',
  dr3: 'Breakpoint address 3.',
  dr6: 'Debug status: which breakpoint fired (B0–B3), single step (BS), task switch (BT).',
  dr7: 'Debug control: enables (L0–L3, G0–G3) and the type and length of each breakpoint.',
};

const GPR32 = registersOf('gpr32');
const GPR16 = registersOf('gpr16');
const GPR8 = registersOf('gpr8');

function parts(name: string): string | undefined {
  const i32 = GPR32.indexOf(name);
  if (i32 >= 0) {
    const low = GPR16[i32];
    return i32 < 4 ? `Parts: \`${low}\` (bits 15–0), \`${GPR8[i32 + 4]}\` (bits 15–8), \`${GPR8[i32]}\` (bits 7–0).` : `Parts: \`${low}\` (bits 15–0).`;
  }
  const i16 = GPR16.indexOf(name);
  if (i16 >= 0) return `The low 16 bits of \`${GPR32[i16]}\`.`;
  const i8 = GPR8.indexOf(name);
  if (i8 >= 0) return i8 < 4 ? `Bits 7–0 of \`${GPR32[i8]}\`.` : `Bits 15–8 of \`${GPR32[i8 - 4]}\`.`;
  return undefined;
}

function family(name: string): string | undefined {
  for (const list of [GPR16, GPR8]) {
    const i = list.indexOf(name);
    if (i >= 0) return GPR32[list === GPR8 ? i % 4 : i];
  }
  return undefined;
}

/** Markdown for a register, or undefined for a name that is not one. */
export function registerDoc(name: string): string | undefined {
  const cls = registerClass(name);
  if (!cls) return undefined;
  const encoding = registersOf(cls).indexOf(name);
  const lines = [`**${name}** — ${registerClassText(cls)} (encoding ${encoding})`];
  const p = parts(name);
  if (p) lines.push('', p);
  const role = ROLES[name] ?? ROLES[family(name) ?? ''];
  if (role) lines.push('', role);
  return lines.join('\n');
}
