// The techniques this build has, by name. `native` runs the guest on the bare CPU model.
import type { Technique } from './types.js';
import { TECHNIQUES } from '../isa/index.js';
import type { HypervisorFactory, HypervisorOptions, Hypervisor } from './hypervisor.js';

const factories = new Map<Technique, HypervisorFactory>();

/** Techniques register here (one line per technique module). */
export function registerTechnique(name: Technique, factory: HypervisorFactory): void {
  factories.set(name, factory);
}

/** Every technique a guest can run under in this build, native first. */
export function availableTechniques(): Technique[] {
  return ['native', ...ALL_TECHNIQUES.filter((t) => t !== 'native' && factories.has(t))];
}

/** Every technique the project knows (the knowledge base's list), whether or not this build has it. */
export const ALL_TECHNIQUES: readonly Technique[] = TECHNIQUES;

export function isTechnique(name: string): name is Technique {
  return (ALL_TECHNIQUES as readonly string[]).includes(name);
}

/** The hypervisor for a technique, or null for native. Throws with a clear message otherwise. */
export function createHypervisor(name: string, options: HypervisorOptions = {}): Hypervisor | null {
  if (name === 'native') return null;
  if (!isTechnique(name)) throw new Error(`unknown technique '${name}' (known: ${ALL_TECHNIQUES.join(', ')})`);
  const factory = factories.get(name);
  if (factory === undefined) {
    throw new Error(`technique '${name}' is not available in this build yet (available: ${availableTechniques().join(', ')})`);
  }
  return factory(options);
}

export * from './types.js';
export * from './hypervisor.js';
export { EventLog } from './event-log.js';
export { costModel, DEFAULT_COSTS, type CostModel, type CostOverrides } from './cost-model.js';
export { emptyVirtualState, virtualStateOf, type VirtualCpuState } from './virtual-state.js';
