// Typed reads of the `hyperstep.*` settings (declared with their documentation in package.json).
import * as vscode from 'vscode';
import { SECTION, Setting } from './ids.js';
import { DEFAULT_TECHNIQUE, isTechnique, type Technique } from './model/techniques.js';

function config(scope?: vscode.ConfigurationScope): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION, scope);
}

export function technique(scope?: vscode.ConfigurationScope): Technique {
  const t = config(scope).get<string>(Setting.technique);
  return isTechnique(t) ? t : DEFAULT_TECHNIQUE;
}

export function setTechnique(t: Technique): Thenable<void> {
  // Workspace setting when a folder is open (the language server's lints follow it), user setting otherwise.
  const target = vscode.workspace.workspaceFolders === undefined ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace;
  return config().update(Setting.technique, t, target);
}

export function adapterInline(): boolean {
  return config().get<boolean>(Setting.adapterInline) === true;
}

export function languageServerEnabled(): boolean {
  return config().get<boolean>(Setting.languageServerEnabled) !== false;
}

function positiveInt(key: string, fallback: number): number {
  const v = config().get<number>(key);
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.floor(v) : fallback;
}

export function exitsMaxEvents(): number {
  return positiveInt(Setting.exitsMaxEvents, 2000);
}

export function compareMaxInstructions(): number {
  return positiveInt(Setting.compareMaxInstructions, 200_000_000);
}

export function serialAppendNewline(): boolean {
  return config().get<boolean>(Setting.serialAppendNewline) !== false;
}

export function affects(e: vscode.ConfigurationChangeEvent, key: string): boolean {
  return e.affectsConfiguration(`${SECTION}.${key}`);
}
