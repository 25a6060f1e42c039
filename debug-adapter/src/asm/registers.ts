// IA-32 register names as NASM spells them, with iced-x86's register ids.
import { Register } from 'iced-x86';

export type RegisterClass = 'gpr' | 'sreg' | 'cr' | 'dr' | 'tr';

export interface RegisterInfo {
  name: string;
  id: Register;
  cls: RegisterClass;
  /** Bits: 8, 16 or 32 (segment registers 16). */
  size: number;
  /** Encoding number (0-7) as used in ModRM. */
  num: number;
}

const GPR = {
  8: ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'],
  16: ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'],
  32: ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'],
} as const;

const table = new Map<string, RegisterInfo>();

function add(name: string, cls: RegisterClass, size: number, num: number): void {
  const id = (Register as unknown as Record<string, Register>)[name.toUpperCase()];
  if (id === undefined) throw new Error(`iced-x86 has no register ${name}`);
  table.set(name, { name, id, cls, size, num });
}

for (const size of [8, 16, 32] as const) GPR[size].forEach((n, i) => add(n, 'gpr', size, i));
['es', 'cs', 'ss', 'ds', 'fs', 'gs'].forEach((n, i) => add(n, 'sreg', 16, i));
[0, 2, 3, 4].forEach((i) => add(`cr${i}`, 'cr', 32, i));
for (let i = 0; i < 8; i++) add(`dr${i}`, 'dr', 32, i);
for (let i = 3; i < 8; i++) add(`tr${i}`, 'tr', 32, i);

export function registerByName(name: string): RegisterInfo | undefined {
  return table.get(name.toLowerCase());
}

export function allRegisterNames(): string[] {
  return [...table.keys()];
}
