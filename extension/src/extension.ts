// The VS Code client: activation registers each part in turn (the js-debug pattern); each lives
// in its own module.
import * as vscode from 'vscode';
import { registerAdapterFactory } from './adapter-factory.js';
import { registerCompare } from './compare.js';
import { registerDebugConfigurations } from './debug-config-provider.js';
import { registerExitsView } from './exits-view.js';
import { registerFileCommands } from './file-commands.js';
import { ContextKey } from './ids.js';
import { registerLanguageClient, type LanguageClientHost } from './language-client.js';
import { setLog } from './notify.js';
import { Runtime } from './runtime.js';
import { registerSessionCommands } from './session-commands.js';
import { SessionHub } from './session-hub.js';
import { registerStatsWebview } from './stats-webview.js';
import { registerStatusBar } from './status-bar.js';
import { registerTechniquePicker } from './technique-picker.js';

let languageClient: LanguageClientHost | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Hyperstep', { log: true });
  context.subscriptions.push(log);
  setLog(log);
  const runtime = new Runtime(context, log);
  const hub = new SessionHub(log);
  context.subscriptions.push(hub);

  registerTechniquePicker(context);
  registerDebugConfigurations(context);
  registerAdapterFactory(context, runtime);
  registerExitsView(context, hub);
  const comparer = registerCompare(context, runtime, hub);
  registerStatsWebview(context, hub, comparer);
  registerStatusBar(context, hub);
  registerSessionCommands(context, hub);
  registerFileCommands(context, runtime);
  languageClient = registerLanguageClient(context, runtime);

  void vscode.commands.executeCommand('setContext', ContextKey.active, true);
  log.info(`Hyperstep ${String(context.extension.packageJSON.version)} active (${runtime.cliPath})`);
}

export async function deactivate(): Promise<void> {
  await languageClient?.stop();
  languageClient = undefined;
}
