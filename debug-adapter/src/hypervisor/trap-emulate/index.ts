// trap-and-emulate: the classic VMM (see vmm.ts for the design, shadow.ts for its memory).
import type { HypervisorFactory } from '../hypervisor.js';
import { TrapEmulateVmm } from './vmm.js';

export const trapEmulateFactory: HypervisorFactory = (options) => new TrapEmulateVmm(options);

export { TrapEmulateVmm };
