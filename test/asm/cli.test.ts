// The `hyperstep asm` command line (ARCHITECTURE.md §6), run as a user runs it:
// `node bin/hyperstep.js asm IN.asm [-o OUT.bin] [--listing OUT.lst] [-I DIR]`, from the build test/global-setup.ts makes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hex, listAsmFiles } from '../helpers/compare';
import { nasmAssemble, nasmAssembleFile, nasmVersion, parseNasmListing, withTempDir } from '../helpers/nasm';
import { CLI_BIN, CORPUS_DIR, CORPUS_INCLUDE_DIR } from '../helpers/paths';

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string): CliRun {
  const r = spawnSync(process.execPath, [CLI_BIN, 'asm', ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`could not run ${CLI_BIN}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function show(run: CliRun): string {
  return `status ${String(run.status)}\n--- stderr ---\n${run.stderr}\n--- stdout ---\n${run.stdout}`;
}

const STACK_TRACE = /^\s+at /m;

function readBytes(file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(file));
}

function expectSameBytes(ours: Uint8Array, nasm: Uint8Array, what: string): void {
  if (ours.length === nasm.length && ours.every((b, i) => b === nasm[i])) return;
  throw new Error(`${what}: bytes differ from nasm\n  nasm (${nasm.length}): ${hex(nasm, 0, 64)}\n  ours (${ours.length}): ${hex(ours, 0, 64)}`);
}

const PROGRAM = `; a Multiboot-style kernel fragment
bits 32
org 0x100000
%define COM1 0x3f8
%macro outb 2
  mov dx, %1
  mov al, %2
  out dx, al
%endmacro
start:
  cli
  mov esp, stack_top
  mov esi, msg
.next:
  lodsb
  test al, al
  jz .done
  outb COM1, al
  jmp .next
.done:
  outb 0xf4, 0
  hlt
msg: db "hello", 10, 0
align 4
stack: times 64 db 0
stack_top:
`;

// No org: nasm's listing shows section offsets, which then equal the addresses.
const LISTING_PROGRAM = `bits 32
start:
  mov eax, 1
  xor ebx, ebx
.loop:
  add ebx, eax
  inc eax
  cmp eax, 10
  jne .loop
  push ebx
  call func
  hlt
func:
  mov eax, [esp+4]
  ret
value: dd 0x12345678
bytes: db 1, 2, 3
`;

describe('hyperstep asm (command line)', () => {
  beforeAll(() => {
    nasmVersion(); // dist/ is built by test/global-setup.ts
  });

  it('-o writes the same bytes as nasm -f bin', () => {
    withTempDir((dir) => {
      fs.writeFileSync(path.join(dir, 'kernel.asm'), PROGRAM);
      const run = cli(['kernel.asm', '-o', 'kernel.bin'], dir);
      expect(run.status, show(run)).toBe(0);
      expect(run.stderr).not.toMatch(STACK_TRACE);
      const nasm = nasmAssemble(PROGRAM, { fileName: 'kernel.asm' });
      expect(nasm.ok, nasm.stderr).toBe(true);
      expectSameBytes(readBytes(path.join(dir, 'kernel.bin')), nasm.bytes, 'kernel.asm');
    });
  });

  it('-o accepts a path in another directory', () => {
    withTempDir((dir) => {
      fs.mkdirSync(path.join(dir, 'src'));
      fs.mkdirSync(path.join(dir, 'out'));
      fs.writeFileSync(path.join(dir, 'src', 'kernel.asm'), PROGRAM);
      const run = cli([path.join('src', 'kernel.asm'), '-o', path.join(dir, 'out', 'k.bin')], dir);
      expect(run.status, show(run)).toBe(0);
      expectSameBytes(readBytes(path.join(dir, 'out', 'k.bin')), nasmAssemble(PROGRAM, { fileName: 'kernel.asm' }).bytes, 'src/kernel.asm');
    });
  });

  for (const file of listAsmFiles(CORPUS_DIR).slice(0, 6)) {
    it(`corpus ${path.basename(file)}: -o bytes equal nasm's (with -I corpus/include)`, () => {
      withTempDir((dir) => {
        const out = path.join(dir, 'out.bin');
        const includes = fs.existsSync(CORPUS_INCLUDE_DIR) ? ['-I', CORPUS_INCLUDE_DIR] : [];
        const run = cli([path.basename(file), ...includes, '-o', out], CORPUS_DIR);
        expect(run.status, show(run)).toBe(0);
        const nasm = nasmAssembleFile(path.basename(file), { cwd: CORPUS_DIR, includeDirs: fs.existsSync(CORPUS_INCLUDE_DIR) ? [CORPUS_INCLUDE_DIR] : [] });
        expect(nasm.ok, nasm.stderr).toBe(true);
        expectSameBytes(readBytes(out), nasm.bytes, path.basename(file));
      });
    });
  }

  describe('default output name (no -o) is the one nasm picks', () => {
    const SOURCE = 'bits 32\nnop\nret\n';
    // nasm -f bin drops the extension; an input without one gives nasm.out in the working directory.
    for (const input of ['prog.asm', 'a.b.asm', 'prog.s', path.join('sub', 'prog.asm'), 'noext']) {
      it(input, () => {
        const snapshot = (dir: string) => {
          const files: Record<string, string> = {};
          const walk = (rel: string) => {
            for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
              const p = path.join(rel, e.name);
              if (e.isDirectory()) walk(p);
              else files[p] = fs.readFileSync(path.join(dir, p)).toString('hex');
            }
          };
          walk('');
          return files;
        };
        withTempDir((nasmDir) =>
          withTempDir((ourDir) => {
            for (const dir of [nasmDir, ourDir]) {
              fs.mkdirSync(path.join(dir, path.dirname(input)), { recursive: true });
              fs.writeFileSync(path.join(dir, input), SOURCE);
            }
            const n = spawnSync('nasm', ['-f', 'bin', input], { cwd: nasmDir, encoding: 'utf8' });
            expect(n.status, n.stderr).toBe(0);
            const run = cli([input], ourDir);
            expect(run.status, show(run)).toBe(0);
            expect(snapshot(ourDir), `files after "hyperstep asm ${input}" vs after "nasm -f bin ${input}"`).toEqual(snapshot(nasmDir));
          }),
        );
      });
    }
  });

  it('--listing writes a listing with the address and bytes of every source line', () => {
    withTempDir((dir) => {
      fs.writeFileSync(path.join(dir, 'prog.asm'), LISTING_PROGRAM);
      const run = cli(['prog.asm', '-o', 'prog.bin', '--listing', 'prog.lst'], dir);
      expect(run.status, show(run)).toBe(0);
      expect(fs.existsSync(path.join(dir, 'prog.lst')), 'prog.lst was not written').toBe(true);
      expect(fs.existsSync(path.join(dir, 'prog.bin')), 'prog.bin was not written').toBe(true);
      const ours = fs.readFileSync(path.join(dir, 'prog.lst'), 'utf8');
      const normalized = ours.split('\n').map((l) => l.toUpperCase().replace(/[\s[\]()]+/g, ''));
      const nasm = nasmAssemble(LISTING_PROGRAM, { fileName: 'prog.asm', listing: true });
      expect(nasm.listing).toBeDefined();
      // Rows with [relocated] values show section-relative numbers, not the output bytes: skip them.
      const rows = parseNasmListing(nasm.listing ?? '').filter((r) => r.level === 0 && r.size !== undefined && !r.hex.includes('['));
      expect(rows.length).toBeGreaterThan(10);
      for (const row of rows) {
        const addressAndBytes = row.offset.toString(16).toUpperCase().padStart(8, '0') + row.hex;
        const src = row.source.toUpperCase().replace(/[\s[\]()]+/g, '');
        expect(
          normalized.some((l) => l.includes(addressAndBytes) && l.includes(src)),
          `no listing line shows address ${addressAndBytes.slice(0, 8)}, bytes ${row.hex} and source "${row.source}" (line ${row.line}). Our listing:\n${ours}`,
        ).toBe(true);
      }
    });
  });

  it('errors: exit status 1, one FILE:LINE:COL: error: line per error, no stack trace, no output file', () => {
    withTempDir((dir) => {
      const src = ['bits 32', 'mov eax, ebx, ecx', 'nop', 'add eax,', 'nop', 'jmp nowhere', 'nop', ''].join('\n');
      fs.writeFileSync(path.join(dir, 'bad.asm'), src);
      const run = cli(['bad.asm', '-o', 'bad.bin'], dir);
      expect(run.status, show(run)).toBe(1);
      expect(run.stderr, show(run)).not.toMatch(STACK_TRACE);
      const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
      for (const l of lines) expect(l, show(run)).toMatch(/^bad\.asm:\d+:\d+: /);
      const errorLines = lines.map((l) => /^bad\.asm:(\d+):(\d+): error: \S/.exec(l)).filter((m) => m !== null).map((m) => Number(m[1]));
      expect(errorLines, show(run)).toEqual(expect.arrayContaining([2, 4, 6]));
      expect(fs.existsSync(path.join(dir, 'bad.bin')), 'an output file was written despite errors (nasm writes none)').toBe(false);
    });
  });

  it('errors name the input file as it was given on the command line', () => {
    withTempDir((dir) => {
      fs.mkdirSync(path.join(dir, 'src'));
      fs.writeFileSync(path.join(dir, 'src', 'bad.asm'), 'bits 32\nnop\nfoo bar\n');
      const run = cli(['src/bad.asm', '-o', 'bad.bin'], dir);
      expect(run.status, show(run)).toBe(1);
      expect(run.stderr, show(run)).toMatch(/^src\/bad\.asm:3:\d+: error: \S/m);
    });
  });

  it('warnings: FILE:LINE:COL: warning: on stderr, exit status 0, output written', () => {
    withTempDir((dir) => {
      const src = 'bits 16\nnop\nmov al, 300\n';
      fs.writeFileSync(path.join(dir, 'warn.asm'), src);
      const run = cli(['warn.asm', '-o', 'warn.bin'], dir);
      expect(run.status, show(run)).toBe(0);
      expect(run.stderr, show(run)).toMatch(/^warn\.asm:3:\d+: warning: \S/m);
      expectSameBytes(readBytes(path.join(dir, 'warn.bin')), nasmAssemble(src, { fileName: 'warn.asm' }).bytes, 'warn.asm');
    });
  });

  it('a missing input file: one clear line on stderr, non-zero status', () => {
    withTempDir((dir) => {
      const run = cli(['no-such-file.asm', '-o', 'x.bin'], dir);
      expect(run.status, show(run)).not.toBe(0);
      expect(run.stderr, show(run)).not.toMatch(STACK_TRACE);
      const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines.length, show(run)).toBe(1);
      expect(lines[0]).toContain('no-such-file.asm');
      expect(fs.existsSync(path.join(dir, 'x.bin'))).toBe(false);
    });
  });

  it('no input file at all: a usage message, non-zero status, no stack trace', () => {
    withTempDir((dir) => {
      const run = cli([], dir);
      expect(run.status, show(run)).not.toBe(0);
      expect(run.status, show(run)).not.toBeNull();
      expect(run.stderr.trim().length, show(run)).toBeGreaterThan(0);
      expect(run.stderr, show(run)).not.toMatch(STACK_TRACE);
    });
  });

  describe('-I DIR', () => {
    const MAIN = 'bits 32\n%include "defs.inc"\ndb GREETING, 0\ndw VALUE\nmov eax, VALUE\n';
    const DEFS = '%define GREETING "hi"\nVALUE equ 0x1234\n';

    function setUp(dir: string): void {
      fs.mkdirSync(path.join(dir, 'inc'));
      fs.writeFileSync(path.join(dir, 'inc', 'defs.inc'), DEFS);
      fs.writeFileSync(path.join(dir, 'main.asm'), MAIN);
    }

    for (const variant of [['-I', 'inc'], ['-I', 'inc/'], ['-I', '<abs>']]) {
      it(`makes %include find files (${variant.join(' ')})`, () => {
        withTempDir((dir) => {
          setUp(dir);
          const args = variant.map((a) => (a === '<abs>' ? path.join(dir, 'inc') : a));
          const run = cli(['main.asm', ...args, '-o', 'main.bin'], dir);
          expect(run.status, show(run)).toBe(0);
          const nasm = nasmAssembleFile('main.asm', { cwd: dir, includeDirs: [path.join(dir, 'inc')] });
          expect(nasm.ok, nasm.stderr).toBe(true);
          expectSameBytes(readBytes(path.join(dir, 'main.bin')), nasm.bytes, 'main.asm');
        });
      });
    }

    it('without -I the %include fails as a normal error on its line', () => {
      withTempDir((dir) => {
        setUp(dir);
        const run = cli(['main.asm', '-o', 'main.bin'], dir);
        expect(run.status, show(run)).toBe(1);
        expect(run.stderr, show(run)).toMatch(/^main\.asm:2:\d+: error: .*defs\.inc/m);
        expect(run.stderr, show(run)).not.toMatch(STACK_TRACE);
      });
    });
  });
});
