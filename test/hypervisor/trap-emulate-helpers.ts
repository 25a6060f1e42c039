// Small Multiboot guests for the trap-and-emulate tests, run natively and under the VMM.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine, type StopInfo } from '../../debug-adapter/src/engine/engine.js';
import { registerTechnique } from '../../debug-adapter/src/hypervisor/index.js';
import { trapEmulateFactory } from '../../debug-adapter/src/hypervisor/trap-emulate/index.js';
import type { HypervisorOptions, VmmEvent, VmmStatistics } from '../../debug-adapter/src/hypervisor/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

registerTechnique('trap-and-emulate', trapEmulateFactory);

export const INCLUDE = path.join(REPO_ROOT, 'samples', 'include');

/** A guest: `body` runs at the Multiboot entry; `exit` (AL = status) and `putc` (AL) are provided. */
export function guest(body: string, data = ''): string {
  return `bits 32
org 0x100000
%include "multiboot.inc"
section .text
MULTIBOOT_HEADER
_start:
    mov esp, stack_top
${body}
exit:
    mov dx, DEBUG_EXIT_PORT
    out dx, al
.h: cli
    hlt
    jmp .h
putc:
    push edx
    mov dx, COM1
    out dx, al
    pop edx
    ret
section .data
guest_data_start: dd 0
${data}
mb_load_end:
section .bss
alignb 16
stack: resb 4096
stack_top:
mb_bss_end:
`;
}

export interface RunResult {
  serial: string;
  stop: StopInfo;
  stats: VmmStatistics;
  events: VmmEvent[];
  retired: number;
  engine: Engine;
}

export function runSource(source: string, technique: 'native' | 'trap-and-emulate', hypervisor: HypervisorOptions = {}, limit = 5_000_000): RunResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-te-'));
  const file = path.join(dir, 'guest.asm');
  fs.writeFileSync(file, source);
  return runFile(file, technique, hypervisor, limit);
}

export function runFile(file: string, technique: 'native' | 'trap-and-emulate', hypervisor: HypervisorOptions = {}, limit = 5_000_000): RunResult {
  const engine = Engine.fromFile(file, { technique, hypervisor, includePaths: [INCLUDE] });
  let serial = '';
  engine.onSerial((b) => {
    serial += Buffer.from(b).toString('latin1');
  });
  const events: VmmEvent[] = [];
  engine.log.onEvent((e) => events.push(e));
  const stop = engine.run(limit);
  return { serial, stop, stats: engine.statistics(), events, retired: engine.cpu.retired, engine };
}
