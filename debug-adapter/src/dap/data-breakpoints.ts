// Data breakpoints: on a register, on one EFLAGS bit ("break when IF changes"), or on a range of
// guest linear memory (read, write or both). Memory watches ride on the CPU's access hook and stop
// after the accessing instruction, as a hardware data breakpoint traps; register and flag watches
// are compared after every instruction, so while one is set the controller single-steps.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Engine } from '../engine/engine.js';
import { readRegister } from '../engine/registers.js';
import { parseHitCondition } from './breakpoints.js';
import { compileExpression, ExpressionError, truthy, type Compiled, type EvalContext } from './expression.js';
import { hex, parseAddress } from './format.js';
import { flagBit } from './guest-context.js';
import type { ProgramIndex } from './program-index.js';

type AccessType = 'read' | 'write' | 'readWrite';

interface Target {
  kind: 'register' | 'flag' | 'memory';
  /** Register or flag name (upper case), for registers and flags. */
  name: string;
  address: number;
  length: number;
}

interface Watch {
  id: number;
  dataId: string;
  target: Target;
  access: AccessType;
  condition: Compiled | undefined;
  conditionText: string | undefined;
  hitCondition: ((hits: number) => boolean) | undefined;
  hitConditionText: string | undefined;
  hits: number;
  /** Last value seen (registers and flags). */
  value: number;
}

export interface DataHit {
  ids: number[];
  description: string;
}

const MAX_LENGTH = 1 << 20;

function parseDataId(dataId: string): Target | undefined {
  let m = /^reg:([a-z0-9]+)$/i.exec(dataId);
  if (m !== null) return { kind: 'register', name: m[1].toUpperCase(), address: 0, length: 0 };
  m = /^flag:([a-z]+)$/i.exec(dataId);
  if (m !== null) return { kind: 'flag', name: m[1].toUpperCase(), address: 0, length: 0 };
  m = /^mem:(0x[0-9a-f]+):(\d+)$/i.exec(dataId);
  if (m !== null) return { kind: 'memory', name: '', address: Number(m[1]) >>> 0, length: Number(m[2]) };
  return undefined;
}

export class DataBreakpoints {
  private watches: Watch[] = [];
  private registerWatches: Watch[] = [];
  private memoryWatches: Watch[] = [];
  private pendingMemory: { watch: Watch; write: boolean; address: number; size: number }[] = [];
  private nextId = 100_000;

  constructor(
    private readonly engine: Engine,
    private readonly index: ProgramIndex | undefined,
    private readonly context: EvalContext,
  ) {}

  /** True while a register or flag watch needs a comparison after every instruction. */
  get needsSingleStep(): boolean {
    return this.registerWatches.length > 0;
  }

  /**
   * dataBreakpointInfo: what can be watched for a variable of a container (the Registers scope,
   * the EFLAGS bits) or for an expression (`container` undefined: a register, `eflags.IF`, a label
   * or an address).
   */
  info(name: string, container: 'registers' | 'eflags' | 'other' | undefined, asAddress: boolean, bytes: number | undefined): DebugProtocol.DataBreakpointInfoResponse['body'] {
    const none = (why: string): DebugProtocol.DataBreakpointInfoResponse['body'] => ({ dataId: null, description: why });
    const text = name.trim();
    const flagInfo = (flag: string): DebugProtocol.DataBreakpointInfoResponse['body'] => ({ dataId: `flag:${flag}`, description: `EFLAGS.${flag} changes`, accessTypes: ['write'] });
    const registerInfo = (reg: string): DebugProtocol.DataBreakpointInfoResponse['body'] => ({ dataId: `reg:${reg}`, description: `${reg} changes`, accessTypes: ['write'] });
    const isRegister = (reg: string) => !/^(cr|dr)\d$/i.test(reg) && readRegister(this.engine.cpu, reg.toLowerCase()) !== undefined;
    if (container === 'other') return none(`${name} cannot be watched (registers, EFLAGS bits and memory can)`);
    if (container === 'eflags') return flagBit(text) === undefined ? none(`EFLAGS has no bit named ${name}`) : flagInfo(text.toUpperCase());
    if (container === 'registers') return isRegister(text) ? registerInfo(text.toUpperCase()) : none(`${name} cannot be watched`);
    if (!asAddress) {
      const flag = text.replace(/^eflags\./i, '');
      if (flagBit(flag) !== undefined) return flagInfo(flag.toUpperCase());
      if (isRegister(text)) return registerInfo(text.toUpperCase());
    }
    const symbol = this.index?.symbol(text);
    let address = symbol?.value ?? parseAddress(text);
    if (address === undefined) {
      try {
        const v = compileExpression(text)(this.context);
        if (typeof v === 'number') address = v;
      } catch (e) {
        if (!(e instanceof ExpressionError)) throw e;
        return none(`${name}: ${e.message}`);
      }
    }
    if (address === undefined) return none(`${name} is neither a register, an EFLAGS bit, a label nor an address`);
    address >>>= 0;
    const length = bytes !== undefined && Number.isInteger(bytes) && bytes >= 1 && bytes <= MAX_LENGTH ? bytes : 4;
    return {
      dataId: `mem:${hex(address)}:${length}`,
      description: `${length} byte${length === 1 ? '' : 's'} at ${hex(address)}${symbol !== undefined ? ` (${text})` : ''}`,
      accessTypes: ['read', 'write', 'readWrite'],
      canPersist: true,
    };
  }

  /** The requests behind the current watches (a restart sets them again on the new guest). */
  requests(): { dataId: string; accessType: string; condition?: string; hitCondition?: string }[] {
    return this.watches.map((w) => ({ dataId: w.dataId, accessType: w.access, condition: w.conditionText, hitCondition: w.hitConditionText }));
  }

  /** setDataBreakpoints: replaces every data breakpoint. */
  set(requests: readonly { dataId: string; accessType?: string; condition?: string; hitCondition?: string }[]): DebugProtocol.Breakpoint[] {
    const kept = new Map(this.watches.map((w) => [`${w.dataId}/${w.access}`, w]));
    const watches: Watch[] = [];
    const result: DebugProtocol.Breakpoint[] = [];
    for (const r of requests) {
      const target = parseDataId(r.dataId);
      if (target === undefined) {
        result.push({ verified: false, message: `unknown data breakpoint id '${r.dataId}'` });
        continue;
      }
      if (target.kind === 'register' && readRegister(this.engine.cpu, target.name.toLowerCase()) === undefined) {
        result.push({ verified: false, message: `no register named ${target.name}` });
        continue;
      }
      if (target.kind === 'flag' && flagBit(target.name) === undefined) {
        result.push({ verified: false, message: `EFLAGS has no bit named ${target.name}` });
        continue;
      }
      if (target.kind === 'memory' && (target.length < 1 || target.length > MAX_LENGTH)) {
        result.push({ verified: false, message: `a memory data breakpoint covers 1 to ${MAX_LENGTH} bytes` });
        continue;
      }
      const access = (r.accessType ?? 'write') as AccessType;
      if (!['read', 'write', 'readWrite'].includes(access)) {
        result.push({ verified: false, message: `unknown access type '${r.accessType}'` });
        continue;
      }
      if (target.kind !== 'memory' && access === 'read') {
        result.push({ verified: false, message: `${target.name} can only be watched for changes (access type 'write')` });
        continue;
      }
      let condition: Compiled | undefined;
      let hitCondition: ((hits: number) => boolean) | undefined;
      try {
        if (r.condition !== undefined && r.condition.trim() !== '') condition = compileExpression(r.condition);
        if (r.hitCondition !== undefined && r.hitCondition.trim() !== '') hitCondition = parseHitCondition(r.hitCondition);
      } catch (e) {
        if (!(e instanceof ExpressionError)) throw e;
        result.push({ verified: false, message: e.message });
        continue;
      }
      const old = kept.get(`${r.dataId}/${access}`);
      const watch: Watch = {
        id: old?.id ?? this.nextId++, dataId: r.dataId, target, access, condition, conditionText: r.condition, hitCondition, hitConditionText: r.hitCondition, hits: old?.hits ?? 0, value: 0,
      };
      watch.value = this.current(watch);
      watches.push(watch);
      result.push({ id: watch.id, verified: true, message: this.describeTarget(target) });
    }
    this.watches = watches;
    this.registerWatches = watches.filter((w) => w.target.kind !== 'memory');
    this.memoryWatches = watches.filter((w) => w.target.kind === 'memory');
    return result;
  }

  /** Installs the memory hook (before a run) and re-reads watched registers. */
  arm(): void {
    for (const w of this.registerWatches) w.value = this.current(w);
    this.pendingMemory = [];
    const cpu = this.engine.cpu;
    if (this.memoryWatches.length === 0) {
      cpu.memoryWatch = null;
      return;
    }
    const watches = this.memoryWatches;
    cpu.memoryWatch = (lin, size, write) => {
      for (const w of watches) {
        if (write ? w.access === 'read' : w.access === 'write') continue;
        const start = w.target.address;
        if (lin + size <= start || lin >= start + w.target.length) continue;
        this.pendingMemory.push({ watch: w, write, address: lin, size });
        this.engine.stopAfterInstruction();
      }
    };
  }

  disarm(): void {
    this.engine.cpu.memoryWatch = null;
  }

  /** After one instruction: a watch that fired and wants to stop (conditions and hit counts applied). */
  check(): DataHit | undefined {
    const ids: number[] = [];
    const parts: string[] = [];
    for (const w of this.registerWatches) {
      const now = this.current(w);
      if (now === w.value) continue;
      const before = w.value;
      w.value = now;
      if (!this.wants(w)) continue;
      ids.push(w.id);
      const show = (v: number) => (w.target.kind === 'flag' ? String(v) : hex(v));
      parts.push(`${w.target.kind === 'flag' ? `EFLAGS.${w.target.name}` : w.target.name} changed: ${show(before)} → ${show(now)}`);
    }
    const memory = this.pendingMemory;
    this.pendingMemory = [];
    for (const m of memory) {
      if (ids.includes(m.watch.id) || !this.wants(m.watch)) continue;
      ids.push(m.watch.id);
      parts.push(`${m.write ? 'write' : 'read'} of ${m.size} byte${m.size === 1 ? '' : 's'} at ${hex(m.address)} (${this.describeTarget(m.watch.target)})`);
    }
    return ids.length === 0 ? undefined : { ids, description: `Data breakpoint: ${parts.join('; ')}` };
  }

  private wants(w: Watch): boolean {
    if (w.condition !== undefined) {
      try {
        if (!truthy(w.condition(this.context))) return false;
      } catch {
        return true; // a condition that cannot be evaluated stops, so the user sees why
      }
    }
    w.hits++;
    return w.hitCondition === undefined || w.hitCondition(w.hits);
  }

  private current(w: Watch): number {
    const cpu = this.engine.cpu;
    if (w.target.kind === 'register') return readRegister(cpu, w.target.name.toLowerCase()) ?? 0;
    if (w.target.kind === 'flag') {
      // Under a VMM, IF and IOPL are what the guest's virtual CPU holds (trap-and-emulate keeps the
      // physical IF at 1 and emulates CLI/STI): "break when IF changes" means the guest's IF.
      const virtual = w.target.name === 'IF' || w.target.name === 'IOPL' ? (this.engine.hypervisor?.virtualState() ?? null) : null;
      if (virtual !== null) return w.target.name === 'IF' ? (virtual.interruptFlag ? 1 : 0) : virtual.iopl;
      const f = flagBit(w.target.name);
      return f === undefined ? 0 : (cpu.getEflags() >>> f.shift) & ((1 << f.width) - 1);
    }
    return 0;
  }

  private describeTarget(t: Target): string {
    if (t.kind === 'register') return `${t.name} changes`;
    if (t.kind === 'flag') return `EFLAGS.${t.name} changes`;
    const label = this.index?.nearestLabel(t.address);
    const at = label !== undefined && label.address === t.address ? ` (${label.name})` : '';
    return `${t.length} byte${t.length === 1 ? '' : 's'} at ${hex(t.address)}${at}`;
  }
}
