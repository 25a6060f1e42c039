// Colours VS Code's default themes give each instruction class through the contributed grammar:
// sensitive and privileged instructions must not look like ordinary ones. The theme rules come from
// default-themes.ts; vscode-textmate resolves them exactly as the editor does.
import { describe, expect, it } from 'vitest';
import type { IGrammar, Registry } from 'vscode-textmate';
import * as vsctm from 'vscode-textmate';
import { DEFAULT_THEMES } from './default-themes.js';
import { createRegistry, loadGrammar } from './support.js';

const LINES = {
  ordinary: '    mov eax, ebx',
  sensitive: '    popf',
  sensitiveForm: '    push cs',
  privileged: '    lgdt [gdt]',
  ioplSensitive: '    cli',
  hypercall: '    vmcall',
  hypercallInt: '    int 0x82',
  vmx: '    vmlaunch',
} as const;

// Foreground colour id: bits 15..23 of a token's metadata (vscode-textmate's encoding).
const FOREGROUND_MASK = 0x00ff8000;
const FOREGROUND_OFFSET = 15;

function colourOfMnemonic(registry: Registry, grammar: IGrammar, line: string): string {
  const r = grammar.tokenizeLine2(line, vsctm.INITIAL);
  const col = line.search(/\S/);
  let meta = 0;
  for (let i = 0; i < r.tokens.length; i += 2) if (r.tokens[i] <= col) meta = r.tokens[i + 1];
  return registry.getColorMap()[(meta & FOREGROUND_MASK) >>> FOREGROUND_OFFSET].toUpperCase();
}

describe.each(DEFAULT_THEMES.map((t) => [t.name ?? '', t]))('%s', (_name, theme) => {
  it('colours sensitive and privileged instructions apart from ordinary ones (and from each other)', async () => {
    const registry = createRegistry(theme);
    const grammar = await loadGrammar(registry);
    const c = Object.fromEntries(Object.entries(LINES).map(([k, line]) => [k, colourOfMnemonic(registry, grammar, line)])) as Record<
      keyof typeof LINES,
      string
    >;
    expect(c.sensitive).not.toBe(c.ordinary);
    expect(c.sensitiveForm).toBe(c.sensitive);
    expect(c.privileged).not.toBe(c.ordinary);
    expect(c.ioplSensitive).toBe(c.privileged);
    expect(c.privileged).not.toBe(c.sensitive);
    expect(c.hypercall).not.toBe(c.ordinary);
    expect(c.hypercallInt).toBe(c.hypercall);
    expect(c.hypercall).not.toBe(c.sensitive);
    expect(c.vmx).not.toBe(c.ordinary);
    expect(c.vmx).not.toBe(c.sensitive);
  });
});

describe('the colours (for the record)', () => {
  it('are those documented in debug-adapter/src/grammar/scopes.ts', async () => {
    const table: Record<string, Record<string, string>> = {};
    for (const theme of DEFAULT_THEMES) {
      const registry = createRegistry(theme);
      const grammar = await loadGrammar(registry);
      table[theme.name ?? ''] = Object.fromEntries(
        Object.entries(LINES).map(([k, line]) => [k, colourOfMnemonic(registry, grammar, line)]),
      );
    }
    expect(table['Dark Modern']).toMatchObject({ ordinary: '#569CD6', sensitive: '#C586C0', privileged: '#4EC9B0', hypercall: '#DCDCAA', vmx: '#4EC9B0' });
    expect(table['Light Modern']).toMatchObject({ ordinary: '#0000FF', sensitive: '#AF00DB', privileged: '#267F99', hypercall: '#795E26', vmx: '#267F99' });
    expect(table['Dark 2026']).toMatchObject({ ordinary: '#FF7B72', sensitive: '#C586C0', privileged: '#4EC9B0', hypercall: '#DCDCAA' });
    expect(table['Light 2026']).toMatchObject({ ordinary: '#CF222E', sensitive: '#AF00DB', privileged: '#267F99', hypercall: '#795E26' });
  });
});
