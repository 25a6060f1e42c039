// The contributed grammar, tokenized with vscode-textmate + oniguruma as VS Code does: every
// knowledge-base mnemonic gets its class's scope, the operand forms that change the class
// (`push cs`, `mov cr0, eax`, `int 0x82`, far transfers) are recognised, and the samples tokenize
// without instruction scopes in comments or `invalid` scopes, with every instruction's scope
// agreeing with the knowledge base's classification of that line.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IGrammar } from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';
import { buildGrammar, type TmRule } from '../../debug-adapter/src/grammar/generate.js';
import { INSTRUCTION_SCOPES } from '../../debug-adapter/src/grammar/scopes.js';
import {
  INSTRUCTIONS,
  VIRT_CLASSES,
  classify,
  lookupMnemonic,
  lookupPrefix,
  mnemonicsByClass,
  registerClass,
  type OperandShape,
  type VirtClass,
} from '../../debug-adapter/src/isa/index.js';
import { ROOT, hasSegment, loadGrammar, mnemonicToken, onigLib, tokenAt, tokenizeLine, tokenizeLines, type Token } from './support.js';

const CLASS_SEGMENTS = ['sensitive', 'privileged', 'hypercall', 'vmx'];

let grammar: IGrammar;
beforeAll(async () => {
  grammar = await loadGrammar();
});

/** The instruction token of a one-line statement, which must exist. */
function mnemonicOf(line: string): Token {
  const t = mnemonicToken(tokenizeLine(grammar, line));
  if (!t) throw new Error(`no instruction token in ${JSON.stringify(line)}: ${JSON.stringify(tokenizeLine(grammar, line))}`);
  return t;
}

/** `example` with its mnemonic replaced by `spelling` (the operands kept). */
function withSpelling(example: string, spelling: string): string {
  const m = /^\s*(\S+)(.*)$/.exec(example);
  return `    ${spelling}${m ? m[2] : ''}`;
}

describe('every regex of the grammar', () => {
  it('compiles with oniguruma', async () => {
    await onigLib();
    const sources: string[] = [];
    const walk = (rule: TmRule) => {
      for (const re of [rule.match, rule.begin, rule.end]) if (re !== undefined) sources.push(re);
      for (const caps of [rule.captures, rule.beginCaptures, rule.endCaptures]) {
        for (const c of Object.values(caps ?? {})) c.patterns?.forEach(walk);
      }
      rule.patterns?.forEach(walk);
    };
    const g = buildGrammar();
    g.patterns.forEach(walk);
    Object.values(g.repository).forEach(walk);
    expect(sources.length).toBeGreaterThan(50);
    for (const source of sources) {
      expect(() => new oniguruma.OnigScanner([source]).dispose(), source).not.toThrow();
    }
  });
});

describe('instruction classes from the knowledge base', () => {
  it('gives every spelling of every mnemonic its class scope, alone and with operands', () => {
    let checked = 0;
    for (const entry of INSTRUCTIONS) {
      for (const spelling of [entry.mnemonic, ...entry.aliases]) {
        const lines = [`    ${spelling}`, `${spelling}`, `label: ${spelling}`, `    ${spelling.toUpperCase()}`];
        // With operands only where no operand form changes the class (those are checked below).
        if (entry.variants.length === 0) lines.push(withSpelling(entry.example, spelling));
        for (const line of lines) {
          const t = mnemonicOf(line);
          expect(t.text.toLowerCase(), line).toBe(spelling);
          expect(t.scopes, line).toContain(INSTRUCTION_SCOPES[entry.class]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(4 * 250);
  });

  it('gives the operand forms of the knowledge base their own class (push cs, mov cr0, int 0x82, jmp far ...)', () => {
    for (const entry of INSTRUCTIONS) {
      for (const v of entry.variants) {
        const t = mnemonicOf(`    ${v.example}`);
        expect(t.scopes, v.example).toContain(INSTRUCTION_SCOPES[v.class]);
      }
    }
  });

  it('marks every sensitive-unprivileged mnemonic and form .sensitive', () => {
    const lines = [
      ...mnemonicsByClass('sensitive-unprivileged').map((m) => `    ${m}`),
      ...INSTRUCTIONS.flatMap((e) => e.variants.filter((v) => v.class === 'sensitive-unprivileged').map((v) => `    ${v.example}`)),
    ];
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(hasSegment(mnemonicOf(line), 'sensitive'), line).toBe(true);
  });

  it('marks Robin & Irvine’s sensitive instructions .sensitive as people write them', () => {
    const lines = [
      'popf', 'popfd', 'popfw', 'pushf', 'pushfd', 'pushfw', 'sgdt [gdtr]', 'sidt [idtr]', 'sldt ax', 'sldt [ldtr]',
      'smsw ax', 'smsw eax', 'str ax', 'lar eax, ebx', 'lar eax, [sel]', 'lsl eax, ebx', 'verr ax', 'verw [sel]',
      'push cs', 'push ss', 'push ds', 'push es', 'push fs', 'push gs', 'pop ds', 'pop es', 'pop ss', 'pop fs', 'pop gs',
      'mov ax, cs', 'mov eax, ss', 'mov ds, ax', 'mov ss, eax', 'mov es, [sel]', 'mov [saved], ds', 'mov word [saved], fs',
      'call far [ptr]', 'call 0x08:entry', 'call dword far [ebx]', 'jmp 0x10:target', 'jmp far [ptr]', 'jmp CODE_SEL:.reload',
      'jmp dword 0x08:start', 'retf', 'retf 4', 'retfd', 'iret', 'iretd', 'iretw', 'int 0x80', 'int 3', 'int 21h',
      'PUSH CS', 'Mov Ax, Cs', 'CALL FAR [ptr]', 'lock int 0x80',
    ];
    for (const text of lines) {
      for (const line of [text, `    ${text}`, `    ${text} ; comment`, `here: ${text}`]) {
        const t = mnemonicOf(line);
        expect(hasSegment(t, 'sensitive'), `${line} → ${t.scopes.join(' ')}`).toBe(true);
        expect(CLASS_SEGMENTS.filter((s) => s !== 'sensitive').some((s) => hasSegment(t, s)), line).toBe(false);
      }
    }
  });

  it('marks privileged and IOPL-sensitive instructions .privileged', () => {
    const lines = [
      ...mnemonicsByClass('privileged').map((m) => `    ${m}`),
      ...mnemonicsByClass('iopl-sensitive').map((m) => `    ${m}`),
      '    mov cr0, eax', '    mov eax, cr3', '    mov dr7, eax', '    mov eax, tr6', '    lgdt [gdt]', '    in al, dx', '    out 0x80, al',
    ];
    for (const line of lines) expect(hasSegment(mnemonicOf(line), 'privileged'), line).toBe(true);
  });

  it('marks vmcall, vmmcall and int 0x82 (in any number form) .hypercall', () => {
    for (const line of ['vmcall', 'vmmcall']) {
      const t = mnemonicOf(`    ${line}`);
      expect(hasSegment(t, 'hypercall'), line).toBe(true);
      expect(hasSegment(t, 'sensitive'), line).toBe(false);
    }
    // int 0x82 stays an INT n underneath: both scopes, the hypercall's last (it decides the colour).
    for (const line of ['int 0x82', 'int 82h', 'int 130', 'int 0h82', 'int $82', 'int 0x0082', 'int 10000010b', 'int 202q']) {
      const t = mnemonicOf(`    ${line}`);
      expect(t.scopes.slice(-2), line).toEqual([INSTRUCTION_SCOPES['sensitive-unprivileged'], INSTRUCTION_SCOPES.hypercall]);
    }
    expect(hasSegment(mnemonicOf('    int 0x820'), 'hypercall')).toBe(false);
    expect(hasSegment(mnemonicOf('    int 0x28'), 'hypercall')).toBe(false);
  });

  it('marks the VT-x and AMD-V instructions .vmx', () => {
    for (const cls of ['vmx', 'svm'] as VirtClass[]) {
      for (const m of mnemonicsByClass(cls)) expect(hasSegment(mnemonicOf(`    ${m}`), 'vmx'), m).toBe(true);
    }
  });

  it('leaves ordinary instructions without a class segment', () => {
    const lines = [
      ...mnemonicsByClass('ordinary').map((m) => `    ${m}`),
      'mov eax, ebx', 'mov eax, [cs:ebx]', 'mov [es:edi], al', 'push eax', 'push dword [fs:0]', 'pop ebx', 'jmp .next',
      'jmp short .next', 'jmp near [eax]', 'jmp [cs:eax]', 'call lib_init', 'call [ebx]', 'ret', 'ret 4', 'int3', 'into',
      'movzx eax, word [x]', 'lea esi, [msg]', 'lock xadd [ebx], eax', 'rep movsb',
    ];
    for (const line of lines) {
      const t = mnemonicOf(line.startsWith(' ') ? line : `    ${line}`);
      expect(t.scopes, line).toContain(INSTRUCTION_SCOPES.ordinary);
      expect(CLASS_SEGMENTS.some((s) => hasSegment(t, s)), `${line} → ${t.scopes.join(' ')}`).toBe(false);
    }
  });

  it('uses one scope per class, each with its contract segment', () => {
    const segment: Record<VirtClass, string> = {
      ordinary: 'ordinary',
      'sensitive-unprivileged': 'sensitive',
      privileged: 'privileged',
      'iopl-sensitive': 'privileged',
      hypercall: 'hypercall',
      vmx: 'vmx',
      svm: 'vmx',
    };
    for (const cls of VIRT_CLASSES) expect(INSTRUCTION_SCOPES[cls].split('.'), cls).toContain(segment[cls]);
  });
});

// ---------------------------------------------------------------------------------------------
// The samples

const SAMPLES = path.join(ROOT, 'samples');
const sampleFiles = [
  ...fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.asm')).map((f) => path.join(SAMPLES, f)),
  ...fs.readdirSync(path.join(SAMPLES, 'include')).filter((f) => f.endsWith('.inc')).map((f) => path.join(SAMPLES, 'include', f)),
].sort();

/** Operand shapes of a source line's operand text, as far as the text shows them. */
function operandShapes(text: string): OperandShape[] {
  if (text.trim() === '') return [];
  return text.split(',').map((raw): OperandShape => {
    const op = raw.trim().replace(/^(?:(?:byte|word|dword|strict)\s+)+/i, '');
    if (/^far\b/i.test(op) || /^[^[\s]+\s*:\s*\S/.test(op)) return { kind: 'far' };
    if (op.includes('[')) return { kind: 'mem' };
    if (registerClass(op)) return { kind: 'reg', name: op.toLowerCase() };
    const n = /^(?:0x[0-9a-f]+|[0-9]+)$/i.test(op) ? Number(op) : undefined;
    return n === undefined ? { kind: 'imm' } : { kind: 'imm', value: n };
  });
}

describe.each(sampleFiles.map((f) => [path.relative(ROOT, f), f]))('%s', (_name, file) => {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  let tokens: Token[][];
  beforeAll(() => {
    tokens = tokenizeLines(grammar, lines);
  });

  it('has no invalid scopes and no instruction scope inside a comment', () => {
    for (const [i, line] of tokens.entries()) {
      for (const t of line) {
        expect(t.scopes.filter((s) => s.startsWith('invalid')), `line ${i + 1}`).toEqual([]);
        if (t.scopes.some((s) => s.startsWith('comment'))) {
          expect(t.scopes.filter((s) => s.includes('.instruction.')), `line ${i + 1}: ${lines[i]}`).toEqual([]);
        }
      }
    }
  });

  it('scopes every instruction by the class the knowledge base gives its form', () => {
    let instructions = 0;
    for (const [i, line] of lines.entries()) {
      if (/^\s*%/.test(line)) continue;
      const code = line.replace(/;.*$/, '');
      let col = /^\s*(?:[\w.$?@%]+:)?\s*/.exec(code)![0].length;
      let rest = code.slice(col);
      for (let w = /^([a-z][a-z0-9]*)\s+/i.exec(rest); w && lookupPrefix(w[1]); w = /^([a-z][a-z0-9]*)\s+/i.exec(rest)) {
        col += w[0].length;
        rest = rest.slice(w[0].length);
      }
      const m = /^([a-z][a-z0-9]*)\b(.*)$/i.exec(rest);
      if (!m || !lookupMnemonic(m[1])) continue;
      const cls = classify(m[1], operandShapes(m[2]))?.class;
      if (!cls) continue;
      const t = tokenAt(tokens[i], col);
      expect(t.scopes, `line ${i + 1}: ${line}`).toContain(INSTRUCTION_SCOPES[cls]);
      instructions++;
    }
    if (!file.endsWith('multiboot.inc')) expect(instructions).toBeGreaterThan(0);
  });
});
