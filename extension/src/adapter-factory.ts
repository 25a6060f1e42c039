// The debug adapter: by default `hyperstep dap` in a process of its own, so a guest CPU running
// flat out never blocks the extension host; `hyperstep.adapter.inline` runs the same session class
// inside the extension host instead (for debugging the adapter itself).
import * as vscode from 'vscode';
import { DEBUG_TYPE } from './ids.js';
import { errorText, showError } from './notify.js';
import type { Runtime } from './runtime.js';
import * as settings from './settings.js';

class AdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly runtime: Runtime) {}

  async createDebugAdapterDescriptor(session: vscode.DebugSession): Promise<vscode.DebugAdapterDescriptor> {
    if (settings.adapterInline()) {
      try {
        // Loaded on first use: the engine and its decoder's wasm stay out of the extension's start-up.
        const { HyperstepSession } = await import('../../debug-adapter/src/dap/session.js');
        this.runtime.log.info(`debug session '${session.name}': inline adapter`);
        return new vscode.DebugAdapterInlineImplementation(new HyperstepSession());
      } catch (e) {
        const message = `Hyperstep could not load its inline debug adapter: ${errorText(e)}`;
        void showError(message, 'showOutput', { label: 'Use a Separate Process', run: () => vscode.workspace.getConfiguration('hyperstep').update('adapter.inline', false, vscode.ConfigurationTarget.Global) });
        throw new Error(message, { cause: e });
      }
    }
    if (!this.runtime.cliExists) {
      const message = `Hyperstep's debug adapter is missing (${this.runtime.cliPath}). In a development checkout, run "npm run build"; otherwise reinstall the extension.`;
      void showError(message, 'showOutput');
      throw new Error(message);
    }
    const { command, env } = this.runtime.node;
    const folder = session.workspaceFolder?.uri.fsPath;
    this.runtime.log.info(`debug session '${session.name}': ${command} ${this.runtime.cliPath} dap`);
    return new vscode.DebugAdapterExecutable(command, [this.runtime.cliPath, 'dap'], folder === undefined ? { env } : { env, cwd: folder });
  }
}

export function registerAdapterFactory(context: vscode.ExtensionContext, runtime: Runtime): void {
  context.subscriptions.push(vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new AdapterFactory(runtime)));
}
