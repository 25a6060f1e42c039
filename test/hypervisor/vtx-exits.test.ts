// VT-x exits: each control flipped on and off, with the SDM's qualification layouts.
import { describe, expect, test } from 'vitest';
import { guest, libGuest, only, runSource, vtx } from './vtx-helpers.js';

describe('CPUID (always an exit)', () => {
  const src = guest(`
    mov esi, 7
.l: xor eax, eax
    cpuid
    dec esi
    jnz .l
    mov eax, 0x40000000
    cpuid
    mov [result], ebx
    mov [result+4], ecx
    mov [result+8], edx
    mov edi, eax
    mov eax, 1
    cpuid
    mov ebp, ecx`, 'result: times 12 db 0');

  test('N CPUID -> N exits, hypervisor leaf and present bit', () => {
    const r = runSource(src);
    expect(r.byReason.CPUID).toBe(9);
    const cpu = r.engine.cpu;
    expect(cpu.r32[7] >>> 0).toBe(0x40000001);
    expect(cpu.r32[5] >>> 31).toBe(1);
    const vendor = r.engine.program!.symbols.find((s) => s.name === 'result')!.value;
    expect(Buffer.from(r.engine.readLinear(vendor, 12)!).toString('latin1')).toBe('HyperstepVMX');
    const first = only(r, 'CPUID')[0];
    expect(first.reasonNumber).toBe(10);
    expect(first.instruction).toBe('cpuid');
    expect(first.source?.line).toBeGreaterThan(0);
    expect(first.cost).toBe(r.engine.costs.vmexitRoundTrip + r.engine.costs.emulateInstruction);
    expect(vtx(r).vmcs.read('VM_EXIT_REASON')).toBe(12); // the last exit was the final HLT
    expect(vtx(r).vmcs.read('VM_EXIT_INSTRUCTION_LEN')).toBe(1);
  });

  test('retired instructions equal native', () => {
    expect(runSource(src).engine.instructions).toBe(runSource(src, 'native').engine.instructions);
  });
});

describe('HLT', () => {
  const src = guest('    nop');
  test('exits with hlt-exiting (default) and not without', () => {
    const on = runSource(src);
    expect(on.byReason.HLT).toBe(1);
    expect(on.stop.reason).toBe('halted');
    expect(vtx(on).vmcs.read('GUEST_RIP')).toBe(only(on, 'HLT')[0].eip);
    const off = runSource(src, 'vt-x', { 'hlt-exiting': 'off' });
    expect(off.byReason.HLT).toBeUndefined();
    expect(off.stop.reason).toBe('halted');
  });
});

describe('I/O', () => {
  const src = guest(`
    mov al, 1
    out 0x80, al
    mov dx, 0x81
    in ax, dx
    mov dx, 0x82
    mov esi, data
    mov ecx, 3
    rep outsb
    mov dx, 0x7fff
    in eax, dx
    mov dx, 0x8000
    insb`, 'data: db 1, 2, 3');

  test('unconditional I/O exiting: one exit per instruction with the SDM qualification', () => {
    const r = runSource(src, 'vt-x', { 'unconditional-io-exiting': 'on' });
    const io = only(r, 'IO_INSTRUCTION');
    expect(io.map((e) => e.qualification)).toEqual([
      0x00800040, // out 0x80, al: byte, OUT, immediate
      0x00810009, // in ax, dx: word, IN
      0x00820030, // rep outsb: byte, OUT, string, REP
      0x7fff000b, // in eax, dx: dword (3), IN
      0x80000018, // insb: byte, IN, string
    ]);
    expect(io[0].details).toMatchObject({ port: '0x80', size: 1, direction: 'out', operand: 'immediate' });
    expect(io[2].details).toMatchObject({ string: true, rep: true });
  });

  test('no exits with both I/O controls off', () => {
    const r = runSource(src, 'vt-x', { 'unconditional-io-exiting': 'off' });
    expect(r.byReason.IO_INSTRUCTION).toBeUndefined();
  });

  test('I/O bitmaps: only listed ports exit (bitmap A and B), overriding unconditional exiting', () => {
    const r = runSource(src, 'vt-x', { 'use-io-bitmaps': true, 'io-bitmap': '0x82+0x8000', 'unconditional-io-exiting': true });
    // in ax at 0x81 touches 0x82; in eax at 0x7fff touches 0x7fff-0x8002 (SDM: any bit of the access)
    expect(only(r, 'IO_INSTRUCTION').map((e) => e.qualification! >>> 16)).toEqual([0x81, 0x82, 0x7fff, 0x8000]);
    const multi = runSource(src, 'vt-x', { 'use-io-bitmaps': 'on', 'io-bitmap': '0x80-0x81' });
    expect(only(multi, 'IO_INSTRUCTION').map((e) => e.qualification! >>> 16)).toEqual([0x80, 0x81]);
    const dword = runSource(src, 'vt-x', { 'use-io-bitmaps': 'on', 'io-bitmap': '32771' }); // 0x8003: the dword at 0x7fff does not reach it
    expect(dword.byReason.IO_INSTRUCTION).toBeUndefined();
    const crossing = runSource(src, 'vt-x', { 'use-io-bitmaps': 'on', 'io-bitmap': '0x8001' }); // touched by the dword at 0x7fff
    expect(only(crossing, 'IO_INSTRUCTION').map((e) => e.qualification! >>> 16)).toEqual([0x7fff]);
    const none = runSource(src, 'vt-x', { 'use-io-bitmaps': 'on' });
    expect(none.byReason.IO_INSTRUCTION).toBeUndefined();
  });

  test('string I/O fills the guest linear address and instruction information', () => {
    const r = runSource(guest('    mov dx, 0x82\n    mov esi, 0x100000\n    outsb'), 'vt-x', { 'unconditional-io-exiting': 'on', 'hlt-exiting': 'off' });
    const v = vtx(r).vmcs;
    expect(v.read('EXIT_QUALIFICATION')).toBe(0x00820010);
    expect(v.read('GUEST_LINEAR_ADDRESS')).toBe(0x100000);
    expect(v.read('VMX_INSTRUCTION_INFO')).toBe((1 << 7) | (3 << 15)); // 32-bit address, DS
  });
});

describe('CR access', () => {
  const src = guest(`
    mov ebx, cr0
    or ebx, 0x20          ; NE: not owned by default
    mov cr0, ebx
    or ebx, 0x40000000    ; CD: owned (mask 0xE0000001)
    mov cr0, ebx
    mov cr0, ebx          ; shadow now matches: no exit
    mov ecx, cr3
    mov cr3, ecx
    mov eax, cr4
    or eax, 0x10          ; PSE: owned
    mov cr4, eax`);

  test('MOV to CR0/CR4 exits only when an owned bit differs from the shadow', () => {
    const r = runSource(src);
    const cr = only(r, 'CR_ACCESS');
    expect(cr.map((e) => e.qualification)).toEqual([0x300, 0x004]); // CR0 from EBX, CR4 from EAX
    expect(cr[0].details).toMatchObject({ cr: 0, access: 'MOV to CR', register: 'ebx' });
    expect(vtx(r).vmcs.read('CR0_READ_SHADOW') & 0x40000000).not.toBe(0);
  });

  test('reads of CR4 return the read shadow in owned bits; a write matching the shadow does not exit', () => {
    const r = runSource(guest('    mov eax, cr4\n    mov cr4, eax'), 'vt-x', { 'cr4-guest-host-mask': '0x10', 'cr4-read-shadow': '0x10' });
    expect(r.engine.cpu.r32[0] & 0x10).toBe(0x10); // the guest sees PSE from the shadow
    expect(r.byReason.CR_ACCESS).toBeUndefined(); // writing back what it read changes no owned bit
    const flipped = runSource(guest('    xor eax, eax\n    mov cr4, eax'), 'vt-x', { 'cr4-guest-host-mask': '0x10', 'cr4-read-shadow': '0x10' });
    expect(only(flipped, 'CR_ACCESS').map((e) => e.qualification)).toEqual([0x004]); // CR4 from EAX
  });

  test('no CR0/CR4 exits with zero masks', () => {
    const r = runSource(src, 'vt-x', { 'cr0-guest-host-mask': '0', 'cr4-guest-host-mask': 0 });
    expect(r.byReason.CR_ACCESS).toBeUndefined();
  });

  test('CR3 load and store exiting', () => {
    const r = runSource(src, 'vt-x', { 'cr3-load-exiting': 'on', 'cr3-store-exiting': 'on', 'cr0-guest-host-mask': 0, 'cr4-guest-host-mask': 0 });
    expect(only(r, 'CR_ACCESS').map((e) => e.qualification)).toEqual([0x113, 0x103]); // store to ECX, load from ECX
  });

  test('reads of CR0 return the read shadow in owned bits', () => {
    const r = runSource(guest('    mov eax, cr0\n    smsw bx'), 'vt-x', { 'cr0-guest-host-mask': '0x8', 'cr0-read-shadow': '0x8' });
    expect(r.engine.cpu.r32[0] & 8).toBe(8);
    expect(r.engine.cpu.r16[6] & 8).toBe(8); // SMSW BX reads the shadow too
    expect(r.engine.cpu.cr0 & 8).toBe(0);
    expect(r.byReason.CR_ACCESS).toBeUndefined();
  });

  test('CLTS exits when TS is owned and set in the shadow; LMSW by the SDM rule', () => {
    const src2 = guest('    clts\n    clts\n    mov ax, 0x9\n    lmsw ax\n    lmsw [word_]', 'word_: dw 0x1');
    const r = runSource(src2, 'vt-x', { 'cr0-guest-host-mask': '0x8', 'cr0-read-shadow': '0x8' });
    const cr = only(r, 'CR_ACCESS');
    // CLTS (once: the shadow's TS is then clear), LMSW AX=9 sets TS (owned, shadow 0);
    // LMSW [mem]=1 clears TS again (differs from the shadow, now 1)
    expect(cr.map((e) => e.qualification! & 0xffff)).toEqual([0x20, 0x30, 0x70]);
    expect(cr[1].qualification! >>> 16).toBe(9);
    expect(cr[2].qualification! >>> 16).toBe(1);
    const none = runSource(src2, 'vt-x', { 'cr0-guest-host-mask': '0' });
    expect(none.byReason.CR_ACCESS).toBeUndefined();
  });
});

describe('MSR', () => {
  const src = guest(`
    mov ecx, 0x10
    rdmsr
    mov ecx, 0x174
    xor edx, edx
    mov eax, 8
    wrmsr
    mov ecx, 0x175
    rdmsr`);

  test('every RDMSR/WRMSR exits without MSR bitmaps', () => {
    const r = runSource(src);
    expect(r.byReason).toMatchObject({ MSR_READ: 2, MSR_WRITE: 1 });
    expect(only(r, 'MSR_WRITE')[0].details).toMatchObject({ msr: '0x174' });
    expect(r.engine.cpu.msrs.get(0x174)).toBe(8n);
  });

  test('with MSR bitmaps only the listed MSRs exit', () => {
    const r = runSource(src, 'vt-x', { 'use-msr-bitmaps': 'on', 'msr-bitmap': '0x174-0x175' });
    expect(r.byReason.MSR_READ).toBe(1);
    expect(r.byReason.MSR_WRITE).toBe(1);
    const none = runSource(src, 'vt-x', { 'use-msr-bitmaps': 'on' });
    expect(none.byReason.MSR_READ).toBeUndefined();
    expect(none.byReason.MSR_WRITE).toBeUndefined();
  });
});

describe('other instruction controls', () => {
  const src = guest(`
    rdtsc
    invlpg [0x200000]
    mov eax, dr7
    mov dr0, eax
    invd
    wbinvd`);

  test('off by default (INVD always exits)', () => {
    const r = runSource(src);
    expect(Object.keys(r.byReason).sort()).toEqual(['HLT', 'INVD']);
  });

  test('rdtsc-exiting, invlpg-exiting, mov-dr-exiting', () => {
    const r = runSource(src, 'vt-x', { 'rdtsc-exiting': 1, 'invlpg-exiting': 'true', 'mov-dr-exiting': 'on' });
    expect(r.byReason).toMatchObject({ RDTSC: 1, INVLPG: 1, DR_ACCESS: 2, INVD: 1 });
    expect(only(r, 'INVLPG')[0].qualification).toBe(0x200000);
    expect(only(r, 'DR_ACCESS').map((e) => e.qualification)).toEqual([0x17, 0x0]); // from DR7 to EAX; to DR0 from EAX
  });

  test('pause-exiting: one PAUSE_INSTRUCTION exit per PAUSE, none without the control', () => {
    const spin = guest('    pause\n    pause\n    pause');
    expect(runSource(spin, 'vt-x', { 'pause-exiting': 'on' }).byReason.PAUSE_INSTRUCTION).toBe(3);
    expect(runSource(spin).byReason.PAUSE_INSTRUCTION).toBeUndefined();
  });

  test('VMCALL, RDPMC, MONITOR exit and the VMM injects the fault native would raise', () => {
    for (const [insn, reason, vmx] of [
      ['vmcall', 'VMCALL', {}],
      ['rdpmc', 'RDPMC', { 'rdpmc-exiting': 'on' }],
      ['monitor', 'MONITOR_INSTRUCTION', {}],
      ['mwait', 'MWAIT_INSTRUCTION', {}],
      ['vmxoff', 'VMXOFF', {}],
    ] as const) {
      const s = libGuest(`    ${insn}`);
      const native = runSource(s, 'native');
      const r = runSource(s, 'vt-x', vmx);
      expect(r.byReason[reason], insn).toBe(1);
      expect(r.serial).toBe(native.serial);
      expect(r.stop).toEqual(native.stop);
    }
    expect(runSource(libGuest('    rdpmc')).byReason.RDPMC).toBeUndefined();
    expect(runSource(libGuest('    monitor'), 'vt-x', { 'monitor-exiting': 'off' }).byReason.MONITOR_INSTRUCTION).toBeUndefined();
    expect(runSource(libGuest('    mwait'), 'vt-x', { 'mwait-exiting': 'off' }).byReason.MWAIT_INSTRUCTION).toBeUndefined();
  });
});

describe('exceptions', () => {
  // #PF with paging on (a 4-MiB identity page for the first 4 MiB only), #BP, #UD: the handlers
  // print the vector and return past the instruction.
  const src = libGuest(`
    mov eax, handler_pf
    mov ecx, 14
    call set_gate
    mov eax, handler_bp
    mov ecx, 3
    call set_gate
    mov eax, cr4
    or eax, 0x10
    mov cr4, eax
    mov eax, pd
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov dword [0x00800000], 1      ; not present: #PF, error code 2 (write)
    mov eax, [0x00800000]          ; #PF, error code 0 (read)
    int3
    int 3                          ; INT n: never an exception exit
    mov esi, done
    call puts`, `
handler_pf:
    add dword [esp+4], 10          ; skip the faulting instruction (10 and 5 bytes)
    cmp dword [esp], 0
    jne .w
    sub dword [esp+4], 5
.w: add esp, 4
    iret
handler_bp:
    iret
done: db "done", 10, 0
align 4096
pd: dd 0x00000083
    times 1023 dd 0`);

  test('#PF exits only with bit 14 of the exception bitmap', () => {
    const native = runSource(src, 'native');
    expect(native.serial).toContain('done');
    const off = runSource(src);
    expect(off.byReason.EXCEPTION_NMI).toBeUndefined();
    expect(off.serial).toBe(native.serial);
    const on = runSource(src, 'vt-x', { 'exception-bitmap': '0x4000' });
    const ex = only(on, 'EXCEPTION_NMI');
    expect(ex.map((e) => e.details.vector)).toEqual([14, 14]);
    expect(ex.map((e) => e.qualification)).toEqual([0x800000, 0x800000]);
    expect(ex.map((e) => e.details.errorCode)).toEqual(['0x2', '0x0']);
    expect(on.serial).toBe(native.serial);
  });

  test('#PF error-code mask/match select which page faults exit', () => {
    const writes = runSource(src, 'vt-x', { 'exception-bitmap': '0x4000', 'pf-error-code-mask': '2', 'pf-error-code-match': '2' });
    expect(only(writes, 'EXCEPTION_NMI').map((e) => e.details.errorCode)).toEqual(['0x2']);
    const reversed = runSource(src, 'vt-x', { 'exception-bitmap': '0', 'pf-error-code-mask': '2', 'pf-error-code-match': '2' });
    expect(only(reversed, 'EXCEPTION_NMI').map((e) => e.details.errorCode)).toEqual(['0x0']);
  });

  test('INT3 is a software exception (type 6, RIP at the instruction); INT 3 never exits', () => {
    const r = runSource(src, 'vt-x', { 'exception-bitmap': '0x8' });
    const ex = only(r, 'EXCEPTION_NMI');
    expect(ex).toHaveLength(1);
    expect(vtx(r).vmcs.read('VM_EXIT_REASON')).not.toBe(0);
    const int3 = r.engine.program!.sourceMap.find((e) => e.kind === 'instruction' && e.address === ex[0].eip);
    expect(int3).toBeDefined();
  });
});

describe('interrupts', () => {
  const src = libGuest(`
    mov eax, timer
    mov ecx, 0x20
    call set_gate
    call pic_init
    mov ax, 1000
    call pit_init
    mov cl, 0
    call pic_unmask
    sti
.wait:
    hlt
    cmp dword [ticks], 3
    jb .wait
    cli
    mov esi, done
    call puts`, `
timer:
    inc dword [ticks]
    call eoi
    iret
ticks: dd 0
done: db "ticks", 10, 0`);

  test('external interrupts exit and are injected; output equals native', () => {
    const native = runSource(src, 'native');
    const r = runSource(src);
    expect(r.serial).toBe(native.serial);
    const ext = only(r, 'EXTERNAL_INTERRUPT');
    expect(ext.length).toBeGreaterThanOrEqual(3);
    expect(ext[0].details.vector).toBe('0x20');
    expect(ext[0].action).toMatch(/injected vector 0x20/);
    const off = runSource(src, 'vt-x', { 'external-interrupt-exiting': 'off' });
    expect(off.byReason.EXTERNAL_INTERRUPT).toBeUndefined();
    expect(off.serial).toBe(native.serial);
  });

  test('interrupt-window exiting: an exit where the window opens', () => {
    const r = runSource(src, 'vt-x', { 'interrupt-window-exiting': 'on' });
    expect(r.byReason.INTERRUPT_WINDOW).toBeGreaterThanOrEqual(1);
    expect(runSource(src).byReason.INTERRUPT_WINDOW).toBeUndefined();
  });
});

test('triple fault: TRIPLE_FAULT exit, the run ends in shutdown', () => {
  const src = guest('    lidt [bad]\n    int 0x30', 'bad: dw 0\n dd 0');
  const r = runSource(src);
  expect(r.byReason.TRIPLE_FAULT).toBe(1);
  expect(r.stop.reason).toBe('shutdown');
  expect(r.stop).toEqual(runSource(src, 'native').stop);
});
