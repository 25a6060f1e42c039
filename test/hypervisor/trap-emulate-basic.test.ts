// trap-and-emulate: de-privileging, #GP emulation of privileged and IOPL-sensitive instructions,
// and guests without sensitive unprivileged instructions running exactly as natively.
import { describe, expect, test } from 'vitest';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { guest, runFile, runSource } from './trap-emulate-helpers.js';
import type { ExitRecord } from '../../debug-adapter/src/hypervisor/index.js';

const HELLO = path.join(REPO_ROOT, 'samples', 'hello.asm');

function exits(events: readonly { kind: string }[]): ExitRecord[] {
  return events.filter((e) => e.kind !== 'hole') as ExitRecord[];
}

describe('trap-and-emulate: hello', () => {
  test('serial output, exit status and instruction count equal native; every IN/OUT is a #GP trap', () => {
    const native = runFile(HELLO, 'native');
    const te = runFile(HELLO, 'trap-and-emulate');
    expect(te.serial).toBe('Hello from a Hyperstep guest!\n');
    expect(te.serial).toBe(native.serial);
    expect(te.stop).toEqual(native.stop);
    expect(te.retired).toBe(native.retired);
    expect(te.stats.holes.total).toBe(0);
    const traps = exits(te.events);
    expect(traps.length).toBeGreaterThan(30);
    expect(Object.keys(te.stats.exits.byReason)).toEqual(['#GP']);
    for (const t of traps) {
      expect(t.kind).toBe('trap');
      expect(t.reasonNumber).toBe(13);
      expect(['in', 'out']).toContain(t.details.mnemonic);
      expect(t.details.emulated).toBe(true);
    }
    const outs = traps.filter((t) => t.details.mnemonic === 'out');
    // 30 characters + the debug-exit write
    expect(outs.length).toBe(31);
    expect(outs[0].details.port).toBe(0x3f8);
    expect(outs[0].source?.line).toBeGreaterThan(0);
    expect(te.stats.cycles).toBeGreaterThan(native.stats.cycles);
  });

  test('the guest runs at physical ring 1 with IOPL 0 and IF 1; the virtual state keeps CPL 0', () => {
    const te = runSource(guest('    mov al, 0\n    jmp exit\n'), 'trap-and-emulate', {}, 0);
    const cpu = te.engine.cpu;
    expect(cpu.cpl).toBe(1);
    expect(cpu.segSel[1]).toBe(0x09);
    expect(cpu.iopl).toBe(0);
    expect(cpu.interruptsEnabled).toBe(true);
    const v = te.engine.hypervisor!.virtualState()!;
    expect(v.cpl).toBe(0);
    expect(v.interruptFlag).toBe(false);
    expect(v.gdtr.base).not.toBe(cpu.gdtrBase >>> 0);
  });

  test('guestRing 3 runs hello the same', () => {
    const native = runFile(HELLO, 'native');
    const te = runFile(HELLO, 'trap-and-emulate', { guestRing: 3 });
    expect(te.serial).toBe(native.serial);
    expect(te.stop).toEqual(native.stop);
    expect(te.engine.cpu.cpl).toBe(3);
    expect(te.stats.holes.total).toBe(0);
  });
});

const PRIVILEGED = guest(`
    cli
    sti
    cli
    lgdt [gdtr]
    jmp 0x08:.reload
.reload:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    lidt [idtr]
    mov eax, cr0
    or eax, 0x40000                ; AM
    mov cr0, eax
    mov ebx, cr0
    mov eax, cr3
    mov cr3, eax
    in al, 0x21
    invlpg [0x1000]
    wbinvd
    mov ecx, 0x10                  ; TSC
    rdmsr
    mov eax, ebx
    shr eax, 16
    add al, '0'
    call putc
    mov al, 10
    call putc
    mov al, 3
    jmp exit
`, `
align 8
gdt: dq 0
    dq 0x00cf9a000000ffff
    dq 0x00cf92000000ffff
gdt_end:
gdtr: dw gdt_end - gdt - 1
    dd gdt
idt: times 32 dq 0
idtr: dw 32 * 8 - 1
    dd idt
`);

describe('trap-and-emulate: privileged instructions trap and are emulated', () => {
  test('CLI/STI/LGDT/LIDT/MOV CR/IN/INVLPG/WBINVD/RDMSR/MOV SS counted, output equals native', () => {
    const native = runSource(PRIVILEGED, 'native');
    const te = runSource(PRIVILEGED, 'trap-and-emulate');
    expect(native.serial).toBe('4\n'); // CR0 bits 16–19 after setting AM: 0b0100
    expect(te.serial).toBe(native.serial);
    expect(te.stop).toEqual(native.stop);
    expect(te.retired).toBe(native.retired);
    expect(te.stats.holes.total).toBe(0);
    const mnemonics = exits(te.events).map((e) => e.details.mnemonic);
    expect(mnemonics).toEqual([
      'cli', 'sti', 'cli', 'lgdt', 'mov', 'lidt', 'mov', 'mov', 'mov', 'mov', 'mov', 'in', 'invlpg', 'wbinvd', 'rdmsr',
      'out', 'out', 'out',
    ]);
    const v = te.engine.hypervisor!.virtualState()!;
    expect(v.gdtr.limit).toBe(23);
    expect(v.idtr.limit).toBe(255);
    expect(v.interruptFlag).toBe(false);
    expect(v.cr0 & 0x40000).toBe(0x40000);
    expect(te.engine.cpu.segSel[2]).toBe(0x11); // SS loaded with RPL 1
    const cli = exits(te.events)[0];
    expect(cli.cost).toBe(te.engine.costs.trapRoundTrip + te.engine.costs.emulateInstruction);
    expect(cli.instruction).toBe('cli');
  });
});
