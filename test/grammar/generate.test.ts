// The checked-in grammar is what the generator builds from the knowledge base today, and the
// extension manifest contributes it (language, grammar, semantic token types and their scopes).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGrammar, grammarJson, integerForms } from '../../debug-adapter/src/grammar/generate.js';
import { LANGUAGE_ID, SCOPE_NAME, SEMANTIC_TOKEN_TYPES } from '../../debug-adapter/src/grammar/scopes.js';
import { GRAMMAR_PATH, ROOT } from './support.js';

interface Manifest {
  scripts: Record<string, string>;
  contributes: {
    languages?: { id: string; aliases?: string[]; extensions?: string[]; configuration?: string }[];
    grammars?: { language?: string; scopeName: string; path: string }[];
    semanticTokenTypes?: { id: string; superType?: string; description?: string }[];
    semanticTokenScopes?: { language?: string; scopes: Record<string, string[]> }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;

describe('syntaxes/guest-asm.tmLanguage.json', () => {
  it('is up to date with the knowledge base', () => {
    const current = fs.existsSync(GRAMMAR_PATH) ? fs.readFileSync(GRAMMAR_PATH, 'utf8') : '';
    if (current !== grammarJson()) {
      expect.fail('syntaxes/guest-asm.tmLanguage.json is stale: run npm run grammar');
    }
  });

  it('is built deterministically', () => {
    expect(JSON.stringify(buildGrammar())).toBe(JSON.stringify(buildGrammar()));
    expect(buildGrammar().scopeName).toBe(SCOPE_NAME);
  });
});

describe('integerForms', () => {
  it('matches every NASM spelling of a value and nothing else', () => {
    const re = new RegExp(`^(?:${integerForms(0x82)})$`, 'i');
    for (const s of ['0x82', '0X82', '0h82', '82h', '$82', '0x0082', '0x8_2', '130', '0130', '0d130', '130d', '0t130', '130t', '0o202', '0q202', '202o', '202q', '0b10000010', '0y1000_0010', '10000010b', '10000010y']) {
      expect(re.test(s), s).toBe(true);
    }
    for (const s of ['0x820', '0x28', '82', '131', '0x83', 'x82', '_82h']) expect(re.test(s), s).toBe(false);
    expect(new RegExp(`^(?:${integerForms(0xa0)})$`, 'i').test('0a0h')).toBe(true);
    expect(new RegExp(`^(?:${integerForms(0xa0)})$`, 'i').test('a0h')).toBe(false);
  });
});

describe('package.json contributions', () => {
  it('has the grammar script', () => {
    expect(manifest.scripts.grammar).toBe('node scripts/generate-grammar.mjs');
  });

  it('declares the guest-asm language with its configuration', () => {
    const lang = manifest.contributes.languages?.find((l) => l.id === LANGUAGE_ID);
    expect(lang).toMatchObject({ aliases: ['x86 Guest Assembly', 'guest-asm'], extensions: ['.asm', '.nasm', '.inc'] });
    expect(fs.existsSync(path.join(ROOT, lang?.configuration ?? 'missing'))).toBe(true);
  });

  it('contributes the grammar file under its scope name', () => {
    const g = manifest.contributes.grammars?.find((x) => x.language === LANGUAGE_ID);
    expect(g?.scopeName).toBe(SCOPE_NAME);
    expect(path.resolve(ROOT, g?.path ?? 'missing')).toBe(GRAMMAR_PATH);
  });

  it('declares the semantic token types and maps them to the grammar’s scopes', () => {
    for (const t of SEMANTIC_TOKEN_TYPES) {
      expect(manifest.contributes.semanticTokenTypes, t.id).toContainEqual({ id: t.id, superType: t.superType, description: t.description });
    }
    const scopes = manifest.contributes.semanticTokenScopes?.find((s) => s.language === LANGUAGE_ID)?.scopes;
    expect(scopes).toEqual(Object.fromEntries(SEMANTIC_TOKEN_TYPES.map((t) => [t.id, [t.scope]])));
    const ids = SEMANTIC_TOKEN_TYPES.map((t) => t.id);
    expect(ids).toEqual(['instruction', 'sensitiveInstruction', 'privilegedInstruction', 'hypercallInstruction', 'vmxInstruction']);
  });
});

describe('language-configuration.json', () => {
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'language-configuration.json'), 'utf8')) as {
    comments: { lineComment: string };
    wordPattern: string;
    folding: { markers: { start: string; end: string } };
    indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  };

  it('uses ; for comments', () => {
    expect(config.comments.lineComment).toBe(';');
  });

  it('takes local labels, macro-local names and %directives as words', () => {
    const words = '    mov eax, .loop ; %macro %%done ..@x $1F __?FILE?__ %1 lib_init'.match(new RegExp(config.wordPattern, 'g'));
    expect(words).toEqual(['mov', 'eax', '.loop', '%macro', '%%done', '..@x', '$1F', '__?FILE?__', '%1', 'lib_init']);
  });

  it('folds macros, conditionals, %rep and structures', () => {
    const start = new RegExp(config.folding.markers.start);
    const end = new RegExp(config.folding.markers.end);
    for (const l of ['%macro X 0', '%imacro X 1-2', '%ifdef XEN', '%if 1', '%rep 4', 'struc point', 'p: istruc point', '; region']) {
      expect(start.test(l), l).toBe(true);
      expect(end.test(l), l).toBe(false);
    }
    for (const l of ['%endmacro', '%endm', '%endif', '%endrep', 'endstruc', 'iend', '; endregion']) {
      expect(end.test(l), l).toBe(true);
      expect(start.test(l), l).toBe(false);
    }
    expect(start.test('%repl x')).toBe(false);
  });

  it('indents after a label line and outdents %endif and friends', () => {
    const inc = new RegExp(config.indentationRules.increaseIndentPattern);
    const dec = new RegExp(config.indentationRules.decreaseIndentPattern);
    expect(['lib_init:', '.next:', '%%done:', 'x: ; comment'].every((l) => inc.test(l))).toBe(true);
    expect(['msg: db 1', '    mov eax, 1'].some((l) => inc.test(l))).toBe(false);
    expect(['%endif', '%else', '%endmacro', 'endstruc'].every((l) => dec.test(l))).toBe(true);
  });
});
