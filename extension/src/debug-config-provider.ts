// Launch configurations: the first launch.json, one configuration per technique for the open
// guest in "Select and Start Debugging", and F5 on a guest file without any launch.json. The rules
// are in model/debug-config.ts; this module feeds them the editor and the file system.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEBUG_TYPE } from './ids.js';
import { defaultLaunch, dynamicLaunches, resolveLaunch, resolveSubstituted, type ActiveFile } from './model/debug-config.js';
import { showError } from './notify.js';
import * as settings from './settings.js';

function activeFile(): ActiveFile | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc === undefined || doc.uri.scheme !== 'file' ? undefined : { path: doc.uri.fsPath, languageId: doc.languageId, text: doc.getText() };
}

const files = {
  isFile: (file: string): boolean => {
    try {
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  },
  readText: (file: string): string | undefined => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
};

class InitialProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): vscode.DebugConfiguration[] {
    return [defaultLaunch(settings.technique(folder))];
  }

  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    const r = resolveLaunch(config, activeFile(), settings.technique(folder));
    if (!r.ok) {
      void showError(r.message, ...r.actions);
      return undefined; // cancels the launch; the notification says why
    }
    return r.config as vscode.DebugConfiguration;
  }

  resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    const r = resolveSubstituted(config, files, folder?.uri.fsPath);
    if (!r.ok) {
      void showError(r.message, ...r.actions);
      return undefined;
    }
    return r.config as vscode.DebugConfiguration;
  }
}

class DynamicProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return dynamicLaunches();
  }
}

export function registerDebugConfigurations(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new InitialProvider(), vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new DynamicProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  );
}

/** Starts a session on a guest file (the editor's run button, the walkthrough, a sample). */
export async function debugFile(file: vscode.Uri, technique = settings.technique(vscode.workspace.getWorkspaceFolder(file))): Promise<boolean> {
  const config = { ...defaultLaunch(technique, path.basename(file.fsPath)), program: file.fsPath };
  return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(file), config);
}
