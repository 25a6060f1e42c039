// Runs one guest to its end under one technique and collects what the command line reports.
import { Engine, EngineInputError, type StopInfo } from '../engine/engine.js';
import type { HypervisorOptions, Technique, VmmStatistics } from '../hypervisor/index.js';

export interface GuestRunResult {
  technique: Technique;
  /** The image that ran (assembled when the input was a source). */
  image: Uint8Array;
  serial: Uint8Array;
  stop: StopInfo;
  exitStatus: number;
  instructions: number;
  statistics: VmmStatistics;
  milliseconds: number;
}

export interface GuestRunOptions {
  memoryMiB?: number;
  includePaths?: string[];
  maxInstructions?: number;
  hypervisor?: HypervisorOptions;
  defines?: Record<string, string>;
}

/** Throws EngineInputError when the input cannot be run. */
export function runGuest(file: string, technique: Technique, options: GuestRunOptions = {}): GuestRunResult {
  const engine = Engine.fromFile(file, {
    memoryMiB: options.memoryMiB,
    includePaths: options.includePaths,
    technique,
    hypervisor: options.hypervisor,
    defines: options.defines,
  });
  const chunks: number[] = [];
  engine.onSerial((bytes) => {
    for (const b of bytes) chunks.push(b);
  });
  const t0 = performance.now();
  const stop = engine.run(options.maxInstructions ?? Infinity);
  return {
    technique,
    image: engine.program?.image ?? new Uint8Array(0),
    serial: Uint8Array.from(chunks),
    stop,
    exitStatus: stop.exitStatus ?? 4,
    instructions: engine.instructions,
    statistics: engine.statistics(),
    milliseconds: performance.now() - t0,
  };
}

export { EngineInputError };
