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
import { compileExpression, ExpressionError, type Compiled } from './expression.js';
import { formatValue, hex } from './format.js';
import { GuestContext } from './guest-context.js';
import { parseLaunchConfig, type LaunchConfig } from './launch-config.js';
import { readMemory, writeMemory } from './memory.js';
import { ProgramIndex } from './program-index.js';
import { stackFrames } from './stack.js';
import { VariablesView } from './variables.js';
import { VmmEventStream } from './vmm-events.js';

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
}

export class HyperstepSession extends LoggingDebugSession {
  private guest: Guest | undefined;
  private readonly breakpoints = new BreakpointManager(undefined);
  private ended = false;
  private disposed = false;
  private serialText = '';
  private serialFlush: NodeJS.Immediate | undefined;
  private readonly expressions = new Map<string, Compiled>();
  private readonly handlers: Record<string, Handler> = {
    launch: (a) => this.launch(a),
    attach: () => {
      throw new DapError(ErrorId.BadArguments, "hyperstep supports 'launch' only");
    },
    configurationDone: () => this.configurationDone(),
    setBreakpoints: (a) => this.setBreakpoints(a),
    setFunctionBreakpoints: (a) => this.setFunctionBreakpoints(a),
    setInstructionBreakpoints: (a) => this.setInstructionBreakpoints(a),
    setExceptionBreakpoints: () => ({}),
    threads: () => ({ threads: [{ id: THREAD_ID, name: 'vCPU 0' }] }),
    stackTrace: (a) => this.stackTrace(a),
    scopes: (a) => this.scopes(a),
    variables: (a) => this.variables(a),
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
    this.guest?.controller.pause();
    this.guest?.vmmEvents.dispose();
    if (this.serialFlush !== undefined) clearImmediate(this.serialFlush);
    this.serialFlush = undefined;
    this.guest = undefined;
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
    };
    this.sendResponse(response);
  }

  // ---- launch ----------------------------------------------------------------------------------

  private launch(args: Args): Reply {
    if (this.guest !== undefined) throw new DapError(ErrorId.LaunchFailed, 'launch: a guest is already running in this session');
    const config = parseLaunchConfig(args);
    let engine: Engine;
    try {
      engine = Engine.fromFile(config.program, { technique: config.technique, memoryMiB: config.memoryMiB, hypervisor: config.hypervisor });
    } catch (e) {
      if (e instanceof EngineInputError || e instanceof RangeError) throw new DapError(ErrorId.LaunchFailed, `launch: ${e.message}`);
      throw e;
    }
    const index = new ProgramIndex(engine.program);
    const context = new GuestContext(engine, index);
    const controller = new RunController(engine, this.breakpoints, context, config.maxInstructions, !config.noDebug);
    controller.onOutput = (text, category) => this.sendEvent(new OutputEvent(text, category));
    engine.onSerial((bytes) => this.serialOutput(bytes));
    const vmmEvents = new VmmEventStream(engine, (event, body) => this.sendEvent(new Event(event, body)));
    this.guest = { config, engine, index, context, controller, variables: new VariablesView(engine), disassembler: new Disassembler(engine, index), vmmEvents };
    const changed = this.breakpoints.setProgram(index);
    return new Reply(undefined, () => {
      for (const bp of changed) this.sendEvent(new BreakpointEvent('changed', this.toClientBreakpoint(bp)));
      this.sendEvent(new InitializedEvent());
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
      this.sendEvent(new TerminatedEvent());
    });
  }

  private disconnect(): undefined {
    this.flushSerial();
    this.dispose();
    return undefined;
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
    const cs = guest.engine.cpu.segBase[1];
    const chosen = frames.slice(start, levels > 0 ? start + levels : undefined);
    return {
      totalFrames: frames.length,
      stackFrames: chosen.map((f, i) => {
        const frame: DebugProtocol.StackFrame = {
          id: start + i,
          name: f.name,
          line: f.line === undefined ? 0 : this.convertDebuggerLineToClient(f.line),
          column: f.line === undefined ? 0 : this.convertDebuggerColumnToClient(1),
          instructionPointerReference: hex((cs + f.eip) >>> 0),
        };
        if (f.file !== undefined) frame.source = this.source(f.file);
        else frame.presentationHint = 'subtle';
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
    const list = guest.variables.variables(ref);
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
    return guest.variables.setVariable(ref, name, value);
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
