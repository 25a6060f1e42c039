// The status bar item: the technique of the running session (or of the next one, from the
// setting, while a guest file is open) and, while the guest is stopped, its virtual and physical CPL.
import * as vscode from 'vscode';
import { Command, DEBUG_TYPE, LANGUAGE_ID, SECTION, Setting } from './ids.js';
import { statusText, statusTooltip, type StatusState } from './model/status.js';
import type { SessionHub } from './session-hub.js';
import * as settings from './settings.js';

export function registerStatusBar(context: vscode.ExtensionContext, hub: SessionHub): void {
  const item = vscode.window.createStatusBarItem('hyperstep.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Hyperstep';

  const update = (): void => {
    const live = hub.live;
    let state: StatusState;
    if (live !== undefined) {
      const t = live.session.configuration.technique;
      state = { technique: typeof t === 'string' ? t : 'native', inSession: true, stopped: live.stopped, cpl: live.cpl };
      item.command = Command.showStatistics;
    } else {
      const doc = vscode.window.activeTextEditor?.document;
      if (doc?.languageId !== LANGUAGE_ID) {
        item.hide();
        return;
      }
      state = { technique: settings.technique(vscode.workspace.getWorkspaceFolder(doc.uri)), inSession: false, stopped: false };
      item.command = Command.selectTechnique;
    }
    item.text = statusText(state);
    item.tooltip = statusTooltip(state);
    item.show();
  };

  context.subscriptions.push(
    item,
    hub.onDidChange(update),
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.debug.onDidChangeActiveDebugSession((s) => {
      if (s === undefined || s.type === DEBUG_TYPE) update();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.${Setting.technique}`)) update();
    }),
  );
  update();
}
