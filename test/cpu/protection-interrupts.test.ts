// Protected-mode event delivery through the IDT: gates, DPL checks, stack switches through the
// TSS, frames, EFLAGS, and the error codes of faults raised while delivering.
import { describe, expect, test } from 'vitest';
import {
  Machine, gateDescriptor, segDescriptor, toRing3, SEL_CODE0, SEL_CODE3, SEL_DATA0, SEL_DATA3, SEL_TSS,
  TSS, TSS_ESP0, USER_STACK, KERNEL_STACK, IDT, DATA0, CODE0, SEL_SPARE, ORG,
} from './protection-setup.js';
import { CS, SS, DS } from '../../debug-adapter/src/cpu/constants.js';

describe('the protected-mode setup itself', () => {
  test('LGDT, LIDT, a far jump, segment loads and LTR leave ring 0 with the tables loaded', () => {
    const m = new Machine('main:\n  mov eax, 1\n  cli\n  hlt');
    expect(m.run()).toBe('halted');
    const cpu = m.cpu;
    expect(cpu.r32[0]).toBe(1);
    expect(cpu.gdtrBase).toBe(0x800);
    expect(cpu.idtrLimit).toBe(0x7ff);
    expect(cpu.segSel[CS]).toBe(SEL_CODE0);
    expect(cpu.segSel[SS]).toBe(SEL_DATA0);
    expect(cpu.trSel).toBe(SEL_TSS);
    // LTR marked the TSS busy, and loading CS/DS set the accessed bits.
    expect((m.descriptorHigh(5) >>> 8) & 0xf).toBe(0xb);
    expect((cpu.trAttr & 0xf)).toBe(0xb);
    expect(m.descriptorHigh(1) & 0x100).toBe(0x100);
    expect(m.descriptorHigh(2) & 0x100).toBe(0x100);
    expect(m.fault).toBeNull();
  });
});

describe('ring 3 and back through a DPL-3 interrupt gate', () => {
  const program = `
main:
${toRing3('user')}
user:
  mov ax, ${SEL_DATA3}
  mov ds, ax
  mov eax, 0x1234
  mov ebx, esp
  int 0x80
after_int:
  cli                    ; CPL 3 > IOPL 0: #GP(0)
syscall:
  mov [ss:saved_eax], eax
  mov [ss:saved_esp], esp
  mov eax, cs
  mov [ss:saved_cs], eax
  mov eax, ss
  mov [ss:saved_ss], eax
  pushfd
  pop dword [ss:saved_flags]
  iretd
align 4
saved_eax: dd 0
saved_esp: dd 0
saved_cs: dd 0
saved_ss: dd 0
saved_flags: dd 0
`;

  test('int 0x80 switches to SS0:ESP0 and pushes SS, ESP, EFLAGS, CS, EIP; IRET returns to ring 3', () => {
    const m = new Machine(program);
    m.setGate(0x80, gateDescriptor(SEL_CODE0, m.sym('syscall'), 0xe, 3));
    expect(m.run()).toBe('halted');
    expect(m.r32(m.sym('saved_eax'))).toBe(0x1234);
    expect(m.r32(m.sym('saved_cs'))).toBe(SEL_CODE0);
    expect(m.r32(m.sym('saved_ss'))).toBe(SEL_DATA0);
    // Interrupt gate: IF cleared in the handler.
    expect(m.r32(m.sym('saved_flags')) & 0x200).toBe(0);
    const esp = m.r32(m.sym('saved_esp'));
    expect(esp).toBe(TSS_ESP0 - 20);
    expect(m.r32(esp)).toBe(m.sym('after_int'));
    expect(m.r32(esp + 4)).toBe(SEL_CODE3);
    expect(m.r32(esp + 8) & 0x200).toBe(0x200);
    expect(m.r32(esp + 12)).toBe(USER_STACK);
    expect(m.r32(esp + 16)).toBe(SEL_DATA3);
    // Back in ring 3, the CLI faulted: #GP(0) at the CLI, from CS 0x1B.
    expect(m.fault).toEqual({ vector: 13, error: 0, eip: m.sym('after_int'), cs: SEL_CODE3, eflags: expect.any(Number) });
    expect(m.cpu.cpl).toBe(0);
  });

  test('a trap gate leaves IF set', () => {
    const m = new Machine(program);
    m.setGate(0x80, gateDescriptor(SEL_CODE0, m.sym('syscall'), 0xf, 3));
    m.run();
    expect(m.r32(m.sym('saved_flags')) & 0x200).toBe(0x200);
  });

  test('int 0x80 through a DPL-0 gate from ring 3 is #GP(0x80 * 8 + 2)', () => {
    const m = new Machine(program);
    m.setGate(0x80, gateDescriptor(SEL_CODE0, m.sym('syscall'), 0xe, 0));
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0x80 * 8 + 2, eip: m.sym('after_int') - 2, cs: SEL_CODE3 });
  });

  test('a gate that is not present is #NP(vector * 8 + 2)', () => {
    const m = new Machine(program);
    m.setGate(0x80, gateDescriptor(SEL_CODE0, m.sym('syscall'), 0xe, 3, 0, false));
    m.run();
    expect(m.fault).toMatchObject({ vector: 11, error: 0x80 * 8 + 2, eip: m.sym('after_int') - 2 });
  });

  test('a vector beyond the IDT limit is #GP(vector * 8 + 2)', () => {
    const m = new Machine(`
main:
  lidt [small_idtr]
${toRing3('user')}
user:
  int 0x80
small_idtr: dw 0x1ff
  dd ${IDT}
`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0x80 * 8 + 2 });
  });

  test('a task gate is not supported: #GP(vector * 8 + 2)', () => {
    const m = new Machine(program);
    m.setGate(0x80, gateDescriptor(SEL_TSS, 0, 0x5, 3));
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0x80 * 8 + 2 });
  });

  test('a gate to a DPL-3 code segment from ring 3 stays on the ring-3 stack', () => {
    const m = new Machine(program);
    m.setGate(0x80, gateDescriptor(SEL_CODE3, m.sym('syscall'), 0xe, 3));
    m.run();
    expect(m.r32(m.sym('saved_cs'))).toBe(SEL_CODE3);
    expect(m.r32(m.sym('saved_ss'))).toBe(SEL_DATA3);
    expect(m.r32(m.sym('saved_esp'))).toBe(USER_STACK - 12);
  });

  test('from ring 0, a gate to a DPL-3 code segment is #GP(selector)', () => {
    const m = new Machine('main:\n  int 0x40\n  hlt\nhandler: hlt');
    m.setGate(0x40, gateDescriptor(SEL_CODE3, m.sym('handler'), 0xe, 3));
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_CODE3 & ~3 });
  });

  test('a handler offset beyond the code segment limit is #GP(0)', () => {
    const m = new Machine('main:\n  int 0x40\n  hlt');
    m.setDescriptor(6, segDescriptor(0, 0xfff, CODE0));
    m.setGate(0x40, gateDescriptor(SEL_SPARE, 0x2000, 0xe, 0));
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0 });
  });
});

describe('the stack switch checks (#TS, #SS)', () => {
  const program = `
main:
${toRing3('user')}
user:
  int 0x80
handler:
  cli
  hlt
`;
  function withSs0(ss0: number, setup?: (m: Machine) => void): Machine {
    const m = new Machine(program);
    m.setGate(0x80, gateDescriptor(SEL_CODE0, m.sym('handler'), 0xe, 3));
    m.w32(TSS + 8, ss0);
    setup?.(m);
    m.catchExceptions();
    m.run();
    return m;
  }

  test('a null SS0 is #TS(0)', () => {
    expect(withSs0(0).caught).toMatchObject({ vector: 10, error: 0 });
  });

  test('SS0 with RPL ≠ 0 is #TS(SS0)', () => {
    expect(withSs0(SEL_DATA0 | 1).caught).toMatchObject({ vector: 10, error: SEL_DATA0 });
  });

  test('SS0 naming a DPL-3 segment is #TS(SS0)', () => {
    expect(withSs0(SEL_DATA3 & ~3).caught).toMatchObject({ vector: 10, error: SEL_DATA3 & ~3 });
  });

  test('SS0 naming a code segment is #TS(SS0)', () => {
    expect(withSs0(SEL_CODE0).caught).toMatchObject({ vector: 10, error: SEL_CODE0 });
  });

  test('SS0 beyond the GDT limit is #TS(SS0)', () => {
    expect(withSs0(0x7f8).caught).toMatchObject({ vector: 10, error: 0x7f8 });
  });

  test('SS0 not present is #SS(SS0)', () => {
    const m = withSs0(SEL_SPARE, (mm) => mm.setDescriptor(6, segDescriptor(0, 0xffffffff, DATA0 & 0x7f)));
    expect(m.caught).toMatchObject({ vector: 12, error: SEL_SPARE });
  });

  test('a TSS too short to hold SS0 is #TS(TSS selector)', () => {
    const m = withSs0(SEL_DATA0, (mm) => mm.setDescriptor(5, segDescriptor(TSS, 8, 0x89, 0)));
    expect(m.caught).toMatchObject({ vector: 10, error: SEL_TSS });
  });

  test('ESP0 leaving no room in an expand-up SS0 is #SS(SS0)', () => {
    const m = withSs0(SEL_SPARE, (mm) => {
      mm.setDescriptor(6, segDescriptor(0, 0xffff, DATA0));
      mm.w32(TSS + 4, 0x10);
    });
    expect(m.caught).toMatchObject({ vector: 12, error: SEL_SPARE });
  });
});

describe('frames', () => {
  test('an exception with an error code at ring 0 pushes EFLAGS, CS, EIP, error code on the same stack', () => {
    const m = new Machine(`
main:
  mov ax, 0x7f8
faulting:
  mov ds, ax
  hlt`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0x7f8, eip: m.sym('faulting'), cs: SEL_CODE0 });
    expect(m.r32(m.sym('fault_esp_after'))).toBe(KERNEL_STACK);
  });

  test('a 16-bit interrupt gate pushes FLAGS, CS, IP as words and uses a 16-bit offset', () => {
    const m = new Machine(`
main:
  mov ebx, esp
  int 0x40
back:
  hlt
handler:
  mov ecx, esp
  cli
  hlt`);
    // A code segment based at the code so that the handler's offset fits in 16 bits.
    m.setDescriptor(6, segDescriptor(ORG, 0xffff, CODE0));
    m.setGate(0x40, gateDescriptor(SEL_SPARE, m.sym('handler') - ORG, 0x6, 0));
    m.run();
    const cpu = m.cpu;
    expect(cpu.r32[3] - cpu.r32[1]).toBe(6);
    const sp = cpu.r32[1];
    expect(m.r16(sp)).toBe(m.sym('back') & 0xffff);
    expect(m.r16(sp + 2)).toBe(SEL_CODE0);
    expect(m.r16(sp + 4) & 0x2).toBe(2);
    expect(cpu.segSel[CS]).toBe(SEL_SPARE);
  });

  test('a conforming handler segment runs at the interrupted CPL with no stack switch', () => {
    const m = new Machine(`
main:
${toRing3('user')}
user:
  mov ebx, esp
  int 0x80
handler:
  mov ecx, esp
  mov edx, cs
  int3
`);
    m.setDescriptor(6, segDescriptor(0, 0xffffffff, 0x9e)); // conforming code, DPL 0
    m.setGate(0x80, gateDescriptor(SEL_SPARE, m.sym('handler'), 0xe, 3));
    m.setGate(3, gateDescriptor(SEL_CODE0, m.sym('vec_3'), 0xe, 3));
    m.run();
    expect(m.cpu.r32[3] - m.cpu.r32[1]).toBe(12);
    expect(m.cpu.r32[2] & 0xffff).toBe(SEL_SPARE | 3);
    // INT3 from the conforming segment (CPL 3) went to ring 0 through the DPL-3 gate.
    expect(m.fault).toMatchObject({ vector: 3, cs: SEL_SPARE | 3 });
  });
});

describe('external interrupts and EXT', () => {
  test('an external interrupt is delivered through a DPL-0 gate from ring 3', () => {
    const m = new Machine(`
main:
${toRing3('user')}
user:
  jmp user
handler:
  mov eax, 0x55
  cli
  hlt`);
    m.setGate(0x20, gateDescriptor(SEL_CODE0, m.sym('handler'), 0xe, 0));
    m.run(50);
    expect(m.cpu.cpl).toBe(3);
    m.cpu.deliverExternal(0x20);
    expect(m.cpu.cpl).toBe(0);
    m.run();
    expect(m.cpu.r32[0]).toBe(0x55);
    expect(m.cpu.segSel[SS]).toBe(SEL_DATA0);
  });

  test('faults while delivering an external interrupt carry EXT = 1', () => {
    const m = new Machine('main:\n  jmp main');
    m.setGate(0x20, gateDescriptor(SEL_CODE0, 0, 0xe, 0, 0, false));
    m.run(20);
    m.cpu.deliverExternal(0x20);
    m.run();
    expect(m.fault).toMatchObject({ vector: 11, error: 0x20 * 8 + 2 + 1 });
  });

  test('faults while delivering an exception carry EXT = 1', () => {
    const m = new Machine('main:\n  ud2');
    // #UD (benign) whose gate names a selector beyond the GDT: #GP(0x7F8 | EXT), delivered.
    m.setGate(6, gateDescriptor(0x7f8, 0, 0xe, 0));
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0x7f9, eip: m.sym('main') });
  });

  test('... and end in a double fault when that second #GP cannot be delivered either', () => {
    const m = new Machine(`
main:
  mov ax, 0x7f8
  mov ds, ax`);
    m.setGate(13, gateDescriptor(0x7f8, 0, 0xe, 0));
    m.run();
    expect(m.fault).toMatchObject({ vector: 8, error: 0 });
  });

  test('faults while delivering INT n have EXT = 0', () => {
    const m = new Machine('main:\n  int 0x40');
    m.setGate(0x40, gateDescriptor(0x7f8, 0, 0xe, 0));
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0x7f8 });
  });

  test('DS is left alone when an interrupt enters ring 0', () => {
    const m = new Machine(`
main:
${toRing3('user')}
user:
  mov ax, ${SEL_DATA3}
  mov ds, ax
  int 0x80
handler:
  cli
  hlt`);
    m.setGate(0x80, gateDescriptor(SEL_CODE0, m.sym('handler'), 0xe, 3));
    m.run();
    expect(m.cpu.segSel[DS]).toBe(SEL_DATA3);
  });
});
