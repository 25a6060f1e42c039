// System instructions: descriptor-table registers, LDT/TR, MSW, control and debug registers,
// INVLPG, CPUID, RDTSC, MSRs, descriptor queries, ARPL, SYSENTER/SYSEXIT, and the privilege and
// real-mode rules of each.
import { describe, expect, test } from 'vitest';
import { Machine, segDescriptor, toRing3, DATA0, DATA3, SEL_CODE0, SEL_CODE3, SEL_DATA0, SEL_DATA3, SEL_SPARE, SEL_TSS, GDT, TSS, USER_STACK } from './protection-setup.js';
import { assemble } from '../../debug-adapter/src/asm/index.js';
import { Cpu } from '../../debug-adapter/src/cpu/cpu.js';
import { memoryOnlyBus } from '../../debug-adapter/src/cpu/bus.js';
import { PhysicalMemory } from '../../debug-adapter/src/machine/memory.js';
import { CS, SS } from '../../debug-adapter/src/cpu/constants.js';
import { CPUID_FEATURES_EDX } from '../../debug-adapter/src/cpu/cpuid.js';
import type { Intercepts } from '../../debug-adapter/src/cpu/intercepts.js';

const SLOT7 = SEL_SPARE + 8;
const LDT_BASE = 0x5000;

/** Runs `body` at ring 0, then CLI; HLT. */
function ring0(body: string): Machine {
  const m = new Machine(`main:\n${body}\n  cli\n  hlt\n`);
  return m;
}

/** Runs `body` at ring 3; a fault ends the run (HLT at the end faults too). */
function ring3(body: string): Machine {
  return new Machine(`
main:
${toRing3('user')}
user:
  mov ax, ${SEL_DATA3}
  mov ds, ax
  mov es, ax
${body}
last:
  hlt
align 4
scratch: times 16 db 0
`);
}

describe('privileged instructions at ring 3 are #GP(0)', () => {
  const cases: [string, string][] = [
    ['lgdt', 'lgdt [scratch]'],
    ['lidt', 'lidt [scratch]'],
    ['lldt', 'xor eax, eax\n  lldt ax'],
    ['ltr', `mov ax, ${SEL_TSS}\n  ltr ax`],
    ['lmsw', 'lmsw ax'],
    ['clts', 'clts'],
    ['invlpg', 'invlpg [scratch]'],
    ['invd', 'invd'],
    ['wbinvd', 'wbinvd'],
    ['rdmsr', 'xor ecx, ecx\n  rdmsr'],
    ['wrmsr', 'xor ecx, ecx\n  wrmsr'],
    ['rdpmc', 'xor ecx, ecx\n  rdpmc'],
    ['mov cr0', 'mov eax, cr0'],
    ['mov to cr3', 'mov cr3, eax'],
    ['mov dr7', 'mov eax, dr7'],
    ['sysexit', 'sysexit'],
  ];
  for (const [name, code] of cases) {
    test(name, () => {
      const m = ring3(`${code}\nafter:`);
      m.run();
      const f = m.fault;
      expect(f).toMatchObject({ vector: 13, error: 0, cs: SEL_CODE3 });
      expect(f!.eip).toBeLessThan(m.sym('after'));
      expect(f!.eip).toBeGreaterThanOrEqual(m.sym('user'));
    });
  }

  test('SGDT, SIDT, SLDT, STR, SMSW are allowed at ring 3 (no UMIP)', () => {
    const m = ring3(`
  sgdt [scratch]
  sidt [scratch + 6]
  sldt ax
  str bx
  smsw cx`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, eip: m.sym('last') });
    expect(m.r16(m.sym('scratch'))).toBe(0x7ff);
    expect(m.r32(m.sym('scratch') + 2)).toBe(GDT);
    expect(m.cpu.r16[6]).toBe(SEL_TSS);
    expect(m.cpu.r16[2]).toBe(0x11);
  });
});

describe('descriptor-table registers', () => {
  test('SGDT/SIDT with a 16-bit operand size store a 24-bit base and a zero sixth byte', () => {
    const m = ring0(`
  lgdt [pseudo]
  o16 sgdt [out]
  sidt [out2]
  jmp done
pseudo: dw 0x7ff
  dd 0x12345800
out: times 6 db 0xaa
out2: times 6 db 0xaa
done:`);
    m.run();
    expect(m.cpu.gdtrBase >>> 0).toBe(0x12345800);
    expect(m.r16(m.sym('out'))).toBe(0x7ff);
    expect(m.r32(m.sym('out') + 2)).toBe(0x00345800);
    expect(m.r16(m.sym('out2'))).toBe(0x7ff);
  });

  test('LGDT with a 16-bit operand size loads a 24-bit base', () => {
    const m = ring0(`
  o16 lgdt [pseudo]
  jmp done
pseudo: dw 0x7ff
  dd 0x12345800
done:`);
    m.run();
    expect(m.cpu.gdtrBase).toBe(0x345800);
  });

  test('modeChanged is reported for GDTR and IDTR loads', () => {
    const m = ring0('  lgdt [gdtr]\n  lidt [idtr]');
    const seen: string[] = [];
    m.cpu.intercepts = { modeChanged: (_c, what) => seen.push(what) } satisfies Intercepts;
    m.run();
    expect(seen).toContain('gdtr');
    expect(seen).toContain('idtr');
    expect(seen).toContain('tr');
  });
});

describe('LLDT and the LDT', () => {
  function withLdt(body: string): Machine {
    const m = ring0(body);
    m.setDescriptor(6, segDescriptor(LDT_BASE, 0x17, 0x82, 0)); // LDT, 3 entries
    // LDT entry 1: data at 0x20000, DPL 0.
    const [lo, hi] = segDescriptor(0x20000, 0xfff, DATA0);
    m.w32(LDT_BASE + 8, lo);
    m.w32(LDT_BASE + 12, hi);
    m.w32(0x20004, 0xcafef00d);
    return m;
  }

  test('loads the LDT; an LDT selector then reaches its descriptors; SLDT reads it back', () => {
    const m = withLdt(`
  mov ax, ${SEL_SPARE}
  lldt ax
  mov ax, 0x0c
  mov es, ax
  mov eax, [es:4]
  mov ebx, 0xffffffff
  sldt ebx`);
    m.run();
    expect(m.cpu.r32[0] >>> 0).toBe(0xcafef00d);
    expect(m.cpu.r32[3]).toBe(SEL_SPARE);
    expect(m.cpu.ldtrBase).toBe(LDT_BASE);
    expect(m.cpu.ldtrLimit).toBe(0x17);
  });

  test('an LDT selector beyond the LDT limit is #GP(selector)', () => {
    const m = withLdt(`
  mov ax, ${SEL_SPARE}
  lldt ax
  mov ax, 0x1c
bad:
  mov es, ax`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0x1c, eip: m.sym('bad') });
  });

  test('LLDT with a null selector makes LDT selectors fault', () => {
    const m = withLdt(`
  mov ax, ${SEL_SPARE}
  lldt ax
  xor eax, eax
  lldt ax
  mov ax, 0x0c
bad:
  mov es, ax`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0x0c, eip: m.sym('bad') });
  });

  test('LLDT of a non-LDT descriptor is #GP(selector); of a non-present one #NP(selector); with TI = 1 #GP', () => {
    let m = withLdt(`  mov ax, ${SEL_DATA0}\nbad:\n  lldt ax`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_DATA0, eip: m.sym('bad') });
    m = withLdt(`  mov ax, ${SEL_SPARE}\nbad:\n  lldt ax`);
    m.setDescriptor(6, segDescriptor(LDT_BASE, 0x17, 0x02, 0));
    m.run();
    expect(m.fault).toMatchObject({ vector: 11, error: SEL_SPARE });
    m = withLdt(`  mov ax, 0x0c\nbad:\n  lldt ax`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0x0c });
  });
});

describe('LTR and STR', () => {
  test('LTR of a busy TSS is #GP(selector); of a null selector #GP(0)', () => {
    let m = ring0(`  mov ax, ${SEL_TSS}\nbad:\n  ltr ax`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_TSS, eip: m.sym('bad') });
    m = ring0(`  xor eax, eax\nbad:\n  ltr ax`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('bad') });
  });

  test('LTR of a 16-bit TSS marks it busy; a DPL-0 data segment is #GP(selector)', () => {
    let m = ring0(`  mov ax, ${SEL_SPARE}\n  ltr ax\n  str ecx`);
    m.setDescriptor(6, segDescriptor(TSS + 0x200, 0x2b, 0x81, 0));
    m.run();
    expect(m.fault).toBeNull();
    expect((m.descriptorHigh(6) >>> 8) & 0xf).toBe(3);
    expect(m.cpu.r32[1]).toBe(SEL_SPARE);
    m = ring0(`  mov ax, ${SEL_DATA0}\n  ltr ax`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_DATA0 });
  });

  test('a 16-bit TSS supplies SP0/SS0 for an interrupt from ring 3', () => {
    const m = new Machine(`
main:
  mov ax, ${SEL_SPARE}
  ltr ax
${toRing3('user')}
user:
  int 0x80
handler:
  mov ebx, esp
  cli
  hlt`);
    m.setDescriptor(6, segDescriptor(TSS + 0x200, 0x2b, 0x81, 0));
    m.w16(TSS + 0x200 + 2, 0x6000);
    m.w16(TSS + 0x200 + 4, SEL_DATA0);
    m.setGate(0x80, [((m.sym('handler') & 0xffff) | (SEL_CODE0 << 16)) >>> 0, ((m.sym('handler') & 0xffff0000) | 0xee00) >>> 0]);
    m.run();
    expect(m.cpu.r32[3]).toBe(0x6000 - 20);
    expect(m.cpu.segSel[SS]).toBe(SEL_DATA0);
  });
});

describe('CR0, LMSW, SMSW, CLTS', () => {
  test('LMSW sets TS and MP but cannot clear PE; SMSW r32 stores all of CR0', () => {
    const m = ring0(`
  mov ax, 0x000a
  lmsw ax
  smsw ebx
  smsw cx
  clts
  smsw edx`);
    m.run();
    expect(m.cpu.r32[3]).toBe(0x1b);
    expect(m.cpu.r16[2]).toBe(0x1b);
    expect(m.cpu.r32[2]).toBe(0x13);
    expect(m.cpu.protectedMode).toBe(true);
  });

  test('MOV to CR0 with PG and no PE is #GP(0); reserved bits are dropped; ET stays 1', () => {
    let m = ring0(`
  mov eax, 0x80000000
bad:
  mov cr0, eax`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('bad') });
    m = ring0(`
  mov eax, cr0
  or eax, 0x00000fe0 | 0x20000
  and eax, ~0x10
  mov cr0, eax
  mov ebx, cr0`);
    m.run();
    expect(m.cpu.r32[3]).toBe(0x31);
  });

  test('NW without CD is #GP(0)', () => {
    const m = ring0(`
  mov eax, cr0
  or eax, 0x20000000
bad:
  mov cr0, eax`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('bad') });
  });

  test('MOV to CR4 with an unsupported bit (PAE, VME) is #GP(0); supported bits read back', () => {
    let m = ring0(`
  mov eax, 0x20
bad:
  mov cr4, eax`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('bad') });
    m = ring0(`
  mov eax, 0x19c
  mov cr4, eax
  mov ebx, cr4`);
    m.run();
    expect(m.cpu.r32[3]).toBe(0x19c);
  });

  test('CR1 and CR5–CR7 are #UD', () => {
    const m = ring0('bad:\n  mov eax, cr1');
    m.run();
    expect(m.fault).toMatchObject({ vector: 6, eip: m.sym('bad') });
  });

  test('leaving protected mode through CR0 returns to real-mode segment semantics at CPL 0', () => {
    const m = ring0(`
  mov eax, cr0
  and eax, ~1
  mov cr0, eax
  mov ebx, cr0`);
    m.run(13 + 3); // the prologue's 13 instructions, then up to the MOV to CR0
    expect(m.cpu.protectedMode).toBe(false);
    expect(m.cpu.cpl).toBe(0);
  });
});

describe('paging control: CR3 and INVLPG flush the TLB', () => {
  const setup = `
  mov eax, 0x60000           ; page directory
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  mov eax, [0x400000]        ; through the PTE: physical 0x200000
  mov dword [0x62000], 0x300003 ; remap linear 0x400000 to 0x300000 (TLB still has the old one)
  mov ebx, [0x400000]
`;
  function paged(body: string): Machine {
    const m = ring0(setup + body);
    // Identity-map the first 4 MiB with a 4 KiB table at 0x61000; linear 4 MiB → table 0x62000.
    m.w32(0x60000, 0x61003);
    m.w32(0x60004, 0x62003);
    for (let i = 0; i < 1024; i++) m.w32(0x61000 + i * 4, (i << 12) | 3);
    m.w32(0x62000, 0x200003);
    m.w32(0x200000, 0x11111111);
    m.w32(0x300000, 0x22222222);
    return m;
  }

  test('a stale TLB entry stays until INVLPG', () => {
    const m = paged('  invlpg [0x400000]\n  mov ecx, [0x400000]');
    m.run();
    expect(m.cpu.r32[0]).toBe(0x11111111);
    expect(m.cpu.r32[3]).toBe(0x11111111);
    expect(m.cpu.r32[1]).toBe(0x22222222);
  });

  test('a CR3 write flushes it too', () => {
    const m = paged('  mov eax, cr3\n  mov cr3, eax\n  mov ecx, [0x400000]');
    m.run();
    expect(m.cpu.r32[1]).toBe(0x22222222);
  });
});

describe('debug registers', () => {
  test('DR0–DR3 hold values; DR6/DR7 keep their fixed bits; DR4/DR5 alias DR6/DR7 without CR4.DE', () => {
    const m = ring0(`
  mov eax, 0x12345678
  mov dr0, eax
  mov ebx, dr0
  xor eax, eax
  mov dr7, eax
  mov ecx, dr5
  mov dr6, eax
  mov edx, dr4`);
    m.run();
    expect(m.cpu.r32[3]).toBe(0x12345678);
    expect(m.cpu.r32[1]).toBe(0x400);
    expect(m.cpu.r32[2] >>> 0).toBe(0xffff0ff0);
  });

  test('DR4 with CR4.DE is #UD', () => {
    const m = ring0(`
  mov eax, 8
  mov cr4, eax
bad:
  mov eax, dr4`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 6, eip: m.sym('bad') });
  });

  test('DR7.GD makes the next MOV DR a #DB fault with DR6.BD set and GD cleared', () => {
    const m = ring0(`
  mov eax, 0x2000
  mov dr7, eax
bad:
  mov eax, dr0`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 1, eip: m.sym('bad') });
    expect(m.cpu.dr[6] & 0x2000).toBe(0x2000);
    expect(m.cpu.dr[7] & 0x2000).toBe(0);
  });
});

describe('CPUID', () => {
  test('leaf 0: maximum leaf 1 and the vendor; leaf 1: the family-5 signature and features', () => {
    const m = ring3(`
  xor eax, eax
  cpuid
  mov [scratch], ebx
  mov [scratch + 4], edx
  mov [scratch + 8], ecx
  mov esi, eax
  mov eax, 1
  cpuid
  mov edi, edx`);
    m.run();
    const bytes = m.memory.bytes.subarray(m.sym('scratch'), m.sym('scratch') + 12);
    expect(Buffer.from(bytes).toString('latin1')).toBe('GenuineIntel');
    expect(m.cpu.r32[6]).toBe(1);
    expect(m.cpu.r32[0]).toBe(0x543);
    expect(m.cpu.r32[7]).toBe(CPUID_FEATURES_EDX);
    expect(m.cpu.r32[7] & 1).toBe(0); // no x87
  });

  test('extended leaves: maximum 0x80000004 and a brand string', () => {
    const m = ring0(`
  mov eax, 0x80000000
  cpuid
  mov esi, eax
  mov edi, brand
  mov ebp, 0x80000002
next:
  mov eax, ebp
  cpuid
  mov [edi], eax
  mov [edi + 4], ebx
  mov [edi + 8], ecx
  mov [edi + 12], edx
  add edi, 16
  inc ebp
  cmp ebp, 0x80000005
  jne next
  jmp done
brand: times 48 db 0
done:`);
    m.run();
    expect(m.cpu.r32[6] >>> 0).toBe(0x80000004);
    const bytes = m.memory.bytes.subarray(m.sym('brand'), m.sym('brand') + 48);
    expect(Buffer.from(bytes).toString('latin1').replace(/\0+$/, '')).toBe('Hyperstep IA-32 virtual CPU');
  });

  test('a CPUID intercept can replace the answer', () => {
    const m = ring0('  xor eax, eax\n  cpuid');
    m.cpu.intercepts = {
      special: (c, _op, what) => {
        if (what !== 'cpuid') return 'native';
        c.r32[0] = 0x77;
        return 'handled';
      },
    };
    m.run();
    expect(m.cpu.r32[0]).toBe(0x77);
  });
});

describe('time-stamp counter and MSRs', () => {
  test('RDTSC increases with virtual time; WRMSR 0x10 sets it; RDMSR 0x10 reads it', () => {
    const m = ring0(`
  rdtsc
  mov esi, eax
  rdtsc
  mov edi, eax
  mov ecx, 0x10
  mov eax, 0x1000
  mov edx, 7
  wrmsr
  rdtsc
  mov ebx, eax
  mov ebp, edx
  rdmsr`);
    m.run();
    const cpu = m.cpu;
    expect(cpu.r32[7] - cpu.r32[6]).toBeGreaterThan(0);
    expect(cpu.r32[7] - cpu.r32[6]).toBeLessThan(4);
    expect(cpu.r32[5]).toBe(7);
    expect(cpu.r32[3]).toBeGreaterThanOrEqual(0x1000);
    expect(cpu.r32[3]).toBeLessThan(0x1010);
    expect(cpu.r32[2]).toBe(7);
    expect(cpu.r32[0]).toBeGreaterThan(cpu.r32[3]);
    expect(cpu.r32[0]).toBeLessThan(0x1010);
  });

  test('the SYSENTER MSRs hold 16/32-bit values; any other MSR is #GP(0)', () => {
    const m = ring0(`
  mov ecx, 0x174
  mov eax, 0x12345678
  mov edx, 0xffffffff
  wrmsr
  rdmsr
  mov esi, eax
  mov edi, edx
  mov ecx, 0x1b
bad:
  rdmsr`);
    m.run();
    expect(m.cpu.r32[6]).toBe(0x5678);
    expect(m.cpu.r32[7]).toBe(0);
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('bad') });
  });

  test('RDTSC at ring 3 works unless CR4.TSD', () => {
    let m = ring3('  rdtsc\nafter:');
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, eip: m.sym('last') });
    m = new Machine(`
main:
  mov eax, 4
  mov cr4, eax
${toRing3('user')}
user:
  rdtsc`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('user') });
  });

  test('RDPMC is #GP(0) even at ring 0 (no counters)', () => {
    const m = ring0('  xor ecx, ecx\nbad:\n  rdpmc');
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('bad') });
  });
});

describe('LAR, LSL, VERR, VERW', () => {
  /** Runs the query lines; after each, ZF is recorded. Returns the machine and the ZF list. */
  function query(lines: string[], cpl3 = false): { m: Machine; zf: () => number[] } {
    const body = lines.map((l, i) => `  ${l}\n  pushfd\n  pop edi\n  mov [zf_out + ${4 * i}], edi`).join('\n');
    const src = `${body}\n  jmp done\nzf_out: times ${lines.length} dd 0\ndone:`;
    const m = cpl3 ? ring3(src) : ring0(src);
    m.setDescriptor(6, segDescriptor(0x1000, 0xfffff, DATA3 | 1, 0xc)); // page-granular DPL-3 data, accessed
    m.setDescriptor(7, segDescriptor(0, 0xffff, 0x98)); // execute-only code DPL 0
    const zf = (): number[] => lines.map((_l, i) => (m.r32(m.sym('zf_out') + 4 * i) >>> 6) & 1);
    return { m, zf };
  }

  test('LAR returns the access rights masked by 0x00F0FF00, LSL the scaled limit, and both set ZF', () => {
    const { m, zf } = query([`mov ecx, ${SEL_SPARE}`, 'lar eax, ecx', 'lar bx, cx', 'lsl edx, ecx']);
    m.run();
    expect(m.cpu.r32[0]).toBe(0x00c0f300);
    expect(m.cpu.r16[6]).toBe(0xf300);
    expect(m.cpu.r32[2] >>> 0).toBe(0xffffffff);
    expect(zf().slice(1)).toEqual([1, 1, 1]);
  });

  test('a DPL-0 descriptor is invisible from ring 3: ZF = 0 and the destination unchanged', () => {
    const { m, zf } = query(['mov eax, 0x5555', `mov ecx, ${SEL_DATA0}`, 'lar eax, ecx', `mov ecx, ${SEL_DATA3}`, 'lar esi, ecx'], true);
    m.run();
    expect(m.cpu.r32[0]).toBe(0x5555);
    expect(zf()[2]).toBe(0);
    expect(zf()[4]).toBe(1);
  });

  test('LAR accepts a TSS, LSL too; a null selector or one beyond the GDT clears ZF', () => {
    const { m, zf } = query([
      `mov ecx, ${SEL_TSS}`, 'lar eax, ecx', 'lsl edx, ecx', 'xor ecx, ecx', 'lsl edi, ecx', 'mov ecx, 0x7f8', 'lar esi, ecx',
    ]);
    m.run();
    expect(zf()).toEqual([expect.any(Number), 1, 1, expect.any(Number), 0, expect.any(Number), 0]);
    expect(m.cpu.r32[0]).toBe(0x00008b00);
    expect(m.cpu.r32[2]).toBe(104 + 128);
  });

  test('LAR accepts call gates, LSL does not', () => {
    const { m, zf } = query([`mov ecx, ${SEL_SPARE + 16}`, 'lar eax, ecx', 'lsl edx, ecx']);
    m.setDescriptor(8, [0x00080000, 0x0000ec00]); // call gate DPL 3
    m.run();
    expect(zf().slice(1)).toEqual([1, 0]);
    expect(m.cpu.r32[0]).toBe(0x0000ec00);
  });

  test('VERR: readable data and readable code yes, execute-only code no; VERW: writable data only', () => {
    const { m, zf } = query([
      `mov ax, ${SEL_SPARE}`, 'verr ax', 'verw ax', `mov ax, ${SLOT7}`, 'verr ax', `mov ax, ${SEL_CODE0}`, 'verr ax', 'verw ax',
      'mov ax, 0x7f8', 'verr ax', `mov ax, ${SEL_TSS}`, 'verr ax',
    ]);
    m.run();
    const z = zf();
    expect([z[1], z[2], z[4], z[6], z[7], z[9], z[11]]).toEqual([1, 1, 0, 1, 0, 0, 0]);
  });

  test('VERW from ring 3 with RPL 3 of a DPL-0 data segment is ZF = 0; of DPL 3 ZF = 1', () => {
    const { m, zf } = query([`mov ax, ${SEL_DATA0 | 3}`, 'verw ax', `mov ax, ${SEL_DATA3}`, 'verw ax'], true);
    m.run();
    expect([zf()[1], zf()[3]]).toEqual([0, 1]);
  });

  test('a conforming code segment passes VERR whatever the CPL and RPL', () => {
    const { m, zf } = query([`mov ax, ${SLOT7 | 3}`, 'verr ax'], true);
    m.setDescriptor(7, segDescriptor(0, 0xffff, 0x9e));
    m.run();
    expect(zf()[1]).toBe(1);
  });
});

describe('ARPL', () => {
  test('raises the RPL of the destination to the source\'s and sets ZF, else clears ZF', () => {
    const m = ring0(`
  mov ax, 0x11
  mov bx, 0x23
  arpl ax, bx
  pushfd
  pop ecx
  arpl ax, bx
  pushfd
  pop edx
  mov word [sel], 0x10
  arpl [sel], bx
  jmp done
sel: dw 0
done:`);
    m.run();
    expect(m.cpu.r16[0]).toBe(0x13);
    expect(m.cpu.r32[1] & 0x40).toBe(0x40);
    expect(m.cpu.r32[2] & 0x40).toBe(0);
    expect(m.r16(m.sym('sel'))).toBe(0x13);
  });
});

describe('SYSENTER / SYSEXIT', () => {
  test('enter ring 0 at SYSENTER_EIP with SYSENTER_ESP; SYSEXIT back to ring 3 at EDX with ECX', () => {
    const m = new Machine(`
main:
  xor edx, edx
  mov ecx, 0x174
  mov eax, ${SEL_CODE0}
  wrmsr
  mov ecx, 0x175
  mov eax, 0x6800
  wrmsr
  mov ecx, 0x176
  mov eax, kernel
  wrmsr
${toRing3('user')}
user:
  mov ecx, esp
  mov edx, back
  sysenter
kernel:
  mov esi, esp
  mov edi, cs
  mov ebp, ss
  sysexit
back:
  mov ebx, esp
  hlt`);
    // SYSEXIT returns to selectors SYSENTER_CS + 16 | 3 (0x1B) and + 24 | 3 (0x23): the flat ring-3 pair.
    m.run();
    expect(m.cpu.r32[6]).toBe(0x6800);
    expect(m.cpu.r32[7] & 0xffff).toBe(SEL_CODE0);
    expect(m.cpu.r32[5] & 0xffff).toBe(SEL_DATA0);
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('back') + 2, cs: SEL_CODE3 });
    expect(m.cpu.r32[3]).toBe(USER_STACK);
  });

  test('SYSENTER with SYSENTER_CS = 0 is #GP(0)', () => {
    const m = ring3('bad:\n  sysenter');
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('bad') });
  });
});

describe('real mode', () => {
  function real(body: string): Cpu {
    const r = assemble(`bits 16\norg 0\n${body}\n  cli\n  hlt\n`, { fileName: 'real.asm' });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const memory = new PhysicalMemory(1 << 20);
    memory.writeBytes(0x10000, r.bytes);
    const cpu = new Cpu(memoryOnlyBus(memory));
    cpu.loadRealSegment(CS, 0x1000);
    cpu.eip = 0;
    cpu.r16[8] = 0x8000;
    // IVT entry 6 (#UD) → 1000:handler (the code's last two bytes: a CLI; HLT of its own).
    const handler = r.bytes.length - 2;
    memory.write16(6 * 4, handler);
    memory.write16(6 * 4 + 2, 0x1000);
    cpu.run(1000);
    return cpu;
  }

  for (const insn of ['lldt ax', 'sldt ax', 'ltr ax', 'str ax', 'lar ax, bx', 'lsl ax, bx', 'verr ax', 'verw ax', 'arpl ax, bx']) {
    test(`${insn} is #UD`, () => {
      const cpu = real(`  mov si, 1\n  ${insn}\n  xor si, si`);
      expect(cpu.r16[12]).toBe(1);
      expect(cpu.eip).toBeGreaterThan(0);
    });
  }

  test('LGDT, SMSW and CPUID work in real mode', () => {
    const cpu = real(`
  lgdt [cs:pseudo]
  smsw ax
  xor eax, eax
  cpuid
  jmp done
pseudo: dw 0x17
  dd 0x500
done:`);
    expect(cpu.gdtrBase).toBe(0x500);
    expect(cpu.gdtrLimit).toBe(0x17);
    expect(cpu.r32[3] >>> 0).toBe(0x756e6547); // 'Genu'
  });
});
