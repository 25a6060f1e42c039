// dap/stack.ts in process: how the shadow call stack and the EBP chain are merged, which shadow
// entries are dropped as stale, and how interrupt and exception boundaries are named and placed.
import { describe, expect, test } from 'vitest';
import * as path from 'node:path';
import { Engine } from '../../debug-adapter/src/engine/engine.js';
import { ProgramIndex } from '../../debug-adapter/src/dap/program-index.js';
import { stackFrames, type Frame } from '../../debug-adapter/src/dap/stack.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { libGuestSource } from '../helpers/lib-guest.js';

const GUESTS = path.join(REPO_ROOT, 'test', 'dap', 'guests');
const INLINE = path.join(REPO_ROOT, 'samples', 'stack-frames-test.asm');

function sym(engine: Engine, name: string): number {
  const s = engine.program?.symbols.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no symbol ${name}`);
  return s.value >>> 0;
}

function lineAddress(engine: Engine, line: number): number {
  const e = engine.program?.sourceMap.find((x) => x.kind === 'instruction' && x.location.line === line && x.location.file === engine.program?.sourceFile);
  if (e === undefined) throw new Error(`no code on line ${line}`);
  return e.address >>> 0;
}

function runTo(engine: Engine, address: number): void {
  engine.cpu.setBreakpoints([address]);
  const stop = engine.run(engine.instructions + 2_000_000);
  expect(stop.reason, stop.message).toBe('breakpoint');
}

function outline(engine: Engine): string[] {
  const index = new ProgramIndex(engine.program);
  return stackFrames(engine, index).map((f: Frame) => (f.presentationHint === 'label' ? f.name : `${f.name}:${f.line ?? '?'}`));
}

/** An inline guest with lib.inc; `;@name` comments mark lines the tests look up. */
function inline(body: string): { engine: Engine; line: (marker: string) => number } {
  const source = libGuestSource(body);
  const engine = new Engine({ callTracking: true });
  engine.loadSource(source, INLINE);
  const lines = source.split('\n');
  return {
    engine,
    line: (marker) => {
      const i = lines.findIndex((l) => l.includes(`;@${marker}`));
      if (i < 0) throw new Error(`no marker ${marker}`);
      return i + 1;
    },
  };
}

describe('merging the shadow stack and the EBP chain', () => {
  test('without call tracking only the EBP chain is there: the caller of a frameless routine is lost', () => {
    const file = path.join(GUESTS, 'stack-calls.asm');
    const plain = Engine.fromFile(file);
    runTo(plain, lineAddress(plain, 35));
    expect(outline(plain)).toEqual(['worker:35', 'dispatch:28']);
    const tracked = Engine.fromFile(file, { callTracking: true });
    runTo(tracked, lineAddress(tracked, 35));
    expect(outline(tracked)).toEqual(['worker:35', 'dispatch:28', '_start:16']);
  });

  test('tracking that began inside a routine: the shadow stack for the newer calls, the EBP chain below it', () => {
    const e = Engine.fromFile(path.join(GUESTS, 'counter.asm'));
    runTo(e, lineAddress(e, 38)); // in `framed`, after its prologue
    e.cpu.trackCalls(true);
    runTo(e, lineAddress(e, 46));
    expect(e.cpu.callStack?.depth).toBe(1);
    expect(outline(e)).toEqual(['leaf:46', 'framed:39', '_start:19']);
  });

  test('entries the stack was unwound past without a RET are not shown', () => {
    const { engine: e } = inline(`
    call setjmp_point
    cli
    hlt
setjmp_point:
    mov [saved], esp
    call deep1
    ret
deep1:
    call deep2
    ret
deep2:
    mov esp, [saved]   ; longjmp: back to setjmp_point's frame
landing:
    ret
saved: dd 0
`);
    runTo(e, sym(e, 'landing'));
    expect(e.cpu.callStack?.depth).toBe(3); // the CPU drops them at the RET
    // deep1's and deep2's entries lie below ESP now: only the call into setjmp_point stands.
    expect(outline(e).map((f) => f.split(':')[0])).toEqual(['landing', '_start']);
  });
});

describe('interrupt and exception boundaries', () => {
  const guest = `
    mov eax, ud_handler
    mov ecx, 6
    call set_gate
    mov eax, gp_handler
    mov ecx, 13
    call set_gate
    mov eax, soft
    mov ecx, 0x30
    call set_gate
    call run_all              ;@call_run_all
    cli
    hlt
run_all:
    ud2                       ;@ud2
    mov ax, 0x1230
    mov ds, ax                ;@gp
    int 0x30                  ;@int
    ret
ud_handler:
    nop                       ;@in_ud
    add dword [esp], 2
    iret
gp_handler:
    nop                       ;@in_gp
    add esp, 4
    add dword [esp], 2
    iret
soft:
    nop                       ;@in_soft
    iret
`;

  test('a fault: the boundary names the exception, the frame below is the faulting instruction', () => {
    const { engine: e, line } = inline(guest);
    runTo(e, lineAddress(e, line('in_ud')));
    expect(outline(e)).toEqual([`ud_handler:${line('in_ud')}`, '── exception 0x06 (#UD) ──', `run_all:${line('ud2')}`, `_start:${line('call_run_all')}`]);
    runTo(e, lineAddress(e, line('in_gp')));
    expect(outline(e)).toEqual([`gp_handler:${line('in_gp')}`, '── exception 0x0d (#GP, error code 0x1230) ──', `run_all:${line('gp')}`, `_start:${line('call_run_all')}`]);
  });

  test('INT n: the frame below is placed at the INT instruction, not the one after it', () => {
    const { engine: e, line } = inline(guest);
    runTo(e, lineAddress(e, line('in_soft')));
    expect(outline(e)).toEqual([`soft:${line('in_soft')}`, '── software interrupt 0x30 ──', `run_all:${line('int')}`, `_start:${line('call_run_all')}`]);
  });

  test('the boundary frame is a label without its own code location', () => {
    const { engine: e, line } = inline(guest);
    runTo(e, lineAddress(e, line('in_soft')));
    const boundary = stackFrames(e, new ProgramIndex(e.program))[1];
    expect(boundary).toMatchObject({ presentationHint: 'label', eip: lineAddress(e, line('int')) + 2 });
    expect(boundary.file).toBeUndefined();
  });
});
