// The debugger's expression language on its own: numbers, names, operators, memory, errors.
import { describe, expect, test } from 'vitest';
import { compileExpression, evaluateExpression, ExpressionError, type EvalContext } from '../../debug-adapter/src/dap/expression.js';
import { parseHitCondition } from '../../debug-adapter/src/dap/breakpoints.js';

const memory = new Map<number, number>([
  [0x1000, 0x78],
  [0x1001, 0x56],
  [0x1002, 0x34],
  [0x1003, 0x12],
]);

const ctx: EvalContext = {
  lookup: (name) => ({ eax: 5, ebx: 0x1000, zf: 1, start: 0x100020, reason: 'CPUID' } as Record<string, number | string>)[name.toLowerCase()],
  readMemory: (address, size) => {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) {
      const b = memory.get(address + i);
      if (b === undefined) return undefined;
      v = v * 256 + b;
    }
    return v;
  },
};

const ev = (s: string) => evaluateExpression(s, ctx);

describe('expressions', () => {
  test('numbers in every base', () => {
    expect(ev('42')).toBe(42);
    expect(ev('0x2a')).toBe(42);
    expect(ev('2ah')).toBe(42);
    expect(ev('0b101010')).toBe(42);
    expect(ev('0o52')).toBe(42);
    expect(ev('1_000')).toBe(1000);
  });

  test('operators with C precedence, 32-bit wrap-around', () => {
    expect(ev('1 + 2 * 3')).toBe(7);
    expect(ev('(1 + 2) * 3')).toBe(9);
    expect(ev('1 << 4 | 1')).toBe(17);
    expect(ev('0 - 1')).toBe(0xffffffff);
    expect(ev('-1')).toBe(0xffffffff);
    expect(ev('~0')).toBe(0xffffffff);
    expect(ev('0xffffffff * 0xffffffff')).toBe(1);
    expect(ev('7 / 2')).toBe(3);
    expect(ev('7 % 4 ^ 1')).toBe(2);
    expect(ev('0x80000000 >> 31')).toBe(1);
    expect(ev('1 < 2 && 2 <= 2 && 3 > 2 && 2 >= 3 || 1 != 1')).toBe(0);
    expect(ev('!0 && !!5')).toBe(1);
  });

  test('names and memory', () => {
    expect(ev('eax == 5')).toBe(1);
    expect(ev('EAX == 5 && zf')).toBe(1);
    expect(ev('dword [ebx]')).toBe(0x12345678);
    expect(ev('word [ebx + 2]')).toBe(0x1234);
    expect(ev('byte [ebx + 1]')).toBe(0x56);
    expect(ev('[ebx]')).toBe(0x12345678);
    expect(ev('reason == "cpuid"')).toBe(1);
    expect(ev('start + 4')).toBe(0x100024);
  });

  test('errors name the problem and never run JavaScript', () => {
    expect(() => ev('nosuch')).toThrow(/unknown name 'nosuch'/);
    expect(() => ev('dword [0x2000]')).toThrow(/not mapped/);
    expect(() => ev('1 / 0')).toThrow(/division by zero/);
    expect(() => compileExpression('1 +')).toThrow(ExpressionError);
    expect(() => compileExpression('(1')).toThrow(/expected '\)'/);
    expect(() => compileExpression('process.exit(1)')).toThrow(ExpressionError);
    expect(() => compileExpression('eax = 5')).toThrow(/unexpected character '='/);
    expect(() => compileExpression('0x1ffffffff')).toThrow(/32 bits/);
    expect(() => ev('reason + 1')).toThrow(/needs a number/);
    expect(() => ev('reason == 1')).toThrow(/cannot compare/);
    expect(() => compileExpression('')).toThrow(/empty/);
  });

  test('hit counts', () => {
    expect([1, 2, 3, 4].map(parseHitCondition('3'))).toEqual([false, false, true, false]);
    expect([1, 2, 3, 4].map(parseHitCondition('>= 3'))).toEqual([false, false, true, true]);
    expect([1, 2, 3, 4].map(parseHitCondition('%2'))).toEqual([false, true, false, true]);
    expect(() => parseHitCondition('often')).toThrow(/not understood/);
  });
});
