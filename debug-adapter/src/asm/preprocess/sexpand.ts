// Single-line macro expansion, following nasm 2.16's algorithm (expand_smacro / expand_one_smacro)
// closely, because its order of work is visible in the output:
//  - the line is scanned left to right; a macro call is replaced by its expansion, and the scan
//    resumes after the call (the expansion is not rescanned at this level);
//  - an expansion is processed right to left, each identifier in it being expanded at once,
//    followed by the already-processed rest of the expansion *and the rest of the line* (so a
//    macro name produced by an expansion can take its arguments from the text after the call);
//  - a macro is not expanded while its own expansion is being processed;
//  - when such a call consumes the token that followed the outer call, nasm loses its place and
//    leaves the rest of the line unexpanded;
//  - after a pass, %+ and adjacent identifier/number tokens are pasted, and if anything was pasted
//    the whole line is expanded again. Messages from passes that are followed by another are dropped.
import { lexLine, quoteText, type Tok, type TokKind } from './lex.js';
import { isLocalRef, SPARM_EVAL, SPARM_NOSTRIP, SPARM_STR, type ExpandEnv, type SMacro } from './smacro.js';

interface Node {
  k: TokKind;
  s: string;
  o?: number;
  next: Node | null;
}

/** A link in the list: the current token is `link.next` (nasm's `Token **`). */
interface Box {
  link: Node;
}

interface State {
  env: ExpandEnv;
  total: number;
  levels: number;
  triggered: boolean;
  held: { error: boolean; message: string }[];
}

/**
 * nasm's preprocessor functions that are single-line macros with a special parameter:
 * `%str(text)` quotes its (unexpanded) argument.
 */
const PP_FUNCTIONS = new Map<string, SMacro[]>([
  ['%str', [{ name: '%str', ci: true, params: [{ name: 'text', flags: SPARM_STR }], greedy: true, body: [{ k: 'param', s: 'text', p: 0 }], busy: 0, builtin: true }]],
]);

const MAX_TOKENS = 200_000;
const MAX_LEVELS = 1000;
/** Expansion passes after pasting (nasm has no such limit, only its token count). */
const MAX_ROUNDS = 1000;

function toList(toks: readonly Tok[]): Node {
  const root: Node = { k: 'ws', s: '', next: null };
  let tail = root;
  for (const t of toks) {
    if (t.k === 'end') continue;
    const n: Node = { k: t.k, s: t.s, next: null };
    if (t.o !== undefined) n.o = t.o;
    tail.next = n;
    tail = n;
  }
  return root;
}

function toArray(n: Node | null): Tok[] {
  const out: Tok[] = [];
  for (; n; n = n.next) out.push(n.o === undefined ? { k: n.k, s: n.s } : { k: n.k, s: n.s, o: n.o });
  return out;
}

function isOpNode(n: Node | null, s: string): boolean {
  return n !== null && n.k === 'op' && n.s === s;
}

function skipWsNodes(n: Node | null): Node | null {
  while (n && n.k === 'ws') n = n.next;
  return n;
}

/** Expands single-line macros in a token list. Returns the input array itself when nothing changed. */
export function expandSmacros(input: Tok[], env: ExpandEnv): Tok[] {
  const st: State = { env, total: MAX_TOKENS, levels: MAX_LEVELS, triggered: false, held: [] };
  const root = toList(input);
  let changed = false;
  let expanded = true; // as nasm: always paste after the first pass
  for (let round = 0; ; round++) {
    st.held = [];
    const box: Box = { link: root };
    while (box.link.next) if (expandOne(box, st)) expanded = changed = true;
    if (!expanded || !pasteList(root)) break;
    changed = true;
    expanded = false;
    if (round >= MAX_ROUNDS) {
      st.held = [{ error: true, message: 'interminable macro recursion' }];
      break;
    }
  }
  for (const h of st.held) (h.error ? env.error : env.warn)(h.message);
  return changed ? toArray(root.next) : input;
}

function expandOne(box: Box, st: State): boolean {
  const mstart = box.link.next!;
  const notAMacro = () => {
    box.link = mstart;
    return false;
  };
  if (--st.total < 0 || st.levels <= 0) {
    if (!st.triggered) st.held.push({ error: true, message: 'interminable macro recursion' });
    st.triggered = true;
    return notAMacro();
  }
  let cands: SMacro[] | undefined;
  if (mstart.k === 'id') cands = st.env.table.lookup(mstart.s);
  else if (mstart.k === 'pp' && isLocalRef(mstart.s)) cands = st.env.lookupLocal(mstart.s);
  else if (mstart.k === 'pp') cands = PP_FUNCTIONS.get(mstart.s.toLowerCase());
  if (!cands) return notAMacro();

  let m = cands[0];
  let tline: Node = mstart;
  let args: Node[][] = [];
  if (m.params !== null) {
    const open = skipWsNodes(mstart.next);
    if (!isOpNode(open, '(')) return notAMacro(); // called without parameters: not a call
    // Count the parameters up to the matching ')'.
    let paren = 1;
    let brackets = 0;
    let nparam = 1;
    let t: Node | null = open;
    while (paren) {
      t = t!.next;
      if (!t) {
        st.held.push({ error: true, message: "macro call expects terminating `)'" });
        return notAMacro();
      }
      if (t.k !== 'op') continue;
      if (t.s === ',') {
        if (!brackets && paren === 1) nparam++;
      } else if (t.s === '{') brackets++;
      else if (t.s === '}') {
        if (brackets > 0) brackets--;
      } else if (t.s === '(') {
        if (!brackets) paren++;
      } else if (t.s === ')') {
        if (!brackets) paren--;
      }
    }
    const found = cands.find(
      (c) => c.params !== null && (c.params.length === nparam || (c.greedy && nparam >= c.params.length - 1)),
    );
    if (!found) {
      st.held.push({
        error: false,
        message: `single-line macro \`${mstart.s}' exists, but not taking ${nparam} parameter${nparam === 1 ? '' : 's'}`,
      });
      return notAMacro();
    }
    m = found;
    if (m.busy) return notAMacro();
    args = extractArgs(m, open!);
    tline = t!;
  } else if (m.busy) return notAMacro();

  m.busy++;
  st.levels--;
  const expansion = m.dyn ? m.dyn(st.env) : substitute(m, args, st);
  const tafter = tline.next;
  tline.next = null;

  // Process the expansion right to left, expanding each identifier against what follows it.
  let cur: Node | null = tafter;
  for (let i = expansion.length - 1; i >= 0; i--) {
    const x = expansion[i];
    let k = x.k;
    let s = x.s;
    if (k === 'pp' && (s === '%?' || s === '%??')) {
      s = s === '%?' ? mstart.s : m.name;
      k = mstart.k;
    }
    const node: Node = { k, s, next: cur };
    if (k === 'id' || (k === 'pp' && isLocalRef(s))) {
      const hold: Node = { k: 'ws', s: '', next: node };
      const sub: Box = { link: hold };
      expandOne(sub, st);
      cur = hold.next ?? sub.link.next;
    } else cur = node;
  }

  box.link.next = cur;
  for (let t = cur; t && t !== tafter; t = t.next) box.link = t;
  m.busy--;
  st.levels++;
  return true;
}

/** nasm's parameter extraction: braces group (and are stripped at the start of a parameter),
 * whitespace is trimmed and collapsed, a greedy last parameter takes the commas. */
function extractArgs(m: SMacro, open: Node): Node[][] {
  const params = m.params!;
  const n = params.length;
  const args: Node[][] = [[]];
  let i = 0;
  const flagsOf = (k: number) => (params[k]?.flags ?? 0) | (m.greedy && k === n - 1 ? GREEDY : 0);
  let flags = flagsOf(0);
  let paren = 1;
  let brackets = 0;
  let bracketed = false;
  let white = false;
  let t: Node = open;
  while (paren) {
    t = t.next!;
    let skip = false;
    const ch = t.k === 'op' ? t.s : '';
    if (t.k === 'ws' && !(flags & SPARM_NOSTRIP)) {
      if (brackets || args[i].length) white = true;
      skip = true;
    }
    if (ch === ',') {
      if (!brackets && paren === 1 && !(flags & GREEDY)) {
        i++;
        args[i] = [];
        bracketed = false;
        skip = true;
        white = false;
        flags = flagsOf(i);
      }
    } else if (ch === '{') {
      if (!bracketed) {
        bracketed = args[i].length === 0 && !(flags & SPARM_NOSTRIP);
        skip = bracketed;
      }
      brackets++;
    } else if (ch === '}') {
      if (brackets > 0 && !--brackets) skip = bracketed;
    } else if (ch === '(') {
      if (!brackets) paren++;
    } else if (ch === ')') {
      if (!brackets && !--paren) skip = true;
    }
    if (!skip) {
      if (white) args[i].push({ k: 'ws', s: ' ', next: null });
      white = false;
      args[i].push(t);
    }
  }
  return args;
}

const GREEDY = 8;

function substitute(m: SMacro, args: Node[][], st: State): Tok[] {
  const params = m.params;
  if (!params || params.length === 0) return m.body;
  const vals: Tok[][] = params.map((p, i) => {
    const a: Tok[] = (args[i] ?? []).map((n) => ({ k: n.k, s: n.s }));
    if (p.flags & SPARM_EVAL) {
      const text = expandSmacros(a, st.env)
        .map((t) => t.s)
        .join('')
        .trim();
      const v = st.env.evaluate(text);
      return v === undefined ? [] : lexLine(BigInt.asIntN(64, v).toString()).toks;
    }
    if (p.flags & SPARM_STR) {
      const text = expandSmacros(a, st.env)
        .map((t) => t.s)
        .join('');
      return [{ k: 'str', s: quoteText(text) }];
    }
    return a;
  });
  const out: Tok[] = [];
  for (const t of m.body) {
    if (t.k === 'param') out.push(...vals[t.p!]);
    else out.push(t);
  }
  return out;
}

// ---- pasting ----

function pasteHead(n: Node): boolean {
  return n.k === 'id' || (n.k === 'pp' && /^%[$A-Za-z_.?@]/.test(n.s));
}

function pasteTail(n: Node): boolean {
  return pasteHead(n) || n.k === 'num';
}

/** Re-lexes pasted text into nodes (first, last). */
function relex(text: string): { first: Node; last: Node } | null {
  const toks = lexLine(text).toks;
  if (!toks.length) return null;
  const root = toList(toks);
  let last = root.next!;
  while (last.next) last = last.next;
  return { first: root.next!, last };
}

function isPaste(n: Node | null): boolean {
  return n !== null && n.k === 'pp' && n.s === '%+';
}

/** Applies `%+` and pastes runs of adjacent identifier/number tokens (nasm's paste_tokens).
 * Returns true when anything was pasted. */
function pasteList(root: Node): boolean {
  let pasted = false;
  let prev: Node = root; // prev.next === tok
  let tok = root.next;
  // prevNonspace.next is the last token that is neither whitespace nor %+.
  let prevNonspace: Node | null = tok && tok.k !== 'ws' && !isPaste(tok) ? root : null;
  while (tok && tok.next) {
    let next: Node | null = tok.next;
    if (tok.k === 'ws') {
      while (next && next.k === 'ws') next = next.next;
      tok.next = next;
    } else if (isPaste(tok)) {
      pasted = true;
      while (next && (next.k === 'ws' || isPaste(next))) next = next.next;
      if (!prevNonspace) {
        prev.next = next; // nothing to paste onto: drop the %+
        tok = next;
        continue;
      }
      const left = prevNonspace.next!;
      if (!next) {
        left.next = null;
        break;
      }
      const r = relex(left.s + next.s);
      if (!r) break;
      prevNonspace.next = r.first;
      r.last.next = next.next;
      tok = r.first;
    } else if (pasteHead(tok) && pasteTail(next)) {
      let text = tok.s;
      let end: Node | null = next;
      while (end && pasteTail(end)) {
        text += end.s;
        end = end.next;
      }
      const r = relex(text);
      if (r) {
        prev.next = r.first;
        r.last.next = end;
        tok = r.first;
        pasted = true;
      }
    }
    prev = tok;
    if (tok.next && tok.next.k !== 'ws' && !isPaste(tok.next)) prevNonspace = tok;
    tok = tok.next;
  }
  return pasted;
}
