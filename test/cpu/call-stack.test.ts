// The shadow call stack (cpu/call-stack.ts) on small guests run by the engine: calls and returns
// (near, indirect, far, through a call gate), the stack tricks that leave a routine without RET,
// interrupts and exceptions with and without error codes and their IRET, the depth bound, and
// the same guest addresses under the hypervisor techniques.
import { describe, expect, test } from 'vitest';
import * as path from 'node:path';
import { Engine, type EngineOptions } from '../../debug-adapter/src/engine/engine.js';
import type { CallEntry } from '../../debug-adapter/src/cpu/call-stack.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { gateDescriptor, Machine, SEL_CODE0, SEL_CODE3, SEL_DATA0, SEL_SPARE, toRing3, TSS_ESP0 } from './protection-setup.js';
import { libGuestSource } from '../helpers/lib-guest.js';

const STACK_TOP = 'stack_top';

/** A Multiboot guest with lib.inc (flat GDT, IDT, PIC/PIT helpers) around `body`. */
function guest(body: string, options: EngineOptions = {}): Engine {
  const source = libGuestSource(body, 16384);
  const engine = new Engine({ callTracking: true, ...options });
  engine.loadSource(source, path.join(REPO_ROOT, 'samples', 'call-stack-test.asm'));
  return engine;
}

function sym(engine: Engine, name: string): number {
  const s = engine.program?.symbols.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no symbol ${name}`);
  return s.value >>> 0;
}

/** Runs to the label `at` (a breakpoint there) and returns the shadow stack, oldest first. */
function runTo(engine: Engine, at: string, budget = 2_000_000): CallEntry[] {
  if (engine.guestEip === sym(engine, at)) engine.step();
  engine.cpu.setBreakpoints([sym(engine, at)]);
  const stop = engine.run(engine.instructions + budget);
  expect(stop.reason, stop.message).toBe('breakpoint');
  expect(engine.guestEip).toBe(sym(engine, at));
  const stack = engine.cpu.callStack;
  if (stack === null) throw new Error('call tracking is off');
  return stack.snapshot();
}

/** What the tests compare: kind, return address and target as `label` or `label+offset`, vector. */
function shape(engine: Engine, entries: CallEntry[]): string[] {
  const labels = (engine.program?.symbols ?? []).filter((s) => s.kind !== 'equ').sort((a, b) => b.value - a.value);
  const name = (a: number): string => {
    const l = labels.find((s) => s.value >>> 0 <= a);
    if (l === undefined) return `0x${a.toString(16)}`;
    return l.value >>> 0 === a ? l.name : `${l.name}+${a - (l.value >>> 0)}`;
  };
  return entries.map((e) => `${e.kind}${e.vector >= 0 ? ` 0x${e.vector.toString(16)}` : ''} ${name(e.returnEip)} -> ${name(e.target)}`);
}

describe('calls and returns', () => {
  test('nested near calls push their return addresses; each RET pops its own', () => {
    const e = guest(`
    call outer
r_outer:
    call indirect_caller
r_indirect:
done:
    cli
    hlt
outer:
    push ebx                            ; no EBP frame
    call inner
r_inner:
    pop ebx
    ret
inner:
    push ebp
    mov ebp, esp
in_inner:
    pop ebp
    ret
indirect_caller:
    mov eax, leaf
    call eax
r_eax:
    call [leaf_ptr]
r_mem:
    ret
leaf:
in_leaf:
    ret
leaf_ptr: dd leaf
`);
    const top = sym(e, STACK_TOP);
    const inner = runTo(e, 'in_inner');
    expect(shape(e, inner)).toEqual(['call r_outer -> outer', 'call r_inner -> inner']);
    expect(inner.map((x) => x.esp - 0)).toEqual([top - 4, top - 12]);
    expect(inner.every((x) => x.slot === x.esp && x.ss === e.cpu.segSel[2] && x.returnCs === e.cpu.segSel[1])).toBe(true);
    expect(shape(e, runTo(e, 'in_leaf'))).toEqual(['call r_indirect -> indirect_caller', 'call r_eax -> leaf']);
    expect(shape(e, runTo(e, 'in_leaf'))).toEqual(['call r_indirect -> indirect_caller', 'call r_mem -> leaf']);
    expect(runTo(e, 'done')).toEqual([]);
  });

  test('a far call and its RETF', () => {
    const e = guest(`
    mov ax, cs
    mov [far_ptr + 4], ax
    call far [far_ptr]
r_far:
done:
    cli
    hlt
far_fn:
in_far:
    retf
align 4
far_ptr: dd far_fn
    dw 0
`);
    const [entry] = runTo(e, 'in_far');
    expect(shape(e, [entry])).toEqual(['call r_far -> far_fn']);
    expect(entry.returnCs).toBe(e.cpu.segSel[1]);
    expect(entry.esp).toBe(sym(e, STACK_TOP) - 8); // CS and EIP pushed
    expect(runTo(e, 'done')).toEqual([]);
  });

  test('RET imm16 pops the frame it returns through', () => {
    const e = guest(`
    push 1
    push 2
    call callee
done:
    cli
    hlt
callee:
in_callee:
    ret 8
`);
    expect(runTo(e, 'in_callee')).toHaveLength(1);
    expect(runTo(e, 'done')).toEqual([]);
  });
});

describe('leaving a routine without RET', () => {
  test('dropping the return address and jumping: the next call over the same slot replaces the entry', () => {
    const e = guest(`
    call a
r_a:
done:
    cli
    hlt
a:
    call b
b_gone:
    jmp done           ; never reached
b:
    add esp, 4         ; drop the return address, then leave by jumping
    jmp after_b
after_b:
    call c
r_c:
    ret
c:
in_c:
    ret
`);
    // b's entry is stale until something reuses its slot: c's call does.
    expect(shape(e, runTo(e, 'in_c'))).toEqual(['call r_a -> a', 'call r_c -> c']);
    expect(runTo(e, 'done')).toEqual([]);
  });

  test('longjmp-like unwinding: a RET from a frame far up drops every entry below it', () => {
    const e = guest(`
    call setjmp_point
r_set:
done:
    cli
    hlt
setjmp_point:
    mov [saved], esp
    call deep1
    jmp done
deep1:
    call deep2
    ret
deep2:
    call deep3
    ret
deep3:
in_deep3:
    mov esp, [saved]   ; back to setjmp_point's frame, then return from it
landing:
    ret
saved: dd 0
`);
    expect(runTo(e, 'in_deep3')).toHaveLength(4);
    expect(shape(e, runTo(e, 'landing')).length).toBe(4); // nothing popped before the RET
    expect(runTo(e, 'done')).toEqual([]);
  });

  test('push-and-RET as a jump keeps the frame it jumps within', () => {
    const e = guest(`
    call f
r_f:
done:
    cli
    hlt
f:
    push g
    ret                ; a jump to g; f's own return address stays below
g:
in_g:
    ret
`);
    expect(shape(e, runTo(e, 'in_g'))).toEqual(['call r_f -> f']);
    expect(runTo(e, 'done')).toEqual([]);
  });
});

describe('interrupts and exceptions', () => {
  test('INT n pushes a software-interrupt entry with the return address after INT; IRET pops it', () => {
    const e = guest(`
    mov eax, handler
    mov ecx, 0x30
    call set_gate
    call caller
done:
    cli
    hlt
caller:
    int 0x30
r_int:
    ret
handler:
    call work
r_work:
    iret
work:
in_work:
    ret
`);
    const stack = runTo(e, 'in_work');
    expect(shape(e, stack)).toEqual(['call done -> caller', 'software interrupt 0x30 r_int -> handler', 'call r_work -> work']);
    expect(stack[1]).toMatchObject({ errorCode: -1, returnCs: e.cpu.segSel[1] });
    expect(stack[1].slot).toBe(stack[1].esp);
    expect(runTo(e, 'done')).toEqual([]);
  });

  test('an exception without an error code returns to the faulting instruction', () => {
    const e = guest(`
    mov eax, ud_handler
    mov ecx, 6
    call set_gate
faulting:
    ud2
done:
    cli
    hlt
ud_handler:
in_ud:
    add dword [esp], 2
    iret
`);
    const stack = runTo(e, 'in_ud');
    expect(shape(e, stack)).toEqual(['exception 0x6 faulting -> ud_handler']);
    expect(runTo(e, 'done')).toEqual([]);
  });

  test('an exception with an error code: the return address sits above it', () => {
    const e = guest(`
    mov eax, gp_handler
    mov ecx, 13
    call set_gate
    mov ax, 0x1230
faulting:
    mov ds, ax         ; beyond the GDT: #GP(0x1230)
done:
    cli
    hlt
gp_handler:
in_gp:
    add esp, 4
    add dword [esp], 2
    iret
`);
    const [entry] = runTo(e, 'in_gp');
    expect(shape(e, [entry])).toEqual(['exception 0xd faulting -> gp_handler']);
    expect(entry.errorCode).toBe(0x1230);
    expect(entry.slot).toBe(entry.esp + 4);
    expect(runTo(e, 'done')).toEqual([]);
  });

  test('an external interrupt from the timer, taken in a called routine', () => {
    const e = guest(`
    mov eax, timer
    mov dx, 1193
    call start_timer
    call idle
done:
    cli
    hlt
idle:
    sti
.wait:
    hlt
    cmp dword [ticks], 3
    jb .wait
    cli
    ret
timer:
    call tick
r_tick:
    call eoi
    iret
tick:
in_tick:
    inc dword [ticks]
    ret
ticks: dd 0
`);
    const stack = runTo(e, 'in_tick');
    expect(shape(e, stack).slice(0, 1)).toEqual(['call done -> idle']);
    expect(stack[1]).toMatchObject({ kind: 'interrupt', vector: 0x20, errorCode: -1, target: sym(e, 'timer') });
    expect(shape(e, stack.slice(2))).toEqual(['call r_tick -> tick']);
    e.cpu.setBreakpoints([]);
    // Three ticks later the guest is back in _start with nothing left on the shadow stack.
    expect(runTo(e, 'done')).toEqual([]);
  });

  test('the depth is bounded: the oldest entries go first', () => {
    const e = guest(`
    mov ecx, 3000
    call recurse
done:
    cli
    hlt
recurse:
    dec ecx
    jz bottom
    call recurse
    ret
bottom:
in_bottom:
    ret
`);
    const stack = runTo(e, 'in_bottom');
    expect(stack.length).toBeLessThanOrEqual(1024);
    expect(stack.length).toBeGreaterThan(900);
    expect(e.cpu.callStack?.dropped).toBe(3000 - stack.length);
    expect(stack[stack.length - 1].esp).toBe(sym(e, STACK_TOP) - 4 * 3000);
    expect(runTo(e, 'done')).toEqual([]);
  });
});

describe('under the hypervisor techniques', () => {
  // Kernel code calling, taking INT 0x30 and timer interrupts: every technique must show the
  // guest's own addresses (binary translation runs the code from its translation cache, and
  // trap-and-emulate reflects the events through the guest's IDT itself).
  const body = `
    mov eax, soft
    mov ecx, 0x30
    call set_gate
    mov eax, timer
    mov dx, 1193
    call start_timer
    call idle
done:
    cli
    hlt
idle:
    sti
.wait:
    hlt
    cmp dword [ticks], 3
    jb .wait
    call raise
r_raise:
    cli
    ret
raise:
    int 0x30
r_int:
    ret
soft:
    call tick
r_soft:
    iret
timer:
    call tick
r_tick:
    call eoi
    iret
tick:
in_tick:
    inc dword [ticks]
    ret
ticks: dd 0
`;
  const techniques: [string, EngineOptions][] = [
    ['native', {}],
    ['trap-and-emulate', { technique: 'trap-and-emulate' }],
    ['binary-translation (x86)', { technique: 'binary-translation' }],
    ['binary-translation (ops)', { technique: 'binary-translation', hypervisor: { btMode: 'ops' } }],
    ['vt-x', { technique: 'vt-x' }],
    ['vt-x, external-interrupt exiting', { technique: 'vt-x', hypervisor: { vmx: { 'external-interrupt-exiting': true } } }],
  ];
  test.each(techniques)('%s', (_name, options) => {
    const e = guest(body, options);
    const stops: string[][] = [];
    for (let i = 0; i < 4; i++) stops.push(shape(e, runTo(e, 'in_tick')));
    // The timer interrupts HLT: the interrupted instruction is the one after it.
    const timer = ['call done -> idle', 'interrupt 0x20 idle.wait+1 -> timer', 'call r_tick -> tick'];
    expect(stops.slice(0, 3)).toEqual([timer, timer, timer]);
    expect(stops[3]).toEqual(['call done -> idle', 'call r_raise -> raise', 'software interrupt 0x30 r_int -> soft', 'call r_soft -> tick']);
    e.cpu.setBreakpoints([]);
    expect(runTo(e, 'done')).toEqual([]);
  });
});

describe('privilege changes (CPU only)', () => {
  test('a call gate and an interrupt gate from ring 3: entries on the ring-0 stack, dropped by the return to ring 3', () => {
    const m = new Machine(`
main:
${toRing3('user')}
user:
  call ${SEL_SPARE | 3}:0
back:
  int 0x80
back2:
done:
  hlt                       ; ring 3: #GP(0), the generic handler halts
kernel_fn:
k_in:
  retf
isr:
isr_in:
  iretd
`);
    m.setDescriptor(6, gateDescriptor(SEL_CODE0, m.sym('kernel_fn'), 0xc, 3));
    m.setGate(0x80, gateDescriptor(SEL_CODE0, m.sym('isr'), 0xe, 3));
    const cpu = m.cpu;
    cpu.trackCalls(true);
    const stack = (): CallEntry[] => cpu.callStack?.snapshot() ?? [];
    cpu.setBreakpoints([m.sym('k_in')]);
    expect(m.run()).toBe('breakpoint');
    expect(stack()).toEqual([{
      kind: 'call', returnEip: m.sym('back'), returnCs: SEL_CODE3, target: m.sym('kernel_fn'), targetCs: SEL_CODE0,
      esp: TSS_ESP0 - 16, ss: SEL_DATA0, slot: TSS_ESP0 - 16, vector: -1, errorCode: -1,
    }]);
    cpu.setBreakpoints([m.sym('isr_in')]);
    expect(m.run()).toBe('breakpoint');
    expect(stack()).toEqual([{
      kind: 'software interrupt', returnEip: m.sym('back2'), returnCs: SEL_CODE3, target: m.sym('isr'), targetCs: SEL_CODE0,
      esp: TSS_ESP0 - 20, ss: SEL_DATA0, slot: TSS_ESP0 - 20, vector: 0x80, errorCode: -1,
    }]);
    cpu.setBreakpoints([]);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, eip: m.sym('done') });
    expect(stack()).toEqual([expect.objectContaining({
      kind: 'exception', vector: 13, errorCode: 0, returnEip: m.sym('done'), returnCs: SEL_CODE3, esp: TSS_ESP0 - 24, slot: TSS_ESP0 - 20,
    })]);
  });
});

describe('cost', () => {
  test('without call tracking there is no call stack and CALL keeps its own exec', () => {
    const body = '    call f\nf:\n    cli\n    hlt\n';
    const plain = guest(body, { callTracking: false });
    expect(plain.cpu.callStack).toBeNull();
    const tracked = guest(body);
    const execAt = (e: Engine): string => e.cpu.opAt(sym(e, 'f') - 5)?.exec.toString() ?? '';
    expect(execAt(plain)).not.toContain('callStack');
    expect(execAt(tracked)).toContain('callStack');
  });
});
