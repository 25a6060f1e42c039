// nasm's predefined single-line macros and standard multi-line macros (macros/standard.mac and the
// bin format's), done natively. Directives the assembler implements (section, bits, align, org, ...)
// pass through unchanged, but still count as macro calls for the ..@N numbering and, for
// section/segment/absolute, set __?SECT?__ as nasm's macros do.
import type { Engine } from './engine.js';
import { pushContext } from './directives.js';
import { lexLine, quoteText, type Tok } from './lex.js';
import { MMacroTable, type BuiltinHandler, type MMacro } from './mmacro.js';
import { SMacroTable, type ExpandEnv, type SMacro } from './smacro.js';

function smacro(name: string, body: string | ((env: ExpandEnv) => Tok[])): SMacro {
  const m: SMacro = { name, ci: false, params: null, greedy: false, body: [], busy: 0, builtin: true };
  if (typeof body === 'string') m.body = lexLine(body).toks;
  else m.dyn = body;
  return m;
}

const SMACROS: SMacro[] = [];
for (const prefix of ['__', '__?']) {
  const n = (s: string) => (prefix === '__' ? `__${s}__` : `__?${s}?__`);
  SMACROS.push(
    smacro(n('FILE'), (env) => [{ k: 'str', s: quoteText(env.file()) }]),
    smacro(n('LINE'), (env) => [{ k: 'num', s: String(env.line()) }]),
    smacro(n('SECT'), (env) => lexLine(env.sect()).toks),
    smacro(n('NASM_MAJOR'), '2'),
    smacro(n('NASM_MINOR'), '16'),
    smacro(n('NASM_SUBMINOR'), '1'),
    smacro(n('NASM_PATCHLEVEL'), '0'),
    smacro(n('NASM_VERSION_ID'), '002100100h'),
    smacro(n('NASM_VER'), '"2.16.01"'),
    smacro(n('OUTPUT_FORMAT'), 'bin'),
  );
}

/** Emits the call unchanged and counts `cost` macro invocations (nested standard macros included). */
function pass(cost: number, extra?: (e: Engine, args: string[]) => void): BuiltinHandler {
  return (e, args, callText, verbatim) => {
    e.unique += cost;
    extra?.(e, args);
    if (verbatim !== null) e.emit(verbatim, e.cur.physical && verbatim === e.cur.text);
    else e.emit(callText, false);
  };
}

const alignPass: BuiltinHandler = (e, args, callText, verbatim) =>
  pass(e.sectalignOn ? 2 : 1)(e, args, callText, verbatim);

const sectalign: BuiltinHandler = (e, args, callText, verbatim) => {
  const a = args[0].trim().toLowerCase();
  if (a === 'on' || a === 'off') {
    e.unique++;
    e.sectalignOn = a === 'on';
    return;
  }
  pass(1)(e, args, callText, verbatim);
};

/** The innermost context, which must belong to struc/istruc (holding %$strucname). */
function strucContext(e: Engine, macroName: string): { name: string; number: number } | null {
  const ctx = e.contexts[e.contexts.length - 1];
  const def = ctx?.table.lookup('strucname')?.[0];
  if (!ctx || !def) {
    e.report('error', ctx ? `\`${macroName}' used outside \`struc'/\`istruc'` : `\`${macroName}': context stack is empty`);
    return null;
  }
  return { name: def.body.map((t) => t.s).join(''), number: ctx.number };
}

function defineStrucName(e: Engine, name: string): number {
  const ctx = pushContext(e, '');
  ctx.table.define({ name: 'strucname', ci: false, params: null, greedy: false, body: lexLine(name).toks, busy: 0, builtin: true });
  return ctx.number;
}

const struc: BuiltinHandler = (e, args) => {
  e.unique++;
  const name = args[0].trim();
  defineStrucName(e, name);
  e.pushGenerated([`[absolute ${args[1].trim()}]`, `${name}:`]);
};

const endstruc: BuiltinHandler = (e) => {
  const s = strucContext(e, 'endstruc');
  e.unique++;
  if (!s) return;
  e.contexts.pop();
  e.pushGenerated([`${s.name}_size equ ($-${s.name})`, e.sect]);
};

const istruc: BuiltinHandler = (e, args) => {
  e.unique++;
  const n = defineStrucName(e, args[0].trim());
  e.pushGenerated([`..@${n}.strucstart:`]);
};

const atMacro: BuiltinHandler = (e, args) => {
  const s = strucContext(e, 'at');
  e.unique++;
  if (!s) return;
  const field = args[0].trim();
  const target = field.startsWith('.') ? `${s.name}${field}` : field;
  const lines = [`times (${target}-${s.name})-($-..@${s.number}.strucstart) db 0`];
  const data = (args[1] ?? '').trim();
  if (data) lines.push(data);
  e.pushGenerated(lines);
};

const iend: BuiltinHandler = (e) => {
  const s = strucContext(e, 'iend');
  e.unique++;
  if (!s) return;
  e.contexts.pop();
  e.pushGenerated([`times ${s.name}_size-($-..@${s.number}.strucstart) db 0`]);
};

function sectSetter(kind: string): (e: Engine, args: string[]) => void {
  return (e, args) => {
    e.sect = `[${kind} ${args[0].trim()}]`;
  };
}

function mm(name: string, spec: string, builtin: BuiltinHandler, defaults: string[] = []): MMacro {
  const plus = spec.endsWith('+');
  const [a, b] = (plus ? spec.slice(0, -1) : spec).split('-');
  const min = Number(a);
  const max = b === undefined ? min : b === '*' ? Infinity : Number(b);
  return {
    name,
    ci: true,
    min,
    max,
    plus,
    nolist: true,
    recursive: false,
    defaults,
    body: [],
    file: '',
    line: 0,
    spec,
    busy: 0,
    capturesLabel: false,
    builtin,
  };
}

const MMACROS: MMacro[] = [
  mm('section', '1+', pass(1, sectSetter('section'))),
  mm('segment', '1+', pass(1, sectSetter('segment'))),
  mm('absolute', '1+', pass(1, sectSetter('absolute'))),
  mm('sectalign', '1+', sectalign),
  mm('align', '1-2+', alignPass, ['nop']),
  mm('alignb', '1-2+', alignPass),
  mm('struc', '1-2', struc, ['0']),
  mm('endstruc', '0', endstruc),
  mm('istruc', '1', istruc),
  mm('at', '1-2+', atMacro),
  mm('iend', '0', iend),
  mm('incbin', '1-2+', pass(2), ['0']),
  mm('float', '1-*', pass(1)),
];
for (const n of ['bits', 'cpu', 'default', 'org', 'map']) MMACROS.push(mm(n, '1+', pass(1)));
for (const n of ['use16', 'use32', 'use64', 'userel', 'useabs', 'usebnd', 'usenobnd']) MMACROS.push(mm(n, '0', pass(1)));
for (const n of ['extern', 'static', 'global', 'required', 'common']) MMACROS.push(mm(n, '1-*', pass(1)));

/** Fresh tables holding the predefined macros (macro objects are copied: they carry state). */
export function baseTables(): { smacros: SMacroTable; mmacros: MMacroTable } {
  const smacros = new SMacroTable();
  for (const m of SMACROS) smacros.define({ ...m });
  const mmacros = new MMacroTable();
  for (let i = MMACROS.length - 1; i >= 0; i--) mmacros.add(MMACROS[i]);
  return { smacros, mmacros };
}
