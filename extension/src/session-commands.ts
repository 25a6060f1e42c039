// Commands on the running session: show the binary translation of the current block, send input
// to the guest's serial port.
import * as vscode from 'vscode';
import { debugFile } from './debug-config-provider.js';
import { Command, Dap } from './ids.js';
import { asTranslation, isUnknownRequest, serialRequestText } from './model/requests.js';
import { errorText, showError, showWarning, type CustomAction } from './notify.js';
import type { SessionData, SessionHub } from './session-hub.js';
import * as settings from './settings.js';

const TRANSLATION_SCHEME = 'hyperstep-translation';

/** Read-only documents holding the listings the adapter returned. */
class TranslationDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private count = 0;

  add(title: string, content: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: TRANSLATION_SCHEME, path: `/${title.replace(/[\\/]/g, '_')}`, query: String(++this.count) });
    this.contents.set(uri.toString(), content);
    // Only the latest few are kept; older tabs show a note instead.
    if (this.contents.size > 20) this.contents.delete(this.contents.keys().next().value as string);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '(this translation is no longer kept: run "Hyperstep: Show Translation of Current Block" again)';
  }
}

function debugOpenGuest(): CustomAction {
  return {
    label: 'Debug the Open Guest',
    run: () => {
      const doc = vscode.window.activeTextEditor?.document;
      return doc === undefined ? vscode.commands.executeCommand(Command.openSample) : debugFile(doc.uri);
    },
  };
}

function requireSession(hub: SessionHub, what: string): SessionData | undefined {
  const live = hub.live;
  if (live === undefined) void showError(`${what} needs a running Hyperstep debug session.`, debugOpenGuest());
  return live;
}

async function restartUnder(d: SessionData, technique: string): Promise<void> {
  const config = { ...d.session.configuration, technique, name: `${String(d.session.configuration.name)} (${technique})` };
  await vscode.debug.stopDebugging(d.session);
  await vscode.debug.startDebugging(d.session.workspaceFolder, config);
}

async function showTranslation(hub: SessionHub, docs: TranslationDocuments): Promise<void> {
  const d = requireSession(hub, 'Showing a translation');
  if (d === undefined) return;
  const technique = d.session.configuration.technique;
  if (technique !== 'binary-translation') {
    await showWarning(`Only binary translation translates code; this session runs under ${String(technique ?? 'native')}.`, {
      label: 'Restart Under binary-translation',
      run: () => restartUnder(d, 'binary-translation'),
    });
    return;
  }
  if (!d.stopped) {
    await showWarning('Pause the guest first: the translation shown is the one of the block the guest is stopped in.', {
      label: 'Pause',
      run: () => vscode.commands.executeCommand('workbench.action.debug.pause'),
    });
    return;
  }
  let body: unknown;
  try {
    body = await d.session.customRequest(Dap.translation, {});
  } catch (e) {
    if (isUnknownRequest(e, Dap.translation)) {
      await showError(`This version of Hyperstep's debug adapter cannot show translations (it has no '${Dap.translation}' request). The Variables view's Hypervisor scope and the VM Exits view show the translation callouts.`);
    } else {
      await showError(`Show translation: ${errorText(e)}`, 'showOutput');
    }
    return;
  }
  const view = asTranslation(body);
  if (view === undefined) {
    await showError(`The debug adapter's answer to '${Dap.translation}' had no listing to show.`, 'showOutput');
    return;
  }
  const doc = await vscode.workspace.openTextDocument(docs.add(view.title, view.content));
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
}

async function sendSerialInput(hub: SessionHub, text?: string): Promise<void> {
  const d = requireSession(hub, "Sending input to the guest's serial port");
  if (d === undefined) return;
  const newline = settings.serialAppendNewline();
  const typed =
    text ??
    (await vscode.window.showInputBox({
      title: "Send to the guest's serial port (COM1)",
      prompt: `Escapes: \\n \\r \\t \\0 \\e \\\\ \\xNN.${newline ? ' A newline is added (hyperstep.serialInput.appendNewline).' : ''}`,
      placeHolder: 'text for the guest',
      validateInput: (v) => {
        try {
          serialRequestText(v, newline);
          return undefined;
        } catch (e) {
          return errorText(e);
        }
      },
    }));
  if (typed === undefined) return;
  try {
    const body = (await d.session.customRequest(Dap.serialInput, { text: serialRequestText(typed, newline) })) as { bytesQueued?: number } | undefined;
    const n = body?.bytesQueued;
    vscode.window.setStatusBarMessage(`Hyperstep: ${n === undefined ? 'sent' : `queued ${n} byte${n === 1 ? '' : 's'}`} for COM1${d.stopped ? ' (the guest reads them when it runs)' : ''}`, 4000);
  } catch (e) {
    if (isUnknownRequest(e, Dap.serialInput)) await showError(`This version of Hyperstep's debug adapter does not take serial input (no '${Dap.serialInput}' request).`);
    else await showError(`Serial input: ${errorText(e)}`);
  }
}

export function registerSessionCommands(context: vscode.ExtensionContext, hub: SessionHub): void {
  const docs = new TranslationDocuments();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(TRANSLATION_SCHEME, docs),
    vscode.commands.registerCommand(Command.showTranslation, () => showTranslation(hub, docs)),
    vscode.commands.registerCommand(Command.sendSerialInput, (text?: unknown) => sendSerialInput(hub, typeof text === 'string' ? text : undefined)),
  );
}
