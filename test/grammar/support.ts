// Loads the checked-in guest-asm grammar with vscode-textmate and the oniguruma wasm, as VS Code does.
import fs from 'node:fs';
import path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

export const ROOT = path.resolve(__dirname, '..', '..');
export const GRAMMAR_PATH = path.join(ROOT, 'syntaxes', 'guest-asm.tmLanguage.json');
export const SCOPE = 'source.guest-asm';

let onig: Promise<vsctm.IOnigLib> | undefined;

export function onigLib(): Promise<vsctm.IOnigLib> {
  onig ??= (async () => {
    const wasm = fs.readFileSync(path.join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return {
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    };
  })();
  return onig;
}

export function createRegistry(theme?: vsctm.IRawTheme): vsctm.Registry {
  return new vsctm.Registry({
    onigLib: onigLib(),
    ...(theme ? { theme } : {}),
    loadGrammar: async (scopeName) =>
      scopeName === SCOPE ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH) : null,
  });
}

export async function loadGrammar(registry = createRegistry()): Promise<vsctm.IGrammar> {
  const grammar = await registry.loadGrammar(SCOPE);
  if (!grammar) throw new Error(`grammar ${SCOPE} did not load`);
  return grammar;
}

export interface Token {
  text: string;
  start: number;
  end: number;
  scopes: string[];
}

/** Tokenizes lines in order (the rule stack carried from line to line, as in an editor). */
export function tokenizeLines(grammar: vsctm.IGrammar, lines: readonly string[]): Token[][] {
  let state = vsctm.INITIAL;
  return lines.map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), start: t.startIndex, end: t.endIndex, scopes: t.scopes }));
  });
}

/** Tokenizes one line from the initial state. */
export function tokenizeLine(grammar: vsctm.IGrammar, line: string): Token[] {
  return tokenizeLines(grammar, [line])[0];
}

/** The token covering column `col`. */
export function tokenAt(tokens: readonly Token[], col: number): Token {
  const t = tokens.find((x) => x.start <= col && col < x.end);
  if (!t) throw new Error(`no token at column ${col}`);
  return t;
}

/** True when some scope of the token has `segment` as one of its dot-separated parts. */
export function hasSegment(token: Token, segment: string): boolean {
  return token.scopes.some((s) => s.split('.').includes(segment));
}

/** The token of the first word of a statement (after any label and prefixes), for one-line checks. */
export function mnemonicToken(tokens: readonly Token[]): Token | undefined {
  return tokens.find((t) => t.scopes.some((s) => s.includes('.instruction.')));
}
