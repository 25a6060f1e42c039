// The Debug Console commands (evaluate with context 'repl') through the real adapter over stdio:
// help, info gdt/idt/ldt/tlb, page, x, exits, serial, and bad input answered with one line while
// the session goes on.
import { describe, expect, test } from 'vitest';
import * as path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { REPO_ROOT } from '../helpers/paths.js';
import { adapterPerTest, evaluate, HELLO, launch } from './adapter.js';

const TABLES = path.join(REPO_ROOT, 'test', 'dap', 'guests', 'console-tables.asm');
const ECHO = path.join(REPO_ROOT, 'test', 'dap', 'guests', 'console-echo.asm');
const VTX_EXITS = path.join(REPO_ROOT, 'samples', 'vtx-exits.asm');

const open = adapterPerTest();

async function repl(dc: DebugClient, line: string): Promise<string> {
  const r = await dc.evaluateRequest({ expression: line, context: 'repl' });
  return r.body.result;
}

/** A label's address as the expression language gives it. */
async function address(dc: DebugClient, label: string): Promise<number> {
  return Number(await evaluate(dc, label));
}

const h8 = (n: number): string => '0x' + (n >>> 0).toString(16).padStart(8, '0');

/** console-tables.asm stopped at `ready`: its GDT, IDT and page tables are in place. */
async function stopAtReady(dc: DebugClient, technique = 'native'): Promise<void> {
  await launch(dc, { program: TABLES, technique, stopOnEntry: true });
  const set = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'ready' }] });
  expect(set.body.breakpoints[0].verified).toBe(true);
  await Promise.all([dc.continueRequest({ threadId: 1 }), dc.assertStoppedLocation('function breakpoint', {})]);
}

describe('help', () => {
  test('lists every command with one line each, and details one', async () => {
    const dc = open();
    await launch(dc, { program: HELLO, stopOnEntry: true });
    const help = await repl(dc, 'help');
    for (const usage of ['help [COMMAND]', 'info gdt|idt|ldt [hw] [FROM [TO]] | info tlb', 'page ADDR', 'x/[COUNT][FORMAT][SIZE] ADDR', 'exits [N]', 'serial TEXT']) {
      expect(help.split('\n').filter((l) => l.trimStart().startsWith(usage))).toHaveLength(1);
    }
    const x = await repl(dc, 'help x');
    expect(x.split('\n')[0]).toBe('x/[COUNT][FORMAT][SIZE] ADDR: examine memory: x/8xb, x/4xw, x/2i, x/s; phys:ADDR for physical addresses');
    expect(x).toMatch(/SIZE: b 1 byte, h 2 bytes, w 4 bytes/);
    expect(await repl(dc, 'help frob')).toBe("help: no command 'frob' (commands: help, info, page, x, exits, serial)");
  });
});

describe('descriptor tables', () => {
  test('the Multiboot entry state: the option ROM GDT with its flat code segment; paging off', async () => {
    const dc = open();
    await launch(dc, { program: HELLO, stopOnEntry: true });
    const gdt = (await repl(dc, 'info gdt')).split('\n');
    expect(gdt[0]).toMatch(/^GDT \(base 0x[0-9a-f]{8}, limit 0x0027; native: the guest's tables are the CPU's\)$/);
    expect(gdt).toContain('[   1] 0x0008  base=0x00000000 limit=0xffffffff  32-bit code (execute/read)  DPL=0 P=1 D/B=1 G=1');
    expect(gdt).toContain('[   2] 0x0010  base=0x00000000 limit=0xffffffff  32-bit data (read/write, accessed)  DPL=0 P=1 D/B=1 G=1');
    expect(gdt).toContain('[   3] 0x0018  base=0x00000000 limit=0x0000ffff  16-bit code (execute/read, conforming)  DPL=0 P=1 D/B=0 G=0');
    expect(await repl(dc, 'info ldt')).toMatch(/\nno LDT loaded \(null LDTR selector\)$/);
    expect(await repl(dc, 'info tlb')).toBe('paging is off (CR0.PG=0): linear addresses are physical and the TLB is not used');
    expect(await repl(dc, 'page esp')).toBe('paging is off (CR0.PG=0): linear 0x00006f08 is the physical address\nphysical 0x00006f08');
  });

  test("the guest's own GDT and IDT, entry by entry, with gate targets and their labels", async () => {
    const dc = open();
    await stopAtReady(dc);
    const [gdtBase, tss, farTarget, pfHandler, syscall] = await Promise.all(['gdt', 'tss', 'far_target', 'pf_handler', 'syscall_handler'].map((l) => address(dc, l)));
    expect(await repl(dc, 'info gdt')).toBe(
      [
        `GDT (base ${h8(gdtBase)}, limit 0x0037; native: the guest's tables are the CPU's)`,
        '[   0] 0x0000  null descriptor',
        '[   1] 0x0008  base=0x00000000 limit=0xffffffff  32-bit code (execute/read, accessed)  DPL=0 P=1 D/B=1 G=1',
        '[   2] 0x0010  base=0x00000000 limit=0xffffffff  32-bit data (read/write, accessed)  DPL=0 P=1 D/B=1 G=1',
        '[   3] 0x0018  base=0x00000000 limit=0xffffffff  32-bit code (execute/read)  DPL=3 P=1 D/B=1 G=1',
        '[   4] 0x0020  base=0x00012345 limit=0x00000fff  16-bit data (read/write)  DPL=0 P=1 D/B=0 G=0',
        `[   5] 0x0028  base=${h8(tss)} limit=0x00000067  32-bit TSS (available)  DPL=0 P=1 D/B=0 G=0`,
        `[   6] 0x0030  32-bit call gate -> 0x0008:${h8(farTarget)} <far_target>  params=0  DPL=3 P=1`,
      ].join('\n'),
    );
    const idt = (await repl(dc, 'info idt')).split('\n');
    expect(idt.slice(1)).toEqual([
      '[0x00 #DE] .. [0x0d #GP]  empty (14 entries)',
      `[0x0e #PF]  32-bit interrupt gate -> 0x0008:${h8(pfHandler)} <pf_handler>  DPL=0 P=1`,
      '[0x0f] .. [0x20]  empty (18 entries)',
      `[0x21]      32-bit trap gate -> 0x0008:${h8(syscall)} <syscall_handler>  DPL=3 P=1`,
      '[0x22]      task gate -> TSS selector 0x0028  DPL=0 P=1',
    ]);
    // One entry, and a range.
    expect((await repl(dc, 'info gdt 4')).split('\n')[1]).toBe('[   4] 0x0020  base=0x00012345 limit=0x00000fff  16-bit data (read/write)  DPL=0 P=1 D/B=0 G=0');
    expect((await repl(dc, 'info idt 0x21 0x22')).split('\n')).toHaveLength(3);
  });

  test("under trap-and-emulate: the guest's tables by default, the VMM's shadow tables with `hw`", async () => {
    const dc = open();
    await stopAtReady(dc, 'trap-and-emulate');
    const guest = (await repl(dc, 'info gdt')).split('\n');
    expect(guest[0]).toMatch(/^the guest's GDT, its virtual GDTR kept by the trap-and-emulate VMM \(base 0x[0-9a-f]{8}, limit 0x0037\); `info gdt hw` shows the CPU's$/);
    expect(guest).toContain('[   1] 0x0008  base=0x00000000 limit=0xffffffff  32-bit code (execute/read, accessed)  DPL=0 P=1 D/B=1 G=1');
    const hw = (await repl(dc, 'info gdt hw')).split('\n');
    expect(hw[0]).toMatch(/^the CPU's GDT, the trap-and-emulate VMM's table \(base 0xffc[0-9a-f]{5}, limit 0xffff\); `info gdt` shows the guest's$/);
    // Ring compression: the guest's ring-0 code runs at DPL 1; the VMM's own code segment sits at the top.
    expect(hw).toContain('[   1] 0x0008  base=0x00000000 limit=0xffffffff  32-bit code (execute/read, accessed)  DPL=1 P=1 D/B=1 G=1');
    expect(hw).toContain('[   7] 0x0038 .. [8188] 0xffe0  empty (8182 entries)');
    expect(hw.some((l) => l.startsWith('[8189] 0xffe8  base=0x00000000 limit=0xffffffff  32-bit code'))).toBe(true);
    const idtHw = (await repl(dc, 'info idt hw')).split('\n');
    expect(idtHw[1]).toMatch(/^\[0x00 #DE\] {2}32-bit interrupt gate -> 0xffe8:0x[0-9a-f]{8} {2}DPL=0 P=1$/);
    expect(idtHw[2]).toBe('[0x01 #DB] .. [0xff]  the same as vector 0x00 (255 entries)');
    expect(await repl(dc, 'info idt')).toContain('[0x0e #PF]  32-bit interrupt gate -> 0x0008:');
  });
});

describe('paging', () => {
  test('info tlb lists the pages the guest touched; page walks a 4 KiB page, a 4 MiB page and an unmapped address', async () => {
    const dc = open();
    await stopAtReady(dc);
    const [pd, pt2, dataPage] = await Promise.all(['pd', 'pt2', 'data_page'].map((l) => address(dc, l)));
    const tlb = (await repl(dc, 'info tlb')).split('\n');
    expect(tlb[0]).toBe(`TLB: 3 cached translations (CR3 ${h8(pd)}, CR4.PSE=1, CR0.WP=0); "write" = a write needs no walk (writable and dirty)`);
    expect(tlb).toContain(`0x00803000  ${h8(dataPage)}  supervisor  no`);
    expect(tlb).toContain('0x00c00000  0x00400000  supervisor  yes');
    expect(tlb).toContain('0x00100000  0x00100000  supervisor  no');

    expect(await repl(dc, 'page 0x00803000 + 4')).toBe(
      [
        'linear 0x00803004: directory index 0x002, table index 0x003, offset 0x004',
        `CR3 ${h8(pd)}: page directory at physical ${h8(pd)}`,
        `PDE at ${h8(pd + 8)} = ${h8(pt2 + 0x27)}  P=1 R/W=1 U/S=1 A=1 PS=0 -> page table at ${h8(pt2)}`,
        `PTE at ${h8(pt2 + 12)} = ${h8(dataPage + 0x25)}  P=1 R/W=0 U/S=1 A=1 D=0 -> 4 KiB page at ${h8(dataPage)}`,
        `physical ${h8(dataPage + 4)}`,
        'access: supervisor read/write (R/W=0 in the PTE but CR0.WP=0); user read-only (a user write faults: R/W=0 in the PTE)',
        `TLB: cached for supervisor -> ${h8(dataPage)}`,
      ].join('\n'),
    );
    const large = (await repl(dc, 'page 0xc00010 + 4')).split('\n');
    expect(large[2]).toBe(`PDE at ${h8(pd + 12)} = 0x004000e3  P=1 R/W=1 U/S=0 A=1 D=1 PS=1 -> 4 MiB page at 0x00400000`);
    expect(large[3]).toBe('physical 0x00400014');
    expect(large[4]).toBe('access: supervisor read/write; user no access (any user access faults: U/S=0 in the 4 MiB PDE)');
    const unmapped = (await repl(dc, 'page 0x01000000')).split('\n');
    expect(unmapped[2]).toBe(`PDE at ${h8(pd + 16)} = 0x00000000  P=0 R/W=0 U/S=0 A=0 PS=0: not present`);
    expect(unmapped[3]).toBe('the walk fails: any access to 0x01000000 raises #PF (P=0 in the PDE), with CR2 = 0x01000000');
    // A not-present PTE inside a present table.
    expect((await repl(dc, 'page 0x00804000')).split('\n')[3]).toBe(`PTE at ${h8(pt2 + 16)} = 0x00000000  P=0 R/W=0 U/S=0 A=0 D=0: not present`);
  });
});

describe('x', () => {
  test('bytes, words and halfwords as the guest stored them, linear and physical, with the ASCII column', async () => {
    const dc = open();
    await stopAtReady(dc);
    const dataPage = await address(dc, 'data_page');
    // data_page: db 'PAGE', 0xde, 0xad, 0xbe, 0xef — seen through the 4 KiB mapping at 0x00803000 and physically.
    const stored = await dc.customRequest('readMemory', { memoryReference: `phys:${dataPage}`, count: 8 });
    expect(Buffer.from(stored.body.data, 'base64').toString('hex')).toBe('50414745deadbeef');
    expect(await repl(dc, 'x/8xb 0x00803000')).toBe('0x00803000:  50 41 47 45 de ad be ef  |PAGE....|');
    expect(await repl(dc, 'x /4xb 0x00803000')).toBe('0x00803000:  50 41 47 45  |PAGE|');
    expect(await repl(dc, 'x/8xb phys:data_page')).toBe(`phys:${h8(dataPage)}:  50 41 47 45 de ad be ef  |PAGE....|`);
    expect(await repl(dc, 'x/2xw data_page')).toBe(`${h8(dataPage)} <data_page>:  0x45474150 0xefbeadde  |PAGE....|`);
    expect(await repl(dc, 'x/2xh 0x00803004')).toBe('0x00803004:  0xadde 0xefbe  |....|');
    expect(await repl(dc, 'x/2db 0x00803004')).toBe('0x00803004:   -34  -83  |..|');
    expect(await repl(dc, 'x/1uh 0x00803004')).toBe('0x00803004:   44510  |..|');
    const greeting = await address(dc, 'greeting');
    // greeting: db 'Hi, console', 10, 0 — then x: dd 0x00c0ffee.
    const dump = (await repl(dc, 'x/17xb greeting')).split('\n');
    expect(dump).toEqual([
      `${h8(greeting)} <greeting>:  48 69 2c 20 63 6f 6e 73 6f 6c 65 0a 00 ee ff c0  |Hi, console.....|`,
      `${h8(greeting + 16)} <x+0x3>:     ${'00'.padEnd(47)}  |.|`,
    ]);
    expect(await repl(dc, 'x/s greeting')).toBe(`${h8(greeting)} <greeting>: "Hi, console\\n"`);
  });

  test('x/2i disassembles at the current instruction; a label named x is still an expression', async () => {
    const dc = open();
    await stopAtReady(dc);
    const ready = await address(dc, 'ready');
    expect(await repl(dc, 'x/2i $')).toBe(
      [`=> ${h8(ready)} <ready>:      90           nop    ; console-tables.asm:75`, `   ${h8(ready + 1)} <ready+0x1>:  66 ba f4 00  mov dx, 0xF4    ; console-tables.asm:76`].join('\n'),
    );
    const x = await address(dc, 'x');
    expect(await repl(dc, 'x')).toBe('0x' + x.toString(16));
    expect(await repl(dc, 'x + 1')).toBe('0x' + (x + 1).toString(16));
    expect(await repl(dc, 'x x')).toBe(`${h8(x)} <x>:  0x00c0ffee  |....|`);
    expect(await repl(dc, 'x/xw x')).toBe(`${h8(x)} <x>:  0x00c0ffee  |....|`);
  });
});

describe('exits', () => {
  test('the last CPUID exits of samples/vtx-exits.asm under vt-x, one a line', async () => {
    const dc = open();
    await launch(dc, { program: VTX_EXITS, technique: 'vt-x', stopOnEntry: true });
    await dc.setBreakpointsRequest({ source: { path: VTX_EXITS }, breakpoints: [{ line: 32 }] });
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.assertStoppedLocation('breakpoint', { line: 32 })]);
    const lines = (await repl(dc, 'exits 8')).split('\n');
    expect(lines[0]).toMatch(/^last 8 of (\d+) exits and holes under vt-x \(\1 exits, 0 holes\), oldest first:$/);
    expect(lines).toHaveLength(9);
    const seqs: number[] = [];
    for (const line of lines.slice(1)) {
      const m = /^#(\d+) vmexit CPUID \(10\) at 0x([0-9a-f]{8}) vtx-exits\.asm:28 `cpuid` -> emulated$/.exec(line);
      expect(m, line).not.toBeNull();
      seqs.push(Number(m![1]));
    }
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    expect(await repl(dc, 'exits')).toContain('IO_INSTRUCTION (30)'); // the default 10 reach back to lib_init's port writes
  });

  test('natively there are none', async () => {
    const dc = open();
    await launch(dc, { program: HELLO, stopOnEntry: true });
    expect(await repl(dc, 'exits')).toBe('no exits: the guest runs natively (launch it with a technique such as vt-x or trap-and-emulate)');
  });
});

describe('serial', () => {
  test('feeds a guest that echoes its serial input, escapes decoded', async () => {
    const dc = open();
    await launch(dc, { program: ECHO, stopOnEntry: true });
    expect(await repl(dc, 'serial hi\\x21\\n')).toBe('queued 4 bytes for COM1: "hi!\\n"');
    const echoed = dc.assertOutput('stdout', 'hi!\n');
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: 1 });
    await echoed;
    expect((await exited).body).toEqual({ exitCode: 1 });
  });
});

describe('bad input', () => {
  test('each gets one line of explanation; expressions still evaluate; the session goes on', async () => {
    const dc = open();
    await stopAtReady(dc);
    const cases: [string, string | RegExp][] = [
      ['info', 'info: what about? (info gdt, info idt, info ldt, info tlb)'],
      ['info frob', "info: unknown subject 'frob' (info gdt, info idt, info ldt, info tlb)"],
      ['info gdt 99', "info: entry 99 is beyond the table's limit (entries 0 to 6)"],
      ['info gdt 3 1', 'info: TO must lie between 3 and 6'],
      ['info tlb now', "info: 'info tlb' takes no arguments"],
      ['page', 'page: missing address (usage: page ADDR, e.g. `page esp` or `page my_label+4`)'],
      ['page nosuch', "page: unknown name 'nosuch'"],
      ['page 1 +', /^page: unexpected end of expression/],
      ['page phys:0', 'page: page takes a linear address (phys: addresses are not translated)'],
      ['x/8xb 0x01000000', 'x: cannot read: linear address 0x01000000 is not mapped (try `page 0x01000000`)'],
      ['x/4xb phys:0x7ffffff0', 'x: cannot read: physical address 0x7ffffff0 is beyond guest RAM (32 MiB)'],
      ['x/8q 0', "x: unknown letter 'q' in '/8q' (formats x d u i s, sizes b h w)"],
      ['x/8xg 0', 'x: size g (8 bytes) is not supported on this 32-bit guest: use w'],
      ['x/0xb 0', 'x: count must be between 1 and 4096, got 0'],
      ['x/8xb', 'x: missing address (usage: x/[COUNT][x|d|u|i|s][b|h|w] ADDR, e.g. x/8xb esp)'],
      ['x/2i 0x01000000', 'x: cannot read: linear address 0x01000000 is not mapped (try `page 0x01000000`)'],
      ['x/s "text"', 'x: address must be a number, not the string "text"'],
      ['exits -1', "exits: N must be a number, got '-1'"],
      ['serial', 'serial: nothing to send (usage: serial TEXT, e.g. serial hello\\n)'],
      ['serial bad\\q', 'serial: unknown escape \\q (known: \\n \\r \\t \\0 \\\\ \\" \\xNN \\NNN)'],
      ['serial \\x', 'serial: \\x needs one or two hex digits (at column 1)'],
      ['disas 0x100000', "unknown command 'disas': type `help` for the console commands (any other line is evaluated as an expression)"],
    ];
    for (const [line, expected] of cases) {
      const r = await dc.evaluateRequest({ expression: line, context: 'repl' });
      expect(r.success, line).toBe(true);
      if (typeof expected === 'string') expect(r.body.result, line).toBe(expected);
      else expect(r.body.result, line).toMatch(expected);
      expect(r.body.result, line).not.toContain('\n');
    }
    // Expressions are not commands, in the console as elsewhere.
    expect(await repl(dc, 'eax + 1')).toBe('0x' + ((Number(await evaluate(dc, 'eax')) + 1) >>> 0).toString(16));
    expect(await repl(dc, 'dword [0x00803000]')).toBe('0x45474150');
    expect((await dc.threadsRequest()).body.threads).toHaveLength(1);
    expect(await repl(dc, 'x/4xb 0x00803000')).toBe('0x00803000:  50 41 47 45  |PAGE|');
  });
});
