// Grammar test cases (test/grammar/cases/*.asm, `; ^^^ scope` assertions) run by the
// vscode-tmgrammar-test command line against the checked-in grammar, and a deliberately wrong
// case to show that the harness fails when an assertion does not hold.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRAMMAR_PATH, ROOT } from './support.js';

const CLI = path.join(ROOT, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js');
const CASES = path.join(ROOT, 'test', 'grammar', 'cases');

function runCli(...cases: string[]): { status: number | null; output: string } {
  // --config points at a file that does not exist so that only -g's grammar is loaded.
  const r = spawnSync(process.execPath, [CLI, '--compact', '-g', GRAMMAR_PATH, '--config', path.join(CASES, 'no-config.json'), ...cases], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('vscode-tmgrammar-test', () => {
  const files = fs.readdirSync(CASES).filter((f) => f.endsWith('.asm')).sort();

  it('has cases for instructions, numbers, the preprocessor and the rest of the syntax', () => {
    expect(files).toEqual(['instructions.asm', 'numbers.asm', 'preprocessor.asm', 'syntax.asm']);
  });

  it.each(files)('passes %s', (file) => {
    const r = runCli(path.join(CASES, file));
    expect(r.output).not.toMatch(/failed|ERROR/);
    expect(r.status, r.output).toBe(0);
  });

  it('fails on a wrong assertion', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guest-asm-grammar-'));
    try {
      const wrong = path.join(dir, 'wrong.asm');
      fs.writeFileSync(
        wrong,
        [
          '; SYNTAX TEST "source.guest-asm" "a wrong assertion"',
          '    popf',
          ';   ^^^^ keyword.other.instruction.ordinary.guest-asm',
          '',
        ].join('\n'),
      );
      const r = runCli(wrong);
      expect(r.status).not.toBe(0);
      expect(r.output).toContain('keyword.control.instruction.sensitive.guest-asm');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
