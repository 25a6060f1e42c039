// Source map and symbols: what the debugger (breakpoints, stepping, disassembly) and the language
// server (outline, hover, go to definition) read. Addresses and sizes are checked against nasm's
// own listing, label addresses against `dd label` assembled by nasm.
import { describe, expect, it } from 'vitest';
import { type AssembleResult, type SourceMapEntry, type SymbolInfo, assemble } from '../helpers/assembler';
import { bytesEqual, describeDiagnostics, describeMismatch } from '../helpers/compare';
import { type ListingLine, nasmAssemble, parseNasmListing } from '../helpers/nasm';

const FILE = 'prog.asm';

const PROGRAM32 = [
  'bits 32', //                      1
  'org 0x100000', //                 2
  'COUNT equ 42', //                 3
  '%macro twice 1', //               4
  '  inc %1', //                     5
  '  inc %1', //                     6
  '%endmacro', //                    7
  'start:', //                       8
  '  mov eax, COUNT', //             9
  '  xor ebx, ebx', //               10
  '.loop:', //                       11
  '  twice ebx', //                  12
  '  cmp ebx, eax', //               13
  '  jb .loop', //                   14
  '  call func', //                  15
  '  hlt', //                        16
  'func:', //                        17
  '  push ebp', //                   18
  '  mov ebp, esp', //               19
  '  pop ebp', //                    20
  '  ret', //                        21
  'msg: db "hi", 0', //              22
  'align 4', //                      23
  'table: dd start, func, COUNT', // 24
  '',
].join('\n');
const ORG32 = 0x100000;
const INSTRUCTION_LINES_32 = [9, 10, 13, 14, 15, 16, 18, 19, 20, 21];

const PROGRAM16 = [
  'bits 16', //                      1
  'org 0x7c00', //                   2
  'boot:', //                        3
  '  cli', //                        4
  '  xor ax, ax', //                 5
  '  mov ds, ax', //                 6
  '  mov si, text', //               7
  '.print:', //                      8
  '  lodsb', //                      9
  '  or al, al', //                  10
  '  jz .halt', //                   11
  '  mov ah, 0x0e', //               12
  '  int 0x10', //                   13
  '  jmp .print', //                 14
  '.halt:', //                       15
  '  hlt', //                        16
  '  jmp .halt', //                  17
  'text: db "boot", 0', //           18
  'times 510-($-$$) db 0', //        19
  'dw 0xaa55', //                    20
  '',
].join('\n');
const ORG16 = 0x7c00;
const INSTRUCTION_LINES_16 = [4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 16, 17];

function assembleOk(source: string): AssembleResult {
  const r = assemble(source, { fileName: FILE });
  expect(r.ok, describeDiagnostics(r)).toBe(true);
  const nasm = nasmAssemble(source, { fileName: FILE });
  expect(nasm.ok, nasm.stderr).toBe(true);
  if (!bytesEqual(r.bytes, nasm.bytes)) throw new Error(describeMismatch({ what: FILE, ours: r, expected: nasm.bytes, source, fileName: FILE }));
  return r;
}

/** nasm's listing rows of the main file, by line number. */
function nasmRows(source: string): Map<number, ListingLine> {
  const listing = nasmAssemble(source, { fileName: FILE, listing: true }).listing ?? '';
  return new Map(parseNasmListing(listing).filter((r) => r.level === 0).map((r) => [r.line, r]));
}

/** Label values as nasm computes them: assemble the program plus `dd name` (or `dw`) for each. */
function nasmLabelValues(source: string, names: string[], bits: 16 | 32): Map<string, number> {
  const width = bits === 32 ? 4 : 2;
  const probe = `${source}\n${names.map((n) => `${bits === 32 ? 'dd' : 'dw'} ${n}`).join('\n')}\n`;
  const nasm = nasmAssemble(probe, { fileName: 'probe.asm' });
  expect(nasm.ok, nasm.stderr).toBe(true);
  const base = nasm.bytes.length - width * names.length;
  const view = new DataView(nasm.bytes.buffer, nasm.bytes.byteOffset, nasm.bytes.byteLength);
  return new Map(names.map((n, i) => [n, bits === 32 ? view.getUint32(base + i * 4, true) : view.getUint16(base + i * 2, true)]));
}

function entriesOnLine(r: AssembleResult, line: number): SourceMapEntry[] {
  return r.sourceMap.filter((e) => e.location.line === line && e.macroStack.length === 0);
}

function symbol(r: AssembleResult, name: string): SymbolInfo {
  const s = r.symbols.find((x) => x.name === name);
  expect(s, `no symbol "${name}"; symbols: ${r.symbols.map((x) => `${x.name}(${x.kind})`).join(', ')}`).toBeDefined();
  return s as SymbolInfo;
}

function checkInstructionEntries(source: string, r: AssembleResult, lines: number[], org: number): void {
  const rows = nasmRows(source);
  const text = source.split('\n');
  for (const line of lines) {
    const row = rows.get(line);
    expect(row, `nasm listing has no bytes for line ${line}`).toBeDefined();
    if (!row) continue;
    const entries = entriesOnLine(r, line);
    expect(entries.length, `source map entries for line ${line} (${text[line - 1].trim()}): ${JSON.stringify(entries)}`).toBe(1);
    const e = entries[0];
    const what = `line ${line} (${text[line - 1].trim()}): ${JSON.stringify(e)}`;
    expect(e.kind, what).toBe('instruction');
    expect(e.fileOffset, what).toBe(row.offset);
    expect(e.address, what).toBe(org + row.offset);
    expect(e.size, what).toBe(row.size);
    expect(e.location.file, what).toBe(FILE);
    expect(e.location.column, what).toBeGreaterThanOrEqual(1);
    const mnemonic = text[line - 1].trim().split(/\s+/)[0];
    expect(e.text.toLowerCase(), what).toContain(mnemonic);
  }
}

function checkCoverage(r: AssembleResult, org: number): void {
  const covered = new Uint8Array(r.bytes.length);
  for (const e of r.sourceMap) {
    const what = JSON.stringify(e);
    expect(Number.isInteger(e.size) && e.size >= 0, what).toBe(true);
    expect(e.location.line, what).toBeGreaterThanOrEqual(1);
    if (e.fileOffset < 0) continue;
    expect(e.fileOffset + e.size, `entry past the end of the output: ${what}`).toBeLessThanOrEqual(r.bytes.length);
    expect(e.address - e.fileOffset, `address - fileOffset must be the org in a single-section program: ${what}`).toBe(org);
    covered.fill(1, e.fileOffset, e.fileOffset + e.size);
  }
  const gap = covered.indexOf(0);
  expect(gap, `output byte at file offset 0x${gap.toString(16)} is covered by no source-map entry`).toBe(-1);
}

describe('source map and symbols (32-bit, org 0x100000)', () => {
  it('assembles to nasm\'s bytes', () => {
    assembleOk(PROGRAM32);
  });

  it('each instruction has one entry with nasm\'s address, file offset and size, and its line', () => {
    checkInstructionEntries(PROGRAM32, assembleOk(PROGRAM32), INSTRUCTION_LINES_32, ORG32);
  });

  it('instructions from a macro carry the macro name and the expanded text', () => {
    const r = assembleOk(PROGRAM32);
    const fromMacro = r.sourceMap.filter((e) => e.macroStack.length > 0);
    expect(fromMacro.length, JSON.stringify(r.sourceMap)).toBe(2);
    const rows = nasmRows(PROGRAM32);
    const after = rows.get(13);
    expect(after).toBeDefined();
    fromMacro.sort((a, b) => a.fileOffset - b.fileOffset);
    fromMacro.forEach((e, i) => {
      const what = JSON.stringify(e);
      expect(e.macroStack, what).toEqual(['twice']);
      expect(e.kind, what).toBe('instruction');
      expect(e.size, what).toBe(1);
      expect(e.fileOffset, what).toBe((after?.offset ?? 0) - 2 + i);
      expect(e.address, what).toBe(ORG32 + e.fileOffset);
      expect([5, 6, 12], `macro line should point at the invocation or the body: ${what}`).toContain(e.location.line);
      expect(e.text, what).toMatch(/inc\s+ebx/i);
    });
  });

  it('data lines have data entries', () => {
    const r = assembleOk(PROGRAM32);
    const rows = nasmRows(PROGRAM32);
    for (const [line, size] of [[22, 3], [24, 12]] as const) {
      const e = entriesOnLine(r, line).find((x) => x.kind === 'data');
      expect(e, `no data entry for line ${line}: ${JSON.stringify(entriesOnLine(r, line))}`).toBeDefined();
      expect(e?.size).toBe(size);
      expect(e?.fileOffset).toBe(rows.get(line)?.offset);
      expect(e?.address).toBe(ORG32 + (rows.get(line)?.offset ?? 0));
    }
  });

  it('every output byte (align padding included) is covered by an entry', () => {
    checkCoverage(assembleOk(PROGRAM32), ORG32);
  });

  it('symbols: labels, local labels as parent.local, equ, with lines and kinds', () => {
    const r = assembleOk(PROGRAM32);
    const expected: [string, SymbolInfo['kind'], number][] = [
      ['start', 'label', 8],
      ['start.loop', 'local-label', 11],
      ['func', 'label', 17],
      ['msg', 'label', 22],
      ['table', 'label', 24],
      ['COUNT', 'equ', 3],
    ];
    for (const [name, kind, line] of expected) {
      const s = symbol(r, name);
      expect(s.kind, name).toBe(kind);
      expect(s.location.line, name).toBe(line);
      expect(s.location.file, name).toBe(FILE);
      expect(typeof s.section, name).toBe('string');
    }
    expect(symbol(r, 'COUNT').value).toBe(42);
    expect(r.symbols.some((s) => s.name === '.loop'), 'a local label must be named parent.local').toBe(false);
  });

  it('label addresses equal nasm\'s', () => {
    const r = assembleOk(PROGRAM32);
    const labels = r.symbols.filter((s) => s.kind === 'label' || s.kind === 'local-label');
    expect(labels.map((s) => s.name).sort()).toEqual(['func', 'msg', 'start', 'start.loop', 'table']);
    const nasm = nasmLabelValues(PROGRAM32, labels.map((s) => s.name), 32);
    for (const s of labels) expect(s.value, s.name).toBe(nasm.get(s.name));
    expect(symbol(r, 'start').value).toBe(ORG32);
  });

  it('label sizes run to the next label', () => {
    const r = assembleOk(PROGRAM32);
    const v = (n: string) => symbol(r, n).value;
    expect(symbol(r, 'func').size).toBe(v('msg') - v('func'));
    expect(symbol(r, 'start.loop').size).toBe(v('func') - v('start.loop'));
    expect(symbol(r, 'msg').size).toBe(v('table') - v('msg'));
    expect(symbol(r, 'table').size).toBe(12);
    // Whether a local label ends its parent is a choice; either reading is fine.
    expect([v('start.loop') - v('start'), v('func') - v('start')]).toContain(symbol(r, 'start').size);
  });

  it('macro-local labels are macro-label symbols, one per expansion', () => {
    const src = [
      'bits 32',
      '%macro clamp 1',
      '  cmp %1, 100',
      '  jbe %%ok',
      '  mov %1, 100',
      '%%ok:',
      '%endmacro',
      'start:',
      '  clamp eax',
      '  clamp ebx',
      '  ret',
      '',
    ].join('\n');
    const r = assembleOk(src);
    const macroLabels = r.symbols.filter((s) => s.kind === 'macro-label');
    expect(macroLabels.length, JSON.stringify(r.symbols)).toBe(2);
    expect(new Set(macroLabels.map((s) => s.name)).size).toBe(2);
    // Each %%ok sits right after its expansion's `mov` (cmp 3 + jbe 2 + mov 5 bytes).
    expect(macroLabels.map((s) => s.value).sort((a, b) => a - b)).toEqual([10, 20]);
  });

  it('the listing shows every instruction\'s bytes', () => {
    const r = assembleOk(PROGRAM32);
    const listing = r.listing.toUpperCase().replace(/\s+/g, '');
    for (const line of INSTRUCTION_LINES_32) {
      const row = nasmRows(PROGRAM32).get(line);
      if (row?.hex.includes('[')) continue; // relocated values are listed section-relative
      expect(listing, `listing lacks the bytes of line ${line} (${row?.hex}):\n${r.listing}`).toContain(row?.hex);
    }
  });
});

describe('source map and symbols (16-bit boot sector, org 0x7c00)', () => {
  it('instructions have nasm\'s addresses and sizes', () => {
    const r = assembleOk(PROGRAM16);
    expect(r.bytes.length).toBe(512);
    checkInstructionEntries(PROGRAM16, r, INSTRUCTION_LINES_16, ORG16);
  });

  it('every byte, including the times padding and the signature, is covered', () => {
    checkCoverage(assembleOk(PROGRAM16), ORG16);
  });

  it('label addresses equal nasm\'s', () => {
    const r = assembleOk(PROGRAM16);
    const names = ['boot', 'boot.print', 'boot.halt', 'text'];
    const nasm = nasmLabelValues(PROGRAM16, names, 16);
    for (const n of names) {
      expect(symbol(r, n).value, n).toBe(nasm.get(n));
      expect(symbol(r, n).kind, n).toBe(n.includes('.') ? 'local-label' : 'label');
    }
    expect(symbol(r, 'boot').value).toBe(ORG16);
  });
});

describe('times in absolute space (struc)', () => {
  it('counts each repetition once, as nasm does', () => {
    const src = 'struc s\n.a: times 3 resb 1\n.b: resd 1\nendstruc\ndd s.b, s_size\n';
    const n = nasmAssemble(src, { fileName: 'st.asm' });
    expect(n.ok, n.stderr).toBe(true);
    const r = assemble(src, { fileName: 'st.asm' });
    expect(r.ok, describeDiagnostics(r)).toBe(true);
    expect(Array.from(r.bytes)).toEqual(Array.from(n.bytes));
    expect(r.symbols.find((x) => x.name === 's_size')?.value).toBe(7);
  });
});
