// The DAP session: one guest machine per session. Every request goes through one table of
// handlers that return the response body (the js-debug pattern); anything a handler throws becomes
// an error response and the session keeps serving. The engine work lives in the modules beside
// this one (launch-config, breakpoints, controller, variables, stack, memory, disassembly).
import * as path from 'node:path';
import {
  BreakpointEvent, Event, ExitedEvent, InitializedEvent, LoggingDebugSession, OutputEvent, Response, Source, StoppedEvent, TerminatedEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Engine, EngineInputError } from '../engine/engine.js';
import { BreakpointManager, type SourceBreakpointRequest } from './breakpoints.js';
import { RunController, type Granularity, type Outcome, type StepDepth } from './controller.js';
import { Disassembler } from './disassembly.js';
import {
  argumentsOf, badArguments, DapError, ErrorId, optionalArray, optionalNumber, optionalString, requiredNumber, requiredString,
} from './errors.js';
import { runConsoleCommand } from './console.js';
import { exitRecordVariables, holeRecordVariables, type ExitField } from './exit-record.js';
import { compileExpression, ExpressionError, type Compiled } from './expression.js';
import { formatValue, hex } from './format.js';
import { GuestContext } from './guest-context.js';
import { parseLaunchConfig, type LaunchConfig } from './launch-config.js';
import { readMemory, writeMemory } from './memory.js';
import { ProgramIndex } from './program-index.js';
import { stackFrames } from './stack.js';
import { VariablesView } from './variables.js';
import { translationOf } from './translation.js';
import { DataBreakpoints } from './data-breakpoints.js';
import { EventStops, EXCEPTION_FILTERS } from './event-stops.js';
import { MAX_LISTINGS, REF_VMM_HANDLING, VmmFrames } from './vmm-frames.js';
import { VmmEventStream } from './vmm-events.js';
import { CS } from '../cpu/constants.js';

const THREAD_ID = 1;
const MAX_CACHED_EXPRESSIONS = 256;

type Args = Record<string, unknown>;
/** A handler returns the response body, or a Reply when something must follow the response. */
type Handler = (args: Args, request: DebugProtocol.Request) => unknown;

class Reply {
  constructor(
    readonly body: unknown,
    readonly after: () => void,
  ) {}
}

/** Everything that exists once a program is loaded. */
interface Guest {
  config: LaunchConfig;
  engine: Engine;
  index: ProgramIndex;
  context: GuestContext;
  controller: RunController;
  variables: VariablesView;
  disassembler: Disassembler;
  vmmEvents: VmmEventStream;
  events: EventStops;
  data: DataBreakpoints;
}


export class HyperstepSession extends LoggingDebugSession {
  private guest: Guest | undefined;
  private readonly breakpoints = new BreakpointManager(undefined);
  private ended = false;
  private disposed = false;
  private serialText = '';
  private serialFlush: NodeJS.Immediate | undefined;
  private readonly expressions = new Map<string, Compiled>();
  /** Exception filters set before a guest exists (applied at launch). */
  private exceptionConfig: { filters: string[]; options: { filterId: string; condition?: string }[] } | undefined;
  /** The VMM frame of a step into an exit, and the frame of an event stop's instruction. */
  private readonly vmmFrames = new VmmFrames({
    source: (file) => this.source(file),
    line: (line) => this.convertDebuggerLineToClient(line),
    column: (column) => this.convertDebuggerColumnToClient(column),
  });
  private readonly handlers: Record<string, Handler> = {
    launch: (a) => this.launch(a),
    attach: () => {
      throw new DapError(ErrorId.BadArguments, "hyperstep supports 'launch' only");
    },
    configurationDone: () => this.configurationDone(),
    setBreakpoints: (a) => this.setBreakpoints(a),
    setFunctionBreakpoints: (a) => this.setFunctionBreakpoints(a),
    setInstructionBreakpoints: (a) => this.setInstructionBreakpoints(a),
    setExceptionBreakpoints: (a) => this.setExceptionBreakpoints(a),
    exceptionInfo: () => this.exceptionInfo(),
    dataBreakpointInfo: (a) => this.dataBreakpointInfo(a),
    setDataBreakpoints: (a) => this.setDataBreakpoints(a),
    restart: (a) => this.restart(a),
    gotoTargets: (a) => this.gotoTargets(a),
    goto: (a) => this.goto(a),
    source: (a) => this.generatedSource(a),
    'hyperstep.serialInput': (a) => this.serialInputRequest(a),
    'hyperstep.translation': (a) => {
      const guest = this.requireStopped();
      const address = optionalNumber(a, 'address', 'hyperstep.translation') ?? guest.engine.guestEip;
      return translationOf(guest.engine, guest.disassembler, address);
    },
    threads: () => ({ threads: [{ id: THREAD_ID, name: 'vCPU 0' }] }),
    stackTrace: (a) => this.stackTraceWithVmm(a),
    scopes: (a) => ({ scopes: this.vmmFrames.scopes(a.frameId, this.scopes(a).scopes) }),
    variables: (a) => (a.variablesReference === REF_VMM_HANDLING ? this.vmmHandlingVariables() : this.variables(a)),
    setVariable: (a) => this.setVariable(a),
    evaluate: (a) => this.evaluate(a),
    continue: (a) => this.resume(a, 'continue'),
    next: (a) => this.resume(a, 'over'),
    stepIn: (a) => this.resume(a, 'in'),
    stepOut: (a) => this.resume(a, 'out'),
    pause: (a) => this.pause(a),
    readMemory: (a) => this.readMemory(a),
    writeMemory: (a) => this.writeMemory(a),
    disassemble: (a) => this.disassemble(a),
    terminate: () => this.terminate(),
    disconnect: () => this.disconnect(),
  };

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    // Unparseable input: say so and go on (the base class would shut the adapter down).
    this.on('error', (event: DebugProtocol.Event) => {
      this.sendEvent(new OutputEvent(`hyperstep: ${String(event.body)}\n`, 'stderr'));
    });
  }

  /** The transport decides when the process ends (dap-command.ts); errors never end it. */
  override shutdown(): void {}

  /** Drops the guest and everything scheduled for it. Idempotent. */
  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.dropGuest();
    if (this.serialFlush !== undefined) clearImmediate(this.serialFlush);
    this.serialFlush = undefined;
  }

  // ---- message dispatch ----------------------------------------------------------------------

  override handleMessage(msg: DebugProtocol.ProtocolMessage): void {
    const m = msg as unknown;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      this.sendEvent(new OutputEvent('hyperstep: ignored a message that is not a JSON object\n', 'stderr'));
      return;
    }
    const type = (m as { type?: unknown }).type;
    if (type === 'request' || type === 'response') {
      super.handleMessage(msg);
      return;
    }
    const seq = (m as { seq?: unknown }).seq;
    if (typeof seq === 'number') {
      const response = new Response({ seq, type: 'request', command: String((m as { command?: unknown }).command ?? '') });
      this.fail(response, new DapError(ErrorId.BadArguments, `malformed message: 'type' must be 'request' (got ${JSON.stringify(type)})`));
    } else {
      this.sendEvent(new OutputEvent(`hyperstep: ignored a malformed message (no 'type' or 'seq')\n`, 'stderr'));
    }
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const response = new Response(request);
    if (typeof request.command !== 'string') {
      this.fail(response, new DapError(ErrorId.BadArguments, "malformed request: 'command' must be a string"));
      return;
    }
    if (request.command === 'initialize') {
      super.dispatchRequest(request); // the base class records line/column bases and path format
      return;
    }
    const handler = Object.hasOwn(this.handlers, request.command) ? this.handlers[request.command] : undefined;
    if (handler === undefined) {
      this.fail(response, new DapError(ErrorId.UnknownCommand, `unknown request '${request.command}'`, false));
      return;
    }
    let result: unknown;
    try {
      result = handler(argumentsOf(request.arguments, request.command), request);
    } catch (e) {
      this.fail(response, e);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (r: unknown) => this.reply(response, r),
        (e: unknown) => this.fail(response, e),
      );
    } else {
      this.reply(response, result);
    }
  }

  private reply(response: DebugProtocol.Response, result: unknown): void {
    const reply = result instanceof Reply ? result : undefined;
    const body = reply ? reply.body : result;
    if (body !== undefined) response.body = body;
    this.sendResponse(response);
    reply?.after();
  }

  private fail(response: DebugProtocol.Response, e: unknown): void {
    const known = e instanceof DapError;
    const message = known || e instanceof ExpressionError ? (e as Error).message : `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    const id = known ? e.id : e instanceof ExpressionError ? ErrorId.Evaluation : ErrorId.Internal;
    response.success = false;
    response.message = message;
    this.sendErrorResponse(response, { id, format: '{_message}', variables: { _message: message }, showUser: known ? e.showUser : false });
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsInstructionBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsSteppingGranularity: true,
      supportsTerminateRequest: true,
      exceptionBreakpointFilters: [...EXCEPTION_FILTERS],
      supportsExceptionFilterOptions: true,
      supportsExceptionInfoRequest: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsRestartRequest: true,
      supportsGotoTargetsRequest: true,
      supportsValueFormattingOptions: true,
    };
    this.sendResponse(response);
  }

  // ---- launch ----------------------------------------------------------------------------------

  private launch(args: Args): Reply {
    if (this.guest !== undefined) throw new DapError(ErrorId.LaunchFailed, 'launch: a guest is already running in this session');
    const changed = this.createGuest(parseLaunchConfig(args));
    return new Reply(undefined, () => {
      for (const bp of changed) this.sendEvent(new BreakpointEvent('changed', this.toClientBreakpoint(bp)));
      this.sendEvent(new InitializedEvent());
    });
  }

  /** Loads (assembles) the program and builds everything around it; returns breakpoints that moved. */
  private createGuest(config: LaunchConfig): DebugProtocol.Breakpoint[] {
    let engine: Engine;
    try {
      engine = Engine.fromFile(config.program, { technique: config.technique, memoryMiB: config.memoryMiB, hypervisor: config.hypervisor, callTracking: !config.noDebug, defines: config.defines, includePaths: config.includePaths });
    } catch (e) {
      if (e instanceof EngineInputError || e instanceof RangeError) throw new DapError(ErrorId.LaunchFailed, `launch: ${e.message}`);
      throw e;
    }
    const index = new ProgramIndex(engine.program);
    const context = new GuestContext(engine, index);
    const events = new EventStops(engine, context);
    events.onConditionError = (message) => this.sendEvent(new OutputEvent(`${message}\n`, 'stderr'));
    if (this.exceptionConfig !== undefined) events.configure(this.exceptionConfig.filters, this.exceptionConfig.options);
    const data = new DataBreakpoints(engine, index, context);
    const controller = new RunController(engine, this.breakpoints, context, config.maxInstructions, !config.noDebug, events, data);
    controller.onOutput = (text, category) => this.sendEvent(new OutputEvent(text, category));
    engine.onSerial((bytes) => this.serialOutput(bytes));
    const vmmEvents = new VmmEventStream(engine, (event, body) => this.sendEvent(new Event(event, body)));
    this.guest = { config, engine, index, context, controller, variables: new VariablesView(engine), disassembler: new Disassembler(engine, index), vmmEvents, events, data };
    this.ended = false;
    this.vmmFrames.reset();
    return this.breakpoints.setProgram(index);
  }

  /** Drops the guest (its run, listeners and timers). */
  private dropGuest(): void {
    const guest = this.guest;
    if (guest === undefined) return;
    guest.controller.pause();
    guest.vmmEvents.dispose();
    guest.events.dispose();
    guest.data.disarm();
    this.guest = undefined;
  }

  /** restart: re-reads and re-assembles the program (changed sources take effect), keeps breakpoints. */
  private async restart(args: Args): Promise<Reply> {
    const old = this.requireGuest();
    const newArgs = args.arguments;
    const config = typeof newArgs === 'object' && newArgs !== null && !Array.isArray(newArgs) ? parseLaunchConfig(newArgs as Args) : old.config;
    const dataRequests = old.data.requests();
    if (old.controller.running) {
      old.controller.pause();
      await old.controller.idle();
    }
    this.flushSerial();
    this.dropGuest();
    let changed: DebugProtocol.Breakpoint[];
    try {
      changed = this.createGuest(config);
    } catch (e) {
      this.ended = true;
      this.sendEvent(new TerminatedEvent());
      throw e;
    }
    const guest = this.requireGuest();
    guest.data.set(dataRequests);
    return new Reply(undefined, () => {
      for (const bp of changed) this.sendEvent(new BreakpointEvent('changed', this.toClientBreakpoint(bp)));
      if (guest.config.stopOnEntry && !guest.config.noDebug) this.sendStopped({ kind: 'stopped', reason: 'step' }, 'entry');
      else this.run((c) => c.continue());
    });
  }

  private configurationDone(): Reply {
    const guest = this.requireGuest();
    return new Reply(undefined, () => {
      if (guest.config.stopOnEntry && !guest.config.noDebug) this.sendStopped({ kind: 'stopped', reason: 'step' }, 'entry');
      else this.run((c) => c.continue());
    });
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  private toClientBreakpoint(bp: DebugProtocol.Breakpoint): DebugProtocol.Breakpoint {
    return bp.line === undefined ? bp : { ...bp, line: this.convertDebuggerLineToClient(bp.line) };
  }

  private setBreakpoints(args: Args): DebugProtocol.SetBreakpointsResponse['body'] {
    const source = args.source;
    if (typeof source !== 'object' || source === null) throw badArguments("'setBreakpoints' needs 'source'");
    const file = optionalString(source as Args, 'path', 'setBreakpoints');
    if (file === undefined) throw badArguments("'setBreakpoints': only sources with a 'path' have breakpoints");
    const list = optionalArray(args, 'breakpoints', 'setBreakpoints') ?? (optionalArray(args, 'lines', 'setBreakpoints') ?? []).map((line) => ({ line }));
    const requests: SourceBreakpointRequest[] = list.map((raw, i) => {
      const b = argumentsOf(raw, `setBreakpoints[${i}]`);
      return {
        line: this.convertClientLineToDebugger(requiredNumber(b, 'line', 'setBreakpoints')),
        condition: optionalString(b, 'condition', 'setBreakpoints'),
        hitCondition: optionalString(b, 'hitCondition', 'setBreakpoints'),
        logMessage: optionalString(b, 'logMessage', 'setBreakpoints'),
      };
    });
    const result = this.breakpoints.setSourceBreakpoints(this.convertClientPathToDebugger(file), requests);
    return { breakpoints: result.map((bp) => ({ ...this.toClientBreakpoint(bp), source: source as DebugProtocol.Source })) };
  }

  private setFunctionBreakpoints(args: Args): DebugProtocol.SetFunctionBreakpointsResponse['body'] {
    const list = optionalArray(args, 'breakpoints', 'setFunctionBreakpoints') ?? [];
    const requests = list.map((raw, i) => {
      const b = argumentsOf(raw, `setFunctionBreakpoints[${i}]`);
      return { name: requiredString(b, 'name', 'setFunctionBreakpoints'), condition: optionalString(b, 'condition', 'setFunctionBreakpoints'), hitCondition: optionalString(b, 'hitCondition', 'setFunctionBreakpoints') };
    });
    return { breakpoints: this.breakpoints.setFunctionBreakpoints(requests).map((bp) => this.withSource(this.toClientBreakpoint(bp))) };
  }

  private setInstructionBreakpoints(args: Args): DebugProtocol.SetInstructionBreakpointsResponse['body'] {
    const list = optionalArray(args, 'breakpoints', 'setInstructionBreakpoints') ?? [];
    const requests = list.map((raw, i) => {
      const b = argumentsOf(raw, `setInstructionBreakpoints[${i}]`);
      return {
        instructionReference: requiredString(b, 'instructionReference', 'setInstructionBreakpoints'),
        offset: optionalNumber(b, 'offset', 'setInstructionBreakpoints'),
        condition: optionalString(b, 'condition', 'setInstructionBreakpoints'),
        hitCondition: optionalString(b, 'hitCondition', 'setInstructionBreakpoints'),
      };
    });
    return { breakpoints: this.breakpoints.setInstructionBreakpoints(requests).map((bp) => this.toClientBreakpoint(bp)) };
  }

  private withSource(bp: DebugProtocol.Breakpoint): DebugProtocol.Breakpoint {
    const address = bp.instructionReference === undefined ? undefined : Number(bp.instructionReference);
    const pos = address === undefined || this.guest === undefined ? undefined : this.guest.engine.sourceAt(address);
    return pos === undefined ? bp : { ...bp, source: this.source(pos.file) };
  }

  // ---- execution ---------------------------------------------------------------------------------

  private requireGuest(): Guest {
    if (this.guest === undefined) throw new DapError(ErrorId.NotLaunched, this.ended ? 'the guest has ended' : 'no guest: launch one first');
    return this.guest;
  }

  private requireStopped(): Guest {
    const guest = this.requireGuest();
    if (this.ended) throw new DapError(ErrorId.NotStopped, 'the guest has ended');
    if (guest.controller.running) throw new DapError(ErrorId.NotStopped, 'the guest is running: pause it first', false);
    return guest;
  }

  private resume(args: Args, depth: 'continue' | StepDepth): Reply {
    this.requireStopped();
    const granularityArg = optionalString(args, 'granularity', depth);
    const granularity: Granularity = granularityArg === 'instruction' ? 'instruction' : 'line';
    const body = depth === 'continue' ? { allThreadsContinued: true } : undefined;
    if (this.vmmFrames.walking && depth !== 'continue') {
      // Stepping inside the VMM walks its handling; stepping out of it (or past VM entry) returns to the guest.
      const description = this.vmmFrames.step(depth === 'out') ?? 'Back in the guest after VM entry';
      return new Reply(body, () => this.sendStopped({ kind: 'stopped', reason: 'step', description }));
    }
    this.vmmFrames.reset();
    return new Reply(body, () => this.run((c) => (depth === 'continue' ? c.continue() : c.step(depth, granularity))));
  }

  private pause(_args: Args): undefined {
    const guest = this.requireGuest();
    guest.controller.pause();
    return undefined;
  }

  /** Runs the guest and reports how it stopped. */
  private run(action: (controller: RunController) => Promise<Outcome>): void {
    const guest = this.guest;
    if (guest === undefined || this.ended) return;
    action(guest.controller).then(
      (outcome) => {
        if (this.disposed || this.ended || this.guest !== guest) return;
        this.sendStopped(outcome);
      },
      (e: unknown) => {
        this.sendEvent(new OutputEvent(`hyperstep: internal error while running: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`, 'stderr'));
        this.sendStopped({ kind: 'stopped', reason: 'pause' });
      },
    );
  }

  private sendStopped(outcome: Outcome, reasonOverride?: string): void {
    this.flushSerial();
    this.guest?.vmmEvents.flush();
    if (outcome.kind === 'ended') {
      this.ended = true;
      const stop = outcome.stop;
      if (stop.message) this.sendEvent(new OutputEvent(`${stop.message}\n`, 'console'));
      this.sendEvent(new ExitedEvent(stop.exitStatus ?? 0));
      this.sendEvent(new TerminatedEvent());
      return;
    }
    if (this.guest !== undefined) this.vmmFrames.stopped(outcome.exit, outcome.event, this.guest.engine.guestEip);
    let reason: string = reasonOverride ?? outcome.reason;
    if (outcome.reason === 'breakpoint' && outcome.breakpointKind === 'function') reason = 'function breakpoint';
    if (outcome.reason === 'breakpoint' && outcome.breakpointKind === 'instruction') reason = 'instruction breakpoint';
    const event = new StoppedEvent(reason, THREAD_ID) as DebugProtocol.StoppedEvent;
    event.body.allThreadsStopped = true;
    if (outcome.hitBreakpointIds !== undefined) event.body.hitBreakpointIds = outcome.hitBreakpointIds;
    if (outcome.description !== undefined) event.body.description = outcome.description;
    this.sendEvent(event);
  }

  private terminate(): Reply {
    const guest = this.guest;
    guest?.controller.pause();
    return new Reply(undefined, () => {
      if (this.ended) return;
      this.ended = true;
      this.flushSerial();
      this.guest?.vmmEvents.flush();
      this.sendEvent(new TerminatedEvent());
    });
  }

  private disconnect(): undefined {
    this.flushSerial();
    this.dispose();
    return undefined;
  }

  // ---- exception filters, data breakpoints ------------------------------------------------------

  private setExceptionBreakpoints(args: Args): DebugProtocol.SetExceptionBreakpointsResponse['body'] {
    const filters = (optionalArray(args, 'filters', 'setExceptionBreakpoints') ?? []).map((f, i) => {
      if (typeof f !== 'string') throw badArguments(`'setExceptionBreakpoints': filters[${i}] must be a string`);
      return f;
    });
    const options = (optionalArray(args, 'filterOptions', 'setExceptionBreakpoints') ?? []).map((raw, i) => {
      const o = argumentsOf(raw, `setExceptionBreakpoints.filterOptions[${i}]`);
      return { filterId: requiredString(o, 'filterId', 'setExceptionBreakpoints'), condition: optionalString(o, 'condition', 'setExceptionBreakpoints') };
    });
    const guest = this.guest;
    // Validated against a throw-away instance when no guest exists yet, so bad ids are refused at once.
    const breakpoints = guest !== undefined ? guest.events.configure(filters, options) : undefined;
    this.exceptionConfig = { filters, options };
    return breakpoints === undefined ? {} : { breakpoints };
  }

  private exceptionInfo(): DebugProtocol.ExceptionInfoResponse['body'] {
    const guest = this.requireStopped();
    const stop = guest.events.last;
    if (stop === undefined) throw new DapError(ErrorId.BadArguments, 'the guest did not stop for an exception filter', false);
    const record = stop.record;
    const fields: ExitField[] =
      record === undefined
        ? Object.entries(stop.fields).map(([name, v]) => ({ name, value: typeof v === 'number' ? hex(v, 0) : v }))
        : record.kind === 'hole'
          ? holeRecordVariables(record)
          : exitRecordVariables(record);
    const lines: string[] = [];
    const flatten = (list: ExitField[], indent: string): void => {
      for (const f of list) {
        lines.push(`${indent}${f.name}: ${f.value}`);
        if (f.children !== undefined) flatten(f.children, `${indent}  `);
      }
    };
    flatten(fields, '');
    const body: DebugProtocol.ExceptionInfoResponse['body'] & { record?: unknown } = {
      exceptionId: stop.filter,
      description: stop.description,
      breakMode: 'always',
      details: { message: lines.join('\n'), typeName: stop.filter },
    };
    if (stop.record !== undefined) body.record = stop.record;
    return body;
  }

  private dataBreakpointInfo(args: Args): DebugProtocol.DataBreakpointInfoResponse['body'] {
    const guest = this.requireGuest();
    const name = requiredString(args, 'name', 'dataBreakpointInfo');
    const ref = optionalNumber(args, 'variablesReference', 'dataBreakpointInfo');
    const container = ref === undefined ? undefined : this.containerKind(guest, ref);
    return guest.data.info(name, container, args.asAddress === true, optionalNumber(args, 'bytes', 'dataBreakpointInfo'));
  }

  /** Which view a variables reference is, for data breakpoints (found by scope and variable name). */
  private containerKind(guest: Guest, ref: number): 'registers' | 'eflags' | 'other' {
    const registers = guest.variables.scopes().find((scope) => scope.name === 'Registers')?.variablesReference;
    if (registers === undefined) return 'other';
    if (ref === registers) return 'registers';
    const eflags = guest.variables.variables(registers)?.find((v) => v.name === 'EFLAGS')?.variablesReference;
    return ref === eflags ? 'eflags' : 'other';
  }

  private setDataBreakpoints(args: Args): DebugProtocol.SetDataBreakpointsResponse['body'] {
    const guest = this.requireGuest();
    const list = optionalArray(args, 'breakpoints', 'setDataBreakpoints') ?? [];
    const requests = list.map((raw, i) => {
      const b = argumentsOf(raw, `setDataBreakpoints[${i}]`);
      return {
        dataId: requiredString(b, 'dataId', 'setDataBreakpoints'),
        accessType: optionalString(b, 'accessType', 'setDataBreakpoints'),
        condition: optionalString(b, 'condition', 'setDataBreakpoints'),
        hitCondition: optionalString(b, 'hitCondition', 'setDataBreakpoints'),
      };
    });
    const breakpoints = guest.data.set(requests);
    if (guest.controller.running) guest.data.arm();
    return { breakpoints };
  }

  // ---- goto, serial input, generated sources ----------------------------------------------------

  private gotoTargets(args: Args): DebugProtocol.GotoTargetsResponse['body'] {
    const guest = this.requireGuest();
    const source = argumentsOf(args.source, 'gotoTargets.source');
    const file = optionalString(source, 'path', 'gotoTargets');
    if (file === undefined) throw badArguments("'gotoTargets' needs a source with a 'path'");
    const line = this.convertClientLineToDebugger(requiredNumber(args, 'line', 'gotoTargets'));
    const r = guest.index.resolveLine(this.convertClientPathToDebugger(file), line);
    if ('reason' in r) throw new DapError(ErrorId.BadArguments, `no goto target: ${r.reason}`);
    if (r.line !== line) return { targets: [] };
    return { targets: [{ id: r.address, label: `line ${this.convertDebuggerLineToClient(r.line)} (${hex(r.address)})`, line: this.convertDebuggerLineToClient(r.line), instructionPointerReference: hex(r.address) }] };
  }

  private goto(args: Args): Reply {
    const guest = this.requireStopped();
    const target = requiredNumber(args, 'targetId', 'goto') >>> 0;
    if (guest.engine.sourceAt(target) === undefined) throw badArguments(`goto: ${hex(target)} is not an instruction of the program`);
    if (guest.engine.guestEipOf(guest.engine.cpu.eip) !== (guest.engine.cpu.eip >>> 0)) {
      throw new DapError(ErrorId.BadArguments, 'goto is not available under binary-translation: the CPU runs the guest from its translation cache');
    }
    const cs = guest.engine.cpu.segBase[CS] >>> 0;
    guest.engine.cpu.eip = (target - cs) >>> 0;
    this.vmmFrames.reset();
    return new Reply(undefined, () => this.sendStopped({ kind: 'stopped', reason: 'step' }, 'goto'));
  }

  private serialInputRequest(args: Args): { bytesQueued: number } {
    const guest = this.requireGuest();
    if (this.ended) throw new DapError(ErrorId.NotStopped, 'the guest has ended');
    const text = requiredString(args, 'text', 'hyperstep.serialInput');
    const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
    guest.engine.serialInput(bytes);
    return { bytesQueued: bytes.length };
  }

  private generatedSource(args: Args): DebugProtocol.SourceResponse['body'] {
    const ref = optionalNumber(args, 'sourceReference', 'source') ?? optionalNumber(argumentsOf(args.source ?? {}, 'source.source'), 'sourceReference', 'source');
    const content = ref === undefined ? undefined : this.vmmFrames.listing(ref);
    if (content === undefined) throw badArguments(`no generated source with reference ${String(ref)} (VMM listings are kept for the latest ${MAX_LISTINGS} exits stepped into)`);
    return { content, mimeType: 'text/plain' };
  }

  private stackTraceWithVmm(args: Args): DebugProtocol.StackTraceResponse['body'] {
    const guest = this.guest;
    if (guest === undefined || !this.vmmFrames.active) return this.stackTrace(args);
    const frames = this.vmmFrames.frames(guest.engine, guest.index, this.stackTrace({ threadId: args.threadId, startFrame: 0, levels: 0 }).stackFrames);
    const start = Math.max(0, optionalNumber(args, 'startFrame', 'stackTrace') ?? 0);
    const levels = optionalNumber(args, 'levels', 'stackTrace') ?? 0;
    return { totalFrames: frames.length, stackFrames: frames.slice(start, levels > 0 ? start + levels : undefined) };
  }

  private vmmHandlingVariables(): DebugProtocol.VariablesResponse['body'] {
    this.requireStopped();
    const variables = this.vmmFrames.handlingVariables();
    if (variables === undefined) throw badArguments('not inside the VMM: step into a VM exit first');
    return { variables };
  }

  // ---- serial output ------------------------------------------------------------------------------

  private serialOutput(bytes: Uint8Array): void {
    for (const b of bytes) this.serialText += String.fromCharCode(b);
    // Sent between slices of a run (the immediate runs before the run's next slice), and before any stop.
    this.serialFlush ??= setImmediate(() => this.flushSerial());
  }

  private flushSerial(): void {
    if (this.serialFlush !== undefined) clearImmediate(this.serialFlush);
    this.serialFlush = undefined;
    if (this.serialText === '' || this.disposed) return;
    const text = this.serialText;
    this.serialText = '';
    this.sendEvent(new OutputEvent(text, 'stdout'));
  }

  // ---- inspection ----------------------------------------------------------------------------------

  private source(file: string): DebugProtocol.Source {
    return new Source(path.basename(file), this.convertDebuggerPathToClient(file));
  }

  private stackTrace(args: Args): DebugProtocol.StackTraceResponse['body'] {
    const guest = this.requireStopped();
    const start = Math.max(0, optionalNumber(args, 'startFrame', 'stackTrace') ?? 0);
    const levels = optionalNumber(args, 'levels', 'stackTrace') ?? 0;
    const frames = stackFrames(guest.engine, guest.index);
    const cs = guest.engine.cpu.segBase[CS];
    const chosen = frames.slice(start, levels > 0 ? start + levels : undefined);
    return {
      totalFrames: frames.length,
      stackFrames: chosen.map((f, i) => {
        const frame: DebugProtocol.StackFrame = {
          id: start + i,
          name: f.name,
          line: f.line === undefined ? 0 : this.convertDebuggerLineToClient(f.line),
          column: f.line === undefined ? 0 : this.convertDebuggerColumnToClient(1),
        };
        // An interrupt or exception boundary ('label') is a separator row, not a code location.
        if (f.presentationHint !== 'label') frame.instructionPointerReference = hex((cs + f.eip) >>> 0);
        if (f.file !== undefined) frame.source = this.source(f.file);
        const hint = f.presentationHint ?? (f.file === undefined ? 'subtle' : undefined);
        if (hint !== undefined) frame.presentationHint = hint;
        return frame;
      }),
    };
  }

  private scopes(args: Args): DebugProtocol.ScopesResponse['body'] {
    const guest = this.requireStopped();
    requiredNumber(args, 'frameId', 'scopes');
    return { scopes: guest.variables.scopes() };
  }

  private variables(args: Args): DebugProtocol.VariablesResponse['body'] {
    const guest = this.requireStopped();
    const ref = requiredNumber(args, 'variablesReference', 'variables');
    const format = args.format;
    const list = guest.variables.variables(ref, { hex: typeof format === 'object' && format !== null && (format as Args).hex === true });
    if (list === undefined) throw badArguments(`unknown variables reference ${ref}`);
    return { variables: list };
  }

  private setVariable(args: Args): DebugProtocol.SetVariableResponse['body'] {
    const guest = this.requireStopped();
    const ref = requiredNumber(args, 'variablesReference', 'setVariable');
    const name = requiredString(args, 'name', 'setVariable');
    const text = requiredString(args, 'value', 'setVariable');
    const value = this.compile(text)(guest.context);
    if (typeof value !== 'number') throw badArguments(`'${text}' is not a number`);
    const format = args.format;
    return guest.variables.setVariable(ref, name, value, { hex: typeof format === 'object' && format !== null && (format as Args).hex === true });
  }

  private compile(expression: string): Compiled {
    let c = this.expressions.get(expression);
    if (c === undefined) {
      c = compileExpression(expression);
      if (this.expressions.size >= MAX_CACHED_EXPRESSIONS) this.expressions.clear();
      this.expressions.set(expression, c);
    }
    return c;
  }

  private evaluate(args: Args): DebugProtocol.EvaluateResponse['body'] {
    const expression = requiredString(args, 'expression', 'evaluate');
    const guest = this.requireGuest();
    if (this.ended) throw new DapError(ErrorId.NotStopped, 'the guest has ended');
    if (args.context === 'repl') {
      const output = runConsoleCommand({ engine: guest.engine, index: guest.index, sendSerial: (bytes) => guest.engine.serialInput(bytes) }, expression);
      if (output !== undefined) return { result: output, variablesReference: 0 };
    }
    const value = this.compile(expression)(guest.context);
    const body: DebugProtocol.EvaluateResponse['body'] = { result: formatValue(value), variablesReference: 0 };
    if (typeof value === 'number') body.memoryReference = hex(value);
    return body;
  }

  private readMemory(args: Args): DebugProtocol.ReadMemoryResponse['body'] {
    const guest = this.requireStopped();
    const ref = requiredString(args, 'memoryReference', 'readMemory');
    const count = requiredNumber(args, 'count', 'readMemory');
    if (count < 0) throw badArguments("'readMemory': 'count' must not be negative");
    return readMemory(guest.engine, ref, optionalNumber(args, 'offset', 'readMemory') ?? 0, count);
  }

  private writeMemory(args: Args): DebugProtocol.WriteMemoryResponse['body'] {
    const guest = this.requireStopped();
    const ref = requiredString(args, 'memoryReference', 'writeMemory');
    const data = requiredString(args, 'data', 'writeMemory');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw badArguments("'writeMemory': 'data' must be base64");
    const bytes = new Uint8Array(Buffer.from(data, 'base64'));
    const written = writeMemory(guest.engine, ref, optionalNumber(args, 'offset', 'writeMemory') ?? 0, bytes, args.allowPartial === true);
    return { bytesWritten: written };
  }

  private disassemble(args: Args): DebugProtocol.DisassembleResponse['body'] {
    const guest = this.requireStopped();
    const ref = requiredString(args, 'memoryReference', 'disassemble');
    const count = requiredNumber(args, 'instructionCount', 'disassemble');
    const instructions = guest.disassembler.disassemble(
      ref,
      optionalNumber(args, 'offset', 'disassemble') ?? 0,
      optionalNumber(args, 'instructionOffset', 'disassemble') ?? 0,
      count,
      (file) => this.source(file),
    );
    for (const i of instructions) if (i.line !== undefined) i.line = this.convertDebuggerLineToClient(i.line);
    return { instructions };
  }
}
