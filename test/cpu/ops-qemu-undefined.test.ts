// The undefined parts of the shift, multiply/divide, BCD, bit and string groups: ops/*.ts compute
// the flags (and the few results) the SDM leaves undefined the way QEMU does, so that whole-guest
// runs can be compared with QEMU. unicorn-diff.test.ts masks undefined flags; this test runs the
// same generated cases and compares every flag, register and byte.
import { describe, expect, it } from 'vitest';
import { runSnippet } from '../../debug-adapter/src/cpu/snippet';
import { GROUPS, describeCase, describeOutcome, generateGroup, ucSeed } from '../helpers/insn-cases';
import { runUnicorn } from '../helpers/unicorn';

const MINE = ['shifts and rotates', 'shld shrd', 'multiply', 'divide', 'bcd', 'bit test', 'bit scan', 'setcc', 'string'];

describe('undefined flags and results match QEMU (unicorn)', () => {
  for (const group of GROUPS.filter((g) => MINE.some((m) => g.name.startsWith(m)))) {
    it(group.name, () => {
      const seed = ucSeed();
      const { cases } = generateGroup(group, seed);
      const expected = runUnicorn(cases.map((c) => c.snippet));
      const bad: string[] = [];
      cases.forEach((c, i) => {
        const e = expected[i];
        const a = runSnippet({ ...c.snippet, regs: { ...c.snippet.regs }, data: c.snippet.data?.slice() });
        const same =
          e.fault === a.fault &&
          e.eip >>> 0 === a.eip >>> 0 &&
          e.eflags >>> 0 === a.eflags >>> 0 &&
          JSON.stringify(e.regs) === JSON.stringify(a.regs) &&
          Buffer.from(e.data).equals(Buffer.from(a.data));
        if (!same && bad.length < 8) bad.push(`${describeCase(c)}\n  unicorn: ${describeOutcome(e)}\n  cpu:     ${describeOutcome(a)}`);
      });
      expect(bad, `seed ${seed}:\n${bad.join('\n\n')}`).toEqual([]);
    });
  }
});
