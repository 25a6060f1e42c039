// The run controller: continue, pause and the steps (in/over/out at line and instruction
// granularity) over the engine facade. Free runs go through Engine.runSliced, so the event loop
// (and a pause request) gets a turn every slice; steps single-step the engine and yield every
// STEP_CHUNK instructions. Knows nothing of the protocol: it returns outcomes the session turns
// into events.
import type { Engine, StopInfo } from '../engine/engine.js';
import type { ExitRecord, SourcePosition } from '../hypervisor/index.js';
import type { BreakpointManager, BreakpointKind } from './breakpoints.js';
import type { DataBreakpoints } from './data-breakpoints.js';
import type { EventStop, EventStops } from './event-stops.js';
import type { EvalContext } from './expression.js';
import { flowKindAtEip } from './flow.js';
import { flatState, type FlatState } from './vmm-walk.js';
import { CS, SS } from '../cpu/constants.js';

/** Instructions per slice of a free run (about 10 ms at the engine's speed). */
const SLICE = 400_000;
/** Single steps between yields to the event loop. */
const STEP_CHUNK = 20_000;
/** Single steps over a call before it is finished with a temporary breakpoint instead. */
const STEP_OVER_LIMIT = 50_000;


/** A step that entered the VMM: the exit and the state around its handling. */
export interface ExitEntered {
  record: ExitRecord;
  before: FlatState;
  after: FlatState;
}

export type Outcome =
  | {
      kind: 'stopped';
      reason: 'step' | 'pause' | 'breakpoint' | 'exception' | 'data breakpoint';
      hitBreakpointIds?: number[];
      breakpointKind?: BreakpointKind;
      description?: string;
      /** Set for exception-filter stops. */
      event?: EventStop;
      /** Set when a step-in stopped at the VMM's handling of an exit. */
      exit?: ExitEntered;
    }
  | { kind: 'ended'; stop: StopInfo };

export type StepDepth = 'in' | 'over' | 'out';
export type Granularity = 'line' | 'instruction';

type Progress = Outcome | undefined;

export class RunController {
  private pauseRequested = false;
  private busy = false;
  private idleWaiters: (() => void)[] = [];
  /** Console output from logpoints and failed conditions. */
  onOutput: (text: string, category: 'console' | 'stderr') => void = () => {};

  constructor(
    private readonly engine: Engine,
    private readonly breakpoints: BreakpointManager,
    private readonly context: EvalContext,
    private readonly maxInstructions: number,
    private readonly breakpointsEnabled: boolean,
    private readonly events: EventStops,
    private readonly data: DataBreakpoints,
  ) {}

  get running(): boolean {
    return this.busy;
  }

  /** Asks a running guest to stop; the run in progress ends with a `pause` outcome. */
  pause(): void {
    if (!this.busy) return;
    this.pauseRequested = true;
    this.engine.requestPause();
  }

  /** Resolves once no run is in progress. */
  idle(): Promise<void> {
    return this.busy ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  continue(): Promise<Outcome> {
    return this.guard(async () => (await this.runUntil(undefined, () => true)) ?? this.stopped('step'));
  }

  step(depth: StepDepth, granularity: Granularity): Promise<Outcome> {
    return this.guard(() => this.doStep(depth, granularity));
  }

  private async guard(body: () => Promise<Outcome>): Promise<Outcome> {
    if (this.busy) throw new Error('the guest is already running');
    this.busy = true;
    this.pauseRequested = false;
    try {
      this.breakpoints.applyTo(this.engine.cpu, this.breakpointsEnabled);
      if (this.breakpointsEnabled) this.data.arm();
      return await body();
    } finally {
      this.data.disarm();
      this.events.clear();
      this.busy = false;
      this.pauseRequested = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  // ---- positions ------------------------------------------------------------------------------

  private pc(): number {
    return (this.engine.cpu.segBase[CS] + this.engine.cpu.eip) >>> 0;
  }

  private esp(): number {
    return this.engine.cpu.r32[4] >>> 0;
  }

  private source(): SourcePosition | undefined {
    return this.engine.sourceAt(this.engine.guestEip);
  }

  private stopped(reason: 'step' | 'pause', description?: string): Outcome {
    return { kind: 'stopped', reason, description };
  }

  // ---- single instructions -------------------------------------------------------------------

  /** One instruction; a breakpoint at the current address (where we resume from) does not stop it. */
  private stepInstruction(): Progress {
    const cpu = this.engine.cpu;
    if (cpu.retired >= this.maxInstructions) return this.limit();
    const before = cpu.retired;
    let s = this.engine.step();
    if (s.reason === 'breakpoint' && cpu.retired === before) s = this.engine.step();
    if (s.reason === 'step' || s.reason === 'breakpoint' || s.reason === 'event') return this.collected();
    return this.terminal(s);
  }

  /** One instruction for a step-in: when it exits to the VMM, the stop is at the VMM's handling. */
  private stepInstructionIn(): Progress {
    const log = this.engine.log;
    const seq = log.lastSeq;
    const eip = this.engine.guestEip;
    const before = flatState(this.engine);
    const r = this.stepInstruction();
    if (r !== undefined || log.lastSeq === seq) return r;
    const recent = log.recent();
    for (let i = recent.length - 1; i >= 0 && recent[i].seq > seq; i--) {
      const e = recent[i];
      if (e.kind !== 'hole' && e.instruction !== '' && e.eip >>> 0 === eip) {
        return { kind: 'stopped', reason: 'step', description: `Stepped into the VMM's handling of a ${e.reason} exit`, exit: { record: e, before, after: flatState(this.engine) } };
      }
    }
    return undefined;
  }

  /** What the exit, hole and watch listeners asked to stop for during the last instruction(s). */
  private collected(): Progress {
    const event = this.events.take();
    const data = this.breakpointsEnabled ? this.data.check() : undefined;
    if (event !== undefined) return { kind: 'stopped', reason: 'exception', description: event.description, event };
    if (data !== undefined) return { kind: 'stopped', reason: 'data breakpoint', hitBreakpointIds: data.ids, description: data.description };
    return undefined;
  }

  private terminal(s: StopInfo): Outcome {
    if (s.reason === 'idle') return this.stopped('pause', s.message);
    if (s.reason === 'shutdown' && this.breakpointsEnabled) {
      const event = this.events.shutdownStop(s.message ?? 'triple fault');
      if (event !== undefined) return { kind: 'stopped', reason: 'exception', description: event.description, event };
    }
    return { kind: 'ended', stop: s };
  }

  private limit(): Outcome {
    const eip = this.engine.cpu.eip >>> 0;
    return {
      kind: 'ended',
      stop: { reason: 'instruction-limit', exitStatus: 4, message: `instruction limit reached (${this.engine.cpu.retired} instructions) at EIP 0x${eip.toString(16).padStart(8, '0')}` },
    };
  }

  /** After a step landed somewhere: a user breakpoint there that wants to stop. */
  private breakpointHere(): Progress {
    if (!this.breakpointsEnabled) return undefined;
    const pc = this.pc();
    if (!this.breakpoints.has(pc)) return undefined;
    const hit = this.breakpoints.hit(pc, this.context);
    for (const o of hit.output) this.onOutput(o.text, o.category);
    return hit.stop ? { kind: 'stopped', reason: 'breakpoint', hitBreakpointIds: hit.ids, breakpointKind: hit.kind } : undefined;
  }

  private async yieldNow(): Promise<Progress> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.pauseRequested ? this.stopped('pause') : undefined;
  }

  // ---- free runs -------------------------------------------------------------------------------

  /**
   * Runs until a user breakpoint stops, the guest ends, a pause, or (with `target`) the guest
   * reaches `target` and `done()` holds there. Returns undefined in that last case.
   */
  private async runUntil(target: number | undefined, done: () => boolean): Promise<Progress> {
    if (this.breakpointsEnabled && this.data.needsSingleStep) return this.runStepping(target, done);
    const cpu = this.engine.cpu;
    if (target !== undefined) this.breakpoints.applyTo(cpu, this.breakpointsEnabled, target);
    try {
      let first = true;
      for (;;) {
        if (this.pauseRequested) return this.stopped('pause');
        const before = cpu.retired;
        const s = await this.engine.runSliced(this.maxInstructions, SLICE);
        if (s.reason === 'pause') return this.stopped('pause');
        if (s.reason === 'event') {
          first = false;
          const c = this.collected();
          if (c !== undefined) return c;
          continue;
        }
        if (s.reason !== 'breakpoint') return this.terminal(s);
        const resumedHere = first && cpu.retired === before;
        first = false;
        if (resumedHere) continue;
        const pc = this.pc();
        if (target === pc && done()) return undefined;
        const bp = this.breakpointHere();
        if (bp !== undefined) return bp;
      }
    } finally {
      if (target !== undefined) this.breakpoints.applyTo(cpu, this.breakpointsEnabled);
    }
  }

  /**
   * runUntil one instruction at a time, for watches that compare registers after every
   * instruction (about 10× slower than a free run, still millions of instructions per second).
   */
  private async runStepping(target: number | undefined, done: () => boolean): Promise<Progress> {
    const target32 = target === undefined ? undefined : target >>> 0;
    for (let n = 1; ; n++) {
      const r = this.stepInstruction();
      if (r !== undefined) return r;
      if (target32 !== undefined && this.pc() === target32 && done()) return undefined;
      const bp = this.breakpointHere();
      if (bp !== undefined) return bp;
      if (n % STEP_CHUNK === 0) {
        const p = await this.yieldNow();
        if (p !== undefined) return p;
      }
    }
  }

  /** Executes a call or software interrupt and everything it runs, up to its return. */
  private async stepOverCall(): Promise<Progress> {
    const espBefore = this.esp();
    const r = this.stepInstruction();
    if (r !== undefined) return r;
    const esp = this.esp();
    if (esp >= espBefore) return undefined; // nothing was pushed (a fault was delivered elsewhere...)
    const cpu = this.engine.cpu;
    const size = cpu.code32 ? 4 : 2;
    const bytes = this.engine.readLinear((cpu.segBase[SS] + esp) >>> 0, size);
    if (bytes === null) return undefined;
    const returnTo = size === 4 ? (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0 : bytes[0] | (bytes[1] << 8);
    const back = () => this.engine.guestEip === returnTo && this.esp() >= espBefore;
    for (let n = 0; n < STEP_OVER_LIMIT; n++) {
      if (back()) return undefined;
      const bp = this.breakpointHere();
      if (bp !== undefined) return bp;
      if (n % STEP_CHUNK === STEP_CHUNK - 1) {
        const p = await this.yieldNow();
        if (p !== undefined) return p;
      }
      const s = this.stepInstruction();
      if (s !== undefined) return s;
    }
    if (back()) return undefined;
    // A long call: finish it at full speed with a temporary breakpoint on the return address.
    for (;;) {
      const r2 = await this.runUntil((cpu.segBase[CS] + returnTo) >>> 0, back);
      if (r2 !== undefined) return r2;
      if (back()) return undefined;
    }
  }

  // ---- steps -------------------------------------------------------------------------------------

  private async doStep(depth: StepDepth, granularity: Granularity): Promise<Outcome> {
    if (granularity === 'instruction' && depth === 'in') return this.stepInstructionIn() ?? this.stopped('step');
    const start = granularity === 'line' ? this.source() : undefined;
    const lineMode = start !== undefined;
    let calls = 0; // calls entered minus returns executed, relative to the start
    for (let n = 1; ; n++) {
      const kind = flowKindAtEip(this.engine);
      if (depth !== 'in' && (kind === 'call' || kind === 'interrupt')) {
        const r = await this.stepOverCall();
        if (r !== undefined) return r;
      } else {
        const r = depth === 'in' ? this.stepInstructionIn() : this.stepInstruction();
        if (r !== undefined) return r;
        if (kind === 'call' || kind === 'interrupt') calls++;
        else if (kind === 'return') calls--;
      }
      const bp = this.breakpointHere();
      if (bp !== undefined) return bp;
      if (depth === 'out') {
        if (calls < 0) return this.stopped('step');
      } else if (!lineMode) {
        return this.stopped('step');
      } else {
        const here = this.source();
        if (here !== undefined && (calls < 0 || here.line !== start.line || here.file !== start.file)) return this.stopped('step');
      }
      if (n % STEP_CHUNK === 0) {
        const p = await this.yieldNow();
        if (p !== undefined) return p;
      }
    }
  }
}
