// "Compare All Techniques": runs `hyperstep compare FILE --json` (the bundled command line, in a
// process of its own, cancellable) and shows the result as a table with the modelled cost of each
// technique. The latest result also feeds the statistics page.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Command, LANGUAGE_ID } from './ids.js';
import { parseCompareOutput, type CompareResult } from './model/compare-result.js';
import { makeNonce, webviewPage } from './model/html.js';
import { compareBody } from './model/pages.js';
import { errorText, showError } from './notify.js';
import type { Runtime } from './runtime.js';
import type { SessionHub } from './session-hub.js';
import * as settings from './settings.js';

export interface CompareRun {
  file: string;
  result: CompareResult;
}

/** Exit status of `hyperstep compare` for input it cannot run (assembly errors, not an image). */
const BAD_INPUT = 6;

export class Comparer implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CompareRun>();
  /** Fires after every successful comparison. */
  readonly onDidCompare = this.changed.event;
  latest: CompareRun | undefined;
  private panel: vscode.WebviewPanel | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly hub: SessionHub,
  ) {}

  /**
   * The file to compare: the argument (a file from the explorer menu, or a sample's name from the
   * walkthrough), the active guest editor, or the session's program.
   */
  target(arg?: unknown): string | undefined {
    if (arg instanceof vscode.Uri && arg.scheme === 'file') return arg.fsPath;
    if (typeof arg === 'string' && arg !== '') return path.isAbsolute(arg) ? arg : path.join(this.runtime.samplesPath, arg);
    const doc = vscode.window.activeTextEditor?.document;
    if (doc !== undefined && doc.uri.scheme === 'file' && (doc.languageId === LANGUAGE_ID || doc.fileName.endsWith('.asm'))) return doc.uri.fsPath;
    const program = this.hub.current?.session.configuration.program;
    return typeof program === 'string' ? program : undefined;
  }

  async command(arg?: unknown): Promise<void> {
    const file = this.target(arg);
    if (file === undefined) {
      await showError('Compare needs a guest: open a .asm guest file (or debug one) and run "Hyperstep: Compare All Techniques" again.', 'openSample');
      return;
    }
    await this.compare(file);
  }

  async compare(file: string): Promise<CompareRun | undefined> {
    if (!this.runtime.cliExists) {
      await showError(`Hyperstep's command line is missing (${this.runtime.cliPath}). In a development checkout, run "npm run build".`, 'showOutput');
      return undefined;
    }
    const name = path.basename(file);
    let result: CompareResult;
    try {
      const stdout = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Running ${name} under every technique`, cancellable: true },
        (_progress, token) => this.run(file, token),
      );
      if (stdout === undefined) return undefined; // cancelled
      result = parseCompareOutput(stdout);
    } catch (e) {
      await showError(`Compare ${name}: ${errorText(e)}`, 'showOutput', { label: 'Open the File', run: () => vscode.window.showTextDocument(vscode.Uri.file(file)) });
      return undefined;
    }
    this.latest = { file, result };
    this.changed.fire(this.latest);
    this.show(this.latest);
    return this.latest;
  }

  private run(file: string, token: vscode.CancellationToken): Promise<string | undefined> {
    const { command, env } = this.runtime.node;
    const args = [this.runtime.cliPath, 'compare', file, '--json', '--max-instructions', String(settings.compareMaxInstructions())];
    this.runtime.log.info(`${command} ${args.join(' ')}`);
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: path.dirname(file), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
      const cancel = token.onCancellationRequested(() => child.kill());
      child.on('error', (e) => {
        cancel.dispose();
        reject(e);
      });
      child.on('close', (code, signal) => {
        cancel.dispose();
        if (err !== '') this.runtime.log.info(err.trimEnd());
        if (token.isCancellationRequested) return resolve(undefined);
        if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
        const first = err.trim().split('\n')[0] ?? '';
        if (code === BAD_INPUT) return reject(new Error(first.replace(/^hyperstep compare: /, '') || 'the guest cannot be run'));
        reject(new Error(`hyperstep compare ended with ${signal ?? `status ${String(code)}`}${first === '' ? '' : `: ${first}`}`));
      });
    });
  }

  show(run: CompareRun): void {
    const title = `Compare: ${path.basename(run.file)}`;
    if (this.panel === undefined) {
      this.panel = vscode.window.createWebviewPanel('hyperstep.compare', title, vscode.ViewColumn.Beside, { enableScripts: true, localResourceRoots: [] });
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((m: { command?: string }) => {
        if (m.command === 'rerun' && this.latest !== undefined) void this.compare(this.latest.file);
        else if (m.command === 'statistics') void vscode.commands.executeCommand(Command.showStatistics);
      });
    }
    this.panel.title = title;
    this.panel.webview.html = webviewPage({ title, cspSource: this.panel.webview.cspSource, nonce: makeNonce(), body: compareBody(run.result, run.file) });
    this.panel.reveal(undefined, true);
  }

  dispose(): void {
    this.changed.dispose();
    this.panel?.dispose();
  }
}

export function registerCompare(context: vscode.ExtensionContext, runtime: Runtime, hub: SessionHub): Comparer {
  const comparer = new Comparer(runtime, hub);
  context.subscriptions.push(comparer, vscode.commands.registerCommand(Command.compare, (arg?: unknown) => comparer.command(arg)));
  return comparer;
}
