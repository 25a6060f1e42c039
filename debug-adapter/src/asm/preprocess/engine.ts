// The preprocessor's driver: a stack of input frames (files, macro expansions, %rep bodies,
// expansions of standard macros), conditional state, contexts, and the per-line pipeline
// (parameter substitution -> directive -> single-line macros -> multi-line macro call -> output).
import * as nodePath from 'node:path';
import * as fs from 'node:fs';
import type { AsmDiagnostic, Severity, SourceRange } from '../types.js';
import type { MacroInfo, PreprocessedLine, PreprocessOptions } from './api.js';
import { detok, lexLine, skipWs, type Tok } from './lex.js';
import { tryCall } from './calls.js';
import { directiveName, needsWork, splitLines } from './scan.js';
import { expandSmacros } from './sexpand.js';
import { isLocalRef, parseLocalRef, SMacroTable, type ExpandEnv, type SMacro } from './smacro.js';
import {
  MMacroTable,
  parseSegs,
  substituteSegs,
  type Invocation,
  type MMacro,
  type SrcLine,
} from './mmacro.js';

export const EMPTY_STACK: string[] = [];

interface FrameBase {
  stack: string[];
  invocation: { file: string; line: number } | undefined;
  /** Where diagnostics raised inside this frame are reported (the outermost macro call), if any. */
  invLoc: SourceRange | undefined;
  /** The macro invocation whose parameters body lines refer to. */
  macro: MacroFrame | null;
  condBase: number;
}

export interface FileFrame extends FrameBase {
  kind: 'file';
  file: string;
  dir: string;
  lines: string[];
  pos: number;
  /** Reused for every line read (copied when a line is kept in a macro or %rep body). */
  scratch: SrcLine;
}

export interface MacroFrame extends FrameBase {
  kind: 'macro';
  body: SrcLine[];
  pos: number;
  mac: MMacro;
  inv: Invocation;
}

export interface RepFrame extends FrameBase {
  kind: 'rep';
  body: SrcLine[];
  pos: number;
  remaining: number;
}

export interface GenFrame extends FrameBase {
  kind: 'gen';
  body: SrcLine[];
  pos: number;
}

export type Frame = FileFrame | MacroFrame | RepFrame | GenFrame;

export enum CondState {
  IfTrue,
  IfFalse,
  ElseTrue,
  ElseFalse,
  Done,
  Never,
}

export interface Cond {
  state: CondState;
  where: SourceRange;
}

export interface Context {
  name: string;
  number: number;
  table: SMacroTable;
}

export interface Defining {
  kind: 'macro' | 'rep';
  mac?: MMacro;
  repCount: number;
  body: SrcLine[];
  nestMac: number;
  nestRep: number;
  where: SourceRange;
  fileFrame: FileFrame | undefined;
  /** The frame the definition started in (a %rep body replays with its stack and parameters). */
  frame: Frame;
  /** A %macro with a bad header: the body is read and dropped. */
  discard?: boolean;
}

export const MAX_REP = 1_000_000;
const MAX_OUTPUT_LINES = 1_500_000;
const MAX_PROCESSED_LINES = 2_500_000;
export const MAX_RMACRO_DEPTH = 1000;
const MAX_FRAMES = 10_000;
const MAX_INCLUDE_DEPTH = 64;

export type DirectiveHandler = (e: Engine, name: string, toks: Tok[], dirIdx: number) => void;

export class Engine {
  readonly lines: PreprocessedLine[] = [];
  readonly diagnostics: AsmDiagnostic[] = [];
  readonly macroInfos = new Map<string, MacroInfo>();
  smacros: SMacroTable;
  mmacros: MMacroTable;
  readonly frames: Frame[] = [];
  readonly conds: Cond[] = [];
  readonly contexts: Context[] = [];
  unique = 0;
  defining: Defining | null = null;
  /** Expansion of __?SECT?__: the last section/segment/absolute macro call. */
  sect = '[section .text]';
  sectalignOn = true;
  aborted = false;
  cur!: SrcLine;
  curFrame!: Frame;
  /** Text of the current line after parameter substitution. */
  curText = '';
  /** Whether single-line macro expansion left the current line as it was. */
  lineUnchanged = false;
  private generated = 0;
  private processed = 0;
  private readonly fileCache = new Map<string, string[] | null>();
  /** Values of `NAME equ <constant>` lines seen so far (see trackEqu). */
  private readonly equs = new Map<string, bigint>();
  readonly readFile: (path: string) => string | undefined;
  readonly env: ExpandEnv;

  constructor(
    readonly options: PreprocessOptions,
    smacros: SMacroTable,
    mmacros: MMacroTable,
    readonly directives: Map<string, DirectiveHandler>,
  ) {
    this.smacros = smacros;
    this.mmacros = mmacros;
    this.readFile = options.readFile ?? defaultReadFile;
    this.env = {
      table: smacros,
      lookupLocal: (s) => this.lookupLocal(s),
      warn: (m) => this.report('warning', m),
      error: (m) => this.report('error', m),
      evaluate: (t) => this.evaluate(t),
      file: () => this.cur?.file ?? options.fileName,
      line: () => this.cur?.line ?? 0,
      sect: () => this.sect,
    };
  }

  // ---- driver ----

  run(source: string): void {
    const file = this.options.fileName;
    this.pushFile(file, splitLines(source));
    while (this.frames.length && !this.aborted) {
      const f = this.frames[this.frames.length - 1];
      const l = this.nextLine(f);
      if (!l) {
        this.endFrame(f);
        continue;
      }
      if (f.kind !== 'file' && ++this.processed > MAX_PROCESSED_LINES) {
        this.cur = l;
        this.curFrame = f;
        this.abort(`macro expansion processed more than ${MAX_PROCESSED_LINES} lines (runaway %rep or macro recursion?)`);
        break;
      }
      this.cur = l;
      this.curFrame = f;
      this.processLine(l, f);
    }
  }

  abort(message: string): void {
    this.report('error', message);
    this.aborted = true;
  }

  pushFile(file: string, lines: string[]): void {
    this.frames.push({
      kind: 'file',
      file,
      dir: nodePath.dirname(file),
      lines,
      pos: 0,
      scratch: { text: '', file, line: 0, physical: true, scratch: true },
      stack: EMPTY_STACK,
      invocation: undefined,
      invLoc: undefined,
      macro: null,
      condBase: this.conds.length,
    });
  }

  pushFrame(f: MacroFrame | RepFrame | GenFrame): void {
    if (this.frames.length >= MAX_FRAMES) {
      this.abort('macro calls nested too deeply');
      return;
    }
    this.frames.push(f);
  }

  private nextLine(f: Frame): SrcLine | null {
    if (f.kind === 'file') {
      if (f.pos >= f.lines.length) return null;
      const lineNo = f.pos + 1;
      let text = f.lines[f.pos++];
      let physical = true;
      while (text.endsWith('\\') && f.pos < f.lines.length) {
        text = text.slice(0, -1) + f.lines[f.pos++];
        physical = false;
      }
      const l = f.scratch;
      l.text = text;
      l.line = lineNo;
      l.physical = physical;
      return l;
    }
    if (f.pos >= f.body.length) {
      if (f.kind !== 'rep' || f.body.length === 0 || --f.remaining <= 0) return null;
      f.pos = 0;
    }
    return f.body[f.pos++];
  }

  /** Pops frame f (which must be on top), with end-of-file checks for files. */
  endFrame(f: Frame): void {
    this.frames.pop();
    if (f.kind === 'macro') f.mac.busy--;
    else if (f.kind === 'file') {
      // nasm reports these at the end of the file: the line after the last one.
      const eofLine = f.lines.length + 1;
      const eof: SourceRange = { file: f.file, line: eofLine, column: 1, endLine: eofLine, endColumn: 1 };
      const d = this.defining;
      if (d && d.fileFrame === f) {
        this.diag(
          'error',
          d.kind === 'macro' ? `end of file while still defining macro \`${d.mac!.name}'` : 'end of file while still in %rep',
          eof,
        );
        this.defining = null;
      }
      if (this.conds.length > f.condBase) {
        // One report (nasm stops there); unlike nasm, go on with the including file.
        this.diag('error', "expected `%endif' before end of file", eof);
        this.conds.length = f.condBase;
      }
    }
  }

  nearestFile(): FileFrame | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i];
      if (f.kind === 'file') return f;
    }
    return undefined;
  }

  emitting(): boolean {
    const n = this.conds.length;
    if (n === 0) return true;
    const s = this.conds[n - 1].state;
    return s === CondState.IfTrue || s === CondState.ElseTrue;
  }

  // ---- per line ----

  private processLine(l: SrcLine, f: Frame): void {
    if (this.defining) {
      this.defineLine(l);
      return;
    }
    if (!this.emitting()) {
      const name = directiveName(l.text);
      if (name === null) return;
      if (/^(if|elif|else$|endif$)/.test(name) && this.directives.has(name)) this.runDirective(name, l, f);
      return;
    }
    this.runLine(l, f);
  }

  private runDirective(name: string, l: SrcLine, f: Frame): void {
    let text = l.text;
    if (f.macro && name.startsWith('elif') && text.indexOf('%', 1) >= 0) text = this.substituteParams(l, f.macro);
    this.curText = text;
    const { toks } = lexLine(text);
    this.directives.get(name)!(this, name, toks, skipWs(toks, 0));
  }

  private runLine(l: SrcLine, f: Frame): void {
    let text = l.text;
    if (f.macro && text.indexOf('%') >= 0) text = this.substituteParams(l, f.macro);
    this.curText = text;
    const name = directiveName(text);
    if (name !== null) {
      const h = this.directives.get(name);
      if (h) {
        const { toks, problem } = lexLine(text);
        // nasm only warns about an unterminated string in a directive; other oddities are left alone.
        if (problem && problem.message.startsWith('unterminated')) this.report('warning', problem.message, problem.start, problem.end);
        h(this, name, toks, skipWs(toks, 0));
        return;
      }
    }
    if (!needsWork(text, this.smacros, this.mmacros)) {
      this.emit(text, l.physical && text === l.text);
      return;
    }
    const lexed = lexLine(text).toks;
    const expanded = this.expandLine(lexed);
    this.lineUnchanged = expanded === lexed;
    if (tryCall(this, expanded, l)) return;
    if (expanded === lexed) this.emit(text, l.physical && text === l.text);
    else this.emit(detok(expanded), false);
  }

  /** Single-line macro expansion plus context-local names and stray macro parameters. */
  expandLine(toks: Tok[]): Tok[] {
    // Stray macro parameters go first, as nasm expands parameters before single-line macros.
    const input = this.finalize(toks, true, false);
    const out = expandSmacros(input, this.env);
    return this.finalize(out, out === toks, true);
  }

  /** Reports and drops macro parameter references outside a macro; turns %$name into ..@N.name. */
  private finalize(toks: Tok[], original: boolean, locals: boolean): Tok[] {
    let res: Tok[] | null = null;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      let rep: Tok | null | undefined;
      if (t.k === 'pp') {
        const s = t.s;
        const at = original ? t.o : undefined;
        if (isLocalRef(s)) {
          const ctx = locals ? this.contextFor(s, at, at === undefined ? undefined : at + s.length) : null;
          if (ctx) rep = { k: 'id', s: `..@${ctx.ctx.number}.${ctx.name}` };
        } else if (/^%([-+]?\d|%|\{-?\d)/.test(s)) {
          this.report('error', `\`${s}': not in a macro call`, at, at === undefined ? undefined : at + s.length);
          rep = null;
        }
      }
      if (rep !== undefined) {
        res ??= toks.slice(0, i);
        if (rep) res.push(rep);
      } else if (res) res.push(t);
    }
    return res ?? toks;
  }

  contextFor(s: string, start?: number, end?: number): { ctx: Context; name: string } | null {
    const ref = parseLocalRef(s);
    if (!ref) return null;
    const n = this.contexts.length;
    if (n === 0) {
      this.report('error', `\`${s}': context stack is empty`, start, end);
      return null;
    }
    if (ref.depth >= n) {
      this.report('error', `\`${s}': context stack is only ${n} level${n === 1 ? '' : 's'} deep`, start, end);
      return null;
    }
    return { ctx: this.contexts[n - 1 - ref.depth], name: ref.name };
  }

  private lookupLocal(s: string): SMacro[] | undefined {
    const ref = parseLocalRef(s);
    if (!ref) return undefined;
    const ctx = this.contexts[this.contexts.length - 1 - ref.depth];
    return ctx?.table.lookup(ref.name);
  }

  substituteParams(l: SrcLine, mf: MacroFrame): string {
    if (l.segs === undefined) l.segs = parseSegs(l.text);
    if (l.segs === null) return l.text;
    return substituteSegs(l.segs, mf.inv, (m) => this.report('error', m));
  }

  /** Pushes lines generated by a standard macro, attributed to the current line. */
  pushGenerated(texts: string[]): void {
    const f = this.curFrame;
    const c = this.cur;
    this.pushFrame({
      kind: 'gen',
      body: texts.map((text) => ({ text, file: c.file, line: c.line, physical: false, segs: null })),
      pos: 0,
      stack: f.stack,
      invocation: f.invocation,
      invLoc: f.invLoc,
      macro: null,
      condBase: this.conds.length,
    });
  }

  // ---- macro and %rep definitions ----

  private defineLine(l: SrcLine): void {
    const d = this.defining!;
    const name = directiveName(l.text);
    if (name !== null) {
      if (name === 'macro' || name === 'imacro' || name === 'rmacro' || name === 'irmacro') d.nestMac++;
      else if ((name === 'endmacro' || name === 'endm') && d.nestMac > 0) d.nestMac--;
      else if (name === 'endmacro' || name === 'endm' || (d.kind === 'rep' && name === 'endrep' && d.nestRep === 0)) {
        this.curText = l.text;
        const { toks } = lexLine(l.text);
        this.directives.get(name)!(this, name, toks, skipWs(toks, 0));
        return;
      } else if (d.kind === 'rep' && name === 'rep') d.nestRep++;
      else if (d.kind === 'rep' && name === 'endrep') d.nestRep--;
    }
    d.body.push(l.scratch ? { text: l.text, file: l.file, line: l.line, physical: l.physical } : l);
  }

  // ---- output and diagnostics ----

  emit(text: string, verbatim: boolean): void {
    if (++this.generated > MAX_OUTPUT_LINES) {
      this.abort(`preprocessing produced more than ${MAX_OUTPUT_LINES} lines (runaway %rep or macro expansion?)`);
      return;
    }
    const f = this.curFrame;
    const c = this.cur;
    const out: PreprocessedLine = { text, file: c.file, line: c.line, macroStack: f.stack, verbatim };
    if (f.invocation) out.invocation = f.invocation;
    this.lines.push(out);
    if (text.includes('equ') || text.includes('EQU') || text.includes('Equ')) this.trackEqu(text);
  }

  /**
   * nasm evaluates %if/%assign/%rep with the symbols the assembler has seen so far, so a constant
   * `NAME equ expr` on an earlier line is usable there. Remember those whose value is a plain number.
   */
  private trackEqu(text: string): void {
    const { toks } = lexLine(text);
    let i = skipWs(toks, 0);
    const name = toks[i];
    if (!name || name.k !== 'id' || name.s.startsWith('.') || name.s.startsWith('..@')) return;
    i = skipWs(toks, i + 1);
    if (toks[i]?.k === 'op' && toks[i].s === ':') i = skipWs(toks, i + 1);
    if (toks[i]?.k !== 'id' || toks[i].s.toLowerCase() !== 'equ') return;
    const key = name.s.startsWith('$') ? name.s.slice(1) : name.s;
    try {
      this.equs.set(key, this.options.evaluate(this.withEqus(detok(toks, i + 1).trim())));
    } catch {
      this.equs.delete(key); // not a constant the preprocessor can know (labels, $)
    }
  }

  /** Replaces identifiers naming known `equ` constants by their values. */
  private withEqus(text: string): string {
    if (this.equs.size === 0) return text;
    const { toks } = lexLine(text);
    let changed = false;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.k !== 'id') continue;
      const v = this.equs.get(t.s.startsWith('$') ? t.s.slice(1) : t.s);
      if (v === undefined) continue;
      toks[i] = { k: 'num', s: `(${v})` };
      changed = true;
    }
    return changed ? detok(toks) : text;
  }

  /** Range of the current line; columns from offsets when the text is the physical source line. */
  range(start: number | undefined, end: number | undefined): SourceRange {
    const c = this.cur;
    if (start !== undefined && end !== undefined && c.physical && this.curText === c.text) {
      return { file: c.file, line: c.line, column: start + 1, endLine: c.line, endColumn: Math.max(end, start + 1) + 1 };
    }
    return { file: c.file, line: c.line, column: 1, endLine: c.line, endColumn: c.text.length + 1 };
  }

  /** Where to report something about the current line: inside a macro expansion, the outermost call. */
  here(start?: number, end?: number): SourceRange {
    return this.curFrame?.invLoc ?? this.range(start, end);
  }

  report(severity: Severity, message: string, start?: number, end?: number): void {
    this.diag(severity, message, this.here(start, end));
  }

  diag(severity: Severity, message: string, range: SourceRange): void {
    this.diagnostics.push({ severity, message, range });
  }

  evaluate(text: string, start?: number, end?: number): bigint | undefined {
    try {
      return this.options.evaluate(this.withEqus(text));
    } catch (e) {
      this.report('error', e instanceof Error ? e.message : String(e), start, end);
      return undefined;
    }
  }

  recordMacro(info: MacroInfo): void {
    const key = `${info.kind}:${info.name}:${info.params}`;
    this.macroInfos.delete(key);
    this.macroInfos.set(key, info);
  }

  // ---- includes ----

  include(name: string, start?: number, end?: number): void {
    let depth = 0;
    for (const f of this.frames) if (f.kind === 'file') depth++;
    if (depth > MAX_INCLUDE_DEPTH) {
      this.report('error', `%include nested too deeply (more than ${MAX_INCLUDE_DEPTH} levels): \`${name}'`, start, end);
      return;
    }
    const candidates: string[] = [];
    if (nodePath.isAbsolute(name)) candidates.push(name);
    else {
      candidates.push(nodePath.join(this.nearestFile()?.dir ?? '.', name));
      for (const p of this.options.includePaths ?? []) candidates.push(nodePath.join(p, name));
    }
    for (const path of candidates) {
      let lines = this.fileCache.get(path);
      if (lines === undefined) {
        const text = this.readFile(path);
        lines = text === undefined ? null : splitLines(text);
        this.fileCache.set(path, lines);
      }
      if (lines) {
        this.pushFile(path, lines);
        return;
      }
    }
    this.report('error', `unable to open include file \`${name}'`, start, end);
  }
}

function defaultReadFile(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
