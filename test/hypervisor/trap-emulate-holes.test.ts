// trap-and-emulate: sensitive unprivileged instructions run natively and misbehave as the
// hardware would (holes), and hardware interrupts are reflected only when the virtual IF allows.
import { describe, expect, test } from 'vitest';
import { guest, runSource } from './trap-emulate-helpers.js';
import type { ExitRecord, HoleRecord } from '../../debug-adapter/src/hypervisor/index.js';

function holes(events: readonly { kind: string }[]): HoleRecord[] {
  return events.filter((e) => e.kind === 'hole') as HoleRecord[];
}

// Prints 'I' when EFLAGS.IF (as PUSHF shows it) is set, 'i' when clear.
const SHOW_IF = `
    pushfd
    pop eax
    test eax, 0x200
    mov al, 'i'
    jz %%clear
    mov al, 'I'
%%clear:
    call putc
`;

function showIf(n: number): string {
  return SHOW_IF.replace(/%%clear/g, `.clear${n}`);
}

const POPF_GUEST = guest(`
    sti
    pushfd
    and dword [esp], ~0x200        ; ask for IF=0 through POPF
    popfd
${showIf(1)}
    cli
${showIf(2)}
    mov al, 10
    call putc
    mov al, 0
    jmp exit
`);

describe('trap-and-emulate: POPF and PUSHF holes', () => {
  test('POPF cannot clear IF; PUSHF then shows IF=1 where bare metal shows 0', () => {
    const native = runSource(POPF_GUEST, 'native');
    const te = runSource(POPF_GUEST, 'trap-and-emulate');
    expect(native.serial).toBe('ii\n');
    expect(te.serial).toBe('II\n');
    const h = holes(te.events);
    expect(h.map((e) => e.mnemonic)).toEqual(['popf', 'pushf', 'pushf']);
    expect(h[0].message).toBe('POPF: guest asked IF=0; IF stays 1');
    expect(h[0].expected).toBe('IF=0 IOPL=0');
    expect(h[0].observed).toBe('IF=1 IOPL=0');
    expect(h[1].message).toBe("PUSHF: pushed IF=1, the guest's IF is 0");
    expect(h[0].source?.line).toBeGreaterThan(0);
    expect(te.stats.holes.byInstruction).toEqual({ popf: 1, pushf: 2 });
    expect(native.stats.holes.total).toBe(0);
  });
});

const READS_GUEST = guest(`
    sgdt [gdt_image]
    sidt [idt_image]
    smsw ax
    mov [msw], ax
    push cs
    pop eax
    mov [cs_image], eax
    mov ax, cs
    mov al, 0
    jmp exit
`, `
gdt_image: dw 0
    dd 0
idt_image: dw 0
    dd 0
msw: dw 0
cs_image: dd 0
`);

describe('trap-and-emulate: sensitive reads reveal de-privileging', () => {
  test('SGDT, SIDT, SMSW, PUSH CS and MOV from CS record holes with both values', () => {
    const te = runSource(READS_GUEST, 'trap-and-emulate');
    const native = runSource(READS_GUEST, 'native');
    expect(te.stop).toEqual(native.stop);
    const h = holes(te.events);
    expect(h.map((e) => e.mnemonic)).toEqual(['sgdt', 'sidt', 'smsw', 'push', 'mov']);
    const v = te.engine.hypervisor!.virtualState()!;
    const cpu = te.engine.cpu;
    expect(h[0].message).toBe(`SGDT: stored the VMM's GDTR base 0x${(cpu.gdtrBase >>> 0).toString(16)}, the guest's is 0x${v.gdtr.base.toString(16)}`);
    expect(h[2].message).toMatch(/^SMSW: stored the VMM's MSW 0x31, the guest's is 0x11$/);
    expect(h[3].message).toBe('PUSH CS: pushed selector 0x9 (RPL 1), the guest expects RPL 0');
    expect(h[4].message).toBe('MOV from CS: read selector 0x9 (RPL 1), the guest expects RPL 0');
    const sym = (name: string): number => te.engine.program!.symbols.find((s) => s.name === name)!.value;
    const mem = te.engine.machine.memory;
    expect(mem.read32(sym('gdt_image') + 2) >>> 0).toBe(cpu.gdtrBase >>> 0);
    expect(mem.read32(sym('cs_image'))).toBe(0x09);
    expect(native.engine.machine.memory.read32(sym('cs_image'))).toBe(0x08);
  });
});

// A timer interrupt (PIT channel 0 → IRQ0 → vector 0x20) counted by a handler in the guest's IDT.
const TIMER_GUEST = guest(`
    lidt [idtr]
    mov eax, timer_isr
    mov [idt + 0x20 * 8], ax
    mov word [idt + 0x20 * 8 + 2], 0x08
    mov word [idt + 0x20 * 8 + 4], 0x8e00
    shr eax, 16
    mov [idt + 0x20 * 8 + 6], ax
    ; PIC: vectors 0x20/0x28, only IRQ0 unmasked
    mov al, 0x11
    out 0x20, al
    out 0xa0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xa1, al
    mov al, 4
    out 0x21, al
    mov al, 2
    out 0xa1, al
    mov al, 1
    out 0x21, al
    out 0xa1, al
    mov al, 0xfe
    out 0x21, al
    mov al, 0xff
    out 0xa1, al
    ; PIT: rate generator, ~1 ms
    mov al, 0x34
    out 0x43, al
    mov al, 0xa9
    out 0x40, al
    mov al, 0x04
    out 0x40, al
    ; with IF=0 for a while: no tick may arrive
    mov ecx, 1500000
.spin:
    loop .spin
    mov eax, [ticks]
    add al, '0'
    call putc
    sti
    hlt
    cli
    mov eax, [ticks]
    add al, '0'
    call putc
    mov al, 10
    call putc
    mov al, 0
    jmp exit

timer_isr:
    push eax
    inc dword [ticks]
    mov al, 0x20
    out 0x20, al
    pop eax
    iretd
`, `
ticks: dd 0
align 8
idt: times 0x30 dq 0
idtr: dw 0x30 * 8 - 1
    dd idt
`);

describe('trap-and-emulate: interrupts', () => {
  test('a timer interrupt is held while virtual IF=0 and reflected through the guest IDT after STI', () => {
    const native = runSource(TIMER_GUEST, 'native');
    const te = runSource(TIMER_GUEST, 'trap-and-emulate');
    expect(native.serial).toBe('01\n');
    expect(te.serial).toBe(native.serial);
    expect(te.stop).toEqual(native.stop);
    const ints = te.events.filter((e) => e.kind === 'interrupt') as ExitRecord[];
    expect(ints.length).toBeGreaterThanOrEqual(2);
    expect(ints[0].details).toMatchObject({ vector: 0x20, pending: true });
    expect(ints.some((e) => e.details.injected === true)).toBe(true);
    expect(te.stats.exits.byReason.EXTERNAL_INTERRUPT).toBe(ints.length);
    // The handler's IRET is emulated (it must restore the virtual IF).
    expect((te.events.filter((e) => e.kind === 'trap') as ExitRecord[]).some((e) => e.details.mnemonic === 'iretd')).toBe(true);
    expect(te.stats.holes.total).toBe(0);
  });
});
