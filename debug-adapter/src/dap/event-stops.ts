// Exception breakpoint filters: stops on what happens between the guest and its VMM — guest
// exceptions, VM exits, hypercalls, translation callouts, virtualization holes and triple faults —
// each with an optional condition over the event's fields in the debugger's expression language.
// The listeners run inside the engine's run; a match asks the engine to stop after the current
// instruction and is kept here until the controller collects it.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Engine } from '../engine/engine.js';
import type { ExitRecord, HoleRecord } from '../hypervisor/types.js';
import { exceptionName } from '../cpu/constants.js';
import { DapError, ErrorId } from './errors.js';
import { describeExit, describeHole } from './exit-record.js';
import { compileExpression, ExpressionError, truthy, type Compiled, type Value } from './expression.js';
import type { GuestContext } from './guest-context.js';
import { hex } from './format.js';

export type FilterId = 'guest-exception' | 'vm-exit' | 'hypercall' | 'translation-callout' | 'virtualization-hole' | 'shutdown';

export const EXCEPTION_FILTERS: readonly DebugProtocol.ExceptionBreakpointsFilter[] = [
  {
    filter: 'guest-exception',
    label: 'Guest exceptions',
    description: "Stop when an exception reaches the guest's own handler",
    default: false,
    supportsCondition: true,
    conditionDescription: 'over vector, errorCode, name — e.g. vector == 14 && (errorCode & 2) != 0',
  },
  {
    filter: 'vm-exit',
    label: 'VM exits',
    description: 'Stop at every transfer from the guest to the VMM: VT-x exits, trap-and-emulate traps, interrupts',
    default: false,
    supportsCondition: true,
    conditionDescription: 'over the exit record — e.g. reason == "IO_INSTRUCTION" && port == 0x3f8',
  },
  {
    filter: 'hypercall',
    label: 'Hypercalls',
    description: 'Stop at every paravirtual hypercall',
    default: false,
    supportsCondition: true,
    conditionDescription: 'over name, number — e.g. name == "sched_op"',
  },
  {
    filter: 'translation-callout',
    label: 'Translation callouts',
    description: 'Stop where binary-translated code calls out to the VMM',
    default: false,
    supportsCondition: true,
    conditionDescription: 'over the exit record — e.g. reason == "popf"',
  },
  {
    filter: 'virtualization-hole',
    label: 'Virtualization holes',
    description: 'Stop where a sensitive, unprivileged instruction ran without the VMM and saw something bare metal would not (trap-and-emulate)',
    default: true,
    supportsCondition: true,
    conditionDescription: 'over mnemonic, expected, observed — e.g. mnemonic == "popf"',
  },
  {
    filter: 'shutdown',
    label: 'Triple fault',
    description: 'Stop when the guest triple-faults, before the session ends',
    default: true,
    supportsCondition: true,
    conditionDescription: 'over chain, eip — e.g. eip == 0x100020',
  },
];

const FILTER_IDS = new Set(EXCEPTION_FILTERS.map((f) => f.filter));

/** What made the guest stop, for the stopped event and exceptionInfo. */
export interface EventStop {
  filter: FilterId;
  /** "VM exit: CPUID (reason 10)". */
  description: string;
  /** Guest EIP of the instruction the event belongs to. */
  eip: number;
  /** The event's fields as conditions see them. */
  fields: Record<string, Value>;
  record?: ExitRecord | HoleRecord;
}

function filterOf(record: ExitRecord): FilterId {
  switch (record.kind) {
    case 'hypercall':
      return 'hypercall';
    case 'callout':
      return 'translation-callout';
    default:
      return 'vm-exit';
  }
}

export function exitFields(record: ExitRecord): Record<string, Value> {
  const fields: Record<string, Value> = {};
  for (const [k, v] of Object.entries(record.details)) fields[k] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  Object.assign(fields, {
    kind: record.kind,
    reason: record.reason,
    name: record.reason,
    eip: record.eip >>> 0,
    instruction: record.instruction,
    technique: record.technique,
    action: record.action,
    cost: record.cost,
    seq: record.seq,
  });
  if (record.reasonNumber !== undefined) {
    fields.reasonNumber = record.reasonNumber;
    fields.number = record.reasonNumber;
  }
  if (record.qualification !== undefined) fields.qualification = record.qualification >>> 0;
  return fields;
}

function holeFields(hole: HoleRecord): Record<string, Value> {
  return {
    kind: 'hole',
    mnemonic: hole.mnemonic,
    reason: hole.mnemonic,
    eip: hole.eip >>> 0,
    instruction: hole.instruction,
    expected: hole.expected,
    observed: hole.observed,
    message: hole.message,
    technique: hole.technique,
    seq: hole.seq,
  };
}

export class EventStops {
  private readonly enabled = new Map<FilterId, Compiled | undefined>();
  private pendingStop: EventStop | undefined;
  /** The stop most recently reported (exceptionInfo answers from it). */
  last: EventStop | undefined;
  /** Condition failures, for the console. */
  onConditionError: (message: string) => void = () => {};
  private readonly unsubscribe: () => void;
  private shutdownReported = false;

  constructor(
    private readonly engine: Engine,
    private readonly context: GuestContext,
  ) {
    for (const f of EXCEPTION_FILTERS) if (f.default === true) this.enabled.set(f.filter as FilterId, undefined);
    this.unsubscribe = engine.log.onEvent((event) => {
      if (event.kind === 'hole') this.offer('virtualization-hole', () => holeFields(event), () => describeHole(event), event.eip, event);
      else this.offer(filterOf(event), () => exitFields(event), () => describeExit(event), event.eip, event);
    });
    this.updateExceptionWatch();
  }

  dispose(): void {
    this.unsubscribe();
    this.engine.cpu.exceptionWatch = null;
  }

  /** setExceptionBreakpoints: filter ids with optional conditions; bad ids or conditions are refused. */
  configure(filters: readonly string[], options: readonly { filterId: string; condition?: string }[]): DebugProtocol.Breakpoint[] {
    const next = new Map<FilterId, Compiled | undefined>();
    const results: DebugProtocol.Breakpoint[] = [];
    const add = (id: string, condition: string | undefined): void => {
      if (!FILTER_IDS.has(id)) throw new DapError(ErrorId.BadArguments, `unknown exception filter '${id}' (filters: ${[...FILTER_IDS].join(', ')})`);
      let compiled: Compiled | undefined;
      if (condition !== undefined && condition.trim() !== '') {
        try {
          compiled = compileExpression(condition);
        } catch (e) {
          if (!(e instanceof ExpressionError)) throw e;
          results.push({ verified: false, message: `${id}: ${e.message}` });
          return;
        }
      }
      next.set(id as FilterId, compiled);
      results.push({ verified: true });
    };
    for (const id of filters) add(id, undefined);
    for (const o of options) add(o.filterId, o.condition);
    this.enabled.clear();
    for (const [k, v] of next) this.enabled.set(k, v);
    this.updateExceptionWatch();
    return results;
  }

  isEnabled(filter: FilterId): boolean {
    return this.enabled.has(filter);
  }

  /** The stop a listener asked for since the last call, if any. */
  take(): EventStop | undefined {
    const stop = this.pendingStop;
    this.pendingStop = undefined;
    if (stop !== undefined) this.last = stop;
    return stop;
  }

  /** Forget a stop requested during a run that ended otherwise. */
  clear(): void {
    this.pendingStop = undefined;
  }

  /** A triple fault, once: the first report stops (when enabled), the next run ends the session. */
  shutdownStop(chain: string): EventStop | undefined {
    if (this.shutdownReported || !this.enabled.has('shutdown')) return undefined;
    this.shutdownReported = true;
    const eip = this.engine.guestEip;
    const fields: Record<string, Value> = { chain, eip, kind: 'shutdown' };
    if (!this.matches('shutdown', fields)) return undefined;
    const stop: EventStop = { filter: 'shutdown', description: `Triple fault: ${chain}`, eip, fields };
    this.last = stop;
    return stop;
  }

  private updateExceptionWatch(): void {
    this.engine.cpu.exceptionWatch = this.enabled.has('guest-exception')
      ? (vector, errorCode, eip) => {
          const name = exceptionName(vector);
          this.offer(
            'guest-exception',
            () => ({ vector, errorCode: errorCode < 0 ? 0 : errorCode, hasErrorCode: errorCode < 0 ? 0 : 1, name, eip: this.engine.guestEipOf(eip) }),
            () => `Guest exception: ${name}${errorCode >= 0 ? `(${hex(errorCode, 4)})` : ''} (vector ${vector})`,
            this.engine.guestEipOf(eip),
          );
        }
      : null;
  }

  private matches(filter: FilterId, fields: Record<string, Value>): boolean {
    const condition = this.enabled.get(filter);
    if (condition === undefined) return true;
    const saved = this.context.extra;
    this.context.extra = fields;
    try {
      return truthy(condition(this.context));
    } catch (e) {
      this.onConditionError(`${filter} condition: ${e instanceof Error ? e.message : String(e)} — stopping`);
      return true;
    } finally {
      this.context.extra = saved;
    }
  }

  private offer(filter: FilterId, fields: () => Record<string, Value>, description: () => string, eip: number, record?: ExitRecord | HoleRecord): void {
    if (this.pendingStop !== undefined || !this.enabled.has(filter)) return;
    const f = fields();
    if (!this.matches(filter, f)) return;
    this.pendingStop = { filter, description: description(), eip: eip >>> 0, fields: f, record };
    this.engine.stopAfterInstruction();
  }
}
