// The statistics page: the current session's exits by reason over guest time (live, redrawn at
// most twice a second) and the modelled cost of each technique from the latest comparison.
import * as vscode from 'vscode';
import type { Comparer } from './compare.js';
import { Command } from './ids.js';
import { makeNonce, webviewPage } from './model/html.js';
import { statsBody, type StatsPageState } from './model/pages.js';
import type { SessionHub } from './session-hub.js';

const TITLE = 'Hyperstep Statistics';
const REDRAW_MS = 500;

class StatsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly hub: SessionHub,
    private readonly comparer: Comparer,
  ) {
    this.disposables.push(
      hub.onDidChange(() => this.schedule()),
      comparer.onDidCompare(() => this.schedule()),
    );
  }

  private state(): StatsPageState {
    const c = this.hub.current;
    const program = c?.session.configuration.program;
    const compareFile = this.comparer.latest?.file;
    return {
      series: c?.stats,
      sessionName: c?.session.name,
      running: c !== undefined && !c.ended && !c.stopped,
      program: typeof program === 'string' ? program : compareFile,
      compare: this.comparer.latest,
    };
  }

  show(): void {
    if (this.panel === undefined) {
      const panel = vscode.window.createWebviewPanel('hyperstep.statistics', TITLE, vscode.ViewColumn.Beside, { enableScripts: true, localResourceRoots: [] });
      this.panel = panel;
      this.load(panel);
      panel.onDidDispose(() => {
        this.panel = undefined;
        if (this.timer !== undefined) clearTimeout(this.timer);
        this.timer = undefined;
      });
      // A hidden webview drops its content and comes back with the page it was loaded with.
      panel.onDidChangeViewState(() => {
        if (panel.visible) this.load(panel);
      });
      panel.webview.onDidReceiveMessage((m: { command?: string; arg?: string }) => {
        if (m.command === 'compare' && typeof m.arg === 'string') void this.comparer.compare(m.arg);
      });
    }
    this.panel.reveal(undefined, true);
  }

  private load(panel: vscode.WebviewPanel): void {
    panel.webview.html = webviewPage({ title: TITLE, cspSource: panel.webview.cspSource, nonce: makeNonce(), body: statsBody(this.state()) });
  }

  private schedule(): void {
    if (this.panel === undefined || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.panel?.visible === true) void this.panel.webview.postMessage({ type: 'render', html: statsBody(this.state()) });
    }, REDRAW_MS);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.panel?.dispose();
  }
}

export function registerStatsWebview(context: vscode.ExtensionContext, hub: SessionHub, comparer: Comparer): void {
  const panel = new StatsPanel(hub, comparer);
  context.subscriptions.push(panel, vscode.commands.registerCommand(Command.showStatistics, () => panel.show()));
}
