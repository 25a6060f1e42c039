// mmu_update, mmuext_op and update_va_mapping (with their error cases), the failsafe callback, and
// event delivery to guest user code (ring 3) through the stack_switch kernel stack.
import { describe, expect, test } from 'vitest';
import { runPv } from './pv-helpers.js';

const hex = (n: number): string => `${(n >>> 0).toString(16).padStart(8, '0')}\n`;
const OK = hex(0);
const EPERM = hex(-1);
const ESRCH = hex(-3);
const EFAULT = hex(-14);
const EINVAL = hex(-22);
const ENOSYS = hex(-38);
const BAD = '0xF0000000';

/** Page tables (paging still off): pd and pd2 map 0..2 MiB 1:1 (table pages read-only) and the PV pages. */
const SETUP = `
    mov edi, pt0
    xor eax, eax
    mov ecx, 512
.id:
    lea edx, [eax + 3]
    mov [edi], edx
    add edi, 4
    add eax, 0x1000
    loop .id
    mov eax, pd
    shr eax, 12
    and dword [pt0 + eax * 4], ~2
    and dword [pt0 + eax * 4 + 4], ~2
    and dword [pt0 + eax * 4 + 8], ~2
    and dword [pt0 + eax * 4 + 12], ~2
    mov dword [pd], pt0 + 3
    mov dword [pd2], pt0 + 3
    mov esi, [si]
    mov ebx, esi
    shr ebx, 22
    mov dword [pd + ebx * 4], ptt + 3
    mov dword [pd2 + ebx * 4], ptt + 3
    mov ebx, esi
    shr ebx, 12
    and ebx, 0x3ff
    lea edx, [esi + 3]
    mov [ptt + ebx * 4], edx
    add edx, 0x1000
    mov [ptt + ebx * 4 + 4], edx`;
const PAGES = `
done: dd 0
req: times 8 dd 0
op: times 6 dd 0
align 4096
pd: times 4096 db 0
pt0: times 4096 db 0
ptt: times 4096 db 0
pd2: times 4096 db 0
page_x: times 4096 db 0`;

/** mmuext_op with one (or two) ops from [op]; prints the result. */
/**
 * Stores a value; `label >> 12` (a frame number) is computed at run time, because nasm refuses
 * shifts of a label's address.
 */
function store(dest: string, value: string): string {
  const frame = /^(\w+) >> 12$/.exec(value);
  if (frame === null) return `mov dword ${dest}, ${value}`;
  return `mov eax, ${frame[1]}
    shr eax, 12
    mov dword ${dest}, eax`;
}

function ext(cmd: number, arg1: string, dom = '0x7FF0', count = 1): string {
  return `
    mov dword [op], ${cmd}
    ${store('[op + 4]', arg1)}
    mov ebx, op
    mov ecx, ${count}
    mov edx, done
    mov esi, ${dom}
    HC 26
    call phex`;
}

/** mmu_update of one request {ptr, val}; prints the result. */
function mmu(ptr: string, val: string, dom = '0x7FF0', list = 'req'): string {
  return `
    mov dword [req], ${ptr}
    ${store('[req + 8]', val)}
    mov ebx, ${list}
    mov ecx, 1
    mov edx, done
    mov esi, ${dom}
    HC 1
    call phex`;
}

function uva(va: string, pte: string, flags: string, hi = '0'): string {
  return `
    mov ebx, ${va}
    mov ecx, ${pte}
    mov edx, ${hi}
    mov esi, ${flags}
    HC 14
    call phex`;
}

describe('mmuext_op', () => {
  test('NEW_BASEPTR turns paging on; PIN/UNPIN L2, TLB flushes; errors -EINVAL, -ENOSYS, -ESRCH, -EFAULT', () => {
    const r = runPv(`${SETUP}
${ext(5, 'pd >> 12')}
    mov eax, [done]
    call phex                       ; 1 done
${ext(1, 'pd2 >> 12')}
${ext(1, 'pd2 >> 12')}              ; already pinned: -EINVAL
${ext(4, 'pd2 >> 12')}
${ext(4, 'pd2 >> 12')}              ; not pinned: -EINVAL
${ext(6, '0')}
${ext(7, 'page_x')}
${ext(3, 'pd2 >> 12')}              ; PIN_L4: -EINVAL (two-level paging)
${ext(99, '0')}                     ; -ENOSYS
${ext(5, '0x7FFFF')}                ; beyond the domain: -EINVAL
${ext(6, '0', '5')}                 ; foreign domain: -ESRCH
    mov ebx, ${BAD}
    mov ecx, 1
    xor edx, edx
    mov esi, 0x7FF0
    HC 26
    call phex                       ; -EFAULT
    jmp off`, PAGES);
    expect(r.serial).toBe(`${OK}${hex(1)}${OK}${EINVAL}${OK}${EINVAL}${OK}${OK}${EINVAL}${ENOSYS}${EINVAL}${ESRCH}${EFAULT}`);
    expect(r.engine.cpu.paging).toBe(true);
    expect(r.stats.exits.byReason.mmuext_op).toBe(12);
  });

  test('NEW_BASEPTR refuses tables that map a page-table page writably; no paging until then', () => {
    const r = runPv(`${SETUP}
    mov eax, pd
    shr eax, 12
    or dword [pt0 + eax * 4], 2     ; pd writable in its own tables
${ext(5, 'pd >> 12')}
    jmp off`, PAGES);
    expect(r.serial).toBe(EINVAL);
    expect(r.engine.cpu.paging).toBe(false);
  });

  test('MOV CR3 at ring 1 is a #GP through the trap table', () => {
    const r = runPv(`
    mov ebx, traps
    HC 0
    mov eax, 0x1000
    mov cr3, eax
    jmp off`, `
align 8
traps:
    db 13, 0
    dw 0xE019
    dd gp
    dd 0, 0
section .text
gp:
    mov esi, msg
    call print
    jmp off
section .data
msg: db 'gp', 10, 0`);
    expect(r.serial).toBe('gp\n');
    expect(r.events.find((e) => e.kind === 'trap' && e.reason === '#GP')).toMatchObject({ instruction: expect.stringMatching(/^mov cr3/) });
  });
});

describe('mmu_update', () => {
  test('L1/L2 updates of live tables; refusals with their errno; the done count; direct writes fault', () => {
    const r = runPv(`${SETUP}
${mmu('pt0', 'page_x + 3')}
${ext(5, 'pd >> 12')}
${mmu('pt0 + 0x3FC', 'page_x + 3')}
    mov eax, [done]
    call phex
${ext(7, '0xFF000')}
    mov dword [page_x], 0x600d
    mov eax, [0xFF000]
    call phex
${mmu('pt0 + 0x3FC + 2', 'page_x + 1')}
    mov eax, [pt0 + 0x3FC]
    and eax, 0xFFF
    call phex
${mmu('pt0 + 0x3FC', 'page_x + 1')}
    mov eax, [pt0 + 0x3FC]
    and eax, 0xFFF
    call phex
${mmu('pt0 + 0x3FC', 'pd + 3')}
${mmu('pt0 + 0x3FC', 'pd + 1')}
${mmu('pd + 4 * 1000', 'pt0 + 3')}
${mmu('pd + 4', 'page_x + 0x83')}
${mmu('pt0 + 0x3FC', '0x1FFF0003')}
${mmu('page_x + 1', 'page_x >> 12')}
${mmu('page_x + 1', '5')}
${mmu('pt0 + 0x3FC + 3', '0')}
${mmu('page_x', '0')}
${mmu('pt0', '0', '5')}
${mmu('pt0', '0', '0x7FF0', BAD)}
    mov dword [req + 16], pt0 + 0x3F8
    mov dword [req + 24], pd + 3
    mov ebx, req
    mov ecx, 2
    mov edx, done
    mov esi, 0x7FF0
    HC 1
    call phex
    mov eax, [done]
    call phex
    mov dword [pt0], 0`, PAGES);
    expect(r.serial).toBe(
      `${EINVAL}${OK}${OK}${hex(1)}${OK}${hex(0x600d)}` +
      `${OK}${hex(0x21)}${OK}${hex(0x001)}` +
      `${EINVAL}${OK}${EPERM}${EINVAL}${EINVAL}${OK}${EINVAL}${ENOSYS}${EINVAL}${ESRCH}${EFAULT}` +
      `${EINVAL}${hex(1)}`);
    // A direct store into a (read-only) page table at ring 1 faults: CR0.WP is on under paravirt.
    expect(r.stop.exitStatus).toBe(2);
    expect(r.stop.message).toMatch(/unhandled #PF/);
    expect(r.stats.exits.byReason.mmu_update).toBe(16);
  });
});

describe('update_va_mapping', () => {
  test('maps with UVMF_INVLPG / UVMF_TLB_FLUSH; -EINVAL and -EFAULT cases', () => {
    const r = runPv(`${SETUP}
${uva('0xFF000', 'page_x + 3', '2')}
${ext(5, 'pd >> 12')}
${uva('0xFF000', 'page_x + 3', '2')}
    mov dword [page_x], 0xbeef
    mov eax, [0xFF000]
    call phex
${uva('0xF6000000', 'page_x + 3', '2')}
${uva('0x80000000', 'page_x + 3', '2')}
${uva('0xFF000', 'page_x + 3', '3')}
${uva('0xFF000', 'page_x + 3', '2', '1')}
${uva('0xFF000', 'pd + 3', '2')}
${uva('0xFF000', 'page_x + 3', BAD)}
${uva('0xFF000', '0', '1')}
    mov eax, [0xFF000]`, PAGES);
    expect(r.serial).toBe(`${EINVAL}${OK}${OK}${hex(0xbeef)}${EINVAL}${EINVAL}${EINVAL}${EINVAL}${EINVAL}${EFAULT}${OK}`);
    expect(r.stop.message).toMatch(/unhandled #PF/); // unmapped, and the TLB was flushed
    expect(r.stats.exits.byReason.update_va_mapping).toBe(9);
  });
});

describe('failsafe callback', () => {
  const gdt = `
frames: dd 0, 0
align 4096
gdt_page:
    dq 0
    dq 0x00cf9a000000ffff
    dq 0x00cf92000000ffff
    times 4096 - 24 db 0`;
  const body = (failsafe: string): string => `
    ${store('[frames]', 'gdt_page >> 12')}
    mov ebx, frames
    mov ecx, 3
    HC 2
    mov ebx, 0xE019
    mov ecx, failsafe
    mov edx, 0xE019
    mov esi, ${failsafe}
    HC 4
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ebx, gdt_page + 16          ; entry 2 (DS, ES) becomes not present under them
    xor ecx, ecx
    mov edx, 0x0000ffff
    mov esi, 0x00cf1200
    HC 10
    mov ax, 0xE021
    mov ds, ax
    mov esi, never
    call print
    jmp off
failsafe:
    mov ax, 0xE021                  ; DS and ES were zeroed
    mov ds, ax
    mov es, ax
    pop eax
    call phex                       ; DS
    pop eax
    call phex                       ; ES
    pop eax
    call phex                       ; FS
    pop eax
    call phex                       ; GS
    mov eax, [esp + 4]
    call phex                       ; CS | saved mask << 16
    jmp off`;
  test('a data segment that cannot be reloaded on the way back enters it, with DS ES FS GS on the frame', () => {
    const r = runPv(body('failsafe'), `${gdt}\nnever: db 'not reached', 10, 0`);
    expect(r.serial).toBe(`${hex(0x10)}${hex(0x10)}${hex(0xe021)}${hex(0xe021)}${hex(0x1e019)}`);
    expect(r.stop).toMatchObject({ reason: 'poweroff', exitStatus: 0 });
    expect(r.vmm?.failsafeEntries).toBe(1);
    expect(r.hypercalls.find((h) => h.reason === 'update_descriptor')?.action).toMatch(/failsafe callback/);
  });
  test('without a failsafe callback the domain is crashed', () => {
    const r = runPv(body('0'), `${gdt}\nnever: db 'not reached', 10, 0`);
    expect(r.serial).toBe('');
    expect(r.stop.exitStatus).toBe(2);
    expect(r.stop.message).toMatch(/DS, ES .*no failsafe callback/);
  });
});

describe('events delivered to guest user code (ring 3)', () => {
  test('the upcall switches to the stack_switch stack and pushes SS:ESP of ring 3', () => {
    const r = runPv(`
    mov ebx, 0xE021
    mov ecx, kstack_top
    HC 3
    mov ebx, 0xE019
    mov ecx, ev
    mov edx, 0xE019
    mov esi, ev
    HC 4
    mov ebx, 1
    mov ecx, bind
    HC 32
    rdtsc
    add eax, 20000
    mov ebx, eax
    mov ecx, edx
    HC 15
    mov ax, 0xE033
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    push 0xE033                     ; HYPERVISOR_iret frame: EAX, EIP, CS, EFLAGS, ESP, SS
    push ustack_top
    push 0x202
    push 0xE02B
    push user
    push 0
    mov eax, 23
    int 0x82
user:
    inc dword [spins]
    jmp user
ev:
    mov eax, [esp + 4]
    call phex                       ; CS of ring 3, saved mask 0
    mov eax, [esp + 12]
    sub eax, ustack_top
    call phex                       ; ring-3 ESP
    mov eax, [esp + 16]
    call phex                       ; ring-3 SS
    mov eax, kstack_top
    sub eax, esp
    call phex                       ; a 5-word frame on the kernel stack
    mov ax, cs
    movzx eax, ax
    call phex
    cmp dword [spins], 0
    setne al
    movzx eax, al
    call phex
    jmp off`, `
bind: dd 0, 0, 0
spins: dd 0
align 16
kstack: times 1024 db 0
kstack_top:
ustack: times 1024 db 0
ustack_top:`);
    expect(r.serial).toBe(`${hex(0xe02b)}${hex(0)}${hex(0xe033)}${hex(20)}${hex(0xe019)}${hex(1)}`);
    expect(r.stop).toMatchObject({ reason: 'poweroff', exitStatus: 0 });
  });
});
