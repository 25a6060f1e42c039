// Single-line macros (%define and friends): storage, parsing of definitions, and expansion with
// nasm's rules (a macro is not re-expanded inside its own expansion; %+ and adjacency paste tokens,
// after which the line is scanned again).
import { detok, isOp, isWs, PrefixSet, quoteText, skipWs, trimToks, type Busy, type Tok } from './lex.js';

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
   * Adds a macro (newest first), replacing same-name macros of the same case mode and parameter
   * count. Reports a with/without-parameters conflict, and a case-sensitive definition shadowing a
   * case-insensitive one (or the reverse), which nasm keeps side by side.
   */
  define(m: SMacro): { conflict: boolean; shadows?: SMacro } {
    const key = m.name.toLowerCase();
    const list = this.map.get(key) ?? [];
    let conflict = false;
    let shadows: SMacro | undefined;
    const keep: SMacro[] = [];
    for (const old of list) {
      const sameName = old.ci || m.ci ? true : old.name === m.name;
      if (!sameName) {
        keep.push(old);
        continue;
      }
      if (old.ci !== m.ci) {
        shadows ??= old;
        keep.push(old);
        continue;
      }
      if ((old.params === null) !== (m.params === null)) conflict = true;
      else if (m.params !== null && old.params !== null && old.params.length !== m.params.length) {
        keep.push(old);
        continue;
      }
      this.countName(old, -1);
    }
    keep.unshift(m);
    this.map.set(key, keep);
    this.countName(m, 1);
    return shadows ? { conflict, shadows } : { conflict };
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
  if (isOp(toks[j], ')')) return { nameIdx, params, greedy, bodyIdx: j + 1 };
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

const MAX_EXPANSIONS = 100_000;
const MAX_ROUNDS = 1000;

/**
 * Expands single-line macros in a token list. Returns the input array itself when nothing changed.
 */
export function expandSmacros(input: Tok[], env: ExpandEnv): Tok[] {
  let toks = input;
  let count = 0;
  for (let round = 0; ; round++) {
    const out: Tok[] = [];
    const stack: Tok[] = [];
    for (let i = toks.length - 1; i >= 0; i--) stack.push(toks[i]);
    let expanded = false;
    while (stack.length) {
      const t = stack.pop()!;
      if (t.k === 'end') {
        t.ref!.busy--;
        continue;
      }
      let cands: SMacro[] | undefined;
      if (t.k === 'id') cands = env.table.lookup(t.s);
      else if (t.k === 'pp' && isLocalRef(t.s)) cands = env.lookupLocal(t.s);
      if (!cands) {
        out.push(t);
        continue;
      }
      const res = expandOne(t, cands, stack, env);
      if (!res) {
        out.push(t);
        continue;
      }
      if (++count > MAX_EXPANSIONS) {
        env.error('interminable macro recursion');
        for (const s of stack) if (s.k === 'end') s.ref!.busy--;
        return input;
      }
      expanded = true;
      res.m.busy++;
      stack.push({ k: 'end', s: '', ref: res.m });
      for (let j = res.toks.length - 1; j >= 0; j--) stack.push(res.toks[j]);
    }
    const pasted = paste(out);
    if (!pasted) return expanded || round > 0 ? out : input;
    toks = pasted;
    if (round >= MAX_ROUNDS) {
      env.error('interminable macro recursion');
      return toks;
    }
  }
}

function expandOne(t: Tok, cands: SMacro[], stack: Tok[], env: ExpandEnv): { m: SMacro; toks: Tok[] } | null {
  let objLike: SMacro | undefined;
  let hasFn = false;
  for (const m of cands) {
    if (m.params === null) objLike ??= m;
    else hasFn = true;
  }
  if (hasFn) {
    // Look past whitespace (and ends of expansions) for '('.
    let j = stack.length - 1;
    while (j >= 0 && (stack[j].k === 'ws' || stack[j].k === 'end')) j--;
    if (j >= 0 && isOp(stack[j], '(')) {
      const call = collectArgs(stack, j);
      if (!call) {
        if (!objLike) {
          env.error("macro call expects terminating `)'");
          return null;
        }
      } else {
        let n = call.args.length;
        if (n === 1 && call.args[0].length === 0 && cands.some((m) => m.params?.length === 0)) n = 0;
        const m = cands.find(
          (c) => c.params !== null && (c.params.length === n || (c.greedy && n >= c.params.length)),
        );
        if (m) {
          if (m.busy) return null;
          // Consume the call from the stack; ends of expansions inside it finish now.
          for (let k = stack.length - 1; k >= call.endIdx; k--) if (stack[k].k === 'end') stack[k].ref!.busy--;
          stack.length = call.endIdx;
          return { m, toks: substitute(m, call.args, call.commas, n, env) };
        }
        if (!objLike) {
          env.warn(`single-line macro \`${t.s}' exists, but not taking ${n} parameter${n === 1 ? '' : 's'}`);
          return null;
        }
      }
    }
  }
  if (objLike && !objLike.busy) return { m: objLike, toks: objLike.dyn ? objLike.dyn(env) : objLike.body };
  return null;
}

/** Arguments of a call whose '(' is at stack[j] (the stack holds tokens in reverse order). */
function collectArgs(stack: Tok[], j: number): { args: Tok[][]; commas: Tok[]; endIdx: number } | null {
  const args: Tok[][] = [];
  const commas: Tok[] = [];
  let cur: Tok[] = [];
  let paren = 0;
  let brace = 0;
  for (let k = j - 1; k >= 0; k--) {
    const t = stack[k];
    if (t.k === 'end') continue;
    if (t.k === 'op') {
      if (t.s === '(') paren++;
      else if (t.s === ')') {
        if (paren === 0 && brace === 0) {
          args.push(cur);
          return { args, commas, endIdx: k };
        }
        if (paren > 0) paren--;
      } else if (t.s === '{') brace++;
      else if (t.s === '}') {
        if (brace > 0) brace--;
      } else if (t.s === ',' && paren === 0 && brace === 0) {
        args.push(cur);
        commas.push(t);
        cur = [];
        continue;
      }
    }
    cur.push(t);
  }
  return null;
}

function stripBraces(arg: Tok[]): Tok[] {
  if (arg.length >= 2 && isOp(arg[0], '{') && isOp(arg[arg.length - 1], '}')) {
    let depth = 0;
    for (let i = 0; i < arg.length; i++) {
      if (isOp(arg[i], '{')) depth++;
      else if (isOp(arg[i], '}') && --depth === 0 && i !== arg.length - 1) return arg;
    }
    return trimToks(arg.slice(1, -1));
  }
  return arg;
}

function substitute(m: SMacro, rawArgs: Tok[][], commas: Tok[], n: number, env: ExpandEnv): Tok[] {
  const params = m.params!;
  let args = n === 0 ? [] : rawArgs;
  if (m.greedy && args.length > params.length) {
    const last = params.length - 1;
    const merged: Tok[] = [...args[last]];
    for (let i = last + 1; i < args.length; i++) merged.push(commas[i - 1], ...args[i]);
    args = [...args.slice(0, last), merged];
  }
  const vals: Tok[][] = params.map((p, i) => {
    let a = trimToks(args[i] ?? []);
    if (!(p.flags & SPARM_NOSTRIP)) a = stripBraces(a);
    if (p.flags & SPARM_EVAL) {
      const v = env.evaluate(detok(expandSmacros(a, env)).trim());
      return v === undefined ? a : [{ k: 'num', s: BigInt.asIntN(64, v).toString() }];
    }
    if (p.flags & SPARM_STR) return [{ k: 'str', s: quoteText(detok(a)) }];
    return a;
  });
  const out: Tok[] = [];
  for (const t of m.body) {
    if (t.k === 'param') out.push(...vals[t.p!]);
    else out.push(t);
  }
  return out;
}

function pasteable(a: Tok, b: Tok): boolean {
  const left = a.k === 'id' || (a.k === 'pp' && isLocalRef(a.s));
  return left && (b.k === 'id' || b.k === 'num' || (b.k === 'pp' && isLocalRef(b.s)));
}

function merge(a: Tok, b: Tok): Tok {
  return { k: a.k === 'ws' ? b.k : a.k, s: a.s + b.s };
}

/** Applies `%+` and pastes adjacent identifier/number tokens. Returns null when nothing changed. */
export function paste(toks: Tok[]): Tok[] | null {
  let changed = false;
  const res: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.k === 'pp' && t.s === '%+') {
      changed = true;
      while (res.length && isWs(res[res.length - 1])) res.pop();
      let j = i + 1;
      while (j < toks.length && isWs(toks[j])) j++;
      if (res.length && j < toks.length && !(toks[j].k === 'pp' && toks[j].s === '%+')) {
        res.push(merge(res.pop()!, toks[j]));
        i = j;
      } else i = j - 1;
      continue;
    }
    const prev = res[res.length - 1];
    if (prev && pasteable(prev, t)) {
      res[res.length - 1] = merge(prev, t);
      changed = true;
      continue;
    }
    res.push(t);
  }
  return changed ? res : null;
}
