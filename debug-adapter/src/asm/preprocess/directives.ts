// The % directives other than conditionals: definitions, %macro/%rep bookkeeping, %include, contexts, messages.
import { MAX_REP, type Context, type DirectiveHandler, type Engine, type Frame } from './engine.js';
import {
  bytesToString,
  detok,
  isOp,
  isWs,
  lexLine,
  normalizedText,
  quoteBytes,
  skipWs,
  stringBytes,
  stringToBytes,
  trimToks,
  type Tok,
} from './lex.js';
import { at, COND_KINDS, elseH, endif, err, makeIf, rest } from './conditionals.js';
import { bodyCapturesLabel, parseParamSpec, splitCallParams, type MMacro } from './mmacro.js';
import { expandSmacros } from './sexpand.js';
import { isLocalRef, makeBody, parseDefineHead, SMacroTable, type SMacro, type SParam } from './smacro.js';

type H = DirectiveHandler;


// ---- single-line macros ----

/** Stores a single-line macro under a plain or context-local (%$) name. */
export function defineSmacro(
  e: Engine,
  nameTok: Tok,
  ci: boolean,
  params: SParam[] | null,
  greedy: boolean,
  body: Tok[],
  record = true,
): void {
  let table = e.smacros;
  let name = nameTok.s;
  if (nameTok.k === 'pp') {
    const r = e.contextFor(nameTok.s, ...at(nameTok));
    if (!r) return;
    table = r.ctx.table;
    name = r.name;
  }
  const m: SMacro = { name, ci, params, greedy, body, busy: 0, builtin: false };
  const r = table.define(m);
  if (r.conflict) err(e, `macro \`${name}' defined both with and without parameters`, nameTok);
  if (r.greedyShadow) e.report('warning', `defining macro \`${name}' shadows previous greedy definition`, ...at(nameTok));
  if (r.shadows && !r.shadows.builtin) {
    const [a, b] = ci ? ['insensitive', 'sensitive'] : ['sensitive', 'insensitive'];
    e.report('warning', `case ${a} definition of macro \`${name}' will shadow ${b} macro \`${r.shadows.name}'`, ...at(nameTok));
  }
  if (record) {
    const where = e.here();
    e.recordMacro({
      name: nameTok.s,
      kind: 'single',
      params: params ? `(${params.map((p) => p.name + (greedy && p === params[params.length - 1] ? '+' : '')).join(', ')})` : '',
      file: where.file,
      line: where.line,
    });
  }
}

const define: H = (e, name, toks, di) => {
  const ci = name.startsWith('i');
  const head = parseDefineHead(toks, di + 1, '%' + name);
  if (typeof head === 'string') return err(e, head, toks[di]);
  let body = makeBody(toks.slice(head.bodyIdx), head.params);
  if (name.endsWith('xdefine')) body = trimToks(expandSmacros(body, e.env));
  defineSmacro(e, toks[head.nameIdx], ci, head.params, head.greedy, body);
};

const undef: H = (e, name, toks, di) => {
  const i = skipWs(toks, di + 1);
  const t = toks[i];
  if (!t || !(t.k === 'id' || (t.k === 'pp' && isLocalRef(t.s)))) return err(e, `\`%${name}' expects a macro identifier`, toks[di]);
  if (t.k === 'pp') {
    const r = e.contextFor(t.s, ...at(t));
    r?.ctx.table.undef(r.name);
  } else e.smacros.undef(t.s);
};

/** Parses `name` + rest for %assign/%defstr/...; returns the name token and the expanded rest. */
function nameAndValue(e: Engine, name: string, toks: Tok[], di: number): { nameTok: Tok; value: Tok[] } | null {
  const head = parseDefineHead(toks, di + 1, '%' + name);
  if (typeof head === 'string' || head.params) {
    err(e, typeof head === 'string' ? head : `\`%${name}' does not take macro parameters`, toks[di]);
    return null;
  }
  return { nameTok: toks[head.nameIdx], value: trimToks(e.expandLine(toks.slice(head.bodyIdx))) };
}

const assign: H = (e, name, toks, di) => {
  const nv = nameAndValue(e, name, toks, di);
  if (!nv) return;
  const v = e.evaluate(detok(nv.value).trim());
  if (v === undefined) return;
  defineSmacro(e, nv.nameTok, name.startsWith('i'), null, false, lexLine(BigInt.asIntN(64, v).toString()).toks);
};

const defstr: H = (e, name, toks, di) => {
  const nv = nameAndValue(e, name, toks, di);
  if (!nv) return;
  const s = quoteBytes(stringToBytes(normalizedText(nv.value)));
  defineSmacro(e, nv.nameTok, name.startsWith('i'), null, false, [{ k: 'str', s }]);
};

/** Splits tokens at top-level commas. */
function splitCommas(toks: Tok[]): Tok[][] {
  const out: Tok[][] = [];
  let cur: Tok[] = [];
  let depth = 0;
  for (const t of toks) {
    if (t.k === 'op') {
      if (t.s === '(' || t.s === '{' || t.s === '[') depth++;
      else if (t.s === ')' || t.s === '}' || t.s === ']') depth--;
      else if (t.s === ',' && depth === 0) {
        out.push(trimToks(cur));
        cur = [];
        continue;
      }
    }
    cur.push(t);
  }
  out.push(trimToks(cur));
  return out;
}

const strlen: H = (e, name, toks, di) => {
  const nv = nameAndValue(e, name, toks, di);
  if (!nv) return;
  const s = nv.value[0];
  if (!s || s.k !== 'str') return err(e, `\`%${name}' requires string as second parameter`, toks[di]);
  defineSmacro(e, nv.nameTok, false, null, false, [{ k: 'num', s: String(stringBytes(s.s).length) }]);
};

const substr: H = (e, name, toks, di) => {
  const nv = nameAndValue(e, name, toks, di);
  if (!nv) return;
  const s = nv.value[0];
  if (!s || s.k !== 'str') return err(e, `\`%${name}' requires string as second parameter`, toks[di]);
  const bytes = stringBytes(s.s);
  const nums = splitCommas(nv.value.slice(1));
  if (nums.length === 0 || nums[0].length === 0) return err(e, `\`%${name}' requires a starting index`, toks[di]);
  const start = e.evaluate(detok(nums[0]).trim());
  if (start === undefined) return;
  let len = 1n;
  if (nums.length > 1) {
    const l = e.evaluate(detok(nums[1]).trim());
    if (l === undefined) return;
    len = l;
  }
  const st = Number(start);
  let ln = Number(len);
  if (ln < 0) ln = bytes.length - st + 1 + ln + 1;
  const from = Math.max(st - 1, 0);
  const sub = st < 1 || ln <= 0 ? [] : bytes.slice(from, Math.min(from + ln, bytes.length));
  defineSmacro(e, nv.nameTok, name.startsWith('i'), null, false, [{ k: 'str', s: quoteBytes(sub) }]);
};

const strcat: H = (e, name, toks, di) => {
  const nv = nameAndValue(e, name, toks, di);
  if (!nv) return;
  const bytes: number[] = [];
  for (const t of nv.value) {
    if (t.k === 'str') bytes.push(...stringBytes(t.s));
    else if (!isWs(t) && !isOp(t, ',')) return err(e, `non-string passed to \`%${name}': ${t.s}`, toks[di]);
  }
  defineSmacro(e, nv.nameTok, name.startsWith('i'), null, false, [{ k: 'str', s: quoteBytes(bytes) }]);
};

// ---- multi-line macros ----

const macro: H = (e, name, toks, di) => {
  const ni = skipWs(toks, di + 1);
  const nt = toks[ni];
  if (!nt || nt.k !== 'id') return err(e, `\`%${name}' expects a macro name`, toks[di]);
  let spec = parseParamSpec(toks, ni + 1);
  let discard = false;
  if (!spec || spec.max < spec.min) {
    // nasm still reads the body up to %endmacro, then drops it.
    err(e, spec ? 'minimum parameter count exceeds maximum' : `\`%${name}' expects a parameter count`, toks[di]);
    spec = { min: 0, max: 0, plus: false, nolist: false, spec: '0', next: toks.length };
    discard = true;
  }
  const defaults = splitCallParams(toks, spec.next, (m) => err(e, m)).map((p) => detok(p.toks));
  const where = e.here(nt.o, nt.o === undefined ? undefined : nt.o + nt.s.length);
  const mac: MMacro = {
    name: nt.s,
    ci: name === 'imacro' || name === 'irmacro',
    min: spec.min,
    max: spec.max,
    plus: spec.plus,
    nolist: spec.nolist,
    recursive: name === 'rmacro' || name === 'irmacro',
    defaults,
    body: [],
    file: where.file,
    line: where.line,
    spec: spec.spec,
    busy: 0,
    capturesLabel: false,
  };
  e.defining = {
    kind: 'macro',
    mac,
    repCount: 0,
    body: mac.body,
    nestMac: 0,
    nestRep: 0,
    where,
    fileFrame: e.nearestFile(),
    frame: e.curFrame,
    discard,
  };
};

const endmacro: H = (e, name, toks, di) => {
  const d = e.defining;
  if (!d || d.kind !== 'macro') return err(e, `\`%${name}': not defining a macro`, toks[di]);
  e.defining = null;
  if (d.discard) return;
  const mac = d.mac!;
  mac.capturesLabel = bodyCapturesLabel(mac.body);
  if (e.mmacros.add(mac)) e.diag('warning', `redefining multi-line macro \`${mac.name}'`, d.where);
  e.recordMacro({ name: mac.name, kind: 'multi', params: mac.spec, file: mac.file, line: mac.line });
};

const unmacro: H = (e, name, toks, di) => {
  const ni = skipWs(toks, di + 1);
  const nt = toks[ni];
  if (!nt || nt.k !== 'id') return err(e, `\`%${name}' expects a macro name`, toks[di]);
  const spec = parseParamSpec(toks, ni + 1);
  if (!spec) return err(e, `\`%${name}' expects a parameter count`, toks[di]);
  e.mmacros.remove(nt.s, spec.min, spec.max, spec.plus);
};

/** Pops frames down to and including the nearest one of `kind`, closing conditionals opened inside. */
function exitTo(e: Engine, kind: 'macro' | 'rep', name: string, t: Tok | undefined): void {
  let i = e.frames.length - 1;
  while (i >= 0 && e.frames[i].kind === 'gen') i--;
  if (kind === 'rep') {
    // %exitrep leaves the innermost %rep of the current expansion.
    if (i < 0 || e.frames[i].kind !== 'rep') return err(e, `\`%${name}' not within \`%rep' block`, t);
  } else {
    while (i >= 0 && (e.frames[i].kind === 'rep' || e.frames[i].kind === 'gen')) i--;
    if (i < 0 || e.frames[i].kind !== 'macro') return err(e, `\`%${name}' not within \`%macro' block`, t);
  }
  const target: Frame = e.frames[i];
  while (e.frames.length > i) e.endFrame(e.frames[e.frames.length - 1]);
  if (e.conds.length > target.condBase) e.conds.length = target.condBase;
}

const rotate: H = (e, _name, toks, di) => {
  const mf = e.curFrame.macro;
  if (!mf) return err(e, "`%rotate' invoked outside a macro call", toks[di]);
  const text = detok(e.expandLine(rest(toks, di))).trim();
  if (!text) return err(e, "`%rotate' missing rotate count", toks[di]);
  const v = e.evaluate(text);
  if (v === undefined) return;
  const cnt = mf.inv.args.length;
  if (cnt === 0) return err(e, "`%rotate' invoked within macro without parameters", toks[di]);
  const n = Number(BigInt.asIntN(64, v) % BigInt(cnt));
  mf.inv.rotate = (((mf.inv.rotate + n) % cnt) + cnt) % cnt;
};

// ---- %rep ----

const rep: H = (e, _name, toks, di) => {
  const text = detok(e.expandLine(rest(toks, di))).trim();
  let count = 0;
  if (!text) err(e, "`%rep' expects a repeat count", toks[di]);
  else {
    const v = e.evaluate(text);
    if (v !== undefined) {
      const n = BigInt.asIntN(64, v);
      if (n < 0n) e.report('warning', `negative \`%rep' count: ${n}`, ...at(toks[di]));
      else if (n > BigInt(MAX_REP)) err(e, `\`%rep' count ${n} exceeds limit (currently ${MAX_REP})`, toks[di]);
      else count = Number(n);
    }
  }
  e.defining = {
    kind: 'rep',
    repCount: count,
    body: [],
    nestMac: 0,
    nestRep: 0,
    where: e.here(...at(toks[di])),
    fileFrame: e.nearestFile(),
    frame: e.curFrame,
  };
};

const endrep: H = (e, _name, toks, di) => {
  const d = e.defining;
  if (!d || d.kind !== 'rep') return err(e, "`%endrep': no matching `%rep'", toks[di]);
  e.defining = null;
  if (d.repCount <= 0 || d.body.length === 0) return;
  const f = d.frame;
  e.pushFrame({
    kind: 'rep',
    body: d.body,
    pos: 0,
    remaining: d.repCount,
    stack: f.stack,
    invocation: f.invocation,
    invLoc: f.invLoc,
    macro: f.macro,
    condBase: e.conds.length,
  });
};

// ---- files, messages, contexts ----

const include: H = (e, name, toks, di) => {
  const x = trimToks(e.expandLine(rest(toks, di)));
  const first = toks[skipWs(toks, di + 1)];
  const span = at(first);
  let file: string;
  if (x.length === 1 && x[0].k === 'str') file = bytesToString(stringBytes(x[0].s));
  else if (x.length >= 2 && isOp(x[0], '<') && isOp(x[x.length - 1], '>')) file = detok(x, 1, x.length - 1).trim();
  else file = detok(x).trim();
  if (!file) return err(e, `\`%${name}' expects a file name`, toks[di]);
  const lastTok = toks[toks.length - 1];
  e.include(file, span[0], lastTok?.o === undefined ? undefined : lastTok.o + lastTok.s.length);
};

const message: H = (e, name, toks, di) => {
  const x = trimToks(e.expandLine(rest(toks, di)));
  const text = x.length === 1 && x[0].k === 'str' ? bytesToString(stringBytes(x[0].s)) : normalizedText(x);
  if (name === 'warning') e.report('warning', text, ...at(toks[di]));
  else if (name === 'error') e.report('error', text, ...at(toks[di]));
  else {
    e.report('error', text, ...at(toks[di]));
    e.aborted = true;
  }
};

function ctxName(toks: Tok[], di: number): string {
  const t = toks[skipWs(toks, di + 1)];
  return t && t.k === 'id' ? t.s : '';
}

export function pushContext(e: Engine, name: string): Context {
  const ctx: Context = { name, number: e.unique++, table: new SMacroTable() };
  e.contexts.push(ctx);
  return ctx;
}

const push: H = (e, _name, toks, di) => {
  pushContext(e, ctxName(toks, di));
};

const pop: H = (e, name, toks, di) => {
  const top = e.contexts[e.contexts.length - 1];
  if (!top) return err(e, `\`%${name}': context stack is empty`, toks[di]);
  const want = ctxName(toks, di);
  if (name === 'repl') {
    top.name = want;
    return;
  }
  if (want && want !== top.name) return err(e, `\`%${name}' in wrong context: ${top.name}, expected ${want}`, toks[di]);
  e.contexts.pop();
};

const ignore: H = () => {};

const unsupported: H = (e, name, toks, di) => err(e, `\`%${name}' is not supported by this assembler`, toks[di]);

export function buildDirectives(): Map<string, H> {
  const d = new Map<string, H>();
  for (const n of ['define', 'idefine', 'xdefine', 'ixdefine']) d.set(n, define);
  d.set('undef', undef);
  d.set('assign', assign);
  d.set('iassign', assign);
  d.set('defstr', defstr);
  d.set('idefstr', defstr);
  d.set('strlen', strlen);
  d.set('substr', substr);
  d.set('strcat', strcat);
  for (const n of ['macro', 'imacro', 'rmacro', 'irmacro']) d.set(n, macro);
  d.set('endmacro', endmacro);
  d.set('endm', endmacro);
  d.set('unmacro', unmacro);
  d.set('unimacro', unmacro);
  d.set('exitmacro', (e, n, t, i) => exitTo(e, 'macro', n, t[i]));
  d.set('rep', rep);
  d.set('endrep', endrep);
  d.set('exitrep', (e, n, t, i) => exitTo(e, 'rep', n, t[i]));
  d.set('rotate', rotate);
  for (const k of COND_KINDS) {
    d.set(`if${k}`, makeIf(k, false, false));
    d.set(`ifn${k}`, makeIf(k, true, false));
    d.set(`elif${k}`, makeIf(k, false, true));
    d.set(`elifn${k}`, makeIf(k, true, true));
  }
  d.set('else', elseH);
  d.set('endif', endif);
  d.set('include', include);
  d.set('error', message);
  d.set('warning', message);
  d.set('fatal', message);
  d.set('push', push);
  d.set('pop', pop);
  d.set('repl', pop);
  d.set('line', ignore);
  d.set('pragma', ignore);
  for (const n of ['arg', 'local', 'stacksize', 'use', 'clear', 'deftok', 'ideftok', 'defalias', 'idefalias', 'undefalias', 'pathsearch', 'ipathsearch', 'aliases', 'depend']) {
    d.set(n, unsupported);
  }
  return d;
}
