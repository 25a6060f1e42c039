// Errors as notifications that offer the way forward (open launch.json, open a sample, show the
// log ...); every failure the user can act on goes through here, and into the log as well.
import * as vscode from 'vscode';
import { Command } from './ids.js';
import type { FixAction } from './model/debug-config.js';

/** The walkthrough's id as `workbench.action.openWalkthrough` wants it: publisher.name#id. */
export const WALKTHROUGH = 'hyperstep.hyperstep#hyperstep.story';

export interface CustomAction {
  label: string;
  run: () => unknown;
}

export type Action = FixAction | 'showOutput' | CustomAction;

function standard(action: FixAction | 'showOutput'): CustomAction {
  switch (action) {
    case 'openLaunchJson':
      return { label: 'Open launch.json', run: () => vscode.commands.executeCommand('workbench.action.debug.configure') };
    case 'openSample':
      return { label: 'Open a Sample', run: () => vscode.commands.executeCommand(Command.openSample) };
    case 'openWalkthrough':
      return { label: 'Open the Walkthrough', run: () => vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH, false) };
    case 'showOutput':
      return { label: 'Show Log', run: () => vscode.commands.executeCommand(Command.showOutput) };
  }
}

let log: vscode.LogOutputChannel | undefined;

export function setLog(channel: vscode.LogOutputChannel): void {
  log = channel;
}

async function show(kind: 'error' | 'warning' | 'info', message: string, actions: Action[]): Promise<void> {
  const resolved = actions.map((a) => (typeof a === 'string' ? standard(a) : a));
  if (kind === 'error') log?.error(message);
  else if (kind === 'warning') log?.warn(message);
  else log?.info(message);
  const labels = resolved.map((a) => a.label);
  const shown =
    kind === 'error' ? vscode.window.showErrorMessage(message, ...labels) : kind === 'warning' ? vscode.window.showWarningMessage(message, ...labels) : vscode.window.showInformationMessage(message, ...labels);
  const chosen = await shown;
  const action = resolved.find((a) => a.label === chosen);
  if (action !== undefined) {
    try {
      await action.run();
    } catch (e) {
      void vscode.window.showErrorMessage(`Hyperstep: ${errorText(e)}`);
    }
  }
}

export function showError(message: string, ...actions: Action[]): Promise<void> {
  return show('error', message, actions);
}

export function showWarning(message: string, ...actions: Action[]): Promise<void> {
  return show('warning', message, actions);
}

export function showInfo(message: string, ...actions: Action[]): Promise<void> {
  return show('info', message, actions);
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
