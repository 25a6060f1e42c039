// Commands that start from a file: debug the open guest (the editor's run button), with a chosen
// technique, open a sample (the walkthrough's steps), copy the samples into a folder of one's own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { debugFile } from './debug-config-provider.js';
import { Command } from './ids.js';
import { isGuestFile } from './model/debug-config.js';
import { isTechnique, type Technique } from './model/techniques.js';
import { ranContextKey } from './model/walkthrough.js';
import { errorText, showError, showInfo } from './notify.js';
import type { Runtime } from './runtime.js';
import { pickTechnique } from './technique-picker.js';

function guestUri(uri?: vscode.Uri): vscode.Uri | undefined {
  if (uri instanceof vscode.Uri) return uri;
  const doc = vscode.window.activeTextEditor?.document;
  return doc !== undefined && doc.uri.scheme === 'file' && isGuestFile({ path: doc.uri.fsPath, languageId: doc.languageId }) ? doc.uri : undefined;
}

async function debugGuest(uri: vscode.Uri | undefined, technique?: Technique): Promise<void> {
  const target = guestUri(uri);
  if (target === undefined) {
    await showError('Open a guest .asm file first: Hyperstep debugs the guest in the active editor.', 'openSample', 'openWalkthrough');
    return;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (doc?.isDirty === true) await doc.save();
  if (!(await debugFile(target, technique))) await showError(`The debug session for ${path.basename(target.fsPath)} did not start.`, 'showOutput');
}

/** The first comment line of a sample (its one-line summary). */
function summary(file: string): string {
  try {
    const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(';')) ?? '';
    return line.replace(/^;\s*/, '');
  } catch {
    return '';
  }
}

/** A copy of the sample in the workspace (after "Copy Samples"), else the one shipped with the extension. */
async function sampleUri(runtime: Runtime, name: string): Promise<vscode.Uri | undefined> {
  if (vscode.workspace.workspaceFolders !== undefined) {
    const found = await vscode.workspace.findFiles(`**/${name}`, '**/node_modules/**', 1);
    if (found.length > 0) return found[0];
  }
  const shipped = path.join(runtime.samplesPath, name);
  return fs.existsSync(shipped) ? vscode.Uri.file(shipped) : undefined;
}

async function openSample(runtime: Runtime, name?: unknown, technique?: unknown): Promise<void> {
  let file = typeof name === 'string' ? name : undefined;
  if (file === undefined) {
    let names: string[];
    try {
      names = fs.readdirSync(runtime.samplesPath).filter((f) => f.endsWith('.asm'));
    } catch (e) {
      await showError(`Hyperstep's samples are missing (${runtime.samplesPath}): ${errorText(e)}. Reinstall the extension.`);
      return;
    }
    const chosen = await vscode.window.showQuickPick(
      names.map((n) => ({ label: n, detail: summary(path.join(runtime.samplesPath, n)) })),
      { placeHolder: 'Open a sample guest', matchOnDetail: true },
    );
    if (chosen === undefined) return;
    file = chosen.label;
  }
  const uri = await sampleUri(runtime, file);
  if (uri === undefined) {
    await showError(`There is no sample named '${file}'.`, 'openSample');
    return;
  }
  await vscode.window.showTextDocument(uri, { preview: false });
  if (!isTechnique(technique)) return;
  if (await debugFile(uri, technique)) {
    await vscode.commands.executeCommand('setContext', ranContextKey(file, technique), true);
  }
}

async function copySamples(runtime: Runtime): Promise<void> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Copy the samples here' });
  if (picked === undefined || picked.length === 0) return;
  const dest = path.join(picked[0].fsPath, 'hyperstep-samples');
  try {
    // Existing files are kept: a second copy never overwrites someone's edits.
    fs.cpSync(runtime.samplesPath, dest, { recursive: true, force: false });
  } catch (e) {
    await showError(`Could not copy the samples to ${dest}: ${errorText(e)}`);
    return;
  }
  await showInfo(`The samples are in ${dest}, with a launch configuration for each.`, {
    label: 'Open Folder',
    run: () => vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(dest)),
  });
}

export function registerFileCommands(context: vscode.ExtensionContext, runtime: Runtime): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(Command.debugFile, (uri?: vscode.Uri) => debugGuest(uri)),
    vscode.commands.registerCommand(Command.debugFileWithTechnique, async (uri?: vscode.Uri) => {
      if (guestUri(uri) === undefined) return debugGuest(uri);
      const t = await pickTechnique();
      if (t !== undefined) await debugGuest(uri, t);
    }),
    vscode.commands.registerCommand(Command.openSample, (name?: unknown, technique?: unknown) => openSample(runtime, name, technique)),
    vscode.commands.registerCommand(Command.copySamples, () => copySamples(runtime)),
    vscode.commands.registerCommand(Command.showOutput, () => runtime.log.show()),
  );
}
