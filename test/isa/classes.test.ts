// Virtualization classes: Robin & Irvine's sensitive-unprivileged set, the IOPL-sensitive set,
// hypercalls and the operand-form variants, through the public lookups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operandShapes } from '../../debug-adapter/src/isa/iced.js';
import {
  INSTRUCTIONS,
  classify,
  entriesByClass,
  isIoplSensitive,
  mnemonicsByClass,
  requiresCpl0,
  type OperandShape,
} from '../../debug-adapter/src/isa/index.js';
import { assembleAndDecode, type Decoded } from './support.js';

const reg = (name: string): OperandShape => ({ kind: 'reg', name });
const imm = (value?: number): OperandShape => (value === undefined ? { kind: 'imm' } : { kind: 'imm', value });
const MEM: OperandShape = { kind: 'mem' };
const FAR: OperandShape = { kind: 'far' };
const SEGMENT_REGISTERS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

describe('Robin & Irvine: sensitive but unprivileged', () => {
  const wholeMnemonics: [string, OperandShape[]][] = [
    ['sgdt', [MEM]],
    ['sidt', [MEM]],
    ['sldt', [reg('eax')]],
    ['smsw', [reg('eax')]],
    ['str', [reg('eax')]],
    ['pushf', []],
    ['pushfd', []],
    ['popf', []],
    ['popfd', []],
    ['lar', [reg('eax'), reg('ebx')]],
    ['lsl', [reg('eax'), reg('ebx')]],
    ['verr', [reg('ax')]],
    ['verw', [MEM]],
    ['iret', []],
    ['iretd', []],
    ['retf', []],
    ['retf', [imm(8)]],
  ];
  it.each(wholeMnemonics)('%s %j is sensitive-unprivileged and not CPL-0-only', (m, ops) => {
    expect(classify(m, ops)?.class).toBe('sensitive-unprivileged');
    expect(requiresCpl0(m, ops)).toBe(false);
    expect(isIoplSensitive(m, ops)).toBe(false);
  });

  it.each(SEGMENT_REGISTERS)('push %s is sensitive-unprivileged, push eax is not', (s) => {
    expect(classify('push', [reg(s)])?.class).toBe('sensitive-unprivileged');
    expect(classify('PUSH', [reg(s.toUpperCase())])?.class).toBe('sensitive-unprivileged');
    expect(classify('push', [reg('eax')])?.class).toBe('ordinary');
    expect(classify('push', [imm(s.length)])?.class).toBe('ordinary');
  });

  it.each(SEGMENT_REGISTERS.filter((s) => s !== 'cs'))('pop %s is sensitive-unprivileged', (s) => {
    expect(classify('pop', [reg(s)])?.class).toBe('sensitive-unprivileged');
    expect(classify('pop', [MEM])?.class).toBe('ordinary');
  });

  it.each(SEGMENT_REGISTERS)('mov to and from %s is sensitive-unprivileged', (s) => {
    expect(classify('mov', [reg(s), reg('ax')])?.class).toBe('sensitive-unprivileged');
    expect(classify('mov', [reg('eax'), reg(s)])?.class).toBe('sensitive-unprivileged');
    expect(classify('mov', [MEM, reg(s)])?.class).toBe('sensitive-unprivileged');
    expect(requiresCpl0('mov', [reg(s), reg('ax')])).toBe(false);
  });

  it('far call and jmp are sensitive, near ones ordinary', () => {
    for (const m of ['call', 'jmp']) {
      expect(classify(m, [FAR])?.class).toBe('sensitive-unprivileged');
      expect(classify(m, [imm(0x1000)])?.class).toBe('ordinary');
      expect(classify(m, [reg('eax')])?.class).toBe('ordinary');
      expect(classify(m, [MEM])?.class).toBe('ordinary');
    }
    expect(classify('ret', [])?.class).toBe('ordinary');
  });

  it('int n is sensitive for every vector except the Xen hypercall vector', () => {
    for (const v of [0, 3, 0x21, 0x80, 0x81, 0x83, 0xff]) {
      expect(classify('int', [imm(v)])?.class).toBe('sensitive-unprivileged');
    }
    expect(classify('int', [imm()])?.class).toBe('sensitive-unprivileged');
    const hyper = classify('int', [imm(0x82)]);
    expect(hyper?.class).toBe('hypercall');
    expect(hyper?.why).toMatch(/Xen/);
    expect(hyper?.variant?.form).toBe('int 0x82');
  });

  it('the mnemonic-level set is exactly the whole-mnemonic members of the list', () => {
    expect(new Set(entriesByClass('sensitive-unprivileged').map((e) => e.mnemonic))).toEqual(
      new Set(['sgdt', 'sidt', 'sldt', 'smsw', 'str', 'pushf', 'popf', 'lar', 'lsl', 'verr', 'verw', 'iret', 'retf', 'int']),
    );
  });
});

describe('privileged forms', () => {
  it.each([
    ['mov', [reg('cr0'), reg('eax')]],
    ['mov', [reg('eax'), reg('cr3')]],
    ['mov', [reg('dr7'), reg('eax')]],
    ['mov', [reg('eax'), reg('dr6')]],
    ['mov', [reg('tr6'), reg('eax')]],
    ['hlt', []],
    ['lgdt', [MEM]],
    ['lidt', [MEM]],
    ['lldt', [reg('ax')]],
    ['ltr', [reg('ax')]],
    ['lmsw', [reg('ax')]],
    ['clts', []],
    ['invd', []],
    ['wbinvd', []],
    ['invlpg', [MEM]],
    ['rdmsr', []],
    ['wrmsr', []],
  ] as [string, OperandShape[]][])('%s %j is privileged and needs CPL 0', (m, ops) => {
    expect(classify(m, ops)?.class).toBe('privileged');
    expect(requiresCpl0(m, ops)).toBe(true);
  });

  it('ordinary mov forms stay ordinary', () => {
    expect(classify('mov', [reg('eax'), reg('ebx')])?.class).toBe('ordinary');
    expect(classify('mov', [MEM, imm(5)])?.class).toBe('ordinary');
    expect(requiresCpl0('mov', [reg('eax'), MEM])).toBe(false);
  });
});

describe('IOPL-sensitive and hypercall sets', () => {
  it('IOPL-sensitive is exactly cli sti in out ins* outs*', () => {
    expect(new Set(mnemonicsByClass('iopl-sensitive'))).toEqual(
      new Set(['cli', 'sti', 'in', 'out', 'insb', 'insw', 'insd', 'outsb', 'outsw', 'outsd']),
    );
    const flagged = INSTRUCTIONS.filter((e) => e.privilege.iopl || e.variants.some((v) => v.privilege?.iopl));
    expect(new Set(flagged.map((e) => e.mnemonic))).toEqual(new Set(mnemonicsByClass('iopl-sensitive')));
    expect(isIoplSensitive('in', [reg('al'), reg('dx')])).toBe(true);
    expect(isIoplSensitive('popf')).toBe(false);
  });

  it('hypercalls are vmcall, vmmcall and int 0x82', () => {
    expect(new Set(mnemonicsByClass('hypercall'))).toEqual(new Set(['vmcall', 'vmmcall']));
    expect(classify('int', [imm(0x82)])?.class).toBe('hypercall');
  });

  it('VMX and SVM management instructions have their own classes', () => {
    expect(new Set(mnemonicsByClass('vmx'))).toEqual(
      new Set(['vmxon', 'vmxoff', 'vmclear', 'vmptrld', 'vmptrst', 'vmread', 'vmwrite', 'vmlaunch', 'vmresume', 'invept', 'invvpid', 'vmfunc']),
    );
    expect(new Set(mnemonicsByClass('svm'))).toEqual(
      new Set(['vmrun', 'vmload', 'vmsave', 'stgi', 'clgi', 'skinit', 'invlpga']),
    );
  });

  it('unknown mnemonics classify as undefined and need no privilege', () => {
    expect(classify('frobnicate', [])).toBeUndefined();
    expect(requiresCpl0('frobnicate')).toBe(false);
    expect(isIoplSensitive('frobnicate')).toBe(false);
  });
});

describe('classes of real encodings (nasm → iced → operandShapes → classify)', () => {
  // Every R&I form as a real instruction, plus the privileged and hypercall variants.
  const cases: [string, string][] = [
    ['sgdt [eax]', 'sensitive-unprivileged'],
    ['sidt [eax]', 'sensitive-unprivileged'],
    ['sldt ax', 'sensitive-unprivileged'],
    ['smsw [eax]', 'sensitive-unprivileged'],
    ['str eax', 'sensitive-unprivileged'],
    ['pushfd', 'sensitive-unprivileged'],
    ['pushfw', 'sensitive-unprivileged'],
    ['popfd', 'sensitive-unprivileged'],
    ['lar eax, bx', 'sensitive-unprivileged'],
    ['lsl eax, [ebx]', 'sensitive-unprivileged'],
    ['verr ax', 'sensitive-unprivileged'],
    ['verw [ebx]', 'sensitive-unprivileged'],
    ...SEGMENT_REGISTERS.map((s): [string, string] => [`push ${s}`, 'sensitive-unprivileged']),
    ...['es', 'ss', 'ds', 'fs', 'gs'].map((s): [string, string] => [`pop ${s}`, 'sensitive-unprivileged']),
    ...SEGMENT_REGISTERS.map((s): [string, string] => [`mov ax, ${s}`, 'sensitive-unprivileged']),
    ...['es', 'ss', 'ds', 'fs', 'gs'].map((s): [string, string] => [`mov ${s}, [ebx]`, 'sensitive-unprivileged']),
    ['jmp 0x08:0x1000', 'sensitive-unprivileged'],
    ['jmp far [ebx]', 'sensitive-unprivileged'],
    ['call 0x08:0x1000', 'sensitive-unprivileged'],
    ['call far [ebx]', 'sensitive-unprivileged'],
    ['retf', 'sensitive-unprivileged'],
    ['retf 8', 'sensitive-unprivileged'],
    ['int 0x80', 'sensitive-unprivileged'],
    ['iretd', 'sensitive-unprivileged'],
    ['int 0x82', 'hypercall'],
    ['vmcall', 'hypercall'],
    ['vmmcall', 'hypercall'],
    ['jmp [ebx]', 'ordinary'],
    ['call eax', 'ordinary'],
    ['push dword [ebx]', 'ordinary'],
    ['mov eax, [ebx]', 'ordinary'],
    ['mov cr3, eax', 'privileged'],
    ['mov eax, cr0', 'privileged'],
    ['mov dr0, eax', 'privileged'],
    ['mov eax, tr7', 'privileged'],
    ['cli', 'iopl-sensitive'],
    ['rep outsb', 'iopl-sensitive'],
    ['in eax, 0x60', 'iopl-sensitive'],
    ['vmlaunch', 'vmx'],
    ['vmrun', 'svm'],
  ];
  let decoded: Decoded[] = [];
  let free = (): void => {};
  beforeAll(() => {
    ({ decoded, free } = assembleAndDecode(cases.map(([line]) => line)));
  });
  afterAll(() => free());

  it.each(cases.map(([line, cls], i) => [line, cls, i] as const))('%s → %s', (line, cls, i) => {
    const { instr } = decoded[i]!;
    const mnemonic = line.replace(/^rep /, '').split(/\s+/)[0]!;
    expect(classify(mnemonic, operandShapes(instr))?.class).toBe(cls);
  });
});
