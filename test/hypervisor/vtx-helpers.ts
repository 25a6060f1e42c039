// Shared by the vt-x tests: small guests assembled with the repository's assembler (samples'
// include directory), run natively and under vt-x through the Engine API.
import * as path from 'node:path';
import { Engine, type StopInfo } from '../../debug-adapter/src/engine/engine.js';
import { registerTechnique, type ExitRecord } from '../../debug-adapter/src/hypervisor/index.js';
import { vtxFactory, type VtxHypervisor } from '../../debug-adapter/src/hypervisor/vtx/vtx.js';
import { REPO_ROOT } from '../helpers/paths.js';

// Until the lead registers it in hypervisor/techniques.ts.
registerTechnique('vt-x', vtxFactory);

export type VmxSpec = Record<string, string | number | boolean>;

/** A Multiboot guest: `body` runs at the entry (flat 32-bit protected mode), then CLI; HLT. */
export function guest(body: string, tail = ''): string {
  return [
    'bits 32',
    'org 0x100000',
    '%include "multiboot.inc"',
    'section .text',
    'MULTIBOOT_HEADER',
    '_start:',
    body,
    '    cli',
    '    hlt',
    tail,
    'mb_load_end:',
    'section .bss',
    '    resb 16',
    'mb_bss_end:',
    '',
  ].join('\n');
}

/** A guest using samples/include/lib.inc (IDT, serial, exit). */
export function libGuest(body: string, tail = ''): string {
  return [
    'bits 32',
    'org 0x100000',
    '%include "multiboot.inc"',
    'section .text',
    'MULTIBOOT_HEADER',
    '%include "lib.inc"',
    '_start:',
    '    mov esp, stack_top',
    '    call lib_init',
    body,
    '    mov al, 0',
    '    call exit',
    tail,
    'mb_load_end:',
    'section .bss',
    'LIB_BSS',
    'alignb 16',
    '    resb 8192',
    'stack_top:',
    'mb_bss_end:',
    '',
  ].join('\n');
}

export interface RunResult {
  engine: Engine;
  stop: StopInfo;
  serial: string;
  exits: ExitRecord[];
  byReason: Record<string, number>;
}

function finish(engine: Engine, limit: number): RunResult {
  const exits: ExitRecord[] = [];
  engine.log.onEvent((e) => {
    if (e.kind === 'vmexit') exits.push(e);
  });
  let serial = '';
  engine.onSerial((b) => (serial += Buffer.from(b).toString('latin1')));
  const stop = engine.run(limit);
  return { engine, stop, serial, exits, byReason: engine.statistics().exits.byReason };
}

export function runSource(source: string, technique: 'native' | 'vt-x' = 'vt-x', vmx: VmxSpec = {}, limit = 20_000_000): RunResult {
  const engine = new Engine({ technique, hypervisor: { vmx } });
  engine.loadSource(source, path.join(REPO_ROOT, 'samples', 'vtx-test.asm'));
  return finish(engine, limit);
}

export function runFile(file: string, technique: 'native' | 'vt-x' = 'vt-x', vmx: VmxSpec = {}, limit = 50_000_000, includePaths: string[] = []): RunResult {
  const engine = Engine.fromFile(file, { technique, hypervisor: { vmx }, includePaths });
  return finish(engine, limit);
}

export function vtx(r: RunResult): VtxHypervisor {
  return r.engine.hypervisor as VtxHypervisor;
}

export function only(r: RunResult, reason: string): ExitRecord[] {
  return r.exits.filter((e) => e.reason === reason);
}
