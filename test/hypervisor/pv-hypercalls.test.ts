// Each implemented hypercall through a small PV guest, with its error cases.
import { describe, expect, test } from 'vitest';
import { runPv } from './pv-helpers.js';

const hex = (n: number): string => `${(n >>> 0).toString(16).padStart(8, '0')}\n`;
const EFAULT = hex(-14);
const EINVAL = hex(-22);
const ENOSYS = hex(-38);
const ENOENT = hex(-2);
const EEXIST = hex(-17);
const BAD = '0xF0000000'; // beyond guest RAM (and above HYPERVISOR_VIRT_START)

describe('console_io', () => {
  test('CONSOLEIO_write reaches the serial console; bad buffer -EFAULT; unknown command -ENOSYS', () => {
    const r = runPv(`
    mov esi, msg
    call print
    xor ebx, ebx
    mov ecx, 4
    mov edx, ${BAD}
    HC 18
    call phex
    mov ebx, 7
    mov ecx, 1
    mov edx, msg
    HC 18
    call phex
    jmp off`, "msg: db 'hello, xen', 10, 0");
    expect(r.serial).toBe(`hello, xen\n${EFAULT}${ENOSYS}`);
    expect(r.stop).toMatchObject({ reason: 'poweroff', exitStatus: 0 });
    const first = r.hypercalls[0];
    expect(first).toMatchObject({ kind: 'hypercall', reason: 'console_io', reasonNumber: 18, technique: 'paravirt' });
    expect(first.details).toMatchObject({ ebx: 0, ecx: 11, result: 0 });
    expect(first.cost).toBeGreaterThanOrEqual(400);
    expect(r.stats.exits.byReason).toMatchObject({ console_io: 5, sched_op: 1 });
  });
  test('CONSOLEIO_read takes the user\'s input', () => {
    const r = runPv(`
    mov ebx, 1
    mov ecx, 16
    mov edx, buf
    HC 18
    call phex
    mov esi, buf
    call print
    jmp off`, 'buf: times 20 db 0', 5_000_000, 'ok!');
    expect(r.serial).toBe(`${hex(3)}ok!`);
  });
});

describe('sched_op', () => {
  test('yield returns 0; unknown command -ENOSYS; bad pointer -EFAULT; bad reason -EINVAL', () => {
    const r = runPv(`
    xor ebx, ebx
    HC 29
    call phex
    mov ebx, 99
    HC 29
    call phex
    mov ebx, 2
    mov ecx, ${BAD}
    HC 29
    call phex
    mov dword [reason], 9
    mov ebx, 2
    mov ecx, reason
    HC 29
    call phex
    jmp off`);
    expect(r.serial).toBe(`${hex(0)}${ENOSYS}${EFAULT}${EINVAL}`);
    expect(r.stop).toMatchObject({ reason: 'poweroff', exitStatus: 0 });
  });
  test('shutdown crash ends the run with status 2 and a message', () => {
    const r = runPv(`
    mov dword [reason], 3
    mov ebx, 2
    mov ecx, reason
    HC 29
    mov esi, never
    call print`, "never: db 'not reached', 0");
    expect(r.serial).toBe('');
    expect(r.stop.reason).toBe('crash');
    expect(r.stop.exitStatus).toBe(2);
    expect(r.stop.message).toMatch(/crash/);
  });
  test('sched_op_compat takes the reason directly', () => {
    const r = runPv(`
    mov ebx, 2
    mov ecx, 0
    HC 6`);
    expect(r.stop).toMatchObject({ reason: 'poweroff', exitStatus: 0 });
    expect(r.stats.exits.byReason).toEqual({ sched_op_compat: 1 });
  });
  test('block with nothing armed can never wake', () => {
    const r = runPv(`
    mov ebx, 1
    HC 29
    jmp off`);
    expect(r.stop.exitStatus).toBe(2);
    expect(r.stop.reason).toBe('idle');
  });
});

describe('unknown hypercalls', () => {
  test('numbers without a handler return -ENOSYS and are counted by name', () => {
    const r = runPv(`
    HC 99
    call phex
    HC 12
    call phex
    jmp off`);
    expect(r.serial).toBe(`${ENOSYS}${ENOSYS}`);
    expect(r.stats.exits.byReason).toMatchObject({ hypercall_99: 1, memory_op: 1 });
  });
  test('the hypercall page at start_info + 0x2000 holds callable stubs', () => {
    const r = runPv(`
    mov eax, [si]
    add eax, 0x2000 + 17 * 32
    xor ebx, ebx
    xor ecx, ecx
    call eax
    call phex
    jmp off`);
    expect(r.serial).toBe(hex(0x40000));
  });
});

describe('set_trap_table', () => {
  const traps = `
    mov ebx, traps
    HC 0
    call phex`;
  const trapData = `
align 8
traps:
    db 13, 0
    dw 0xE019
    dd gp_handler
    dd 0, 0
gp_count: dd 0
gp_handler:
    inc dword [gp_count]
    pop eax                 ; error code
    call phex
    mov eax, [esp + 4]      ; CS (bits 16-23: saved upcall mask)
    call phex
    add dword [esp], 1      ; skip the 1-byte privileged instruction
    HC 23 - 0               ; (never: replaced below)
`;
  test('a privileged instruction is delivered as #GP through the trap table, and counted', () => {
    const data = trapData.replace('    HC 23 - 0               ; (never: replaced below)\n', '    push eax\n    mov eax, 23\n    int 0x82\n');
    const r = runPv(`${traps}
    cli
    hlt
    mov eax, [gp_count]
    call phex
    jmp off`, `section .text\n${data}\nsection .data`);
    // Each #GP: error code 0, CS 0xE019 with mask 1 in bits 16-23 (events start masked).
    expect(r.serial).toBe(`${hex(0)}${hex(0)}${hex(0x1e019)}${hex(0)}${hex(0x1e019)}${hex(2)}`);
    expect(r.stats.exits.byReason['#GP']).toBe(2);
    const gp = r.events.find((e) => e.kind === 'trap' && e.reason === '#GP');
    expect(gp).toMatchObject({ instruction: 'cli', details: { mnemonic: 'cli' } });
  });
  test('a bad table pointer gives -EFAULT; no handler crashes the domain', () => {
    const r = runPv(`
    mov ebx, ${BAD}
    HC 0
    call phex
    cli
    jmp off`);
    expect(r.serial).toBe(EFAULT);
    expect(r.stop.exitStatus).toBe(2);
    expect(r.stop.message).toMatch(/unhandled #GP/);
  });
});

describe('events: set_callbacks, event_channel_op, set_timer_op, iret', () => {
  const setup = `
    mov ebx, 0xE019
    mov ecx, ev_handler
    mov edx, 0xE019
    mov esi, ev_handler
    HC 4
    mov dword [bind], 0
    mov dword [bind + 4], 0
    mov ebx, 1
    mov ecx, bind
    HC 32
    call phex
    mov eax, [bind + 8]
    call phex
    rdtsc
    add eax, 5000
    mov ebx, eax
    mov ecx, edx
    HC 15`;
  const data = `
bind: dd 0, 0, 0
events: dd 0
section .text
ev_handler:
    inc dword [events]
    push eax
    mov eax, [shinfo]
    mov byte [eax], 0            ; evtchn_upcall_pending
    mov dword [eax + 2048], 0    ; evtchn_pending
    pop eax
    push eax
    mov eax, 23
    int 0x82
section .data`;
  test('the timer VIRQ waits while evtchn_upcall_mask is set and is delivered once unmasked', () => {
    const r = runPv(`${setup}
    mov ecx, 20000
    loop $                          ; spin past the deadline with events masked
    mov eax, [events]
    call phex                       ; 0: masked
    mov eax, [shinfo]
    movzx eax, byte [eax]
    call phex                       ; upcall pending = 1
    mov eax, [shinfo]
    mov byte [eax + 1], 0           ; unmask (a plain write) ...
    xor ebx, ebx
    HC 17                           ; ... and force delivery
    mov eax, [events]
    call phex                       ; 1
    mov eax, [shinfo]
    movzx eax, byte [eax + 1]
    call phex                       ; mask restored to 0 by HYPERVISOR_iret
    jmp off`, data);
    expect(r.serial).toBe(`${hex(0)}${hex(1)}${hex(0)}${hex(1)}${hex(1)}${hex(0)}`);
    expect(r.stats.exits.byReason).toMatchObject({ set_callbacks: 1, event_channel_op: 1, set_timer_op: 1, iret: 1 });
  });
  test('with events unmasked the upcall interrupts the guest at the deadline', () => {
    const r = runPv(`
    mov eax, [shinfo]
    mov byte [eax + 1], 0
${setup}
    mov ecx, 20000
    loop $
    mov eax, [events]
    call phex
    jmp off`, data);
    expect(r.serial).toBe(`${hex(0)}${hex(1)}${hex(1)}`);
  });
  test('event_channel_op errors: -EEXIST, -EINVAL, -ENOENT, -EFAULT, -ENOSYS', () => {
    const r = runPv(`${setup}
    mov ebx, 1
    mov ecx, bind
    HC 32
    call phex                       ; VIRQ_TIMER again: -EEXIST
    mov dword [bind], 99
    mov ebx, 1
    mov ecx, bind
    HC 32
    call phex                       ; -EINVAL
    mov dword [bind], 2
    mov dword [bind + 4], 1
    mov ebx, 1
    mov ecx, bind
    HC 32
    call phex                       ; vCPU 1: -ENOENT
    mov ebx, 1
    mov ecx, ${BAD}
    HC 32
    call phex                       ; -EFAULT
    mov ebx, 77
    mov ecx, bind
    HC 32
    call phex                       ; -ENOSYS
    jmp off`, data);
    expect(r.serial).toBe(`${hex(0)}${hex(1)}${EEXIST}${EINVAL}${ENOENT}${EFAULT}${ENOSYS}`);
  });
});

describe('xen_version', () => {
  test('version, extraversion, pagesize; bad pointer -EFAULT; unknown -ENOSYS', () => {
    const r = runPv(`
    xor ebx, ebx
    HC 17
    call phex
    mov ebx, 1
    mov ecx, buf
    HC 17
    mov esi, buf
    call print
    mov ebx, 7
    HC 17
    call phex
    mov ebx, 1
    mov ecx, ${BAD}
    HC 17
    call phex
    mov ebx, 99
    HC 17
    call phex
    jmp off`, 'buf: times 32 db 0');
    expect(r.serial).toBe(`${hex(0x40000)}-hyperstep${hex(4096)}${EFAULT}${ENOSYS}`);
  });
});

describe('set_gdt, update_descriptor, stack_switch', () => {
  test('the guest GDT is installed (DPL 0 raised to 1) and its selectors load; errors -EINVAL / -EFAULT', () => {
    const r = runPv(`
    mov eax, gdt_page                   ; frame number (nasm refuses >> on a label)
    shr eax, 12
    mov [frames], eax
    mov ebx, frames
    mov ecx, 3
    HC 2
    call phex
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ax, ds
    movzx eax, ax
    call phex
    mov ebx, frames
    mov ecx, 8000
    HC 2
    call phex                       ; -EINVAL: reaches Xen's reserved entries
    mov ebx, ${BAD}
    mov ecx, 3
    HC 2
    call phex                       ; -EFAULT
    mov ebx, gdt_page + 8
    xor ecx, ecx
    mov edx, 0x0000ffff
    mov esi, 0x00cf9a00
    HC 10
    call phex                       ; 0
    mov ebx, gdt_page + 4
    xor ecx, ecx
    HC 10
    call phex                       ; misaligned: -EINVAL
    mov ebx, gdt_page + 8
    xor ecx, ecx
    mov esi, 0x00008900             ; a TSS descriptor
    HC 10
    call phex                       ; -EINVAL
    mov ebx, 0xE021
    mov ecx, stack_top
    HC 3
    call phex
    jmp off`, `
frames: dd 0, 0
align 4096
gdt_page:
    dq 0
    dq 0x00cf9a000000ffff
    dq 0x00cf92000000ffff
    times 4096 - 24 db 0`);
    expect(r.serial).toBe(`${hex(0)}${hex(0x10)}${EINVAL}${EFAULT}${hex(0)}${EINVAL}${EINVAL}${hex(0)}`);
    expect(r.stats.exits.byReason).toMatchObject({ set_gdt: 3, update_descriptor: 3, stack_switch: 1 });
  });
});
