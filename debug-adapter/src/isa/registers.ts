// Register names as NASM writes them, by class. Used to match operand patterns.
import type { RegisterClass } from './types.js';

const CLASSES: Readonly<Record<RegisterClass, readonly string[]>> = {
  gpr8: ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'],
  gpr16: ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'],
  gpr32: ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'],
  sreg: ['es', 'cs', 'ss', 'ds', 'fs', 'gs'],
  cr: ['cr0', 'cr1', 'cr2', 'cr3', 'cr4', 'cr5', 'cr6', 'cr7'],
  dr: ['dr0', 'dr1', 'dr2', 'dr3', 'dr4', 'dr5', 'dr6', 'dr7'],
  tr: ['tr0', 'tr1', 'tr2', 'tr3', 'tr4', 'tr5', 'tr6', 'tr7'],
};

const byName = new Map<string, RegisterClass>(
  (Object.entries(CLASSES) as [RegisterClass, readonly string[]][]).flatMap(([cls, names]) =>
    names.map((n) => [n, cls] as const),
  ),
);

/** Class of a register name (case-insensitive), or undefined for names outside the classes. */
export function registerClass(name: string): RegisterClass | undefined {
  return byName.get(name.toLowerCase());
}

/** Register names of a class, lowercase. */
export function registersOf(cls: RegisterClass): readonly string[] {
  return CLASSES[cls];
}
