// The assembler proper: parses the preprocessed lines once, then runs passes over them until every
// label stops moving (nasm's multi-pass optimisation); the last pass's bytes, source map and
// diagnostics are the result. Sections are laid out as `nasm -f bin` does.
import type { PreprocessedLine } from './preprocess.js';
import type { AsmDiagnostic, SourceMapEntry, SymbolInfo, SymbolKind, EmitKind } from './types.js';
import { parseLine, ParseError, type Body, type Operand, type Statement, type DataItem } from './parser.js';
import { evaluate, ExprError, isSimple, type EvalContext, type Expr, type SymbolValue, type Value } from './expr.js';
import { encodeInstruction, EncodeError, resolveEffectiveAddress, type EvalOperand } from './encode.js';
import { formsFor, syntaxFor } from './instruction-set.js';
import { layoutSections, Section } from './sections.js';
import { OpCodeOperandKind } from 'iced-x86';
import { lookupPrefix } from '../isa/index.js';

interface Line {
  pre: PreprocessedLine;
  stmt?: Statement;
}

interface SymbolRecord extends SymbolValue {
  kind: SymbolKind;
  section: string;
  line: Line;
  column: number;
  definedInPass: number;
  /** Section-relative offset of a label (its value is refreshed when sections move). */
  offset?: bigint;
}

export interface AssemblyOutput {
  bytes: Uint8Array;
  /** Errors nasm finds in its first pass (syntax, expressions, effective addresses) and warnings of parsing. */
  diagnostics: AsmDiagnostic[];
  /** Errors and warnings nasm finds only in later passes (operands, undefined symbols, ranges). */
  lateDiagnostics: AsmDiagnostic[];
  symbols: SymbolInfo[];
  sourceMap: SourceMapEntry[];
  /** Per line (index into the preprocessed lines): address and bytes, for the listing. */
  lineOutput: { line: PreprocessedLine; address: number; bytes: Uint8Array; reserved: number }[];
}

const MAX_PASSES = 100;
/** After this many passes, jumps that went near stay near so that layouts always converge. */
const MONOTONE_AFTER = 50;

export class Assembler {
  private readonly lines: Line[] = [];
  private readonly diagnostics: AsmDiagnostic[] = [];
  private symbols = new Map<string, SymbolRecord>();
  private sections = new Map<string, Section>();
  private pass = 0;
  private changed = false;
  private bits = 32;
  private org = 0n;
  private current!: Section;
  private absolute: bigint | undefined;
  private readonly nearJumps = new Set<Line>();
  private readonly encodeCache = new Map<Line, { key: string; bytes: Uint8Array; warnings: string[] }>();
  /** What the current pass emitted, item by item; turned into the source map after the last pass. */
  private emitted: Emitted[] = [];
  private currentLine!: Line;
  private reportedForLine = new Set<string>();
  /** Diagnostics of the current pass (only the last pass's are kept). */
  private passDiagnostics: AsmDiagnostic[] = [];
  /** True while the constructor parses: parse diagnostics are kept once, not per pass. */
  private parsing = true;

  constructor(pre: PreprocessedLine[]) {
    const ctx = { parentLabel: '' };
    for (const p of pre) {
      const line: Line = { pre: p };
      try {
        const { stmt, warnings } = parseLine(p.text, ctx);
        line.stmt = stmt;
        for (const w of warnings) this.report(line, w.severity, w.message, w.start, w.end);
      } catch (e) {
        if (e instanceof ParseError) this.report(line, e.severity, e.message, e.start, e.end);
        else this.report(line, 'error', `internal error: ${(e as Error).message}`, 0, p.text.length);
      }
      this.lines.push(line);
    }
    this.parsing = false;
  }

  run(): AssemblyOutput {
    // Every pass emits and reports; the first pass after which no label moved used final values
    // throughout, so its output and its diagnostics are the answer.
    let converged = false;
    for (this.pass = 1; this.pass <= MAX_PASSES; this.pass++) {
      this.changed = false;
      this.runPass();
      if (this.pass === 1 && this.checkCriticalExpressions()) {
        // Sizes that cannot be known in the first pass: nasm stops here, and so must we (the
        // layout may never settle).
        converged = true;
        this.abandoned = true;
        break;
      }
      if (!this.changed && this.pass > 1) {
        converged = true;
        break;
      }
    }
    if (!converged) {
      this.passDiagnostics.push({
        severity: 'error',
        message: `label addresses did not settle after ${MAX_PASSES} passes (phase error)`,
        range: { file: this.lines[0]?.pre.file ?? '', line: 1, column: 1, endLine: 1, endColumn: 1 },
      });
    }
    // nasm reports the errors of its first pass (syntax, expressions, addresses) and stops there
    // if it found any; we report every error, but those first, so both name the same first error.
    const late = this.passDiagnostics.filter((d) => !this.passEarly.has(d));
    this.diagnostics.push(...this.passDiagnostics.filter((d) => this.passEarly.has(d)));
    this.lateDiagnostics = this.abandoned ? [] : late;
    const hasErrors = [...this.diagnostics, ...this.lateDiagnostics].some((d) => d.severity === 'error');
    return {
      bytes: hasErrors ? new Uint8Array(0) : this.image(),
      diagnostics: this.diagnostics,
      lateDiagnostics: this.lateDiagnostics,
      symbols: this.symbolTable(),
      sourceMap: this.buildSourceMap(),
      lineOutput: this.emitted.map((e) => ({ line: e.line.pre, address: e.address, bytes: e.bytes ?? EMPTY, reserved: e.bytes ? 0 : e.size })),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Passes

  private runPass(): void {
    this.bits = 32;
    this.absolute = undefined;
    this.org = 0n;
    for (const s of this.sections.values()) s.reset();
    this.current = this.section('.text', false);
    this.emitted = [];
    this.passDiagnostics = [];
    this.passEarly.clear();
    this.reportedForLine.clear();
    // org applies to the whole file wherever it appears, so read it first.
    for (const line of this.lines) {
      if (line.stmt?.body.k === 'org') {
        this.currentLine = line;
        const v = this.evalScalar(line.stmt.body.expr, false);
        if (v) this.org = v.n;
      }
    }
    for (const line of this.lines) {
      if (!line.stmt) continue;
      this.currentLine = line;
      const stmt = line.stmt;
      if (stmt.label) this.defineLabel(line, stmt.label.name, stmt.label.local, stmt.body.k === 'equ' ? stmt.body.expr : undefined, stmt.label.start);
      else if (stmt.body.k === 'equ') this.report(line, 'error', 'label or instruction expected at start of line', 0, line.pre.text.length);
      if (stmt.body.k !== 'equ') this.statement(line, stmt.body);
    }
    const placed = layoutSections([...this.sections.values()], this.org);
    if (placed) this.changed = true;
    // Label values depend on the layout: refresh them and note any movement.
    for (const [, sym] of this.symbols) {
      if (sym.kind === 'equ' || sym.section === '') continue;
      const sec = this.sections.get(sym.section);
      if (!sec) continue;
      const v = sec.start + sym.offset!;
      if (v !== sym.value) {
        sym.value = v;
        this.changed = true;
      }
    }
  }

  private section(name: string, explicit: boolean): Section {
    let s = this.sections.get(name);
    if (!s) {
      s = new Section(name, this.sections.size);
      this.sections.set(name, s);
    }
    if (explicit) s.declared = true;
    return s;
  }

  private here(): bigint {
    if (this.absolute !== undefined) return this.absolute;
    return this.current.start + this.current.offset;
  }

  private defineLabel(line: Line, name: string, local: boolean, equ: Expr | undefined, column: number): void {
    const existing = this.symbols.get(name);
    if (existing && existing.definedInPass === this.pass && existing.line !== line) {
      this.report(line, 'error', `label \`${name}' inconsistently redefined`, column, column + name.length);
      return;
    }
    let value: bigint;
    let rel: number;
    let section = '';
    let offset: bigint | undefined;
    let kind: SymbolKind;
    if (equ) {
      const v = this.evalExpr(equ, true);
      if (!v) return;
      if (v.regs?.length) {
        this.report(line, 'error', 'invalid operand to EQU: registers are not allowed', 0, line.pre.text.length);
        return;
      }
      if (!v.known) {
        if (existing) existing.definedInPass = this.pass;
        this.changed = true;
        return;
      }
      value = v.n;
      rel = v.rel ? 1 : 0;
      if (v.rel !== 0) section = v.section ?? '';
      kind = 'equ';
    } else if (this.absolute !== undefined) {
      value = this.absolute;
      rel = 0;
      kind = local ? 'local-label' : 'label';
    } else {
      section = this.current.name;
      offset = this.current.offset;
      value = this.current.start + offset;
      rel = 1;
      kind = name.startsWith('..@') ? 'macro-label' : local ? 'local-label' : 'label';
    }
    if (!existing || existing.value !== value) this.changed = true;
    const rec: SymbolRecord = { value, rel, kind, section, line, column, definedInPass: this.pass, offset };
    this.symbols.set(name, rec);
  }

  // -------------------------------------------------------------------------------------------
  // Statements

  private statement(line: Line, body: Body): void {
    switch (body.k) {
      case 'none':
        return;
      case 'bits':
        this.bits = body.bits;
        return;
      case 'org':
        return;
      case 'section':
        this.absolute = undefined;
        this.current = this.section(body.name, true);
        this.current.configure(body.attrs, (e) => this.evalScalar(e, false)?.n);
        return;
      case 'absolute': {
        const v = this.evalScalar(body.expr, false);
        this.absolute = v?.n ?? 0n;
        return;
      }
      case 'align': {
        const b = this.evalScalar(body.boundary, false);
        if (!b) return;
        const n = b.n;
        if (n <= 0n || (n & (n - 1n)) !== 0n) {
          this.report(line, 'error', 'alignment must be a power of two', 0, line.pre.text.length);
          return;
        }
        if (this.absolute === undefined) this.current.raiseAlignment(n);
        const pos = this.absolute ?? this.current.offset;
        const pad = (n - (pos % n)) % n;
        if (body.nobits || this.absolute !== undefined) this.reserve(line, pad, 'padding');
        else if (body.fill) this.repeat(line, pad, body.fill);
        else this.emit(line, new Uint8Array(Number(pad)).fill(0x90), 'padding');
        return;
      }
      case 'times': {
        const n = this.evalCount(line, body.count, 'TIMES');
        if (n !== undefined) this.repeat(line, n, body.body);
        return;
      }
      case 'data':
        this.data(line, body.unit, body.items);
        return;
      case 'res': {
        const n = this.evalCount(line, body.count, 'RESx');
        if (n !== undefined) this.reserve(line, n * BigInt(body.unit), 'reserve');
        return;
      }
      case 'insn':
        this.instruction(line, body);
        return;
      case 'equ':
        return;
    }
  }

  private repeat(line: Line, count: bigint, body: Body): void {
    if (count === 0n) return;
    if (body.k === 'res') {
      const c = this.evalScalar(body.count, true);
      if (c) this.reserve(line, count * c.n * BigInt(body.unit), 'reserve');
      return;
    }
    if (count > 100_000_000n) {
      this.report(line, 'error', `TIMES count ${count} is too large`, 0, line.pre.text.length);
      return;
    }
    // Each repetition may depend on $, so evaluate them one by one, but emit as one item.
    const startOffset = this.current.offset;
    const startAbsolute = this.absolute;
    const chunks: Uint8Array[] = [];
    let size = 0;
    const collect = this.collecting;
    this.collecting = chunks;
    try {
      for (let i = 0n; i < count; i++) {
        if (body.k === 'insn' || body.k === 'data') this.statement(line, body);
        else {
          this.report(line, 'error', 'TIMES can only repeat instructions and data', 0, line.pre.text.length);
          break;
        }
      }
    } finally {
      this.collecting = collect;
    }
    for (const c of chunks) size += c.length;
    const all = new Uint8Array(size);
    let o = 0;
    for (const c of chunks) {
      all.set(c, o);
      o += c.length;
    }
    // Rewind to the start: emit() advances over the whole repetition once.
    if (startAbsolute === undefined) this.current.offset = startOffset;
    else this.absolute = startAbsolute;
    this.emit(line, all, body.k === 'insn' ? 'instruction' : 'data');
  }

  /** While repeating (times), emitted bytes are gathered here and written once. */
  private collecting: Uint8Array[] | undefined;

  private emit(line: Line, bytes: Uint8Array, kind: EmitKind): void {
    if (this.collecting) {
      this.collecting.push(bytes);
      if (this.absolute === undefined) this.current.offset += BigInt(bytes.length);
      else this.absolute += BigInt(bytes.length);
      return;
    }
    if (this.absolute !== undefined) {
      if (bytes.length && kind !== 'padding') this.report(line, 'error', 'attempt to assemble code in [ABSOLUTE] space', 0, line.pre.text.length);
      this.absolute += BigInt(bytes.length);
      return;
    }
    const sec = this.current;
    const address = sec.start + sec.offset;
    if (sec.nobits) {
      if (bytes.some((b) => b !== 0x90) && kind !== 'padding') {
        this.report(line, 'warning', `attempt to initialize memory in BSS section \`${sec.name}': ignored`, 0, line.pre.text.length);
      }
      sec.offset += BigInt(bytes.length);
      return;
    }
    {
      sec.write(bytes);
      this.record(line, address, bytes, kind, sec);
    }
    sec.offset += BigInt(bytes.length);
  }

  private reserve(line: Line, count: bigint, kind: EmitKind): void {
    if (this.absolute !== undefined) {
      this.absolute += count;
      return;
    }
    const sec = this.current;
    const address = sec.start + sec.offset;
    {
      if (!sec.nobits) {
        if (kind === 'reserve') this.report(line, 'warning', `uninitialized space declared in non-BSS section \`${sec.name}': zeroing`, 0, line.pre.text.length);
        sec.write(new Uint8Array(Number(count)));
      }
      this.emitted.push({ line, address: Number(address), section: undefined, offset: 0, size: Number(count), kind, bytes: undefined });
    }
    sec.offset += count;
  }

  private record(line: Line, address: bigint, bytes: Uint8Array, kind: EmitKind, sec: Section): void {
    this.emitted.push({ line, address: Number(address), section: sec, offset: Number(sec.offset), size: bytes.length, kind, bytes });
  }

  private buildSourceMap(): SourceMapEntry[] {
    const base = this.imageBase();
    return this.emitted.map((e) => ({
      address: e.address,
      fileOffset: e.section && base !== undefined ? Number(e.section.start - base) + e.offset : -1,
      size: e.size,
      kind: e.kind,
      location: { file: e.line.pre.file, line: e.line.pre.line, column: 1 },
      text: e.line.pre.text.trim(),
      macroStack: e.line.pre.macroStack,
      ...(e.line.pre.invocation === undefined ? {} : { invocation: { file: e.line.pre.invocation.file, line: e.line.pre.invocation.line, column: 1 } }),
    }));
  }

  private data(line: Line, unit: number, items: DataItem[]): void {
    const out: number[] = [];
    for (const item of items) {
      if (item.k === 'bytes') {
        out.push(...item.bytes);
        continue;
      }
      const v = this.evalExpr(item.expr, true);
      if (!v) {
        for (let i = 0; i < unit; i++) out.push(0);
        continue;
      }
      if (v.regs?.length) {
        this.report(line, 'error', 'invalid operand: registers are not allowed in data', item.start, item.end);
        continue;
      }
      if (unit < 8 && isSimple(v)) {
        const bits = BigInt(unit * 8);
        const min = -(1n << (bits - 1n));
        const max = (1n << bits) - 1n;
        if (v.n < min || v.n > max) this.report(line, 'warning', `${unit === 1 ? 'byte' : unit === 2 ? 'word' : 'dword'} data exceeds bounds`, item.start, item.end);
      }
      let n = BigInt.asUintN(unit * 8, v.n);
      for (let i = 0; i < unit; i++) {
        out.push(Number(n & 0xffn));
        n >>= 8n;
      }
    }
    this.emit(line, Uint8Array.from(out), 'data');
  }

  private instruction(line: Line, body: Extract<Body, { k: 'insn' }>): void {
    if (!body.mnemonic) {
      // A line of prefixes alone: nasm emits the prefix bytes.
      const bytes = body.prefixes.map(prefixByte);
      this.emit(line, Uint8Array.from(bytes), 'instruction');
      return;
    }
    if (body.missingOperand) {
      this.report(line, 'error', 'invalid combination of opcode and operands', body.start, body.end);
      return this.emitPlaceholder(line);
    }
    const info = instructionInfo(body);
    const cached = this.encodeCache.get(line);
    if (info.constant && cached && cached.key === `c${this.bits}`) {
      // No symbols and no $: the encoding cannot change between passes.
      for (const w of cached.warnings) this.report(line, 'warning', w, body.start, body.end);
      this.emit(line, cached.bytes, 'instruction');
      return;
    }
    const operands: EvalOperand[] = [];
    let keyParts = '';
    let unknownTarget = false;
    for (let i = 0; i < body.operands.length; i++) {
      const op = this.evalOperand(body.operands[i], body.prefixes);
      if (!op) return this.emitPlaceholder(line);
      if (op.k === 'imm' && !op.v.known) unknownTarget = true;
      operands.push(op);
      if (!info.constant) keyParts += operandKey(op) + ';';
    }
    const address = this.here();
    const isBranch = info.branch;
    if (isBranch && unknownTarget) {
      // nasm assumes a forward jump is short until it knows better.
      for (const op of operands) if (op.k === 'imm' && !op.v.known) op.v = { n: address, rel: 1, known: false };
    }
    const forceNear = this.nearJumps.has(line);
    if (forceNear) for (const op of operands) if (op.k === 'imm' && !op.jump) op.jump = 'near';
    const key = info.constant ? `c${this.bits}` : `${this.bits}|${isBranch ? address : ''}|${keyParts}|${forceNear}`;
    let result: { bytes: Uint8Array; warnings: string[] };
    if (cached && cached.key === key) result = cached;
    else {
      try {
        result = encodeInstruction({
          mnemonic: body.mnemonic,
          forms: info.forms,
          syntax: info.syntax,
          prefixes: body.prefixes,
          operands,
          bits: this.bits,
          address: Number(BigInt.asUintN(32, address)),
        });
      } catch (e) {
        if (e instanceof EncodeError) {
          {
            const op = e.operand >= 0 ? body.operands[e.operand] : undefined;
            this.report(line, 'error', e.message, op?.start ?? body.start, op?.end ?? body.end);
          }
          return this.emitPlaceholder(line);
        }
        throw e;
      }
      this.encodeCache.set(line, { key, ...result });
    }
    if (isBranch && this.pass >= MONOTONE_AFTER && result.bytes.length > 2) this.nearJumps.add(line);
    for (const w of result.warnings) this.report(line, 'warning', w, body.start, body.end);
    this.emit(line, result.bytes, 'instruction');
  }

  /** Keeps going after an error so later errors are found too (nasm does the same). */
  private emitPlaceholder(line: Line): void {
    const cached = this.encodeCache.get(line);
    this.emit(line, cached ? cached.bytes : new Uint8Array(0), 'instruction');
  }

  private evalOperand(op: Operand, prefixes: string[]): EvalOperand | undefined {
    switch (op.k) {
      case 'reg':
        return { k: 'reg', reg: op.reg };
      case 'imm': {
        const v = this.evalExpr(op.expr, true, op.start, op.end);
        if (!v) return undefined;
        if (v.regs?.length) {
          this.report(this.currentLine, 'error', 'invalid operand type: a register in an immediate expression', op.start, op.end);
          return undefined;
        }
        return { k: 'imm', v, size: op.size, strict: op.strict, jump: op.jump };
      }
      case 'mem': {
        const v = this.evalExpr(op.expr, true, op.start, op.end);
        if (!v) return undefined;
        try {
          const addrPrefix = prefixes.includes('a16') ? 16 : prefixes.includes('a32') ? 32 : undefined;
          const ea = resolveEffectiveAddress(v.regs ?? [], v, this.bits, op.nosplit, op.dispSize, addrPrefix);
          return { k: 'mem', ea, size: op.size, far: op.far, seg: op.seg };
        } catch (e) {
          if (e instanceof EncodeError) {
            this.report(this.currentLine, 'error', e.message, op.start, op.end, true);
            return undefined;
          }
          throw e;
        }
      }
      case 'farptr': {
        const seg = this.evalExpr(op.seg, true, op.start, op.end);
        const off = this.evalExpr(op.off, true, op.start, op.end);
        if (!seg || !off) return undefined;
        return { k: 'farptr', seg, off, size: op.size };
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  private evalContext(start: number, end: number): EvalContext {
    const sectionStart = this.absolute !== undefined ? this.absolute : this.current.start;
    return {
      lookup: (name) => {
        const s = this.symbols.get(name);
        if (!s) return undefined;
        // A symbol defined later in the first pass is not known yet.
        return s;
      },
      here: { value: this.here(), sectionStart, rel: this.absolute !== undefined ? 0 : 1, section: this.absolute !== undefined ? undefined : this.current.name },
      onUnknown: (name, s, e) => {
        {
          const key = `${this.currentLine.pre.file}:${this.currentLine.pre.line}:${name}`;
          if (this.reportedForLine.has(key)) return;
          this.reportedForLine.add(key);
          this.report(this.currentLine, 'error', `symbol \`${name}' not defined`, s >= 0 ? s : start, e >= 0 ? e : end);
        }
      },
    };
  }

  /** Evaluates; on error reports and returns undefined. */
  private evalExpr(expr: Expr, allowUnknown: boolean, start = 0, end = -1): Value | undefined {
    const line = this.currentLine;
    try {
      const v = evaluate(expr, this.evalContext(start, end < 0 ? line.pre.text.length : end));
      if (!v.known && !allowUnknown) {
        this.report(line, 'error', 'expression is not constant (it refers to a symbol defined later)', start, end < 0 ? line.pre.text.length : end);
      }
      return v;
    } catch (e) {
      if (e instanceof ExprError) {
        this.report(line, 'error', e.message, e.start >= 0 ? e.start : start, e.end >= 0 ? e.end : end < 0 ? line.pre.text.length : end, true);
        return undefined;
      }
      throw e;
    }
  }

  /**
   * TIMES and RESx counts are "critical" in nasm: its first pass must size them. There a symbol
   * not yet defined is an unknown that cancels only against another unknown (`end - start` of two
   * later labels is fine), and a count that keeps an unknown or a label is refused.
   */
  private evalCritical(line: Line, expr: Expr, what: string): Value | undefined {
    if (this.pass === 1) {
      const form = this.linearForm(expr);
      if (!form || form.unknown !== 0 || form.rel !== 0) this.criticalFailures.push({ line, what });
    }
    return this.evalScalar(expr, true);
  }

  /** A TIMES or RESx count: critical, and never negative. */
  private evalCount(line: Line, expr: Expr, what: string): bigint | undefined {
    const c = this.evalCritical(line, expr, what);
    if (!c) return undefined;
    if (c.n < 0n) {
      this.report(line, 'error', `${what} value ${c.n} is negative`, 0, line.pre.text.length);
      return undefined;
    }
    return c.n;
  }

  private criticalFailures: { line: Line; what: string }[] = [];

  /** Coefficients of unknown symbols and of labels in `expr` (first pass); undefined when not linear. */
  private linearForm(expr: Expr): { unknown: number; rel: number } | undefined {
    const zero = { unknown: 0, rel: 0 };
    switch (expr.t) {
      case 'num':
        return zero;
      case 'here':
      case 'start':
        return { unknown: 0, rel: this.absolute === undefined ? 1 : 0 };
      case 'sym': {
        const s = this.symbols.get(expr.name);
        return s ? { unknown: 0, rel: s.rel } : { unknown: 1, rel: 0 };
      }
      case 'reg':
        return undefined;
      case 'un': {
        const a = this.linearForm(expr.a);
        if (!a) return undefined;
        if (expr.op === '+') return a;
        if (expr.op === '-') return { unknown: -a.unknown, rel: -a.rel };
        return a.unknown || a.rel ? undefined : zero;
      }
      case 'bin': {
        const a = this.linearForm(expr.a);
        const b = this.linearForm(expr.b);
        if (!a || !b) return undefined;
        if (expr.op === '+') return { unknown: a.unknown + b.unknown, rel: a.rel + b.rel };
        if (expr.op === '-') return { unknown: a.unknown - b.unknown, rel: a.rel - b.rel };
        const plain = (x: { unknown: number; rel: number }) => x.unknown === 0 && x.rel === 0;
        if (plain(a) && plain(b)) return zero;
        if (expr.op === '*' && (plain(a) || plain(b))) {
          const k = this.evalScalar(plain(a) ? expr.a : expr.b, true);
          const other = plain(a) ? b : a;
          const f = k ? Number(k.n) : 0;
          return { unknown: other.unknown * f, rel: other.rel * f };
        }
        return undefined;
      }
      case 'cond': {
        const c = this.linearForm(expr.c);
        const a = this.linearForm(expr.a);
        const b = this.linearForm(expr.b);
        return c && a && b && !c.unknown && !c.rel && !a.unknown && !a.rel && !b.unknown && !b.rel ? zero : undefined;
      }
    }
  }

  /** Reports the critical counts the first pass could not size; true when there were any. */
  private checkCriticalExpressions(): boolean {
    for (const c of this.criticalFailures) {
      this.report(c.line, 'error', `non-constant argument supplied to ${c.what}`, 0, c.line.pre.text.length, true);
    }
    return this.criticalFailures.length > 0;
  }

  /** Set when the first pass found sizes it cannot know: later passes are not run. */
  private abandoned = false;

  private evalScalar(expr: Expr, allowUnknown: boolean): Value | undefined {
    const v = this.evalExpr(expr, allowUnknown);
    if (v?.regs?.length) {
      this.report(this.currentLine, 'error', 'a register is not allowed here', 0, this.currentLine.pre.text.length);
      return undefined;
    }
    return v;
  }

  // -------------------------------------------------------------------------------------------
  // Output

  private progbitsSections(): Section[] {
    return [...this.sections.values()].filter((s) => !s.nobits && (s.size > 0n || s.name === '.text'));
  }

  /** Address of the output file's first byte. */
  private imageBase(): bigint | undefined {
    return this.progbitsSections()[0]?.start;
  }

  private image(): Uint8Array {
    const progbits = this.progbitsSections();
    if (!progbits.length) return new Uint8Array(0);
    const base = progbits[0].start;
    let end = base;
    for (const s of progbits) if (s.start + s.size > end) end = s.start + s.size;
    const out = new Uint8Array(Number(end - base));
    for (const s of progbits) out.set(s.bytes(), Number(s.start - base));
    return out;
  }

  private symbolTable(): SymbolInfo[] {
    const list: SymbolInfo[] = [];
    for (const [name, s] of this.symbols) {
      list.push({
        name,
        value: Number(s.value),
        size: 0,
        kind: s.kind,
        section: s.kind === 'equ' ? '' : s.section,
        location: { file: s.line.pre.file, line: s.line.pre.line, column: s.column + 1 },
      });
    }
    // Size of a label: up to the next label in the same section (or the section end).
    const bySection = new Map<string, SymbolInfo[]>();
    for (const s of list) {
      if (s.kind === 'equ' || !s.section) continue;
      const arr = bySection.get(s.section) ?? [];
      arr.push(s);
      bySection.set(s.section, arr);
    }
    for (const [name, arr] of bySection) {
      const sec = this.sections.get(name)!;
      arr.sort((a, b) => a.value - b.value);
      for (let i = 0; i < arr.length; i++) {
        const next = i + 1 < arr.length ? arr[i + 1].value : Number(sec.start + sec.size);
        arr[i].size = Math.max(0, next - arr[i].value);
      }
    }
    return list;
  }

  /**
   * `early` marks the errors nasm finds in its first pass (syntax, expressions, effective
   * addresses); when there are any, nasm stops before the passes that would find the rest, and so
   * do we, so that both name the same errors.
   */
  private report(line: Line, severity: 'error' | 'warning', message: string, start: number, end: number, early = false): void {
    const pre = line.pre;
    let d: AsmDiagnostic;
    if (pre.invocation) {
      // Inside a macro expansion nasm names the line that called the macro; so do we, and say
      // where in the macro the problem is.
      const at = pre.invocation;
      const where = `in macro \`${pre.macroStack[pre.macroStack.length - 1]}' at ${pre.file}:${pre.line}`;
      d = { severity, message: `${message} (${where})`, range: { file: at.file, line: at.line, column: 1, endLine: at.line, endColumn: 1 } };
    } else {
      const col = pre.verbatim ? start + 1 : 1;
      const endCol = pre.verbatim ? Math.max(end, start + 1) + 1 : pre.text.length + 1;
      d = { severity, message, range: { file: pre.file, line: pre.line, column: col, endLine: pre.line, endColumn: endCol } };
    }
    if (this.parsing) this.diagnostics.push(d);
    else {
      this.passDiagnostics.push(d);
      if (early) this.passEarly.add(d);
    }
  }

  private passEarly = new Set<AsmDiagnostic>();
  private lateDiagnostics: AsmDiagnostic[] = [];
}

/** One emitted item of a pass: bytes in a section, or reserved space (bytes undefined). */
interface Emitted {
  line: Line;
  address: number;
  section: Section | undefined;
  /** Offset in the section. */
  offset: number;
  size: number;
  kind: EmitKind;
  bytes: Uint8Array | undefined;
}

const EMPTY = new Uint8Array(0);

interface InstructionInfo {
  forms: ReturnType<typeof formsFor>;
  syntax: ReturnType<typeof syntaxFor>;
  /** Relative branches: their encoding depends on their own address. */
  branch: boolean;
  /** No operand refers to a symbol, `$` or `$$`. */
  constant: boolean;
}

const infoCache = new WeakMap<Body, InstructionInfo>();

function instructionInfo(body: Extract<Body, { k: 'insn' }>): InstructionInfo {
  let info = infoCache.get(body);
  if (!info) {
    const forms = formsFor(body.mnemonic);
    info = {
      forms,
      syntax: syntaxFor(body.mnemonic),
      branch: forms.some((f) => f.explicit.some((k) => BRANCH_KINDS.has(k))),
      constant: body.operands.every((o) => (o.k === 'farptr' ? isConstantExpr(o.seg) && isConstantExpr(o.off) : o.k === 'reg' || isConstantExpr(o.expr))),
    };
    infoCache.set(body, info);
  }
  return info;
}

function isConstantExpr(e: Expr): boolean {
  switch (e.t) {
    case 'sym':
    case 'here':
    case 'start':
      return false;
    case 'un':
      return isConstantExpr(e.a);
    case 'bin':
      return isConstantExpr(e.a) && isConstantExpr(e.b);
    case 'cond':
      return isConstantExpr(e.c) && isConstantExpr(e.a) && isConstantExpr(e.b);
    default:
      return true;
  }
}

const BRANCH_KINDS = new Set<number>([OpCodeOperandKind.br16_1, OpCodeOperandKind.br32_1, OpCodeOperandKind.br16_2, OpCodeOperandKind.br32_4]);

/** Segment-override prefix bytes, for segment registers written as prefixes (`es movsb`). */
const SEGMENT_PREFIX_BYTES: Record<string, number> = { es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65 };
const WAIT_BYTE = 0x9b;

function prefixByte(p: string): number {
  return lookupPrefix(p)?.byte ?? SEGMENT_PREFIX_BYTES[p] ?? WAIT_BYTE;
}

function valueKey(v: Value): string {
  return `${v.n}/${v.rel}/${v.known ? 1 : 0}`;
}

function operandKey(op: EvalOperand): string {
  switch (op.k) {
    case 'reg':
      return op.reg.name;
    case 'imm':
      return `i${valueKey(op.v)}/${op.size}/${op.strict}/${op.jump}`;
    case 'mem': {
      const ea = op.ea;
      return `m${ea.base?.name}/${ea.index?.name}/${ea.scale}/${valueKey(ea.disp)}/${ea.dispBytes}/${ea.addrSize}/${op.size}/${op.far}/${op.seg?.name}`;
    }
    case 'farptr':
      return `f${valueKey(op.seg)}:${valueKey(op.off)}/${op.size}`;
  }
}
