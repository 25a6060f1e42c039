// Conditional assembly: %if and its variants (%ifdef, %ifidn, %ifmacro, ...), %elif*, %else, %endif,
// with nasm's state machine (a false or failed %if skips every branch; %elif after %else warns).
import { CondState, type DirectiveHandler, type Engine } from './engine.js';
import { bytesToString, detok, isOp, isWs, skipWs, stringBytes, trimToks, type Tok } from './lex.js';
import { parseParamSpec, rangesOverlap } from './mmacro.js';
import { isLocalRef, parseLocalRef } from './smacro.js';

type H = DirectiveHandler;

/** Offsets of a token in the current line (for diagnostics' columns). */
export function at(t: Tok | undefined): [number | undefined, number | undefined] {
  return t?.o === undefined ? [undefined, undefined] : [t.o, t.o + t.s.length];
}

export function err(e: Engine, msg: string, t?: Tok): void {
  e.report('error', msg, ...at(t));
}

export function rest(toks: Tok[], di: number): Tok[] {
  return toks.slice(di + 1);
}

export const COND_KINDS = ['', 'def', 'idn', 'idni', 'num', 'str', 'id', 'macro', 'ctx', 'empty', 'token', 'env'];

function condBase(e: Engine): number {
  return e.nearestFile()?.condBase ?? 0;
}

function evalCond(e: Engine, kind: string, name: string, toks: Tok[], di: number): boolean | null {
  const args = rest(toks, di);
  switch (kind) {
    case '': {
      const text = detok(e.expandLine(args)).trim();
      const v = e.evaluate(text);
      return v === undefined ? null : v !== 0n;
    }
    case 'def': {
      let found = false;
      for (const t of args) {
        if (isWs(t)) continue;
        if (t.k === 'id') found ||= e.smacros.has(t.s);
        else if (t.k === 'pp' && isLocalRef(t.s)) {
          const r = parseLocalRef(t.s);
          const ctx = r && e.contexts[e.contexts.length - 1 - r.depth];
          found ||= !!(ctx && r && ctx.table.has(r.name));
        } else {
          err(e, `\`%${name}' expects macro identifiers`, toks[di]);
          return null;
        }
      }
      return found;
    }
    case 'idn':
    case 'idni':
      return identical(e, e.expandLine(args), kind === 'idni', name, toks[di]);
    case 'num':
    case 'str':
    case 'id': {
      const x = e.expandLine(args);
      let i = skipWs(x, 0);
      if (kind === 'num') while (i < x.length && (isWs(x[i]) || isOp(x[i], '-') || isOp(x[i], '+'))) i++;
      return x[i]?.k === kind;
    }
    case 'macro': {
      const i = skipWs(args, 0);
      const t = args[i];
      if (!t || t.k !== 'id') {
        err(e, `\`%${name}' expects a macro name`, toks[di]);
        return null;
      }
      const list = e.mmacros.lookup(t.s);
      if (!list) return false;
      const spec = parseParamSpec(args, i + 1);
      if (!spec) return true;
      return list.some((m) => rangesOverlap(m, spec));
    }
    case 'ctx': {
      const top = e.contexts[e.contexts.length - 1];
      if (!top) return false;
      return args.some((t) => t.k === 'id' && t.s === top.name);
    }
    case 'empty': {
      const x = e.expandLine(args);
      return skipWs(x, 0) >= x.length;
    }
    case 'token': {
      const x = trimToks(e.expandLine(args));
      return x.length === 1;
    }
    default:
      return false; // %ifenv: the environment is not consulted
  }
}

/** %ifidn: token-by-token comparison, whitespace-insensitive inside, strings by content. */
function identical(e: Engine, x: Tok[], ci: boolean, name: string, dt: Tok): boolean | null {
  const comma = x.findIndex((t) => isOp(t, ','));
  if (comma < 0) {
    err(e, `\`%${name}' expects two comma-separated arguments`, dt);
    return null;
  }
  let a = skipWs(x, 0);
  let b = skipWs(x, comma + 1);
  if (b >= x.length) return false;
  while (a < comma && b < x.length) {
    if (isWs(x[a])) {
      a++;
      continue;
    }
    if (isWs(x[b])) {
      b++;
      continue;
    }
    const p = x[a];
    const q = x[b];
    if (p.k !== q.k) return false;
    if (p.k === 'str') {
      const pb = stringBytes(p.s);
      const qb = stringBytes(q.s);
      let ps = bytesToString(pb);
      let qs = bytesToString(qb);
      if (ci) {
        ps = ps.toLowerCase();
        qs = qs.toLowerCase();
      }
      if (ps !== qs) return false;
    } else if (ci ? p.s.toLowerCase() !== q.s.toLowerCase() : p.s !== q.s) return false;
    a++;
    b++;
  }
  return a === comma && b >= x.length;
}

export function makeIf(kind: string, neg: boolean, elif: boolean): H {
  return (e, name, toks, di) => {
    const where = e.here(...at(toks[di]));
    if (!elif) {
      if (!e.emitting()) {
        e.conds.push({ state: CondState.Never, where });
        return;
      }
      const v = evalCond(e, kind, name, toks, di);
      e.conds.push({ state: v === null ? CondState.Never : v !== neg ? CondState.IfTrue : CondState.IfFalse, where });
      return;
    }
    if (e.conds.length <= condBase(e)) return err(e, `\`%${name}': no matching \`%if'`, toks[di]);
    const c = e.conds[e.conds.length - 1];
    switch (c.state) {
      case CondState.IfTrue:
      case CondState.Done:
        c.state = CondState.Done;
        break;
      case CondState.IfFalse: {
        const v = evalCond(e, kind, name, toks, di);
        c.state = v === null ? CondState.Never : v !== neg ? CondState.IfTrue : CondState.IfFalse;
        break;
      }
      case CondState.ElseTrue:
      case CondState.ElseFalse:
        e.report('warning', `\`%${name}' after \`%else', ignoring content`, ...at(toks[di]));
        c.state = CondState.Never;
        break;
      default:
        break;
    }
  };
}

function garbage(e: Engine, name: string, toks: Tok[], di: number): void {
  const i = skipWs(toks, di + 1);
  if (i < toks.length) e.report('warning', `trailing garbage after \`%${name}' ignored`, ...at(toks[i]));
}

export const elseH: H = (e, name, toks, di) => {
  if (e.conds.length <= condBase(e)) return err(e, "`%else': no matching `%if'", toks[di]);
  garbage(e, name, toks, di);
  const c = e.conds[e.conds.length - 1];
  switch (c.state) {
    case CondState.IfTrue:
    case CondState.Done:
      c.state = CondState.ElseFalse;
      break;
    case CondState.IfFalse:
      c.state = CondState.ElseTrue;
      break;
    case CondState.ElseTrue:
    case CondState.ElseFalse:
      e.report('warning', "`%else' after `%else', ignoring content", ...at(toks[di]));
      c.state = CondState.Never;
      break;
    default:
      break;
  }
};

export const endif: H = (e, name, toks, di) => {
  if (e.conds.length <= condBase(e)) return err(e, "`%endif': no matching `%if'", toks[di]);
  garbage(e, name, toks, di);
  e.conds.pop();
};

