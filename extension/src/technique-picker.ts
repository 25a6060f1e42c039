// Choosing a technique: a quick pick with a line on each, used at launch
// (`"technique": "${command:hyperstep.pickTechnique}"`), by the "debug with technique" command and
// for the `hyperstep.technique` setting (status bar, command palette).
import * as vscode from 'vscode';
import { Command } from './ids.js';
import * as settings from './settings.js';
import { TECHNIQUE_INFO, TECHNIQUES, type Technique } from './model/techniques.js';

export async function pickTechnique(placeHolder = 'Run the guest under which technique?'): Promise<Technique | undefined> {
  const current = settings.technique();
  const items = TECHNIQUES.map((t) => ({ label: TECHNIQUE_INFO[t].label, detail: TECHNIQUE_INFO[t].detail, description: t === current ? 'hyperstep.technique' : undefined, technique: t }));
  const chosen = await vscode.window.showQuickPick(items, { placeHolder, matchOnDetail: true });
  return chosen?.technique;
}

export function registerTechniquePicker(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    // For ${command:...} in launch.json: the chosen name, or undefined (which cancels the launch).
    vscode.commands.registerCommand(Command.pickTechnique, () => pickTechnique()),
    vscode.commands.registerCommand(Command.selectTechnique, async () => {
      const t = await pickTechnique('Technique for new sessions and for the editor\'s hints (hyperstep.technique)');
      if (t !== undefined) await settings.setTechnique(t);
    }),
  );
}
