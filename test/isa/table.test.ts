// Integrity of the table itself: spellings, iced names, texts, exit-reason spellings, and that
// every spelling is one nasm accepts and iced decodes to one of the entry's mnemonics.
import { Mnemonic } from 'iced-x86';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryForIcedMnemonic, entryForInstruction } from '../../debug-adapter/src/isa/iced.js';
import {
  INSTRUCTIONS,
  VIRT_CLASSES,
  VMM_TECHNIQUES,
  VTX_EXIT_REASONS,
  allMnemonics,
  lookupMnemonic,
  lookupPrefix,
  vtxExitReasonNumber,
  type InstructionEntry,
} from '../../debug-adapter/src/isa/index.js';
import { RUNS_NATIVELY } from '../../debug-adapter/src/isa/instructions/common.js';
import { assembleAndDecode, type Decoded } from './support.js';

/**
 * Basic exit reasons exactly as the project reference (virtualization-facts.md §1.2) spells and
 * numbers them; reserved numbers (35, 38, 42, 71, 82, 83) are absent.
 */
const REFERENCE_EXIT_REASONS = `
0 EXCEPTION_NMI 1 EXTERNAL_INTERRUPT 2 TRIPLE_FAULT 3 INIT_SIGNAL 4 SIPI 5 IO_SMI 6 OTHER_SMI
7 INTERRUPT_WINDOW 8 NMI_WINDOW 9 TASK_SWITCH 10 CPUID 11 GETSEC 12 HLT 13 INVD 14 INVLPG 15 RDPMC
16 RDTSC 17 RSM 18 VMCALL 19 VMCLEAR 20 VMLAUNCH 21 VMPTRLD 22 VMPTRST 23 VMREAD 24 VMRESUME
25 VMWRITE 26 VMXOFF 27 VMXON 28 CR_ACCESS 29 DR_ACCESS 30 IO_INSTRUCTION 31 MSR_READ 32 MSR_WRITE
33 INVALID_GUEST_STATE 34 MSR_LOAD_FAIL 36 MWAIT_INSTRUCTION 37 MONITOR_TRAP_FLAG
39 MONITOR_INSTRUCTION 40 PAUSE_INSTRUCTION 41 MCE_DURING_VMENTRY 43 TPR_BELOW_THRESHOLD
44 APIC_ACCESS 45 EOI_INDUCED 46 GDTR_IDTR 47 LDTR_TR 48 EPT_VIOLATION 49 EPT_MISCONFIG 50 INVEPT
51 RDTSCP 52 PREEMPTION_TIMER 53 INVVPID 54 WBINVD 55 XSETBV 56 APIC_WRITE 57 RDRAND 58 INVPCID
59 VMFUNC 60 ENCLS 61 RDSEED 62 PML_FULL 63 XSAVES 64 XRSTORS 65 PCONFIG 66 SPP 67 UMWAIT 68 TPAUSE
69 LOADIWKEY 70 ENCLV 72 ENQCMD_PASID 73 ENQCMDS_PASID 74 BUS_LOCK 75 NOTIFY 76 SEAMCALL 77 TDCALL
78 RDMSRLIST 79 WRMSRLIST 80 URDMSR 81 UWRMSR 84 MSR_READ_IMM 85 MSR_WRITE_IMM`;

const spellingsOf = (e: InstructionEntry): string[] => [e.mnemonic, ...e.aliases];

describe('table integrity', () => {
  it('has the expected size', () => {
    expect(INSTRUCTIONS.length).toBeGreaterThanOrEqual(200);
    expect(allMnemonics().length).toBeGreaterThan(INSTRUCTIONS.length + 40);
  });

  it('no spelling belongs to two entries, and spellings are lowercase words', () => {
    const owner = new Map<string, string>();
    for (const e of INSTRUCTIONS) {
      for (const s of spellingsOf(e)) {
        expect(owner.get(s), `${s} claimed by ${owner.get(s)} and ${e.mnemonic}`).toBeUndefined();
        owner.set(s, e.mnemonic);
        expect(s).toMatch(/^[a-z][a-z0-9]*$/);
      }
    }
    expect(new Set(allMnemonics())).toEqual(new Set(owner.keys()));
  });

  it('every spelling resolves to its entry, case-insensitively', () => {
    for (const e of INSTRUCTIONS) {
      for (const s of spellingsOf(e)) {
        expect(lookupMnemonic(s)).toBe(e);
        expect(lookupMnemonic(s.toUpperCase())).toBe(e);
      }
    }
    expect(lookupMnemonic('jz')?.mnemonic).toBe('je');
    expect(lookupMnemonic('sal')?.mnemonic).toBe('shl');
    expect(lookupMnemonic(' Pushfd ')?.mnemonic).toBe('pushf');
    expect(lookupMnemonic('movs')).toBeUndefined();
    expect(lookupMnemonic('lock')).toBeUndefined();
    expect(lookupPrefix('REPZ')?.name).toBe('repe');
  });

  it('every entry names existing iced mnemonics, and no iced mnemonic belongs to two entries', () => {
    const owner = new Map<string, string>();
    for (const e of INSTRUCTIONS) {
      expect(e.icedMnemonics.length, e.mnemonic).toBeGreaterThan(0);
      for (const name of e.icedMnemonics) {
        expect(Mnemonic[name], `${e.mnemonic}: ${name}`).toBeTypeOf('number');
        expect(owner.get(name), `${name} in ${owner.get(name)} and ${e.mnemonic}`).toBeUndefined();
        owner.set(name, e.mnemonic);
        expect(entryForIcedMnemonic(Mnemonic[name])).toBe(e);
      }
    }
    expect(entryForIcedMnemonic(Mnemonic.Vaddps)).toBeUndefined();
  });

  it('every entry has a summary, a description, an example and technique texts', () => {
    for (const e of INSTRUCTIONS) {
      expect(VIRT_CLASSES).toContain(e.class);
      expect(e.summary.trim(), e.mnemonic).not.toBe('');
      expect(e.description.trim().length, e.mnemonic).toBeGreaterThan(60);
      expect(e.example.split(/\s+/)[0], e.mnemonic).toBe(e.mnemonic);
      for (const t of VMM_TECHNIQUES) expect(e.techniques[t]?.trim().length, `${e.mnemonic} ${t}`).toBeGreaterThan(10);
    }
  });

  it('every non-ordinary entry says why and has its own technique texts', () => {
    for (const e of INSTRUCTIONS.filter((x) => x.class !== 'ordinary')) {
      expect(e.why?.trim().length, e.mnemonic).toBeGreaterThan(20);
      expect(e.techniques, e.mnemonic).not.toBe(RUNS_NATIVELY);
    }
  });

  it('every variant has a form, a why, an example of its own mnemonic and a class that differs', () => {
    const all = INSTRUCTIONS.flatMap((e) => e.variants.map((v) => ({ e, v })));
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const { e, v } of all) {
      expect(v.form.startsWith(e.mnemonic), v.form).toBe(true);
      expect(v.why.length, v.form).toBeGreaterThan(20);
      expect(v.example.split(/\s+/)[0], v.form).toBe(e.mnemonic);
      expect(v.class, v.form).not.toBe(e.class);
      if (v.class !== 'ordinary') expect(v.techniques, v.form).toBeDefined();
    }
  });

  it('exit reasons match the reference spelling and numbering', () => {
    const tokens = REFERENCE_EXIT_REASONS.trim().split(/\s+/);
    const reference: [number, string][] = [];
    for (let i = 0; i < tokens.length; i += 2) reference.push([Number(tokens[i]), tokens[i + 1]!]);
    expect(VTX_EXIT_REASONS.map(([n, name]) => [n, name])).toEqual(reference);
    for (const [n, name] of reference) expect(vtxExitReasonNumber(name)).toBe(n);
    expect(vtxExitReasonNumber('VM_EXIT')).toBeUndefined();
  });

  it('every VT-x exit named in the table is a reference exit reason with a condition', () => {
    const exits = INSTRUCTIONS.flatMap((e) => [e.vtx, ...e.variants.map((v) => v.vtx)]).filter((x) => x !== undefined);
    expect(exits.length).toBeGreaterThan(40);
    for (const x of exits) {
      expect(vtxExitReasonNumber(x.exitReason), x.exitReason).toBeTypeOf('number');
      expect(x.condition.trim(), x.exitReason).not.toBe('');
    }
    expect(lookupMnemonic('cpuid')?.vtx).toEqual({ exitReason: 'CPUID', condition: 'always' });
    expect(lookupMnemonic('hlt')?.vtx?.exitReason).toBe('HLT');
    expect(lookupMnemonic('in')?.vtx?.exitReason).toBe('IO_INSTRUCTION');
    expect(lookupMnemonic('rdmsr')?.vtx?.exitReason).toBe('MSR_READ');
    expect(lookupMnemonic('vmcall')?.vtx?.exitReason).toBe('VMCALL');
  });
});

describe('spellings against nasm and iced', () => {
  // Every spelling, with the operands of the entry's example: nasm must accept it and iced must
  // decode it to one of the entry's iced mnemonics.
  const lines = INSTRUCTIONS.flatMap((e) =>
    spellingsOf(e).map((s) => ({ entry: e, spelling: s, line: e.example.replace(/^\S+/, s) })),
  );
  let decoded: Decoded[] = [];
  let free = (): void => {};
  beforeAll(() => {
    ({ decoded, free } = assembleAndDecode(lines.map((l) => l.line)));
  });
  afterAll(() => free());

  it.each(lines.map((l, i) => [l.line, i] as const))('%s', (_line, i) => {
    const { entry } = lines[i]!;
    const d = decoded[i]!;
    expect(entry.icedMnemonics as readonly string[]).toContain(d.mnemonic);
    expect(entryForInstruction(d.instr)).toBe(entry);
  });
});
