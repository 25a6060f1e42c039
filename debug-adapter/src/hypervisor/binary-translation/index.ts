// binary-translation: VMware-style translation of guest kernel code (see bt.ts for the design,
// translator.ts for the translator).
import type { HypervisorFactory } from '../hypervisor.js';
import { BinaryTranslationVmm } from './bt.js';

export const btFactory: HypervisorFactory = (options) => new BinaryTranslationVmm(options);

export { BinaryTranslationVmm };
export type { TranslationStatistics, SideBySide, SideBySideLine } from './bt.js';
export { translateBlock, calloutName, TC_BASE, CALLOUT_STUB_BYTES } from './translator.js';
