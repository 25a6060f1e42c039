// Far JMP/CALL/RETF and IRET in protected mode: code segments, conforming segments, call gates
// with parameter copying and stack switches, returns to outer rings, and their faults.
import { describe, expect, test } from 'vitest';
import {
  Machine, gateDescriptor, segDescriptor, toRing3, CODE0, DATA0, DATA3, SEL_CODE0, SEL_CODE3,
  SEL_DATA0, SEL_DATA3, SEL_SPARE, SEL_TSS, TSS_ESP0, USER_STACK, KERNEL_STACK,
} from './protection-setup.js';
import { CS, DS, ES, FS } from '../../debug-adapter/src/cpu/constants.js';

const GATE = SEL_SPARE; // GDT slot 6
const SLOT7 = SEL_SPARE + 8;

describe('CALL through a call gate to ring 0', () => {
  const program = `
main:
${toRing3('user')}
user:
  mov ax, ${SEL_DATA3}
  mov ds, ax
  mov es, ax
  push dword 0x11111111
  push dword 0x22222222
  push dword 0x33333333
  call ${GATE | 3}:0
back:
  mov [es:result], eax
  mov [es:result_esp], esp
done:
  hlt                       ; ring 3: #GP(0) ends the test
kernel_fn:
  mov [ss:k_esp], esp
  mov eax, [esp + 0]
  mov [ss:k_frame + 0], eax
  mov eax, [esp + 4]
  mov [ss:k_frame + 4], eax
  mov eax, [esp + 8]
  mov [ss:k_frame + 8], eax
  mov eax, [esp + 12]
  mov [ss:k_frame + 12], eax
  mov eax, [esp + 16]
  mov [ss:k_frame + 16], eax
  mov eax, [esp + 20]
  mov [ss:k_frame + 20], eax
  mov eax, [esp + 24]
  mov [ss:k_frame + 24], eax
  mov eax, cs
  mov [ss:k_cs], eax
  mov eax, [esp + 8]
  add eax, [esp + 12]
  add eax, [esp + 16]
  mov bx, ${SEL_DATA0}
  mov ds, bx                ; DPL 0: nulled by the return to ring 3
  retf 12
align 4
result: dd 0
result_esp: dd 0
k_esp: dd 0
k_cs: dd 0
k_frame: times 7 dd 0
`;

  test('switches to SS0:ESP0, copies the parameters, and RETF 12 returns to ring 3', () => {
    const m = new Machine(program);
    m.setDescriptor(6, gateDescriptor(SEL_CODE0, m.sym('kernel_fn'), 0xc, 3, 3));
    m.run();
    expect(m.r32(m.sym('k_esp'))).toBe(TSS_ESP0 - 28);
    const frame = m.sym('k_frame');
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => m.r32(frame + 4 * i))).toEqual([
      m.sym('back'), SEL_CODE3, 0x33333333, 0x22222222, 0x11111111, USER_STACK - 12, SEL_DATA3,
    ]);
    expect(m.r32(m.sym('k_cs'))).toBe(SEL_CODE0);
    expect(m.r32(m.sym('result'))).toBe(0x66666666);
    // RETF 12 released the parameters on both stacks.
    expect(m.r32(m.sym('result_esp'))).toBe(USER_STACK);
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('done'), cs: SEL_CODE3 });
    // DS held a DPL-0 segment at the return: nulled. ES (DPL 3) kept.
    expect(m.cpu.segSel[DS]).toBe(0);
    expect(m.cpu.segSel[ES]).toBe(SEL_DATA3);
  });

  test('a 16-bit call gate copies words and pushes a 16-bit frame', () => {
    const m = new Machine(program.replace('retf 12', 'cli\n  hlt'));
    // The gate's offset is 16 bits: run kernel_fn through a ring-0 code segment based at its 64 KiB page.
    const base = m.sym('kernel_fn') & 0xffff0000;
    m.setDescriptor(7, segDescriptor(base, 0xffff, CODE0));
    m.setDescriptor(6, gateDescriptor(SLOT7, m.sym('kernel_fn') - base, 0x4, 3, 3));
    m.run();
    expect(m.r32(m.sym('k_esp'))).toBe(TSS_ESP0 - 14);
    const kEsp = m.sym('k_frame');
    expect(m.r16(kEsp)).toBe(m.sym('back') & 0xffff);
    expect(m.r16(kEsp + 2)).toBe(SEL_CODE3);
    // The caller's stack holds dwords 0x33333333, 0x22222222, ...: three words are copied.
    expect([m.r16(kEsp + 4), m.r16(kEsp + 6), m.r16(kEsp + 8)]).toEqual([0x3333, 0x3333, 0x2222]);
    expect(m.r16(kEsp + 10)).toBe((USER_STACK - 12) & 0xffff);
    expect(m.r16(kEsp + 12)).toBe(SEL_DATA3);
    expect(m.r32(m.sym('k_cs'))).toBe(SLOT7);
    expect(m.cpu.cpl).toBe(0);
  });

  test('a gate with DPL < CPL is #GP(gate)', () => {
    const m = new Machine(program);
    m.setDescriptor(6, gateDescriptor(SEL_CODE0, m.sym('kernel_fn'), 0xc, 0, 3));
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: GATE, eip: m.sym('back') - 7 });
  });

  test('a gate that is not present is #NP(gate)', () => {
    const m = new Machine(program);
    m.setDescriptor(6, gateDescriptor(SEL_CODE0, m.sym('kernel_fn'), 0xc, 3, 3, false));
    m.run();
    expect(m.fault).toMatchObject({ vector: 11, error: GATE });
  });

  test('a gate whose code segment is not present is #NP(code selector)', () => {
    const m = new Machine(program);
    m.setDescriptor(7, segDescriptor(0, 0xffffffff, CODE0 & 0x7f));
    m.setDescriptor(6, gateDescriptor(SLOT7, m.sym('kernel_fn'), 0xc, 3, 3));
    m.run();
    expect(m.fault).toMatchObject({ vector: 11, error: SLOT7 });
  });

  test('a gate naming a data segment is #GP(selector); a null one #GP(0)', () => {
    let m = new Machine(program);
    m.setDescriptor(6, gateDescriptor(SEL_DATA0, m.sym('kernel_fn'), 0xc, 3, 3));
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_DATA0 });
    m = new Machine(program);
    m.setDescriptor(6, gateDescriptor(0, m.sym('kernel_fn'), 0xc, 3, 3));
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0 });
  });

  test('an offset beyond the target limit is #GP(0)', () => {
    const m = new Machine(program);
    m.setDescriptor(7, segDescriptor(0, 0xffff, CODE0));
    m.setDescriptor(6, gateDescriptor(SLOT7, m.sym('kernel_fn'), 0xc, 3, 3));
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('back') - 7 });
  });

  test('a stack from the TSS without room for the frame is #SS(SS0)', () => {
    const m = new Machine(program);
    m.setDescriptor(6, gateDescriptor(SEL_CODE0, m.sym('kernel_fn'), 0xc, 3, 3));
    m.setDescriptor(7, segDescriptor(0, 0xffff, DATA0));
    m.w32(0x3008, SLOT7);
    m.w32(0x3004, 20);
    m.catchExceptions();
    m.run();
    expect(m.caught).toMatchObject({ vector: 12, error: SLOT7, eip: m.sym('back') - 7 });
  });

  test('JMP through the same gate to an inner ring is #GP(code selector)', () => {
    const m = new Machine(program.replace(`call ${GATE | 3}:0`, `jmp ${GATE | 3}:0`));
    m.setDescriptor(6, gateDescriptor(SEL_CODE0, m.sym('kernel_fn'), 0xc, 3, 3));
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_CODE0 });
  });
});

describe('direct far JMP and CALL', () => {
  test('ring 3 jumping to DPL-0 non-conforming code is #GP(selector)', () => {
    const m = new Machine(`
main:
${toRing3('user')}
user:
  jmp ${SEL_CODE0}:target
target:
  hlt`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_CODE0, eip: m.sym('user') });
  });

  test('a conforming DPL-0 segment runs at CPL 3 with RPL 3 in CS', () => {
    const m = new Machine(`
main:
${toRing3('user')}
user:
  call ${SLOT7}:target
back:
  hlt
target:
  mov eax, cs
  mov ebx, esp
  retf`);
    m.setDescriptor(7, segDescriptor(0, 0xffffffff, 0x9e));
    m.run();
    expect(m.cpu.r32[0] & 0xffff).toBe(SLOT7 | 3);
    expect(m.cpu.r32[3]).toBe(USER_STACK - 8);
    expect(m.fault).toMatchObject({ vector: 13, eip: m.sym('back'), cs: SEL_CODE3 });
  });

  test('a far call and RETF with a 16-bit operand size push and pop CS and IP as words', () => {
    // Everything runs in a code segment based at 0x10000 so that 16-bit offsets reach it.
    const m = new Machine(`
main:
  jmp ${SLOT7}:(start - 0x10000)
start:
  mov ebx, esp
  call word ${SLOT7}:(target - 0x10000)
back:
  mov edx, esp
  cli
  hlt
target:
  mov ecx, esp
  mov eax, [esp]
  o16 retf`);
    m.setDescriptor(7, segDescriptor(0x10000, 0xffff, CODE0));
    m.run();
    const cpu = m.cpu;
    expect(cpu.r32[3] - cpu.r32[1]).toBe(4);
    expect(cpu.r32[0]).toBe(((SLOT7 << 16) | (m.sym('back') - 0x10000)) >>> 0);
    expect(cpu.r32[2]).toBe(cpu.r32[3]);
    expect(cpu.eip).toBe(m.sym('back') - 0x10000 + 4); // after mov edx, esp; cli; hlt
    expect(cpu.segSel[CS]).toBe(SLOT7);
  });

  test('JMP to a TSS (a task switch) is not supported: #GP(selector)', () => {
    const m = new Machine(`main:\n  jmp ${SEL_TSS}:0`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_TSS });
  });

  test('JMP to a data segment is #GP(selector); to a null selector #GP(0)', () => {
    let m = new Machine(`main:\n  jmp ${SEL_DATA0}:0`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_DATA0 });
    m = new Machine(`main:\n  jmp 0:0`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0 });
  });

  test('JMP beyond the target limit is #GP(0); to a non-present segment #NP(selector)', () => {
    let m = new Machine(`main:\n  jmp ${SLOT7}:0x2000`);
    m.setDescriptor(7, segDescriptor(0, 0xfff, CODE0));
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0 });
    m = new Machine(`main:\n  jmp ${SLOT7}:0`);
    m.setDescriptor(7, segDescriptor(0, 0xfff, CODE0 & 0x7f));
    m.run();
    expect(m.fault).toMatchObject({ vector: 11, error: SLOT7 });
  });

  test('a far JMP sets the accessed bit of the code descriptor', () => {
    const m = new Machine(`main:\n  jmp ${SLOT7}:next\nnext:\n  cli\n  hlt`);
    m.setDescriptor(7, segDescriptor(0, 0xffffffff, CODE0));
    m.run();
    expect(m.descriptorHigh(7) & 0x100).toBe(0x100);
    expect(m.cpu.segSel[CS]).toBe(SLOT7);
  });
});

describe('RETF', () => {
  test('returning to a more privileged ring is #GP(selector)', () => {
    const m = new Machine(`
main:
${toRing3('user')}
user:
  push dword ${SEL_CODE0}
  push dword user
bad:
  retf`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_CODE0, eip: m.sym('bad') });
  });

  test('returning to ring 3 with a bad SS is #GP(SS)', () => {
    const m = new Machine(`
main:
  push dword ${SEL_DATA0 | 3}
  push dword ${USER_STACK}
  push dword ${SEL_CODE3}
  push dword main
bad:
  retf`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: SEL_DATA0, eip: m.sym('bad') });
  });

  test('returning to ring 3 with a not-present SS is #SS(SS)', () => {
    const m = new Machine(`
main:
  push dword ${SLOT7 | 3}
  push dword ${USER_STACK}
  push dword ${SEL_CODE3}
  push dword main
bad:
  retf`);
    m.setDescriptor(7, segDescriptor(0, 0xffffffff, DATA3 & 0x7f));
    m.run();
    expect(m.fault).toMatchObject({ vector: 12, error: SLOT7 });
  });

  test('a return whose CS is beyond the table is #GP(selector), a null CS #GP(0)', () => {
    let m = new Machine(`main:\n  push dword 0x7f8\n  push dword 0\n  retf`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0x7f8 });
    m = new Machine(`main:\n  push dword 0\n  push dword 0\n  retf`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0 });
  });

  test('popping beyond the stack limit is #SS(0)', () => {
    const m = new Machine(`
main:
  mov ax, ${SLOT7}
  mov ss, ax
  mov esp, 0xffc
  retf`);
    m.setDescriptor(7, segDescriptor(0x40000, 0xfff, DATA0));
    m.catchExceptions();
    m.run();
    expect(m.caught).toMatchObject({ vector: 12, error: 0 });
  });
});

describe('IRET', () => {
  test('IRET to ring 3 loads SS:ESP and nulls DS/FS holding DPL-0 data', () => {
    const m = new Machine(`
main:
  mov ax, ${SEL_DATA3}
  mov es, ax
${toRing3('user')}
user:
  hlt`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, eip: m.sym('user'), cs: SEL_CODE3 });
    // After the IRET (before the #GP): DS, FS, GS were DPL 0 → null; ES was DPL 3 → kept.
    expect(m.cpu.segSel[ES]).toBe(SEL_DATA3);
    expect(m.cpu.segSel[DS]).toBe(0);
    expect(m.cpu.segSel[FS]).toBe(0);
  });

  test('at CPL 3, IRET cannot change IOPL or IF (IOPL 0); at CPL 0 it can', () => {
    const m = new Machine(`
main:
${toRing3('user', 0x202)}
user:
  push dword ${SEL_DATA3}
  push dword ${USER_STACK - 0x100}
  push dword 0x3002        ; IOPL 3, IF 0
  push dword ${SEL_CODE3}
  push dword user2
  iretd
user2:
  pushfd
  pop eax
  int3`);
    m.setGate(3, gateDescriptor(SEL_CODE0, m.sym('vec_3'), 0xe, 3));
    m.run();
    expect(m.cpu.r32[0] & 0x3200).toBe(0x200);
    // Back at ring 0 through the gate, the handler's IRET frame: check CPL 0 IRET below.
    const m0 = new Machine(`
main:
  push dword 0x3002
  push dword ${SEL_CODE0}
  push dword next
  iretd
next:
  pushfd
  pop eax
  cli
  hlt`);
    m0.cpu.setEflags(0x202);
    m0.run();
    expect(m0.cpu.r32[0] & 0x3200).toBe(0x3000);
  });

  test('with IOPL 3, IRET at CPL 3 may change IF', () => {
    const m = new Machine(`
main:
${toRing3('user', 0x3202)}
user:
  push dword ${SEL_DATA3}
  push dword ${USER_STACK - 0x100}
  push dword 0x0002
  push dword ${SEL_CODE3}
  push dword user2
  iretd
user2:
  pushfd
  pop eax
  int3`);
    m.setGate(3, gateDescriptor(SEL_CODE0, m.sym('vec_3'), 0xe, 3));
    m.run();
    expect(m.cpu.r32[0] & 0x3200).toBe(0x3000);
  });

  test('IRET with NT set (a task return) is not supported: #GP(0)', () => {
    const m = new Machine(`
main:
  pushfd
  or dword [esp], 0x4000
  popfd
  push dword 2
  push dword ${SEL_CODE0}
  push dword main
bad:
  iretd`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('bad') });
  });

  test('IRET to virtual-8086 mode (VM = 1 at CPL 0) is not supported: #GP(0)', () => {
    const m = new Machine(`
main:
  push dword 0x20002
  push dword ${SEL_CODE0}
  push dword main
bad:
  iretd`);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('bad') });
  });

  test('IRET to a non-present code segment is #NP(selector)', () => {
    const m = new Machine(`
main:
  push dword 2
  push dword ${SLOT7}
  push dword 0
bad:
  iretd`);
    m.setDescriptor(7, segDescriptor(0, 0xfff, CODE0 & 0x7f));
    m.run();
    expect(m.fault).toMatchObject({ vector: 11, error: SLOT7, eip: m.sym('bad') });
  });

  test('a 16-bit IRET pops IP, CS, FLAGS as words and keeps the upper EFLAGS', () => {
    const m = new Machine(`
main:
  push word 0x0002
  push word ${SLOT7}
  push word (next - 0x10000)
  o16 iret
next:
  mov ebx, esp
  cli
  hlt`);
    m.setDescriptor(7, segDescriptor(0x10000, 0xffff, CODE0));
    m.run();
    expect(m.cpu.segSel[CS]).toBe(SLOT7);
    expect(m.cpu.r32[3]).toBe(KERNEL_STACK);
  });

  test('interrupt, IRET round trip from ring 3 restores SS:ESP and CPL', () => {
    const m = new Machine(`
main:
${toRing3('user')}
user:
  mov ebx, esp
  int 0x80
  mov ecx, esp
  mov edx, ss
  hlt
handler:
  iretd`);
    m.setGate(0x80, gateDescriptor(SEL_CODE0, m.sym('handler'), 0xe, 3));
    m.run();
    expect(m.cpu.r32[1]).toBe(m.cpu.r32[3]);
    expect(m.cpu.r32[2] & 0xffff).toBe(SEL_DATA3);
    expect(m.fault).toMatchObject({ vector: 13, cs: SEL_CODE3 });
  });
});
