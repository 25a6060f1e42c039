// Single-line macros (%define and friends): storage, parsing of definitions, and expansion with
// nasm's rules (a macro is not re-expanded inside its own expansion; %+ and adjacency paste tokens,
// after which the line is scanned again).
import { isOp, PrefixSet, skipWs, trimToks, type Busy, type Tok } from './lex.js';

export const SPARM_EVAL = 1;
export const SPARM_STR = 2;
export const SPARM_NOSTRIP = 4;

export interface SParam {
  name: string;
  flags: number;
}

export interface SMacro extends Busy {
  name: string;
  ci: boolean;
  /** null: object-like (no parentheses). */
  params: SParam[] | null;
  greedy: boolean;
  body: Tok[];
  /** Computed expansions (__LINE__, __FILE__, ...). */
  dyn?: (env: ExpandEnv) => Tok[];
  builtin: boolean;
}

export class SMacroTable {
  /** Keyed by lower-case name. */
  readonly map = new Map<string, SMacro[]>();
  /** Exact names of case-sensitive macros / lower-case names of case-insensitive ones (with counts). */
  readonly cs = new Map<string, number>();
  readonly ci = new Map<string, number>();
  /** Prefixes of all names, for the quick scan. */
  readonly prefixes = new PrefixSet();

  lookup(name: string): SMacro[] | undefined {
    const list = this.map.get(name.toLowerCase());
    if (!list) return undefined;
    let out: SMacro[] | undefined;
    for (const m of list) {
      if (m.ci || m.name === name) (out ??= []).push(m);
    }
    return out;
  }

  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }

  /**
   * Adds a macro as nasm's define_smacro does: the first same-name macro whose parameter count
   * could match is redefined in place, unless it differs in case sensitivity (`shadows`), in
   * having parameters at all (`conflict`) or is a greedy one taking fewer (`greedyShadow`); then
   * the new macro goes first and the old one stays (re-exposed by %undef ... of the new one).
   */
  define(m: SMacro): { conflict?: boolean; shadows?: SMacro; greedyShadow?: boolean } {
    const key = m.name.toLowerCase();
    const list = this.map.get(key) ?? [];
    const n = m.params?.length ?? 0;
    const idx = list.findIndex((old) => {
      const sameName = old.ci || m.ci ? true : old.name === m.name;
      const on = old.params?.length ?? 0;
      return sameName && (n <= 0 || on === 0 || n === on || (old.greedy && n >= on - 1));
    });
    let result: { conflict?: boolean; shadows?: SMacro; greedyShadow?: boolean } = {};
    if (idx >= 0) {
      const old = list[idx];
      const on = old.params?.length ?? 0;
      if (old.ci !== m.ci) result = { shadows: old };
      else if (n > 0 !== on > 0) result = { conflict: true };
      else if (on < n) result = { greedyShadow: true };
      else {
        this.countName(old, -1);
        list[idx] = m;
        this.countName(m, 1);
        return result;
      }
    }
    list.unshift(m);
    this.map.set(key, list);
    this.countName(m, 1);
    return result;
  }

  undef(name: string): void {
    const key = name.toLowerCase();
    const list = this.map.get(key);
    if (!list) return;
    const keep = list.filter((m) => {
      if (m.ci || m.name === name) {
        this.countName(m, -1);
        return false;
      }
      return true;
    });
    if (keep.length) this.map.set(key, keep);
    else this.map.delete(key);
  }

  clone(): SMacroTable {
    const t = new SMacroTable();
    for (const [k, v] of this.map) t.map.set(k, v.slice());
    for (const [k, v] of this.cs) t.cs.set(k, v);
    for (const [k, v] of this.ci) t.ci.set(k, v);
    t.prefixes.counts.set(this.prefixes.counts);
    return t;
  }

  private countName(m: SMacro, d: number): void {
    const map = m.ci ? this.ci : this.cs;
    const key = m.ci ? m.name.toLowerCase() : m.name;
    const n = (map.get(key) ?? 0) + d;
    if (n > 0) map.set(key, n);
    else map.delete(key);
    this.prefixes.add(key, d);
  }
}

export interface DefineHead {
  /** Token index of the name. */
  nameIdx: number;
  params: SParam[] | null;
  greedy: boolean;
  /** Index of the first body token. */
  bodyIdx: number;
}

/** Parses `name[(params)]` at toks[i]. Returns an error message on failure. */
export function parseDefineHead(toks: Tok[], i: number, directive: string): DefineHead | string {
  const nameIdx = skipWs(toks, i);
  const nt = toks[nameIdx];
  if (!nt || !(nt.k === 'id' || (nt.k === 'pp' && isLocalRef(nt.s)))) return `\`${directive}' expects a macro identifier`;
  let j = nameIdx + 1;
  if (!isOp(toks[j], '(')) return { nameIdx, params: null, greedy: false, bodyIdx: j };
  const params: SParam[] = [];
  let greedy = false;
  j++;
  j = skipWs(toks, j);
  // `name()` takes one (unused, unnamed) parameter, as in nasm.
  if (isOp(toks[j], ')')) return { nameIdx, params: [{ name: '', flags: 0 }], greedy, bodyIdx: j + 1 };
  for (;;) {
    j = skipWs(toks, j);
    let flags = 0;
    while (toks[j]?.k === 'op' && (toks[j].s === '=' || toks[j].s === '&' || toks[j].s === '&&' || toks[j].s === '!')) {
      const s = toks[j].s;
      flags |= s === '=' ? SPARM_EVAL : s === '!' ? SPARM_NOSTRIP : SPARM_STR;
      j = skipWs(toks, j + 1);
    }
    const p = toks[j];
    if (!p || p.k !== 'id') return p ? `garbage \`${p.s}' in macro parameter list` : "`)' expected to terminate macro template";
    params.push({ name: p.s, flags });
    j = skipWs(toks, j + 1);
    if (isOp(toks[j], '+')) {
      greedy = true;
      j = skipWs(toks, j + 1);
    }
    if (isOp(toks[j], ',') && !greedy) {
      j++;
      continue;
    }
    if (isOp(toks[j], ')')) return { nameIdx, params, greedy, bodyIdx: j + 1 };
    return toks[j] ? `garbage \`${toks[j].s}' in macro parameter list` : "`)' expected to terminate macro template";
  }
}

/** Body tokens with parameter names replaced by 'param' tokens, whitespace trimmed. */
export function makeBody(toks: Tok[], params: SParam[] | null): Tok[] {
  const body = trimToks(toks);
  if (!params || params.length === 0) return body;
  return body.map((t) => {
    if (t.k !== 'id') return t;
    const idx = params.findIndex((p) => p.name === t.s);
    return idx < 0 ? t : { k: 'param', s: t.s, p: idx };
  });
}

/** `%$name`, `%$$name`, `%{$name}`: context depth (0 = innermost) and name. */
export function parseLocalRef(s: string): { depth: number; name: string } | null {
  let inner: string;
  if (s.startsWith('%{')) {
    if (!s.endsWith('}')) return null;
    inner = s.slice(2, -1);
  } else inner = s.slice(1);
  if (inner[0] !== '$') return null;
  let d = 0;
  while (inner[d] === '$') d++;
  if (d >= inner.length) return null;
  return { depth: d - 1, name: inner.slice(d) };
}

export function isLocalRef(s: string): boolean {
  return s.startsWith('%$') || s.startsWith('%{$');
}

export interface ExpandEnv {
  table: SMacroTable;
  /** Candidates for a context-local name (`%$x`), or undefined. */
  lookupLocal(s: string): SMacro[] | undefined;
  warn(message: string): void;
  error(message: string): void;
  /** Evaluates text; undefined after reporting an error. */
  evaluate(text: string): bigint | undefined;
  /** Where the line being expanded comes from, and the current __?SECT?__. */
  file(): string;
  line(): number;
  sect(): string;
}
