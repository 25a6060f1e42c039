// Source line, function (label) and instruction breakpoints: resolved to linear addresses through
// the program index, with conditions and logpoints in the debugger's expression language and hit
// counts. Re-sent lists are diffed so unchanged breakpoints keep their ids and hit counts; the
// CPU's breakpoint set is only rewritten when the addresses change.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Cpu } from '../cpu/cpu.js';
import { compileExpression, ExpressionError, truthy, type Compiled, type EvalContext } from './expression.js';
import { formatValue, hex, parseAddress } from './format.js';
import { normalizePath, type ProgramIndex } from './program-index.js';

export type BreakpointKind = 'source' | 'function' | 'instruction';

interface Entry {
  id: number;
  kind: BreakpointKind;
  key: string;
  /** Linear address, when verified. */
  address: number | undefined;
  condition: Compiled | undefined;
  hitCondition: ((hits: number) => boolean) | undefined;
  log: ((ctx: EvalContext) => string) | undefined;
  hits: number;
  /** Why the breakpoint can never resolve (a bad condition, hit count or log message). */
  invalid: string | undefined;
  dap: DebugProtocol.Breakpoint;
}

/** What happened at a breakpoint address. */
export interface BreakpointHit {
  stop: boolean;
  ids: number[];
  kind: BreakpointKind | undefined;
  /** Logpoint messages and condition errors to show in the console. */
  output: { text: string; category: 'console' | 'stderr' }[];
}

export interface SourceBreakpointRequest {
  line: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

/** `5`, `== 5`, `>= 5`, `> 4`, `% 3`. */
export function parseHitCondition(text: string): (hits: number) => boolean {
  const m = /^\s*(>=|<=|==|=|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (m === null) throw new ExpressionError(`hit count '${text}' is not understood (use N, >= N, > N, < N, <= N or % N)`);
  const n = Number(m[2]);
  switch (m[1]) {
    case '>=':
      return (h) => h >= n;
    case '<=':
      return (h) => h <= n;
    case '>':
      return (h) => h > n;
    case '<':
      return (h) => h < n;
    case '%':
      if (n === 0) throw new ExpressionError('hit count % 0 is not allowed');
      return (h) => h % n === 0;
    default:
      return (h) => h === n;
  }
}

/** A logpoint message with `{expression}` parts. */
export function compileLogMessage(text: string): (ctx: EvalContext) => string {
  const parts: (string | Compiled)[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{', i);
    if (open < 0) {
      parts.push(text.slice(i));
      break;
    }
    const close = text.indexOf('}', open);
    if (close < 0) throw new ExpressionError(`'{' without '}' in the log message`);
    parts.push(text.slice(i, open));
    parts.push(compileExpression(text.slice(open + 1, close)));
    i = close + 1;
  }
  return (ctx) =>
    parts
      .map((p) => {
        if (typeof p === 'string') return p;
        try {
          return formatValue(p(ctx));
        } catch (e) {
          return `<${(e as Error).message}>`;
        }
      })
      .join('');
}

export class BreakpointManager {
  private nextId = 1;
  private readonly sources = new Map<string, Entry[]>();
  private functions: Entry[] = [];
  private instructions: Entry[] = [];
  private byAddress = new Map<number, Entry[]>();
  private applied = '';
  private appliedTo: Cpu | undefined;

  constructor(private index: ProgramIndex | undefined) {}

  /** A program was loaded (or reloaded): resolve again. Returns the breakpoints that changed. */
  setProgram(index: ProgramIndex): DebugProtocol.Breakpoint[] {
    this.index = index;
    const changed: DebugProtocol.Breakpoint[] = [];
    for (const [file, entries] of this.sources) for (const e of entries) changed.push(this.resolveSource(e, file, Number(e.key.split('|')[0])));
    for (const e of this.functions) changed.push(this.resolveFunction(e, e.key.split('|')[0]));
    this.rebuild();
    return changed;
  }

  setSourceBreakpoints(file: string, requests: SourceBreakpointRequest[]): DebugProtocol.Breakpoint[] {
    const key = normalizePath(file);
    const old = this.sources.get(key) ?? [];
    const entries = requests.map((r) => {
      const k = `${r.line}|${r.condition ?? ''}|${r.hitCondition ?? ''}|${r.logMessage ?? ''}`;
      const kept = old.find((e) => e.key === k);
      if (kept !== undefined) {
        old.splice(old.indexOf(kept), 1);
        return kept;
      }
      const e = this.create('source', k, r.condition, r.hitCondition, r.logMessage);
      if (e.invalid === undefined) this.resolveSource(e, key, r.line);
      return e;
    });
    if (entries.length === 0) this.sources.delete(key);
    else this.sources.set(key, entries);
    this.rebuild();
    return entries.map((e) => e.dap);
  }

  setFunctionBreakpoints(requests: { name: string; condition?: string; hitCondition?: string }[]): DebugProtocol.Breakpoint[] {
    this.functions = this.diff(this.functions, requests, (r) => `${r.name}|${r.condition ?? ''}|${r.hitCondition ?? ''}`, (r, k) => {
      const e = this.create('function', k, r.condition, r.hitCondition, undefined);
      if (e.invalid === undefined) this.resolveFunction(e, r.name);
      return e;
    });
    this.rebuild();
    return this.functions.map((e) => e.dap);
  }

  setInstructionBreakpoints(requests: { instructionReference: string; offset?: number; condition?: string; hitCondition?: string }[]): DebugProtocol.Breakpoint[] {
    this.instructions = this.diff(
      this.instructions,
      requests,
      (r) => `${r.instructionReference}+${r.offset ?? 0}|${r.condition ?? ''}|${r.hitCondition ?? ''}`,
      (r, k) => {
        const e = this.create('instruction', k, r.condition, r.hitCondition, undefined);
        if (e.invalid !== undefined) return e;
        const base = parseAddress(r.instructionReference);
        if (base === undefined) return this.unverified(e, `'${r.instructionReference}' is not an instruction address`);
        const address = (base + (r.offset ?? 0)) >>> 0;
        e.address = address;
        e.dap = { id: e.id, verified: true, instructionReference: hex(address) };
        return e;
      },
    );
    this.rebuild();
    return this.instructions.map((e) => e.dap);
  }

  /**
   * Writes the breakpoint addresses (and a temporary one, `extra`) to the CPU when they changed
   * since the last call: the CPU drops its decoded code on each change.
   */
  applyTo(cpu: Cpu, enabled = true, extra?: number): void {
    const addresses = enabled ? [...this.byAddress.keys()] : [];
    if (extra !== undefined && !addresses.includes(extra >>> 0)) addresses.push(extra >>> 0);
    addresses.sort((a, b) => a - b);
    const signature = addresses.join(',');
    if (signature === this.applied && cpu === this.appliedTo) return;
    this.applied = signature;
    this.appliedTo = cpu; // a restart brings a new CPU with no breakpoints
    cpu.setBreakpoints(addresses);
  }

  has(address: number): boolean {
    return this.byAddress.has(address >>> 0);
  }

  /** Evaluates the breakpoints at an address the guest reached. */
  hit(address: number, ctx: EvalContext): BreakpointHit {
    const result: BreakpointHit = { stop: false, ids: [], kind: undefined, output: [] };
    for (const e of this.byAddress.get(address >>> 0) ?? []) {
      if (e.condition !== undefined) {
        let ok: boolean;
        try {
          ok = truthy(e.condition(ctx));
        } catch (err) {
          result.output.push({ text: `breakpoint ${e.id}: condition failed: ${(err as Error).message}\n`, category: 'stderr' });
          ok = true;
        }
        if (!ok) continue;
      }
      e.hits++;
      if (e.hitCondition !== undefined && !e.hitCondition(e.hits)) continue;
      if (e.log !== undefined) {
        result.output.push({ text: e.log(ctx) + '\n', category: 'console' });
        continue;
      }
      result.stop = true;
      result.ids.push(e.id);
      result.kind ??= e.kind;
    }
    return result;
  }

  private diff<R>(old: Entry[], requests: R[], keyOf: (r: R) => string, make: (r: R, key: string) => Entry): Entry[] {
    const pool = [...old];
    return requests.map((r) => {
      const k = keyOf(r);
      const i = pool.findIndex((e) => e.key === k);
      if (i >= 0) return pool.splice(i, 1)[0];
      return make(r, k);
    });
  }

  private create(kind: BreakpointKind, key: string, condition?: string, hitCondition?: string, logMessage?: string): Entry {
    const e: Entry = { id: this.nextId++, kind, key, address: undefined, condition: undefined, hitCondition: undefined, log: undefined, hits: 0, invalid: undefined, dap: { verified: false } };
    e.dap = { id: e.id, verified: false };
    try {
      if (condition !== undefined && condition.trim() !== '') e.condition = compileExpression(condition);
    } catch (err) {
      return this.invalidate(e, `condition: ${(err as Error).message}`);
    }
    try {
      if (hitCondition !== undefined && hitCondition.trim() !== '') e.hitCondition = parseHitCondition(hitCondition);
    } catch (err) {
      return this.invalidate(e, (err as Error).message);
    }
    try {
      if (logMessage !== undefined && logMessage !== '') e.log = compileLogMessage(logMessage);
    } catch (err) {
      return this.invalidate(e, `log message: ${(err as Error).message}`);
    }
    return e;
  }

  private invalidate(e: Entry, reason: string): Entry {
    e.invalid = reason;
    return this.unverified(e, reason);
  }

  private unverified(e: Entry, reason: string): Entry {
    e.address = undefined;
    e.dap = { id: e.id, verified: false, message: reason };
    return e;
  }

  private resolveSource(e: Entry, file: string, line: number): DebugProtocol.Breakpoint {
    if (e.invalid !== undefined) return e.dap;
    if (this.index === undefined) return this.unverified(e, 'the program is not loaded yet').dap;
    const r = this.index.resolveLine(file, line);
    if ('reason' in r) return this.unverified(e, r.reason).dap;
    e.address = r.address;
    e.dap = { id: e.id, verified: true, line: r.line, instructionReference: hex(r.address) };
    if (r.line !== line) e.dap.message = `moved from line ${line} to line ${r.line}, the nearest line with code`;
    return e.dap;
  }

  private resolveFunction(e: Entry, name: string): DebugProtocol.Breakpoint {
    if (e.invalid !== undefined) return e.dap;
    if (this.index === undefined) return this.unverified(e, 'the program is not loaded yet').dap;
    const s = this.index.symbol(name);
    if (s === undefined || s.kind === 'equ') return this.unverified(e, `no label named '${name}'`).dap;
    e.address = s.value >>> 0;
    e.dap = { id: e.id, verified: true, line: s.location.line, instructionReference: hex(e.address) };
    return e.dap;
  }

  private rebuild(): void {
    const map = new Map<number, Entry[]>();
    const add = (e: Entry) => {
      if (e.address === undefined) return;
      const list = map.get(e.address);
      if (list === undefined) map.set(e.address, [e]);
      else list.push(e);
    };
    for (const entries of this.sources.values()) entries.forEach(add);
    this.functions.forEach(add);
    this.instructions.forEach(add);
    this.byAddress = map;
  }
}
