// The derived lookups, technique texts and hover docs, through the public API.
import { Decoder, Mnemonic } from 'iced-x86';
import { describe, expect, it } from 'vitest';
import { entryForInstruction, operandShapes } from '../../debug-adapter/src/isa/iced.js';
import {
  INSTRUCTIONS,
  TECHNIQUES,
  allMnemonics,
  flagEffects,
  lookupMnemonic,
  markdownDoc,
  mnemonicsByClass,
  privilegeOf,
  techniqueBehaviour,
  vtxExit,
  type OperandShape,
} from '../../debug-adapter/src/isa/index.js';

const reg = (name: string): OperandShape => ({ kind: 'reg', name });
const CR0_EAX = [reg('cr0'), reg('eax')];

function decode(bytes: number[]): { instr: ReturnType<Decoder['decode']>; free: () => void } {
  const d = new Decoder(32, new Uint8Array(bytes), 0);
  const instr = d.decode();
  d.free();
  return { instr, free: () => instr.free() };
}

describe('lookups', () => {
  it('allMnemonics lists every spelling once, including condition synonyms and widths', () => {
    const all = allMnemonics();
    expect(new Set(all).size).toBe(all.length);
    for (const s of ['jz', 'jnae', 'setpo', 'cmovnbe', 'retn', 'iretd', 'pushfw', 'popad', 'xlat', 'fwait', 'movsd', 'outsw']) {
      expect(all).toContain(s);
    }
    expect(all).not.toContain('rep');
  });

  it('mnemonicsByClass includes aliases of the class members', () => {
    const sensitive = mnemonicsByClass('sensitive-unprivileged');
    for (const s of ['pushfd', 'popfw', 'iretd', 'retfw', 'sgdt']) expect(sensitive).toContain(s);
    expect(sensitive).not.toContain('mov');
    const privileged = mnemonicsByClass('privileged');
    for (const s of ['hlt', 'lgdt', 'wrmsr', 'invlpg', 'clts', 'lmsw', 'sysexit']) expect(privileged).toContain(s);
    const counted = INSTRUCTIONS.reduce((n, e) => n + 1 + e.aliases.length, 0);
    const byClass = (['ordinary', 'privileged', 'iopl-sensitive', 'sensitive-unprivileged', 'hypercall', 'vmx', 'svm'] as const)
      .map((c) => mnemonicsByClass(c).length)
      .reduce((a, b) => a + b, 0);
    expect(byClass).toBe(counted);
  });

  it('privilegeOf, flagEffects and vtxExit follow the variant of the operands', () => {
    expect(privilegeOf('mov', CR0_EAX)?.cpl0).toBe(true);
    expect(privilegeOf('mov', [reg('eax'), reg('ebx')])?.cpl0).toBe(false);
    expect(flagEffects('mov', CR0_EAX)?.undefined).toContain('ZF');
    expect(flagEffects('mov', [reg('eax'), reg('ebx')])).toEqual({ read: [], written: [] });
    expect(vtxExit('mov', CR0_EAX)?.exitReason).toBe('CR_ACCESS');
    expect(vtxExit('mov', [reg('dr7'), reg('eax')])?.exitReason).toBe('DR_ACCESS');
    expect(vtxExit('mov', [reg('eax'), reg('ebx')])).toBeUndefined();
    expect(vtxExit('jmp', [{ kind: 'far' }])?.exitReason).toBe('TASK_SWITCH');
    expect(privilegeOf('rdtsc')?.conditional).toMatch(/CR4\.TSD/);
    expect(privilegeOf('rdpmc')?.conditional).toMatch(/CR4\.PCE/);
    expect(privilegeOf('smsw')?.conditional).toMatch(/UMIP/);
    expect(privilegeOf('nope')).toBeUndefined();
  });
});

describe('techniqueBehaviour', () => {
  it('answers for every entry and technique', () => {
    for (const e of INSTRUCTIONS) {
      for (const t of TECHNIQUES) expect(techniqueBehaviour(e.mnemonic, t)?.length, `${e.mnemonic} ${t}`).toBeGreaterThan(10);
    }
    expect(techniqueBehaviour('nope', 'vt-x')).toBeUndefined();
  });

  it('tells the POPF story: a hole under trap-and-emulate, a callout under BT, pv_irq_ops, no exit under VT-x', () => {
    expect(techniqueBehaviour('popf', 'trap-and-emulate')).toMatch(/silently/);
    expect(techniqueBehaviour('popfd', 'binary-translation')).toMatch(/callout/);
    expect(techniqueBehaviour('popf', 'paravirt')).toMatch(/evtchn_upcall_mask/);
    expect(techniqueBehaviour('popf', 'vt-x')).toMatch(/no VM exit/);
  });

  it('uses variant texts where the form has its own', () => {
    expect(techniqueBehaviour('mov', 'trap-and-emulate', CR0_EAX)).toMatch(/#GP/);
    expect(techniqueBehaviour('mov', 'trap-and-emulate', [reg('eax'), reg('ebx')])).toMatch(/never sees it/);
    expect(techniqueBehaviour('int', 'paravirt', [{ kind: 'imm', value: 0x82 }])).toMatch(/hypercall/);
    expect(techniqueBehaviour('int', 'paravirt', [{ kind: 'imm', value: 0x80 }])).toMatch(/set_trap_table/);
    expect(techniqueBehaviour('hlt', 'native')).toMatch(/ring 0/);
    expect(techniqueBehaviour('int', 'native', [{ kind: 'imm', value: 0x82 }])).toMatch(/0x82/);
  });
});

describe('markdownDoc', () => {
  it('has summary, description, class and why, flags, privilege, exit and every technique', () => {
    const popf = lookupMnemonic('popf')!;
    const doc = markdownDoc(popf);
    expect(doc).toContain('**popf**');
    expect(doc).toContain(popf.summary);
    expect(doc).toContain(popf.description);
    expect(doc).toContain('`sensitive-unprivileged`');
    expect(doc).toContain(popf.why!);
    expect(doc).toMatch(/\*\*Flags:\*\* reads —; writes CF PF AF ZF SF OF TF IF/);
    expect(doc).toContain('**Privilege:** any CPL');
    expect(doc).toContain('Also written: `popfd`, `popfw`');
    for (const t of TECHNIQUES) expect(doc).toContain(`*${t}*`);
    expect(markdownDoc(lookupMnemonic('cpuid')!)).toContain('**VT-x exit:** `CPUID` — always');
  });

  it('describes the selected form when operands are given', () => {
    const mov = lookupMnemonic('mov')!;
    const plain = markdownDoc(mov);
    expect(plain).toContain('**Class:** `ordinary`');
    expect(plain).toContain('`mov CRn, r32 | mov r32, CRn` — `privileged`');
    const cr = markdownDoc(mov, CR0_EAX);
    expect(cr).toContain('**Class:** `privileged` (form `mov CRn, r32 | mov r32, CRn`)');
    expect(cr).toContain('**Privilege:** CPL 0 only');
    expect(cr).toContain('`CR_ACCESS`');
    expect(cr).not.toContain('`mov CRn, r32 | mov r32, CRn` — `privileged`');
  });
});

describe('iced mapping', () => {
  it('maps decoded instructions to entries and operand shapes', () => {
    const far = decode([0xea, 0x00, 0x10, 0x00, 0x00, 0x08, 0x00]); // jmp 0x08:0x1000
    expect(operandShapes(far.instr)).toEqual([{ kind: 'far' }]);
    expect(entryForInstruction(far.instr)?.mnemonic).toBe('jmp');
    far.free();

    const push = decode([0x6a, 0xff]); // push -1
    expect(operandShapes(push.instr)).toEqual([{ kind: 'imm', value: -1 }]);
    push.free();

    const int82 = decode([0xcd, 0x82]);
    expect(operandShapes(int82.instr)).toEqual([{ kind: 'imm', value: 0x82 }]);
    int82.free();

    const movsd = decode([0xa5]); // string movsd
    expect(operandShapes(movsd.instr)).toEqual([]);
    expect(entryForInstruction(movsd.instr)?.mnemonic).toBe('movsd');
    movsd.free();

    const sse = decode([0xf2, 0x0f, 0x10, 0xc1]); // SSE2 movsd xmm0, xmm1: same iced Mnemonic
    expect(sse.instr.mnemonic).toBe(Mnemonic.Movsd);
    expect(entryForInstruction(sse.instr)).toBeUndefined();
    sse.free();

    const lds = decode([0xc5, 0x33]); // lds esi, [ebx]: a far pointer in memory, but written as [mem]
    expect(operandShapes(lds.instr)).toEqual([{ kind: 'reg', name: 'esi' }, { kind: 'mem' }]);
    lds.free();
  });
});
