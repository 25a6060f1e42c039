// Differential test of instruction semantics: thousands of random single-instruction snippets run
// on our CPU (runSnippet) and on unicorn (Debian python3-unicorn, an oracle no one here wrote),
// compared on all eight registers, EIP, the data window, the fault vector and the EFLAGS bits the
// SDM defines for that instruction and those operand values (see test/helpers/insn-cases.ts for
// the rules and for the few cases excluded because unicorn departs from the SDM).
//
// The cases come from a fixed seed, printed with every failure; set HYPERSTEP_UC_SEED to explore
// other cases. Each group runs unicorn once (one python process for the whole batch).
import { describe, expect, it } from 'vitest';
import { runSnippet } from '../../debug-adapter/src/cpu/snippet';
import {
  SNIPPET_CODE_BASE,
  SNIPPET_DATA_BASE,
  SNIPPET_DATA_SIZE,
  SNIPPET_STACK_TOP,
  type SnippetCase,
  type SnippetOutcome,
  type SnippetRegisters,
} from '../../debug-adapter/src/cpu/snippet-types';
import { assemble } from '../helpers/assembler';
import {
  GROUPS,
  compareOutcome,
  describeCase,
  describeOutcome,
  generateGroup,
  ucSeed,
  type InsnCase,
} from '../helpers/insn-cases';
import { runUnicorn } from '../helpers/unicorn';

const SEED = ucSeed();
const SEED_TEXT = `seed ${SEED} (0x${SEED.toString(16)}); reproduce with HYPERSTEP_UC_SEED=${SEED}`;
const MAX_REPORTED = 10;

const CF = 0x1;
const PF = 0x4;
const AF = 0x10;
const ZF = 0x40;
const SF = 0x80;
const OF = 0x800;

function regs(values: Partial<SnippetRegisters> = {}): SnippetRegisters {
  return { eax: 0, ecx: 0, edx: 0, ebx: 0, esp: SNIPPET_STACK_TOP, ebp: 0, esi: 0, edi: 0, ...values };
}

function code(source: string): Uint8Array {
  const r = assemble(`bits 32\n${source}\n`, { fileName: 'harness.asm' });
  if (!r.ok) throw new Error(`cannot assemble ${source}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.bytes;
}

function snippet(source: string, values: Partial<SnippetRegisters> = {}, eflags = 0x2, data?: Uint8Array): SnippetCase {
  return { code: code(source), regs: regs(values), eflags, data };
}

/** A copy, so a CPU that wrote into its input could not disturb later cases. */
function copyCase(c: SnippetCase): SnippetCase {
  return { ...c, code: c.code.slice(), regs: { ...c.regs }, data: c.data?.slice() };
}

function report(c: InsnCase, expected: SnippetOutcome, actual: SnippetOutcome | undefined, diffs: string[]): string {
  return [
    describeCase(c),
    `  unicorn: ${describeOutcome(expected)}`,
    `  cpu:     ${actual ? describeOutcome(actual) : '(threw)'}`,
    '  differences:',
    ...diffs.map((d) => `    - ${d}`),
  ].join('\n');
}

describe('the unicorn side of the harness', () => {
  it('runs hand-checked cases as the SDM describes them', () => {
    const window = new Uint8Array(16).fill(0xaa);
    const [add, div0, div0again, ud, stos, zeroWindow, push] = runUnicorn([
      snippet('add al, bl', { eax: 0x7f, ebx: 1 }),
      snippet('nop\ndiv ebx', { eax: 5, edx: 0, ebx: 0 }, 0x2 | CF | ZF),
      // A second #DE in the same process is still #DE (not promoted to a double fault).
      snippet('div bl', { eax: 5, ebx: 0 }),
      snippet('lock add eax, ebx', { eax: 1, ebx: 2 }),
      snippet('rep stosd', { eax: 0x11223344, ecx: 3, edi: SNIPPET_DATA_BASE + 0x20 }, 0x2, window),
      // No data: the window starts zeroed, whatever the previous case held.
      snippet('mov eax, [0x10000]', { eax: 0x12345678 }),
      snippet('push eax\npop ebx\npush ecx', { eax: 0xcafe, ecx: 0xbeef }),
    ]);

    expect(add.regs.eax).toBe(0x80);
    expect(add.eflags & (CF | PF | AF | ZF | SF | OF)).toBe(OF | SF | AF); // 0x7f + 1: signed overflow, half carry
    expect(add.eip).toBe(SNIPPET_CODE_BASE + 2);
    expect(add.fault).toBeUndefined();

    // A fault stops at the faulting instruction with nothing changed.
    expect(div0.fault).toBe(0);
    expect(div0.eip).toBe(SNIPPET_CODE_BASE + 1);
    expect(div0.regs).toEqual(regs({ eax: 5, edx: 0, ebx: 0 }));
    expect(div0.eflags).toBe(0x2 | CF | ZF);
    expect(div0again.fault).toBe(0);
    expect(div0again.eip).toBe(SNIPPET_CODE_BASE);

    expect(ud.fault).toBe(6);
    expect(ud.eip).toBe(SNIPPET_CODE_BASE);
    expect(ud.regs.eax).toBe(1);

    expect(stos.regs.ecx).toBe(0);
    expect(stos.regs.edi).toBe(SNIPPET_DATA_BASE + 0x20 + 12);
    expect(stos.data.length).toBe(SNIPPET_DATA_SIZE);
    const stored = [0x44, 0x33, 0x22, 0x11];
    expect(Array.from(stos.data.subarray(0x1c, 0x30))).toEqual([0, 0, 0, 0, ...stored, ...stored, ...stored, 0, 0, 0, 0]);
    expect(Array.from(stos.data.subarray(0, 16))).toEqual(Array.from(window));

    expect(zeroWindow.regs.eax).toBe(0);
    expect(zeroWindow.data.every((b) => b === 0)).toBe(true);

    expect(push.regs.ebx).toBe(0xcafe);
    expect(push.regs.esp).toBe(SNIPPET_STACK_TOP - 4);
    expect(push.eip).toBe(SNIPPET_CODE_BASE + 3);
  });

  // Each exclusion in insn-cases.ts rests on one of these departures from the SDM. When one of
  // these expectations fails, unicorn has been fixed: generate the excluded form again.
  it('still departs from the SDM where insn-cases.ts excludes cases', () => {
    const lockRuns = runUnicorn([
      snippet('lock xadd eax, ebx', { eax: 1, ebx: 2 }),
      snippet('lock xchg eax, ebx', { eax: 1, ebx: 2 }),
      snippet('lock mov [ebx], eax', { ebx: SNIPPET_DATA_BASE }),
      snippet('lock test [ebx], eax', { ebx: SNIPPET_DATA_BASE }),
      snippet('lock bt dword [ebx], eax', { ebx: SNIPPET_DATA_BASE }),
      snippet('lock xor eax, eax', { eax: 5 }),
    ]);
    for (const o of lockRuns) expect(o.fault, 'unicorn now raises #UD for a LOCK form the SDM rejects').toBeUndefined();
    const one = new Uint8Array([1, 0, 0, 0]);
    const [lockedNeg, neg] = runUnicorn([
      snippet('lock neg dword [ebx]', { ebx: SNIPPET_DATA_BASE }, 0x2, one),
      snippet('neg dword [ebx]', { ebx: SNIPPET_DATA_BASE }, 0x2, one),
    ]);
    expect(Array.from(lockedNeg.data.subarray(0, 4))).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(neg.eflags & (SF | PF), 'NEG of 1 gives -1: SF and PF set').toBe(SF | PF);
    expect(lockedNeg.eflags & (SF | PF), 'unicorn now computes LOCK NEG flags from the result').toBe(0);
    expect(() => runUnicorn([snippet('lock cmp [ebx], eax', { ebx: SNIPPET_DATA_BASE })])).toThrow(/SIGABRT/);
    expect(() => runUnicorn([snippet('idiv ecx', { edx: 0x80000000, eax: 0, ecx: 0xffffffff })])).toThrow(/SIGFPE/);
  });
});

describe('instruction semantics agree with unicorn', () => {
  for (const group of GROUPS) {
    it(`${group.name} (${group.count} cases)`, () => {
      const { cases, excluded } = generateGroup(group, SEED);
      const drawn = cases.length + [...excluded.values()].reduce((a, b) => a + b, 0);
      const expected = runUnicorn(cases.map((c) => c.snippet));
      const reports: string[] = [];
      let failing = 0;
      cases.forEach((c, i) => {
        let actual: SnippetOutcome | undefined;
        let diffs: string[];
        try {
          actual = runSnippet(copyCase(c.snippet));
          diffs = compareOutcome(c, expected[i], actual);
        } catch (e) {
          const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
          diffs = [`runSnippet threw: ${text.split('\n').slice(0, 6).join('\n      ')}`];
        }
        if (diffs.length === 0) return;
        failing++;
        if (reports.length < MAX_REPORTED) reports.push(report(c, expected[i], actual, diffs));
      });
      if (failing > 0) {
        const skipped = [...excluded].map(([why, n]) => `  ${n} x ${why}`).join('\n');
        throw new Error(
          `${failing} of ${cases.length} '${group.name}' cases differ from unicorn; ${SEED_TEXT}\n` +
            (skipped ? `excluded draws:\n${skipped}\n` : '') +
            `first ${reports.length}:\n\n${reports.join('\n\n')}`,
        );
      }
      // An exclusion rule must never quietly eat a group.
      expect([...excluded.values()].reduce((a, b) => a + b, 0), `excluded draws (${SEED_TEXT})`).toBeLessThan(drawn * 0.05);
    });
  }
});
