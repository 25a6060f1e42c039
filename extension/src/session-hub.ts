// What the views know about Hyperstep debug sessions: each session's exits and statistics (from
// the adapter's custom events) and whether its guest is stopped, with the virtual and physical CPL
// read at each stop. The views show the active Hyperstep session, or the last one after it ended.
import * as vscode from 'vscode';
import { Dap, DEBUG_TYPE, Setting } from './ids.js';
import { asExitEventBody, asStatsEventBody } from './model/events.js';
import { ExitModel } from './model/exit-model.js';
import { StatsSeries } from './model/stats-model.js';
import { readCpl, type Cpl } from './model/status.js';
import { errorText } from './notify.js';
import * as settings from './settings.js';

export interface SessionData {
  readonly session: vscode.DebugSession;
  readonly exits: ExitModel;
  readonly stats: StatsSeries;
  stopped: boolean;
  ended: boolean;
  cpl?: Cpl;
}

/** Requests after which the guest runs until the adapter says `stopped` again. */
const RUNNING_REQUESTS = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'restart', 'goto']);

interface DapMessage {
  type?: string;
  event?: string;
  command?: string;
  body?: { threadId?: number };
}

export class SessionHub implements vscode.Disposable {
  private readonly sessions = new Map<string, SessionData>();
  private currentId: string | undefined;
  private readonly changed = new vscode.EventEmitter<SessionData | undefined>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Fires when the current session or anything in it changes. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.debug.onDidStartDebugSession((s) => {
        if (s.type !== DEBUG_TYPE) return;
        this.ensure(s);
        this.currentId = s.id;
        for (const [id, old] of this.sessions) if (old.ended && id !== s.id) this.sessions.delete(id);
        this.fire(s.id);
      }),
      vscode.debug.onDidChangeActiveDebugSession((s) => {
        if (s?.type === DEBUG_TYPE && this.sessions.has(s.id)) {
          this.currentId = s.id;
          this.fire(s.id);
        }
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        const d = this.sessions.get(s.id);
        if (d === undefined) return;
        d.ended = true;
        d.stopped = false;
        d.cpl = undefined;
        this.fire(s.id);
      }),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => this.onCustomEvent(e)),
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, { createDebugAdapterTracker: (s) => this.tracker(s) }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!settings.affects(e, Setting.exitsMaxEvents)) return;
        for (const d of this.sessions.values()) d.exits.setMaxEvents(settings.exitsMaxEvents());
        this.fire(this.currentId);
      }),
    );
  }

  get current(): SessionData | undefined {
    return this.currentId === undefined ? undefined : this.sessions.get(this.currentId);
  }

  /** The current session if it is still running. */
  get live(): SessionData | undefined {
    const c = this.current;
    return c !== undefined && !c.ended ? c : undefined;
  }

  clearExits(): void {
    const c = this.current;
    if (c === undefined) return;
    c.exits.clear();
    this.fire(c.session.id);
  }

  /** The data of a session, made on its first sign of life (a start, an event or a message). */
  private ensure(s: vscode.DebugSession): SessionData {
    let d = this.sessions.get(s.id);
    if (d === undefined) {
      d = { session: s, exits: new ExitModel(settings.exitsMaxEvents()), stats: new StatsSeries(), stopped: false, ended: false };
      this.sessions.set(s.id, d);
      this.currentId ??= s.id;
    }
    return d;
  }

  private fire(id: string | undefined): void {
    if (id !== undefined && id === this.currentId) this.changed.fire(this.current);
  }

  private onCustomEvent(e: vscode.DebugSessionCustomEvent): void {
    if (e.session.type !== DEBUG_TYPE) return;
    const d = this.ensure(e.session);
    if (e.event === Dap.exitEvent) {
      const body = asExitEventBody(e.body);
      if (body === undefined) return this.log.warn(`ignored a ${Dap.exitEvent} event of an unknown shape`);
      d.exits.add(body);
    } else if (e.event === Dap.statsEvent) {
      const body = asStatsEventBody(e.body);
      if (body === undefined) return this.log.warn(`ignored a ${Dap.statsEvent} event of an unknown shape`);
      d.exits.setStats(body);
      d.stats.add(body);
    } else {
      return;
    }
    this.fire(e.session.id);
  }

  private tracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    return {
      onWillReceiveMessage: (m: DapMessage) => {
        if (m.type !== 'request' || m.command === undefined || !RUNNING_REQUESTS.has(m.command)) return;
        const d = this.sessions.get(session.id);
        if (d === undefined) return;
        // A restart boots the guest again: its exits start over (the statistics notice by themselves).
        if (m.command === 'restart') d.exits.clear();
        else if (!d.stopped) return;
        d.stopped = false;
        d.cpl = undefined;
        this.fire(session.id);
      },
      onDidSendMessage: (m: DapMessage) => {
        if (m.type !== 'event') return;
        const d = this.ensure(session);
        if (m.event === 'stopped') {
          d.stopped = true;
          d.cpl = undefined;
          this.fire(session.id);
          void this.readCpl(d, m.body?.threadId ?? 1);
        } else if (m.event === 'continued' || m.event === 'terminated' || m.event === 'exited') {
          d.stopped = false;
          d.cpl = undefined;
          this.fire(session.id);
        }
      },
    };
  }

  private async readCpl(d: SessionData, threadId: number): Promise<void> {
    try {
      const cpl = await readCpl((command, args) => d.session.customRequest(command, args), threadId);
      if (d.stopped && cpl !== undefined) {
        d.cpl = cpl;
        this.fire(d.session.id);
      }
    } catch (e) {
      // The guest may have resumed meanwhile (the requests then fail): the next stop reads it again.
      this.log.debug(`reading the CPL: ${errorText(e)}`);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
