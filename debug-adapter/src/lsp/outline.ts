// What one source file says, token by token, as the editor needs it: every token's role, label
// definitions and references with nasm's local-label scoping (`.x` belongs to the preceding
// non-local label; EQU constants and `..@` labels do not start a scope), macro uses, %include
// directives, instruction lines with their operands, folding regions and the technique comment.
// Built from the scanned lines and the macros of the whole analysis (a bare word at the start of
// a line is a macro call when such a macro exists, otherwise a label).
import type { MacroTable } from './macro-table.js';
import { directiveOf, splitOperands, type MacroDefinition, type OperandTokens, type ScannedFile, type ScannedLine, type Token } from './scan.js';
import { parseTechniqueComment, type TechniqueDirective } from './settings.js';
import { STANDARD_MACRO_DOCS, isDataDirective, isOperandKeyword, wordClass } from './vocabulary.js';

export type Role =
  | 'mnemonic'
  | 'prefix'
  | 'directive'
  | 'keyword'
  | 'register'
  | 'number'
  | 'string'
  | 'comment'
  | 'preprocessor'
  | 'macro'
  | 'macro-param'
  | 'label';

export interface OutlineToken {
  start: number;
  end: number;
  role: Role;
  /** Labels: the qualified name (`parent.x`); macros: the macro's name. */
  name?: string;
  /** The token defines the label or macro. */
  definition?: boolean;
}

export interface LabelDefinition {
  /** Qualified name. */
  name: string;
  /** As written (without a `$` escape). */
  text: string;
  line: number;
  start: number;
  end: number;
  local: boolean;
  equ: boolean;
  /** Defined inside a %macro body (its name is fixed only when the macro expands). */
  inMacro: boolean;
  /** Section the definition sits in, as written ('' before any section directive). */
  section: string;
}

export interface LabelReference {
  name: string;
  text: string;
  line: number;
  start: number;
  end: number;
}

export interface MacroUse {
  name: string;
  line: number;
  start: number;
  end: number;
}

export interface IncludeDirective {
  /** The file name as written, without quotes. */
  file: string;
  line: number;
  start: number;
  end: number;
}

export interface InstructionLine {
  line: number;
  /** Lowercase. */
  mnemonic: string;
  start: number;
  mnemonicEnd: number;
  /** End of the last operand (or of the mnemonic). */
  end: number;
  operands: OperandTokens[];
  inMacro: boolean;
}

export interface FoldRegion {
  startLine: number;
  endLine: number;
  kind?: 'comment' | 'region';
}

export interface SourceOutline {
  lines: readonly ScannedLine[];
  tokens: OutlineToken[][];
  /** Per line: the label a `.x` on the next line belongs to. */
  parents: string[];
  labels: LabelDefinition[];
  references: LabelReference[];
  macros: readonly MacroDefinition[];
  macroUses: MacroUse[];
  includes: IncludeDirective[];
  instructions: InstructionLine[];
  /** Instruction by line. */
  instructionAt: Map<number, InstructionLine>;
  folds: FoldRegion[];
  technique?: TechniqueDirective;
}

const isOp = (t: Token | undefined, text: string): boolean => t?.kind === 'op' && t.text === text;
const MULTI = new Set(['macro', 'imacro', 'rmacro', 'irmacro']);
const SINGLE = new Set(['define', 'idefine', 'xdefine', 'ixdefine', 'assign', 'iassign', 'defstr', 'idefstr', 'strlen', 'substr', 'strcat', 'deftok', 'ideftok']);
const MACRO_NAME_TESTS = new Set(['def', 'ndef', 'macro', 'nmacro']);
const EXPRESSION_TESTS = new Set(['', 'n']);
const BUILTIN_MACRO = /^__\??[A-Za-z_]+\??__$/;

export function buildOutline(scanned: ScannedFile, macros: MacroTable): SourceOutline {
  return new OutlineBuilder(scanned, macros).build();
}

class OutlineBuilder {
  private readonly out: SourceOutline;
  private parent = '';
  private section = '';
  /** Lines strictly inside the current %macro body. */
  private macroFrom = -1;
  private macroTo = -1;
  private readonly conds: number[] = [];
  private readonly reps: number[] = [];
  private readonly strucs: number[] = [];
  private commentRun = -1;
  private lastCode = -1;
  private labelBlock = -1;
  private sectionBlock = -1;
  private line = 0;
  private inMacro = false;

  constructor(
    private readonly scanned: ScannedFile,
    private readonly macros: MacroTable,
  ) {
    this.out = {
      lines: scanned.lines,
      tokens: [],
      parents: [],
      labels: [],
      references: [],
      macros: scanned.macros,
      macroUses: [],
      includes: [],
      instructions: [],
      instructionAt: new Map(),
      folds: [],
    };
  }

  build(): SourceOutline {
    const lines = this.scanned.lines;
    for (this.line = 0; this.line < lines.length; this.line++) this.scanLine(lines[this.line]);
    const last = lines.length - 1;
    this.closeComments(last + 1);
    this.closeBlock('label', last);
    this.closeBlock('section', last);
    return this.out;
  }

  private scanLine(sl: ScannedLine): void {
    const n = this.line;
    this.out.tokens.push([]);
    this.inMacro = n > this.macroFrom && n < this.macroTo;
    if (sl.tokens.length === 0) {
      if (sl.comment) {
        if (this.commentRun < 0) this.commentRun = n;
      } else this.closeComments(n);
    } else {
      this.closeComments(n);
      const d = directiveOf(sl);
      if (d !== undefined) this.preprocessor(sl, d);
      else this.statement(sl);
      this.lastCode = n;
    }
    if (sl.comment) {
      this.push({ start: sl.comment.start, end: sl.comment.end, role: 'comment' });
      const tech = this.out.technique === undefined ? parseTechniqueComment(sl.text.slice(sl.comment.start), n, sl.comment.start) : undefined;
      if (tech) this.out.technique = tech;
    }
    this.out.tokens[n].sort((a, b) => a.start - b.start);
    this.out.parents.push(this.parent);
  }

  // ---- statements -------------------------------------------------------------------------------

  private statement(sl: ScannedLine): void {
    const t = sl.tokens;
    if (isOp(t[0], '[') && t[1]?.kind === 'id' && wordClass(t[1].text) === 'directive') {
      this.body(sl, 1);
      return;
    }
    let i = 0;
    const first = t[0];
    if (first.kind === 'pp') {
      // `%%label:` or `%1` opening a line of a macro body.
      this.push({ start: first.start, end: first.end, role: 'macro-param' });
      i = isOp(t[1], ':') ? 2 : 1;
    } else if (first.kind === 'id') {
      const colon = isOp(t[1], ':');
      if (colon || (wordClass(first.text) === undefined && !this.isStatementMacro(first.text))) {
        const next = t[colon ? 2 : 1];
        const equ = next?.kind === 'id' && next.text.toLowerCase() === 'equ';
        this.defineLabel(sl, first, equ);
        i = colon ? 2 : 1;
      }
    }
    this.body(sl, i);
  }

  private body(sl: ScannedLine, from: number): void {
    const t = sl.tokens;
    let i = from;
    while (t[i]?.kind === 'id' && wordClass(t[i].text) === 'prefix') {
      this.push({ start: t[i].start, end: t[i].end, role: 'prefix' });
      i++;
    }
    const w = t[i];
    if (w === undefined) return;
    if (w.kind !== 'id') {
      this.expression(sl, t.slice(i));
      return;
    }
    const word = w.text.toLowerCase();
    const cls = wordClass(word);
    if (word === 'times') {
      this.push({ start: w.start, end: w.end, role: 'directive' });
      let j = i + 1;
      while (j < t.length && !(t[j].kind === 'id' && (wordClass(t[j].text) === 'mnemonic' || wordClass(t[j].text) === 'prefix' || isDataDirective(t[j].text)))) j++;
      this.expression(sl, t.slice(i + 1, j));
      this.body(sl, j);
    } else if (cls === 'mnemonic') {
      this.instruction(sl, i);
    } else if (cls === 'directive') {
      this.push({ start: w.start, end: w.end, role: 'directive' });
      if (word === 'section' || word === 'segment') this.sectionDirective(t[i + 1]);
      else this.expression(sl, t.slice(i + 1));
    } else if (STANDARD_MACRO_DOCS[word] !== undefined) {
      this.push({ start: w.start, end: w.end, role: 'directive' });
      this.standardMacro(sl, word, i);
    } else if (this.macros.hasMulti(w.text)) {
      this.push({ start: w.start, end: w.end, role: 'macro', name: w.text });
      this.out.macroUses.push({ name: w.text, line: this.line, start: w.start, end: w.end });
      this.expression(sl, t.slice(i + 1));
    } else {
      this.expression(sl, t.slice(i));
    }
  }

  private instruction(sl: ScannedLine, i: number): void {
    const t = sl.tokens;
    const w = t[i];
    this.push({ start: w.start, end: w.end, role: 'mnemonic' });
    const operands = splitOperands(t.slice(i + 1));
    for (const op of operands) this.expression(sl, op.tokens);
    const insn: InstructionLine = {
      line: this.line,
      mnemonic: w.text.toLowerCase(),
      start: w.start,
      mnemonicEnd: w.end,
      end: operands.length > 0 ? operands[operands.length - 1].end : w.end,
      operands,
      inMacro: this.inMacro,
    };
    this.out.instructions.push(insn);
    this.out.instructionAt.set(this.line, insn);
  }

  private sectionDirective(name: Token | undefined): void {
    if (!name) return;
    this.closeBlock('label', this.line - 1);
    this.closeBlock('section', this.line - 1);
    this.section = name.text;
    this.sectionBlock = this.line;
  }

  private standardMacro(sl: ScannedLine, word: string, i: number): void {
    const t = sl.tokens;
    if (word === 'struc' && t[i + 1]?.kind === 'id') {
      this.strucs.push(this.line);
      this.defineLabel(sl, t[i + 1], false);
      this.expression(sl, t.slice(i + 2));
      return;
    }
    if (word === 'istruc') this.strucs.push(this.line);
    if ((word === 'endstruc' || word === 'iend') && this.strucs.length > 0) this.fold(this.strucs.pop()!, this.line);
    this.expression(sl, t.slice(i + 1));
  }

  private defineLabel(sl: ScannedLine, tk: Token, equ: boolean): void {
    const start = sl.text[tk.start] === '$' ? tk.start + 1 : tk.start;
    const text = tk.text;
    const local = text.startsWith('.') && !text.startsWith('..');
    if (local && this.inMacro) {
      this.push({ start, end: tk.end, role: 'label', definition: true });
      return;
    }
    const name = local ? this.parent + text : text;
    this.out.labels.push({ name, text, line: this.line, start, end: tk.end, local, equ, inMacro: this.inMacro, section: this.section });
    this.push({ start, end: tk.end, role: 'label', name, definition: true });
    if (!local && !equ && !this.inMacro && !text.startsWith('..@')) {
      this.closeBlock('label', this.line - 1);
      this.labelBlock = this.line;
      this.parent = text;
    }
  }

  // ---- expressions ------------------------------------------------------------------------------

  private expression(sl: ScannedLine, tokens: readonly Token[]): void {
    for (const tk of tokens) {
      if (tk.kind === 'num') this.push({ start: tk.start, end: tk.end, role: 'number' });
      else if (tk.kind === 'str') this.push({ start: tk.start, end: tk.end, role: 'string' });
      else if (tk.kind === 'pp') this.push({ start: tk.start, end: tk.end, role: 'macro-param' });
      else if (tk.kind === 'id') this.word(sl, tk);
    }
  }

  private word(sl: ScannedLine, tk: Token): void {
    const cls = wordClass(tk.text);
    if (cls === 'register') this.push({ start: tk.start, end: tk.end, role: 'register' });
    else if (cls === 'size' || isOperandKeyword(tk.text)) this.push({ start: tk.start, end: tk.end, role: 'keyword' });
    else if (cls === 'directive') this.push({ start: tk.start, end: tk.end, role: 'directive' });
    else if (cls === 'mnemonic' || cls === 'prefix') this.push({ start: tk.start, end: tk.end, role: cls });
    else if (this.macros.hasSingle(tk.text)) {
      this.push({ start: tk.start, end: tk.end, role: 'macro', name: tk.text });
      this.out.macroUses.push({ name: tk.text, line: this.line, start: tk.start, end: tk.end });
    } else if (BUILTIN_MACRO.test(tk.text)) this.push({ start: tk.start, end: tk.end, role: 'macro', name: tk.text });
    else this.reference(sl, tk);
  }

  private reference(sl: ScannedLine, tk: Token): void {
    const start = sl.text[tk.start] === '$' ? tk.start + 1 : tk.start;
    const text = tk.text;
    const local = text.startsWith('.') && !text.startsWith('..');
    if (local && this.inMacro) {
      this.push({ start, end: tk.end, role: 'label' });
      return;
    }
    const name = local ? this.parent + text : text;
    this.push({ start, end: tk.end, role: 'label', name });
    this.out.references.push({ name, text, line: this.line, start, end: tk.end });
  }

  // ---- preprocessor -----------------------------------------------------------------------------

  private preprocessor(sl: ScannedLine, d: string): void {
    const t = sl.tokens;
    this.push({ start: t[0].start, end: t[0].end, role: 'preprocessor' });
    const name = t[1];
    if (MULTI.has(d)) {
      const def = this.scanned.macros.find((m) => m.line === this.line);
      if (name?.kind === 'id') this.push({ start: name.start, end: name.end, role: 'macro', name: name.text, definition: true });
      this.expression(sl, t.slice(2));
      if (def) {
        this.macroFrom = this.line;
        this.macroTo = def.endLine;
        if (def.endLine > this.line) this.fold(this.line, def.endLine);
      }
    } else if (SINGLE.has(d)) {
      if (name?.kind === 'id') this.push({ start: name.start, end: name.end, role: 'macro', name: name.text, definition: true });
      let rest = 2;
      if (isOp(t[2], '(') && t[2].start === name?.end) {
        while (rest < t.length && !isOp(t[rest], ')')) {
          if (t[rest].kind === 'id') this.push({ start: t[rest].start, end: t[rest].end, role: 'macro-param' });
          rest++;
        }
        rest++;
      }
      this.expression(sl, t.slice(rest));
    } else if (d === 'undef' || d === 'unmacro' || d === 'unimacro') {
      this.macroUse(name);
    } else if (/^(el)?if/.test(d)) {
      const test = d.replace(/^(el)?if/, '');
      if (d.startsWith('if')) this.conds.push(this.line);
      else this.splitCondition();
      if (MACRO_NAME_TESTS.has(test)) this.macroUse(name);
      else if (EXPRESSION_TESTS.has(test)) this.expression(sl, t.slice(1));
      else this.literals(t.slice(1));
    } else if (d === 'else') {
      this.splitCondition();
    } else if (d === 'endif') {
      if (this.conds.length > 0) this.fold(this.conds.pop()!, this.line);
    } else if (d === 'rep') {
      this.reps.push(this.line);
      this.expression(sl, t.slice(1));
    } else if (d === 'endrep') {
      if (this.reps.length > 0) this.fold(this.reps.pop()!, this.line);
    } else if (d === 'include') {
      this.include(sl);
    } else {
      this.literals(t.slice(1));
    }
  }

  private macroUse(tk: Token | undefined): void {
    if (tk?.kind !== 'id') return;
    this.push({ start: tk.start, end: tk.end, role: 'macro', name: tk.text });
    this.out.macroUses.push({ name: tk.text, line: this.line, start: tk.start, end: tk.end });
  }

  private literals(tokens: readonly Token[]): void {
    for (const tk of tokens) {
      if (tk.kind === 'num') this.push({ start: tk.start, end: tk.end, role: 'number' });
      else if (tk.kind === 'str') this.push({ start: tk.start, end: tk.end, role: 'string' });
    }
  }

  private include(sl: ScannedLine): void {
    const t = sl.tokens;
    const arg = t[1];
    if (arg?.kind === 'str') {
      this.push({ start: arg.start, end: arg.end, role: 'string' });
      const quote = arg.text[0];
      const inner = arg.text.endsWith(quote) && arg.text.length > 1 ? arg.text.slice(1, -1) : arg.text.slice(1);
      this.out.includes.push({ file: inner, line: this.line, start: arg.start, end: arg.end });
    } else if (isOp(arg, '<')) {
      const close = t.findIndex((x, k) => k > 1 && isOp(x, '>'));
      const end = close > 0 ? t[close].end : t[t.length - 1].end;
      const file = sl.text.slice(arg.end, close > 0 ? t[close].start : end).trim();
      this.push({ start: arg.start, end, role: 'string' });
      if (file) this.out.includes.push({ file, line: this.line, start: arg.start, end });
    }
  }

  // ---- folding ----------------------------------------------------------------------------------

  private splitCondition(): void {
    const open = this.conds.pop();
    if (open !== undefined) this.fold(open, this.line);
    this.conds.push(this.line);
  }

  /** A region from `start` to the line before `end` (the closing line stays visible). */
  private fold(start: number, end: number, kind?: 'comment' | 'region'): void {
    if (end - 1 > start) this.out.folds.push({ startLine: start, endLine: end - 1, kind });
  }

  private closeComments(n: number): void {
    if (this.commentRun >= 0 && n - 1 > this.commentRun) this.out.folds.push({ startLine: this.commentRun, endLine: n - 1, kind: 'comment' });
    this.commentRun = -1;
  }

  private closeBlock(which: 'label' | 'section', lastLine: number): void {
    const start = which === 'label' ? this.labelBlock : this.sectionBlock;
    if (start < 0) return;
    const end = Math.min(lastLine, Math.max(start, this.lastCode));
    if (end > start) this.out.folds.push({ startLine: start, endLine: end });
    if (which === 'label') this.labelBlock = -1;
    else this.sectionBlock = -1;
  }

  private isStatementMacro(word: string): boolean {
    return STANDARD_MACRO_DOCS[word.toLowerCase()] !== undefined || this.macros.hasMulti(word);
  }

  private push(token: OutlineToken): void {
    this.out.tokens[this.line].push(token);
  }
}
