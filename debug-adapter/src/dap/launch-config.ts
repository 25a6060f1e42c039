// The `launch` request's settings: validated here, each problem named in one line, and described
// once as a JSON schema (the source of package.json's `contributes.debuggers` attributes).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_TECHNIQUES, availableTechniques, isTechnique, type HypervisorOptions, type Technique } from '../hypervisor/index.js';
import { DapError, ErrorId } from './errors.js';

export interface LaunchConfig {
  /** Absolute path of the .asm source or the image. */
  program: string;
  technique: Technique;
  stopOnEntry: boolean;
  memoryMiB?: number;
  hypervisor: HypervisorOptions;
  /** Instruction budget from power-on (Infinity: none). */
  maxInstructions: number;
  /** Run without debugging: breakpoints are ignored. */
  noDebug: boolean;
  /** `%define`s for the assembler (-D NAME[=VALUE]). */
  defines: Record<string, string>;
  /** Extra `%include` directories (-I), absolute. */
  includePaths: string[];
}

const MAX_MEMORY_MIB = 3072;

/** JSON schema of the launch attributes (package.json `configurationAttributes.launch`). */
export const LAUNCH_SCHEMA = {
  required: ['program'],
  properties: {
    program: { type: 'string', description: 'The guest: a .asm source (assembled with its source map) or a Multiboot/ELF image.', default: '${file}' },
    technique: { type: 'string', enum: [...ALL_TECHNIQUES], description: 'The virtualization technique the guest runs under.', default: 'native' },
    stopOnEntry: { type: 'boolean', description: 'Stop at the guest entry point.', default: false },
    memoryMiB: { type: 'integer', minimum: 1, maximum: MAX_MEMORY_MIB, description: 'Guest memory in MiB.', default: 32 },
    vmx: {
      type: 'object',
      description: 'VT-x controls (technique vt-x): NAME → VALUE, e.g. { "hlt-exiting": false, "io-bitmap": "0x3f8-0x3ff" }.',
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    },
    guestRing: { type: 'integer', enum: [1, 3], description: 'trap-and-emulate: the ring the guest kernel runs in.', default: 1 },
    maxInstructions: { type: 'integer', minimum: 1, description: 'Stop the guest after this many instructions from power-on.' },
    defines: {
      type: 'object',
      description: 'Assembler %defines (like -D): NAME → VALUE, e.g. { "XEN": "" } builds the pv-* samples as Xen PV kernels.',
      additionalProperties: { type: ['string', 'number'] },
    },
    includePaths: { type: 'array', items: { type: 'string' }, description: 'Extra %include directories (like -I), relative to the workspace folder.' },
  },
} as const;

function fail(message: string): never {
  throw new DapError(ErrorId.LaunchFailed, message);
}

/** Checks the launch arguments; throws a DapError naming the first problem. */
export function parseLaunchConfig(raw: Record<string, unknown>, cwd = process.cwd()): LaunchConfig {
  const program = raw.program;
  if (program === undefined || program === null || program === '') fail("launch: 'program' is required (a .asm source or an image)");
  if (typeof program !== 'string') fail("launch: 'program' must be a string path");
  const base = typeof raw.cwd === 'string' ? path.resolve(cwd, raw.cwd) : cwd;
  const file = path.resolve(base, program);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    fail(`launch: program '${program}' does not exist (${file})`);
  }
  if (!stat.isFile()) fail(`launch: program '${program}' is not a file`);

  const techniqueRaw = raw.technique ?? 'native';
  if (typeof techniqueRaw !== 'string' || !isTechnique(techniqueRaw)) {
    fail(`launch: unknown technique '${String(techniqueRaw)}' (known: ${ALL_TECHNIQUES.join(', ')})`);
  }
  const technique: Technique = techniqueRaw;
  if (!availableTechniques().includes(technique)) fail(`launch: technique '${technique}' is not available in this build (available: ${availableTechniques().join(', ')})`);

  const stopOnEntry = raw.stopOnEntry ?? false;
  if (typeof stopOnEntry !== 'boolean') fail("launch: 'stopOnEntry' must be true or false");

  let memoryMiB: number | undefined;
  if (raw.memoryMiB !== undefined) {
    const m = raw.memoryMiB;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > MAX_MEMORY_MIB) fail(`launch: 'memoryMiB' must be an integer from 1 to ${MAX_MEMORY_MIB} (got ${JSON.stringify(m)})`);
    memoryMiB = m;
  }

  const hypervisor: HypervisorOptions = {};
  if (raw.vmx !== undefined) {
    if (technique !== 'vt-x') fail("launch: 'vmx' applies to technique 'vt-x'");
    const vmx = raw.vmx;
    if (typeof vmx !== 'object' || vmx === null || Array.isArray(vmx)) fail("launch: 'vmx' must be an object of NAME: VALUE controls");
    const out: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(vmx)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') fail(`launch: vmx control '${k}' must be a string, number or boolean`);
      out[k] = v;
    }
    hypervisor.vmx = out;
  }
  if (raw.guestRing !== undefined) {
    if (technique !== 'trap-and-emulate') fail("launch: 'guestRing' applies to technique 'trap-and-emulate'");
    if (raw.guestRing !== 1 && raw.guestRing !== 3) fail(`launch: 'guestRing' must be 1 or 3 (got ${JSON.stringify(raw.guestRing)})`);
    hypervisor.guestRing = raw.guestRing;
  }

  let maxInstructions = Infinity;
  if (raw.maxInstructions !== undefined) {
    const n = raw.maxInstructions;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) fail(`launch: 'maxInstructions' must be a positive integer (got ${JSON.stringify(n)})`);
    maxInstructions = n;
  }
  const defines: Record<string, string> = {};
  if (raw.defines !== undefined) {
    const d = raw.defines;
    if (typeof d !== 'object' || d === null || Array.isArray(d)) fail("launch: 'defines' must be an object of NAME: VALUE (e.g. { \"XEN\": \"\" })");
    for (const [k, v] of Object.entries(d)) {
      if (!/^[A-Za-z_.?][A-Za-z0-9_.?$#@~]*$/.test(k)) fail(`launch: 'defines' has a bad name '${k}'`);
      if (typeof v !== 'string' && typeof v !== 'number') fail(`launch: define '${k}' must be a string or a number`);
      defines[k] = String(v);
    }
  }
  const includePaths: string[] = [];
  if (raw.includePaths !== undefined) {
    if (!Array.isArray(raw.includePaths) || raw.includePaths.some((p) => typeof p !== 'string')) fail("launch: 'includePaths' must be an array of directory paths");
    for (const p of raw.includePaths as string[]) includePaths.push(path.resolve(base, p));
  }
  return { program: file, technique, stopOnEntry, memoryMiB, hypervisor, maxInstructions, noDebug: raw.noDebug === true, defines, includePaths };
}
