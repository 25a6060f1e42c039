// Guests for the paravirt tests: assembled (optionally with -D XEN) and run natively or under
// the Xen-style PV hypervisor.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assemble } from '../../debug-adapter/src/asm/index.js';
import { Engine, type StopInfo } from '../../debug-adapter/src/engine/engine.js';
import { registerTechnique } from '../../debug-adapter/src/hypervisor/index.js';
import type { VmmEvent, VmmStatistics, ExitRecord } from '../../debug-adapter/src/hypervisor/index.js';
import { pvFactory, PvVmm } from '../../debug-adapter/src/hypervisor/paravirt/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

registerTechnique('paravirt', pvFactory);

export const SAMPLES = path.join(REPO_ROOT, 'samples');
export const INCLUDE = path.join(SAMPLES, 'include');

export function build(source: string, xen: boolean, fileName = 'guest.asm'): Uint8Array {
  const result = assemble(source, { fileName, includePaths: [SAMPLES, INCLUDE], defines: xen ? { XEN: '1' } : undefined });
  if (!result.ok) {
    const first = result.diagnostics.find((d) => d.severity === 'error');
    throw new Error(`assembly failed: ${first?.range.file}:${first?.range.line}: ${first?.message}`);
  }
  return result.bytes;
}

export interface RunResult {
  serial: string;
  stop: StopInfo;
  stats: VmmStatistics;
  events: VmmEvent[];
  hypercalls: ExitRecord[];
  engine: Engine;
  vmm: PvVmm | null;
}

export function runImage(image: Uint8Array, technique: 'native' | 'paravirt', limit = 20_000_000, input?: string): RunResult {
  const engine = new Engine({ technique });
  let serial = '';
  engine.onSerial((b) => {
    serial += Buffer.from(b).toString('latin1');
  });
  const events: VmmEvent[] = [];
  engine.log.onEvent((e) => events.push(e));
  engine.loadImage(image);
  if (input !== undefined) engine.serialInput(Buffer.from(input, 'latin1'));
  const stop = engine.run(limit);
  const hypercalls = events.filter((e): e is ExitRecord => e.kind === 'hypercall');
  return { serial, stop, stats: engine.statistics(), events, hypercalls, engine, vmm: engine.hypervisor instanceof PvVmm ? engine.hypervisor : null };
}

export function runSample(name: string, technique: 'native' | 'paravirt', limit?: number): RunResult {
  const file = path.join(SAMPLES, `${name}.asm`);
  const image = build(fs.readFileSync(file, 'utf8'), technique === 'paravirt', file);
  return runImage(image, technique, limit);
}

/**
 * A small PV guest: `body` runs at entry (ESI = start_info, saved in [si]; [shinfo] = shared_info),
 * `data` goes in .data. HC n: `mov eax, n; int 0x82`. `print` writes ESI (zero-terminated) with
 * console_io; `phex` prints EAX as 8 hex digits and a newline; `off` powers off.
 */
export function pvGuest(body: string, data = ''): string {
  return `bits 32
org 0x100000
%include "multiboot.inc"
%macro HC 1
    mov eax, %1
    int 0x82
%endmacro
section .text
MULTIBOOT_HEADER
_start:
    mov esp, stack_top
    mov [si], esi
    mov eax, [esi + 36]
    mov [shinfo], eax
${body}
off:
    mov dword [reason], 0
    mov ebx, 2
    mov ecx, reason
    HC 29
    jmp $
print:
    pushad
    mov edx, esi
    xor ecx, ecx
.l: cmp byte [esi + ecx], 0
    je .w
    inc ecx
    jmp .l
.w: xor ebx, ebx
    HC 18
    popad
    ret
phex:
    pushad
    mov edx, eax
    mov ecx, 8
    mov edi, hexbuf
.d: rol edx, 4
    mov eax, edx
    and eax, 15
    mov al, [hexdigits + eax]
    stosb
    loop .d
    mov byte [edi], 10
    mov byte [edi + 1], 0
    mov esi, hexbuf
    call print
    popad
    ret
section .data
xen_guest: db 'GUEST_OS=test,XEN_VER=xen-3.0,LOADER=generic', 0
hexdigits: db '0123456789abcdef'
align 4
si: dd 0
shinfo: dd 0
reason: dd 0
hexbuf: times 12 db 0
${data}
mb_load_end:
section .bss
alignb 16
stack: resb 8192
stack_top:
mb_bss_end:
`;
}

export function runPv(body: string, data = '', limit = 5_000_000, input?: string): RunResult {
  return runImage(build(pvGuest(body, data), true), 'paravirt', limit, input);
}
