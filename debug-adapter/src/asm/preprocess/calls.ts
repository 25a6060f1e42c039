// Multi-line macro calls: recognising a call (first word, or the word after a label), choosing the
// definition by parameter count with nasm's legacy rules, and starting the expansion.
import { MAX_RMACRO_DEPTH, type Engine, type MacroFrame } from './engine.js';
import { detok, skipWs, trimToks, type Tok } from './lex.js';
import { bindParams, splitCallParams, type MMacro, type SrcLine } from './mmacro.js';

export function tryCall(e: Engine, toks: Tok[], l: SrcLine): boolean {
  const i = skipWs(toks, 0);
  if (i >= toks.length || toks[i].k !== 'id') return false;
  if (callAt(e, toks, i, l, undefined)) return true;
  let j = skipWs(toks, i + 1);
  if (toks[j]?.k === 'op' && toks[j].s === ':') j = skipWs(toks, j + 1);
  if (j < toks.length && toks[j].k === 'id') {
    // The label goes out on its own line; nasm adds the colon when it was left out.
    let label = detok(toks, 0, j);
    if (!toks.slice(0, j).some((t) => t.k === 'op' && t.s === ':')) label += ':';
    return callAt(e, toks, j, l, label.trimEnd());
  }
  return false;
}

function callAt(e: Engine, toks: Tok[], i: number, l: SrcLine, label: string | undefined): boolean {
  const nameTok = toks[i];
  const name = nameTok.s;
  const list = e.mmacros.lookup(name);
  if (!list) return false;
  // Columns of the macro name, when the line is still the source text.
  const ns = e.lineUnchanged ? nameTok.o : undefined;
  const ne = ns === undefined ? undefined : ns + name.length;
  const params = splitCallParams(toks, i + 1, (m) => e.report('error', m));
  const n = params.length;
  const fits = (m: MMacro, k: number) => m.min <= k && (k <= m.max || m.plus);
  const usable = (m: MMacro) => m.busy === 0 || (m.recursive && m.busy < MAX_RMACRO_DEPTH);
  let m = list.find((c) => fits(c, n) && usable(c));
  if (!m && list.some((c) => fits(c, n) && c.recursive)) {
    e.report('error', 'interminable multiline macro recursion', ns, ne);
    return false;
  }
  const lastEmpty = n > 0 && params[n - 1].toks.length === 0 && !params[n - 1].braced;
  if (m) {
    if (lastEmpty) {
      e.report('warning', `dropping trailing empty parameter in call to multi-line macro \`${name}'`, ns, ne);
      params.pop();
    }
  } else if (list.some((c) => fits(c, n))) {
    return false; // only a macro already being expanded matches: not a call (nasm does not recurse)
  } else if (lastEmpty && (m = list.find((c) => fits(c, n - 1) && usable(c)))) {
    e.report('warning', `improperly calling multi-line macro \`${name}' with ${n} parameters`, ns, ne);
    params.pop();
  } else {
    e.report('warning', `multi-line macro \`${name}' exists, but not taking ${n} parameter${n === 1 ? '' : 's'}`, ns, ne);
    return false;
  }
  let end = toks.length;
  if (params.length < n) {
    // A dropped trailing empty parameter: a greedy parameter stops before its comma -- except,
    // as in nasm, when that comma follows another comma or a closing brace.
    let c = end;
    while (c > 0 && !(toks[c - 1].k === 'op' && toks[c - 1].s === ',')) c--;
    let p = c - 2;
    while (p >= 0 && toks[p].k === 'ws') p--;
    const prev = toks[p];
    if (c > 0 && !(prev?.k === 'op' && (prev.s === ',' || prev.s === '}'))) end = c - 1;
  }
  const args = bindParams(m, params, toks, end);
  const f = e.curFrame;
  if (label !== undefined && !m.capturesLabel) e.emit(label, false);
  if (m.builtin) {
    const verbatim = label === undefined && e.lineUnchanged ? e.curText : null;
    m.builtin(e, args, detok(trimToks(toks.slice(i))), verbatim);
    return true;
  }
  const unique = e.unique++;
  const frame: MacroFrame = {
    kind: 'macro',
    body: m.body,
    pos: 0,
    mac: m,
    inv: { invokedAs: name, declaredAs: m.name, args, rotate: 0, unique, label: label?.replace(/\s*:$/, '') ?? '' },
    stack: [...f.stack, m.name],
    invocation: f.invocation ?? { file: l.file, line: l.line },
    invLoc: f.invLoc ?? e.range(ns, ne),
    macro: null,
    condBase: e.conds.length,
  };
  frame.macro = frame;
  m.busy++;
  e.pushFrame(frame);
  if (e.aborted) m.busy--;
  return true;
}
