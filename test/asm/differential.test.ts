// Differential test: every corpus source must assemble to exactly the bytes `nasm -f bin` writes.
//
// The corpus (test/asm/corpus/*.asm, includes in test/asm/corpus/include) is discovered at run
// time. nasm runs with its working directory in the corpus directory and `-I corpus/include`,
// which resolves %include the way `assemble()` does with fileName = the corpus path (relative to
// the file's directory first) and includePaths = [corpus/include].
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../helpers/assembler';
import { bytesEqual, describeDiagnostics, describeMismatch, listAsmFiles } from '../helpers/compare';
import { nasmAssemble, nasmAssembleFile, nasmVersion, withTempDir } from '../helpers/nasm';
import { CORPUS_DIR, CORPUS_INCLUDE_DIR } from '../helpers/paths';

const MIN_CORPUS_FILES = 30;
const files = listAsmFiles(CORPUS_DIR);

function nasmIncludeDirs(): string[] {
  return fs.existsSync(CORPUS_INCLUDE_DIR) ? [CORPUS_INCLUDE_DIR] : [];
}

describe('differential: corpus against nasm -f bin', () => {
  it(`the corpus has at least ${MIN_CORPUS_FILES} sources`, () => {
    expect(
      files.length,
      `expected at least ${MIN_CORPUS_FILES} .asm files in ${CORPUS_DIR}, found ${files.length}`,
    ).toBeGreaterThanOrEqual(MIN_CORPUS_FILES);
  });

  it('nasm is installed', () => {
    expect(nasmVersion()).toMatch(/NASM version/);
  });

  for (const file of files) {
    const name = path.basename(file);
    it(name, () => {
      const source = fs.readFileSync(file, 'utf8');
      const nasm = nasmAssembleFile(name, { cwd: CORPUS_DIR, includeDirs: nasmIncludeDirs() });
      if (!nasm.ok) {
        throw new Error(`corpus file ${name} is rejected by nasm itself (fix the corpus):\n${nasm.stderr}`);
      }
      const ours = assemble(source, { fileName: file, includePaths: [CORPUS_INCLUDE_DIR] });
      if (!ours.ok) {
        throw new Error(
          `${name}: assemble() reported errors where nasm assembled ${nasm.bytes.length} bytes:\n` +
            describeDiagnostics(ours),
        );
      }
      if (!bytesEqual(ours.bytes, nasm.bytes)) {
        const withListing = nasmAssembleFile(name, { cwd: CORPUS_DIR, includeDirs: nasmIncludeDirs(), listing: true });
        throw new Error(
          describeMismatch({ what: name, ours, expected: nasm.bytes, nasmListing: withListing.listing, source, fileName: file }),
        );
      }
      expect(ours.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    });
  }
});

describe('differential: %include through options', () => {
  const main = ['bits 32', '%include "consts.inc"', 'start:', '  mov eax, MAGIC', '  jmp start', ''].join('\n');
  const consts = ['MAGIC equ 0x1BADB002', 'db "inc", 0', ''].join('\n');

  it('reads %include files through options.readFile (no file on disk)', () => {
    const asked: string[] = [];
    const ours = assemble(main, {
      fileName: '/virtual/main.asm',
      readFile: (p) => {
        asked.push(p);
        return path.basename(p) === 'consts.inc' ? consts : undefined;
      },
    });
    expect(ours.diagnostics.filter((d) => d.severity === 'error'), describeDiagnostics(ours)).toEqual([]);
    expect(asked.some((p) => path.basename(p) === 'consts.inc'), `readFile was asked for: ${asked.join(', ')}`).toBe(true);
    // nasm sees the same two files on disk.
    withTempDir((dir) => {
      fs.writeFileSync(path.join(dir, 'consts.inc'), consts);
      const nasm = nasmAssemble(main, { fileName: 'main.asm', includeDirs: [dir] });
      expect(nasm.ok, nasm.stderr).toBe(true);
      if (!bytesEqual(ours.bytes, nasm.bytes)) {
        throw new Error(describeMismatch({ what: 'main.asm (virtual include)', ours, expected: nasm.bytes, source: main }));
      }
    });
  });

  it('searches includePaths in order for %include', () => {
    const files: Record<string, string> = {
      '/a/first.inc': 'db 1\n',
      '/b/first.inc': 'db 2\n',
      '/b/second.inc': 'db 3\n',
    };
    const ours = assemble('%include "first.inc"\n%include "second.inc"\n', {
      fileName: '/src/main.asm',
      includePaths: ['/a', '/b'],
      readFile: (p) => files[p.replace(/\\/g, '/')],
    });
    expect(ours.diagnostics.filter((d) => d.severity === 'error'), describeDiagnostics(ours)).toEqual([]);
    expect(Array.from(ours.bytes)).toEqual([1, 3]);
  });
});
