// Privilege facts of the table checked against iced-x86's opcode table (OpCodeInfo), for every
// legacy opcode form that exists in 32-bit mode.
import { describe, expect, it } from 'vitest';
import { INSTRUCTIONS, classify, isIoplSensitive, privilegeOf, requiresCpl0 } from '../../debug-adapter/src/isa/index.js';
import { legacy32Codes, type LegacyCode } from './support.js';

/**
 * CPL-0 instructions iced knows that this project does not support: post-Pentium extensions
 * (SMAP, XSAVE, CET, SGX, SEV, TDX, PCID, KeyLocker, ...), 64-bit-era SYSRET, undocumented
 * 286/386 LOADALL/STOREALL and Cyrix/VIA/Geode specials. None of them may appear in the table.
 */
const UNSUPPORTED_CPL0 = new Set([
  'Bb0_reset', 'Bb1_reset', 'Cl1invmb', 'Clac', 'Clrssbsy', 'Cpu_read', 'Cpu_write', 'Dmint', 'Enclv',
  'Encls', 'Enqcmds', 'Hreset', 'Invlpgb', 'Invpcid', 'Loadall', 'Loadiwkey', 'Pconfig', 'Pvalidate',
  'Rdm', 'Rdshr', 'Rsdc', 'Rsldt', 'Rsts', 'Setssbsy', 'Smint', 'Stac', 'Storeall', 'Svdc', 'Svldt',
  'Svts', 'Sysret', 'Tdcall', 'Tlbsync', 'Wbnoinvd', 'Wrmsrns', 'Wrshr', 'Wrussd', 'Xrstors', 'Xsaves',
  'Xsetbv',
]);

/**
 * VMCALL: iced marks it CPL 0 because that is its rule in VMX root operation; in a guest it exits
 * to the hypervisor at any CPL, which is how this project uses it (class hypercall, cpl0 false).
 */
const HYPERCALL_CPL0 = new Set(['Vmcall']);

/** iced counts RSM among its "privileged" instructions (SMM only); it has no IOPL check. */
const PRIVILEGED_NOT_IOPL = new Set(['Rsm']);

const codes = legacy32Codes();
const covered = codes.filter((c) => c.entry);
const describeCode = (c: LegacyCode): string => `${c.codeName} ${JSON.stringify(c.shapes)}`;

function facts(c: LegacyCode) {
  const entry = c.entry!;
  return {
    entry,
    cls: classify(entry.mnemonic, c.shapes)!.class,
    privilege: privilegeOf(entry.mnemonic, c.shapes)!,
    cpl0: requiresCpl0(entry.mnemonic, c.shapes),
    iopl: isIoplSensitive(entry.mnemonic, c.shapes),
  };
}

describe('privilege against iced OpCodeInfo', () => {
  it('enumerates a meaningful number of forms', () => {
    expect(covered.length).toBeGreaterThan(500);
    expect(covered.filter((c) => c.mustBeCpl0).length).toBeGreaterThan(30);
  });

  it('every entry classed privileged has iced forms, and all of them need CPL 0', () => {
    for (const entry of INSTRUCTIONS.filter((e) => e.class === 'privileged')) {
      const forms = covered.filter((c) => c.entry === entry);
      expect(forms.length, entry.mnemonic).toBeGreaterThan(0);
      for (const c of forms) {
        const conditional = entry.privilege.conditional !== undefined && c.mayRequireCpl0;
        expect(c.mustBeCpl0 || conditional, `${entry.mnemonic}: ${describeCode(c)}`).toBe(true);
      }
    }
  });

  it('every form that classifies as privileged needs CPL 0 (variants included)', () => {
    let privileged = 0;
    for (const c of covered) {
      const f = facts(c);
      if (f.cls !== 'privileged') continue;
      privileged++;
      const conditional = f.privilege.conditional !== undefined && c.mayRequireCpl0;
      expect(c.mustBeCpl0 || conditional, describeCode(c)).toBe(true);
    }
    // mov CR/DR/TR forms come from variants; make sure they were seen.
    expect(covered.filter((c) => c.mnemonicName === 'Mov' && facts(c).cls === 'privileged').length).toBe(6);
    expect(privileged).toBeGreaterThan(20);
  });

  it('every CPL-0 form belongs to a privileged, vmx or svm entry or variant', () => {
    for (const c of codes.filter((x) => x.mustBeCpl0)) {
      if (!c.entry) {
        expect(UNSUPPORTED_CPL0.has(c.mnemonicName), `${describeCode(c)} is CPL 0 but not in the table`).toBe(true);
        continue;
      }
      const { cls } = facts(c);
      if (HYPERCALL_CPL0.has(c.mnemonicName)) {
        expect(cls, describeCode(c)).toBe('hypercall');
        continue;
      }
      expect(['privileged', 'vmx', 'svm'], describeCode(c)).toContain(cls);
    }
  });

  it('the list of unsupported CPL-0 mnemonics is exact (no stale or covered names)', () => {
    const uncovered = new Set(codes.filter((c) => c.mustBeCpl0 && !c.entry).map((c) => c.mnemonicName));
    expect(uncovered).toEqual(UNSUPPORTED_CPL0);
  });

  it('requiresCpl0 agrees with iced mustBeCpl0 for every covered form', () => {
    for (const c of covered) {
      const f = facts(c);
      if (HYPERCALL_CPL0.has(c.mnemonicName)) {
        expect(f.cpl0, describeCode(c)).toBe(false);
        continue;
      }
      if (c.mayRequireCpl0) {
        // Control-bit dependent (CR4.TSD, CR4.PCE, UMIP, CPUID faulting, MONITOR/MWAIT): must be explained.
        expect(f.privilege.conditional ?? '', `${describeCode(c)} needs a conditional note`).toMatch(/\w{4,}/);
        continue;
      }
      expect(f.cpl0, describeCode(c)).toBe(c.mustBeCpl0);
    }
  });

  it('isIoplSensitive agrees with iced (privileged but not CPL 0) for every covered form', () => {
    let iopl = 0;
    for (const c of covered) {
      const f = facts(c);
      const expected = c.isPrivileged && !c.mustBeCpl0 && !PRIVILEGED_NOT_IOPL.has(c.mnemonicName);
      expect(f.iopl, describeCode(c)).toBe(expected);
      if (expected) {
        iopl++;
        expect(f.cls, describeCode(c)).toBe('iopl-sensitive');
      }
    }
    expect(iopl).toBeGreaterThanOrEqual(20);
  });

  it('every entry with a conditional note is one iced also calls conditional, or explains why not', () => {
    // Entries whose note is about a mode rather than a control bit (iced has no flag for them).
    const modeNotes = new Set(['vmcall', 'vmfunc', 'rsm']);
    for (const entry of INSTRUCTIONS.filter((e) => e.privilege.conditional !== undefined)) {
      const forms = covered.filter((c) => c.entry === entry);
      if (modeNotes.has(entry.mnemonic)) continue;
      expect(forms.some((c) => c.mayRequireCpl0), entry.mnemonic).toBe(true);
    }
  });
});
