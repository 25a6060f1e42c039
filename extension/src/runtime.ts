// Where the extension's own processes come from: the bundled command line (dist/hyperstep.js:
// debug adapter, language server, compare) run by the Node that runs the extension host.
import * as fs from 'node:fs';
import * as vscode from 'vscode';

export class Runtime {
  constructor(
    readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {}

  /** The bundled `hyperstep` command line. */
  get cliPath(): string {
    return this.context.asAbsolutePath('dist/hyperstep.js');
  }

  get samplesPath(): string {
    return this.context.asAbsolutePath('samples');
  }

  /** Missing in a development checkout that was never built. */
  get cliExists(): boolean {
    return fs.existsSync(this.cliPath);
  }

  /**
   * The executable for Node scripts: the extension host's own. In desktop VS Code that is
   * Electron, which runs as plain Node with ELECTRON_RUN_AS_NODE set (harmless for code-server).
   */
  get node(): { command: string; env: Record<string, string> } {
    return { command: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } };
  }
}
