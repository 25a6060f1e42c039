// The language client: `hyperstep lsp --stdio` from the bundled command line, for guest files.
// The server reads `hyperstep.technique` through workspace/configuration; `hyperstep.trace.server`
// traces the protocol (vscode-languageclient reads it by the client's id).
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { LANGUAGE_ID, SECTION, Setting } from './ids.js';
import { RestartPolicy } from './model/restart-policy.js';
import { errorText, showError, type CustomAction } from './notify.js';
import type { Runtime } from './runtime.js';
import * as settings from './settings.js';

const turnOff: CustomAction = {
  label: 'Turn It Off',
  run: () => vscode.workspace.getConfiguration(SECTION).update(Setting.languageServerEnabled, false, vscode.ConfigurationTarget.Global),
};

export class LanguageClientHost implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly runtime: Runtime) {}

  /** Starts the client when the setting allows it (and it is not already running). */
  start(): Promise<void> {
    if (!settings.languageServerEnabled() || this.client !== undefined) return this.starting ?? Promise.resolve();
    if (!this.runtime.cliExists) {
      void showError(`Hyperstep's language server is missing (${this.runtime.cliPath}). In a development checkout, run "npm run build".`, 'showOutput');
      return Promise.resolve();
    }
    const module = this.runtime.cliPath;
    const run = { module, args: ['lsp'], transport: TransportKind.stdio, options: { env: { ...process.env, ...this.runtime.node.env } } };
    const serverOptions: ServerOptions = { run, debug: run };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: LANGUAGE_ID },
        { scheme: 'untitled', language: LANGUAGE_ID },
      ],
      synchronize: { configurationSection: SECTION },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue, handled: true }),
        closed: () => {
          if (policy.shouldRestart()) return { action: CloseAction.Restart, handled: true };
          if (this.client === client && client.state !== State.Starting) {
            void showError("Hyperstep's language server stopped and is not restarted: guest files keep their colours, but no hints or hovers until the window is reloaded.", 'showOutput', turnOff);
          }
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const policy = new RestartPolicy();
    const client = new LanguageClient(SECTION, 'Hyperstep Language Server', serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) policy.started();
    });
    this.client = client;
    this.starting = client.start().then(
      () => this.runtime.log.info('language server started'),
      (e: unknown) => {
        this.client = undefined;
        void showError(`Hyperstep's language server did not start: ${errorText(e)}. Guest files still get colours, but no hints or hovers.`, 'showOutput', turnOff);
      },
    );
    return this.starting;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.starting = undefined;
    if (client !== undefined) await client.stop().catch((e: unknown) => this.runtime.log.warn(`language server stop: ${errorText(e)}`));
  }

  async onConfigurationChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!settings.affects(e, Setting.languageServerEnabled)) return;
    if (settings.languageServerEnabled()) await this.start();
    else await this.stop();
  }

  dispose(): void {
    void this.stop();
  }
}

export function registerLanguageClient(context: vscode.ExtensionContext, runtime: Runtime): LanguageClientHost {
  const host = new LanguageClientHost(runtime);
  context.subscriptions.push(host, vscode.workspace.onDidChangeConfiguration((e) => void host.onConfigurationChanged(e)));
  void host.start();
  return host;
}
