// Registers as the assembler needs them: the names come from the isa knowledge base, the ids
// and encoding numbers from iced-x86.
import { Register } from 'iced-x86';
import { registersOf } from '../isa/index.js';

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

const table = new Map<string, RegisterInfo>();

function addClass(isaClass: Parameters<typeof registersOf>[0], cls: RegisterClass, size: number): void {
  registersOf(isaClass).forEach((name, num) => {
    const id = (Register as unknown as Record<string, Register>)[name.toUpperCase()];
    if (id === undefined) throw new Error(`iced-x86 has no register ${name}`);
    table.set(name, { name, id, cls, size, num });
  });
}

addClass('gpr8', 'gpr', 8);
addClass('gpr16', 'gpr', 16);
addClass('gpr32', 'gpr', 32);
addClass('sreg', 'sreg', 16);
addClass('cr', 'cr', 32);
addClass('dr', 'dr', 32);
addClass('tr', 'tr', 32);

export function registerByName(name: string): RegisterInfo | undefined {
  return table.get(name.toLowerCase());
}
