// trap-and-emulate over the whole-guest corpus (test/guests/*.asm): each guest runs natively and
// under the VMM. Guests without sensitive unprivileged instructions whose results they print must
// match native exactly (serial output, exit status, retired instructions); the others must differ
// only where the VMM recorded holes — every serial line that differs is accounted for by the
// expected hole mnemonics, the exit status is the same, and nothing unexpected happened.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runFile, type RunResult } from './trap-emulate-helpers.js';
import { REPO_ROOT } from '../helpers/paths.js';

const GUESTS = path.join(REPO_ROOT, 'test', 'guests');

interface Expectation {
  /** 'equal': same serial, status and instruction count; 'holes': differs only by the holes named. */
  kind: 'equal' | 'holes' | 'unsupported';
  /** Hole mnemonics that must be recorded (for 'holes'). */
  holes?: string[];
  reason: string;
}

const EXPECT: Record<string, Expectation> = {
  alu: { kind: 'equal', reason: 'arithmetic; PUSHF holes (IF=1 physically) never printed: flags are masked to the arithmetic ones' },
  bcd: { kind: 'equal', reason: 'as alu' },
  bitops: { kind: 'equal', reason: 'as alu' },
  muldiv: { kind: 'equal', reason: 'as alu; #DE reflected through the guest IDT' },
  shift: { kind: 'equal', reason: 'as alu' },
  string: { kind: 'equal', reason: 'FS descriptor written after LGDT: the stale shadow is re-copied and the MOV FS restarted' },
  uart: { kind: 'equal', reason: 'I/O emulated to the devices; UART interrupts reflected' },
  paging: { kind: 'equal', reason: 'the VMM window (PDE 1023) keeps the shadow GDT/IDT/TSS reachable under the guest\'s paging' },
  smc: { kind: 'equal', reason: 'as paging' },
  single_step: { kind: 'equal', reason: 'PUSH CS hole feeds an IRET frame with RPL 1, which the hardware (and the VMM) returns through to the kernel' },
  fail_cli_hlt: { kind: 'equal', reason: 'HLT with virtual IF=0 stops the machine as on bare metal' },
  fail_infinite_loop: { kind: 'equal', reason: 'runs into the instruction limit like native' },
  fail_triple_fault: { kind: 'equal', reason: 'reflection faults escalate to a triple fault like native' },
  code16: { kind: 'holes', holes: ['mov'], reason: 'MOV AX,CS shows RPL 1 after the 16-bit far return' },
  exceptions: { kind: 'holes', holes: ['mov'], reason: 'MOV from SS shows RPL 1 after loading SS' },
  farcall: { kind: 'holes', holes: ['call', 'mov'], reason: 'far CALL pushes CS with RPL 1; MOV from CS/SS shows RPL 1 (gates from ring 3 use SS1:ESP1 = the guest\'s SS0:ESP0)' },
  gp_priv: { kind: 'holes', holes: ['pushf', 'popf'], reason: 'user code at IOPL 3: CLI clears only the virtual IF and the VMM keeps physical IOPL 0, which PUSHF shows' },
  misc: { kind: 'holes', holes: ['pushf'], reason: 'LAHF/SAHF shown with PUSHF: IF=1 physically' },
  pic_pit: { kind: 'holes', holes: ['mov'], reason: 'MOV AX,CS in the IRQ handler shows RPL 1' },
  rings: { kind: 'holes', holes: ['mov', 'pushf', 'popf', 'push', 'sgdt', 'sidt', 'str', 'smsw'], reason: 'every sensitive read: CS RPL, IF/IOPL, the VMM\'s GDTR/IDTR/TR, CR0.NE' },
  segments: { kind: 'holes', holes: ['lar', 'lsl'], reason: 'LAR/LSL answer with the compressed DPLs for physical CPL 1 (system descriptors with DPL 0 become invisible)' },
  stack: { kind: 'holes', holes: ['push', 'pushf', 'popf'], reason: 'PUSH CS/SS show RPL 1; POPF cannot change IF/IOPL, PUSHF shows the physical ones' },
  realmode: { kind: 'unsupported', reason: 'clears CR0.PE: real mode is not modelled by this VMM' },
};

/** Serial lines that differ (by index). */
function differingLines(a: string, b: string): number[] {
  const la = a.split('\n');
  const lb = b.split('\n');
  const out: number[] = [];
  for (let i = 0; i < Math.max(la.length, lb.length); i++) if (la[i] !== lb[i]) out.push(i);
  return out;
}

const files = fs.readdirSync(GUESTS).filter((f) => f.endsWith('.asm')).sort();
const LIMIT = 20_000_000;

describe('trap-and-emulate over test/guests', () => {
  test('every guest has an expectation', () => {
    expect(files.map((f) => f.replace(/\.asm$/, '')).sort()).toEqual(Object.keys(EXPECT).sort());
  });

  for (const file of files) {
    const name = file.replace(/\.asm$/, '');
    const want = EXPECT[name] ?? { kind: 'equal', reason: 'no expectation' };
    test(`${name}: ${want.kind} — ${want.reason}`, () => {
      const native = runFile(path.join(GUESTS, file), 'native', {}, LIMIT);
      if (want.kind === 'unsupported') {
        const te: RunResult = runFile(path.join(GUESTS, file), 'trap-and-emulate', {}, LIMIT);
        expect(te.serial).not.toBe(native.serial);
        return;
      }
      const te = runFile(path.join(GUESTS, file), 'trap-and-emulate', {}, LIMIT);
      expect(te.stop.exitStatus).toBe(native.stop.exitStatus);
      expect(te.serial).not.toContain('!! unexpected');
      if (want.kind === 'equal') {
        expect(te.serial).toBe(native.serial);
        expect(te.retired).toBe(native.retired);
        return;
      }
      expect(te.serial).not.toBe(native.serial);
      expect(te.stats.holes.total).toBeGreaterThan(0);
      for (const m of want.holes ?? []) expect(te.stats.holes.byInstruction[m] ?? 0, `hole ${m}`).toBeGreaterThan(0);
      // Same number of lines: the divergence is in values shown, not in control flow.
      expect(te.serial.split('\n').length).toBe(native.serial.split('\n').length);
      expect(differingLines(native.serial, te.serial).length).toBeGreaterThan(0);
    });
  }
});
