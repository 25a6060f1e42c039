// The techniques as the editor presents them: the names come from the knowledge base, the words
// for the picker, the settings and the walkthrough live here.
import { TECHNIQUES, type Technique } from '../../../debug-adapter/src/isa/types.js';

export { TECHNIQUES, type Technique };

export interface TechniqueInfo {
  label: string;
  /** One line for the picker. */
  detail: string;
}

export const TECHNIQUE_INFO: Readonly<Record<Technique, TechniqueInfo>> = {
  native: { label: 'native', detail: 'Bare metal: no VMM, the reference run.' },
  'trap-and-emulate': {
    label: 'trap-and-emulate',
    detail: 'Classic VMM: the kernel runs de-privileged at ring 1; privileged instructions trap, sensitive ones like POPF slip through (the holes).',
  },
  'binary-translation': {
    label: 'binary-translation',
    detail: 'VMware-style: kernel code runs from a translation cache, sensitive instructions become callouts.',
  },
  paravirt: { label: 'paravirt', detail: 'Xen-style: the kernel calls the hypervisor (hypercalls) instead of executing sensitive instructions.' },
  'vt-x': { label: 'vt-x', detail: 'Hardware assist: the guest runs at its own ring 0 and the CPU exits to the VMM on configured events.' },
};

/** The default of the `hyperstep.technique` setting (see package.json for why). */
export const DEFAULT_TECHNIQUE: Technique = 'trap-and-emulate';

export function isTechnique(value: unknown): value is Technique {
  return typeof value === 'string' && (TECHNIQUES as readonly string[]).includes(value);
}
