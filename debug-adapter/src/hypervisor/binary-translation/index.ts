// binary-translation: VMware-style translation of guest kernel code (see bt.ts for the design,
// translator.ts for the translator).
import type { HypervisorFactory } from '../hypervisor.js';
import { BinaryTranslationVmm } from './bt.js';
import { X86TranslationVmm } from './tc-vmm.js';

// The default is 'x86' (real x86 bytes in the translation cache); 'ops' selects the Op-form one.
export const btFactory: HypervisorFactory = (options) =>
  options.btMode === 'ops' ? new BinaryTranslationVmm(options) : new X86TranslationVmm(options);

export { BinaryTranslationVmm, X86TranslationVmm };
export type { TranslationStatistics, SideBySide, SideBySideLine } from './bt.js';
export { translateBlock, calloutName, TC_BASE, CALLOUT_STUB_BYTES } from './translator.js';
