// paravirt: Xen x86_32 PV (see vmm.ts for the design, abi.ts for the ABI subset and layouts).
import type { HypervisorFactory } from '../hypervisor.js';
import { PvVmm } from './vmm.js';

export const pvFactory: HypervisorFactory = (options) => new PvVmm(options);

export { PvVmm };
export { isPvGuest, findXenGuestString } from './pv-guest.js';
