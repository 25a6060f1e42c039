// Multi-line macros (%macro): definitions, splitting a call's parameters the way nasm does, and
// substituting %1, %0, %{n}, %{a:b}, %-1/%+1 (condition codes), %00 and %%local into body lines.
import type { Engine } from './engine.js';
import { detok, isOp, lexLine, PrefixSet, skipWs, trimToks, type Tok } from './lex.js';

/** One source line held in a macro or %rep body (or read from a file). */
export interface SrcLine {
  text: string;
  file: string;
  line: number;
  /** True when text is exactly one physical source line (no `\` continuation joined). */
  physical: boolean;
  /** Parsed body segments, cached on first expansion (null: no % in the line). */
  segs?: Seg[] | null;
  /** A file frame's reusable line object. */
  scratch?: boolean;
}

export type Seg =
  | string
  | { t: 'param'; n: number; cc: 0 | 1 | -1 }
  | { t: 'range'; a: number; b: number }
  | { t: 'count' }
  | { t: 'label' }
  | { t: 'name'; declared: boolean }
  | { t: 'local'; name: string };

export interface Invocation {
  /** The macro's name as invoked (%?) and as declared (%??). */
  invokedAs: string;
  declaredAs: string;
  args: string[];
  rotate: number;
  unique: number;
  label: string;
}

/**
 * Native handler of a standard macro (section, struc, ...): the bound parameters, the call's text
 * from the macro name on, and the whole line when it is unchanged and has no label (else null).
 */
export type BuiltinHandler = (e: Engine, args: string[], callText: string, verbatim: string | null) => void;

export interface MMacro {
  name: string;
  ci: boolean;
  min: number;
  max: number;
  plus: boolean;
  nolist: boolean;
  recursive: boolean;
  defaults: string[];
  body: SrcLine[];
  file: string;
  line: number;
  spec: string;
  busy: number;
  capturesLabel: boolean;
  builtin?: BuiltinHandler;
}

export class MMacroTable {
  readonly map = new Map<string, MMacro[]>();
  readonly prefixes = new PrefixSet();

  lookup(name: string): MMacro[] | undefined {
    const list = this.map.get(name.toLowerCase());
    if (!list) return undefined;
    let out: MMacro[] | undefined;
    for (const m of list) if (m.ci || m.name === name) (out ??= []).push(m);
    return out;
  }

  /** Adds a macro (newest first). Returns true when it overlaps an existing definition. */
  add(m: MMacro): boolean {
    const key = m.name.toLowerCase();
    const list = this.map.get(key) ?? [];
    const overlaps = list.some((o) => (o.ci || m.ci || o.name === m.name) && rangesOverlap(o, m));
    list.unshift(m);
    this.prefixes.add(key, 1);
    this.map.set(key, list);
    return overlaps;
  }

  remove(name: string, min: number, max: number, plus: boolean): boolean {
    const key = name.toLowerCase();
    const list = this.map.get(key);
    if (!list) return false;
    const i = list.findIndex((m) => (m.ci || m.name === name) && m.min === min && m.max === max && m.plus === plus);
    if (i < 0) return false;
    list.splice(i, 1);
    this.prefixes.add(key, -1);
    if (!list.length) this.map.delete(key);
    return true;
  }

  clone(): MMacroTable {
    const t = new MMacroTable();
    for (const [k, v] of this.map) t.map.set(k, v.slice());
    t.prefixes.counts.set(this.prefixes.counts);
    return t;
  }
}

function upper(m: { max: number; plus: boolean }): number {
  return m.plus ? Infinity : m.max;
}

export function rangesOverlap(a: MMacro, b: { min: number; max: number; plus: boolean }): boolean {
  return a.min <= upper(b) && b.min <= upper(a);
}

export interface ParamSpec {
  min: number;
  max: number;
  plus: boolean;
  nolist: boolean;
  spec: string;
  /** Index of the token after the spec. */
  next: number;
}

/** Parses `N`, `N-M`, `N-*`, `N+`, with `.nolist`, starting at toks[i]. */
export function parseParamSpec(toks: Tok[], i: number): ParamSpec | null {
  let j = skipWs(toks, i);
  const a = toks[j];
  if (!a || a.k !== 'num') return null;
  const start = j;
  const min = Number(a.s);
  if (!Number.isInteger(min)) return null;
  let max = min;
  let plus = false;
  let nolist = false;
  j++;
  if (isOp(toks[j], '-')) {
    const b = toks[j + 1];
    if (isOp(b, '*')) max = Infinity;
    else if (b?.k === 'num' && Number.isInteger(Number(b.s))) max = Number(b.s);
    else return null;
    j += 2;
  }
  if (isOp(toks[j], '+')) {
    plus = true;
    j++;
  }
  const specText = detok(toks, start, j);
  let k = skipWs(toks, j);
  if (toks[k]?.k === 'id' && toks[k].s.toLowerCase() === '.nolist') {
    nolist = true;
    j = k + 1;
  }
  k = j;
  return { min, max, plus, nolist, spec: specText, next: k };
}

export interface CallParam {
  toks: Tok[];
  braced: boolean;
  /** Token index where the parameter starts (for a greedy last parameter). */
  start: number;
}

/** Splits a call's parameters (tokens from index i) as nasm's count_mmac_params does. */
export function splitCallParams(toks: Tok[], i: number, error: (msg: string) => void): CallParam[] {
  const params: CallParam[] = [];
  const n = toks.length;
  let t = skipWs(toks, i);
  if (t >= n) return params;
  for (;;) {
    const start = t;
    if (isOp(toks[t], '{')) {
      let depth = 1;
      let k = t + 1;
      for (; k < n; k++) {
        if (isOp(toks[k], '{')) depth++;
        else if (isOp(toks[k], '}') && --depth === 0) break;
      }
      if (k < n) {
        params.push({ toks: trimToks(toks.slice(t + 1, k)), braced: true, start });
        t = skipWs(toks, k + 1);
        if (t < n && !isOp(toks[t], ',')) error('braces do not enclose all of macro parameter');
      } else {
        error('expecting closing brace in macro parameter');
        params.push({ toks: trimToks(toks.slice(t + 1)), braced: true, start });
        t = n;
      }
      while (t < n && !isOp(toks[t], ',')) t++;
    } else {
      let k = t;
      while (k < n && !isOp(toks[k], ',')) k++;
      params.push({ toks: trimToks(toks.slice(t, k)), braced: false, start });
      t = k;
    }
    if (t >= n) break;
    t = skipWs(toks, t + 1);
    if (t >= n) {
      params.push({ toks: [], braced: false, start: n });
      break;
    }
  }
  return params;
}

/**
 * Parameter texts for an invocation of m with the given (already matched) call parameters; `end`
 * bounds a greedy last parameter (before a dropped trailing comma).
 */
export function bindParams(m: MMacro, params: CallParam[], toks: Tok[], end = toks.length): string[] {
  let n = params.length;
  const args: string[] = [];
  const greedy = m.plus && n > m.max;
  const direct = greedy ? m.max - 1 : n;
  for (let i = 0; i < direct; i++) args.push(detok(params[i].toks));
  if (greedy) {
    const p = params[m.max - 1];
    args.push(p.braced ? detok(p.toks) : detok(trimToks(toks.slice(p.start, end))));
    n = m.max;
  }
  // Defaults fill up to min + (number of defaults); without defaults %0 is the count given.
  const count = m.defaults.length ? Math.max(n, Math.min(m.min + m.defaults.length, m.max)) : n;
  for (let i = n; i < count; i++) args.push(m.defaults[i - m.min] ?? '');
  return args;
}

// ---- body substitution ----

const CONDITIONS = [
  'a', 'ae', 'b', 'be', 'c', 'cxz', 'e', 'ecxz', 'g', 'ge', 'l', 'le', 'na', 'nae', 'nb', 'nbe', 'nc',
  'ne', 'ng', 'nge', 'nl', 'nle', 'no', 'np', 'ns', 'nz', 'o', 'p', 'pe', 'po', 'rcxz', 's', 'z',
];
const INVERSE = [
  'na', 'nae', 'nb', 'nbe', 'nc', '', 'ne', '', 'ng', 'nge', 'nl', 'nle', 'a', 'ae', 'b', 'be', 'c',
  'e', 'g', 'ge', 'l', 'le', 'o', 'p', 's', 'z', 'no', 'np', 'po', 'pe', '', 'ns', 'nz',
];

const RE_PARAM = /^%([-+]?)(\d+)$/;
const RE_BRACE = /^%\{(-?)(\d+)(?::(-?\d+))?\}$/;

/** Splits a body line into literal text and parameter references. */
export function parseSegs(text: string): Seg[] | null {
  if (text.indexOf('%') < 0) return null;
  const { toks } = lexLine(text);
  const segs: Seg[] = [];
  let lit = '';
  const flush = () => {
    if (lit) segs.push(lit);
    lit = '';
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.k !== 'pp') {
      lit += t.s;
      continue;
    }
    const s = t.s;
    let m: RegExpExecArray | null;
    if (s === '%00') {
      flush();
      segs.push({ t: 'label' });
    } else if (s === '%?' || s === '%??') {
      flush();
      segs.push({ t: 'name', declared: s === '%??' });
    } else if ((m = RE_PARAM.exec(s))) {
      flush();
      const n = Number(m[2]);
      if (n === 0 && !m[1]) segs.push({ t: 'count' });
      else segs.push({ t: 'param', n, cc: m[1] === '-' ? -1 : m[1] === '+' ? 1 : 0 });
    } else if ((m = RE_BRACE.exec(s))) {
      flush();
      if (m[3] !== undefined) segs.push({ t: 'range', a: Number(m[1] + m[2]), b: Number(m[3]) });
      else if (Number(m[2]) === 0 && !m[1]) segs.push({ t: 'count' });
      else segs.push({ t: 'param', n: Number(m[2]), cc: m[1] ? -1 : 0 });
    } else if (s.startsWith('%%')) {
      flush();
      segs.push({ t: 'local', name: s.slice(2) });
    } else lit += s;
  }
  flush();
  return segs;
}

function paramText(inv: Invocation, n: number): string | undefined {
  const count = inv.args.length;
  if (n < 1 || n > count) return undefined;
  return inv.args[(n - 1 + inv.rotate) % count];
}

/** Substitutes an invocation's parameters into a body line. */
export function substituteSegs(segs: Seg[], inv: Invocation, error: (msg: string) => void): string {
  let s = '';
  for (const g of segs) {
    if (typeof g === 'string') s += g;
    else if (g.t === 'param') {
      const v = paramText(inv, g.n) ?? '';
      if (g.cc === 0) s += v;
      else {
        const idx = CONDITIONS.indexOf(v.trim().toLowerCase());
        if (idx < 0) {
          error(`macro parameter ${g.n} is not a condition code`);
          s += v;
        } else if (g.cc > 0) s += v.trim();
        else if (!INVERSE[idx]) {
          error(`condition code \`${v.trim()}' is not invertible`);
          s += v;
        } else s += INVERSE[idx];
      }
    } else if (g.t === 'range') {
      const count = inv.args.length;
      const norm = (x: number) => (x < 0 ? count + x + 1 : x);
      const a = norm(g.a);
      const b = norm(g.b);
      if (a < 1 || b < 1 || a > count || b > count) {
        error(`\`%{${g.a}:${g.b}}': macro parameters out of range`);
        continue;
      }
      const parts: string[] = [];
      const step = a <= b ? 1 : -1;
      for (let i = a; step > 0 ? i <= b : i >= b; i += step) parts.push(paramText(inv, i) ?? '');
      s += parts.join(',');
    } else if (g.t === 'count') s += String(inv.args.length);
    else if (g.t === 'label') s += inv.label;
    else if (g.t === 'name') s += g.declared ? inv.declaredAs : inv.invokedAs;
    else s += `..@${inv.unique}.${g.name}`;
  }
  return s;
}

/** True when a macro body uses %00 (the invocation's label is then not emitted on its own). */
export function bodyCapturesLabel(body: SrcLine[]): boolean {
  return body.some((l) => l.text.includes('%00') && (l.segs ??= parseSegs(l.text))?.some((g) => typeof g !== 'string' && g.t === 'label'));
}
