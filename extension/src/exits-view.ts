// The "VM Exits" view in Run and Debug: the current session's exits and holes grouped by reason
// with their counts, live while the guest runs; each entry opens its guest line.
import * as vscode from 'vscode';
import { Command, View } from './ids.js';
import type { VmmEventEntry } from './model/events.js';
import type { ExitGroup } from './model/exit-model.js';
import { entryDescription, entryLabel, entryTooltip, groupDescription, groupLabel } from './model/exit-text.js';
import { errorText, showError, showInfo } from './notify.js';
import type { SessionHub } from './session-hub.js';

type Node = { type: 'group'; sessionId: string; group: ExitGroup } | { type: 'entry'; sessionId: string; entry: VmmEventEntry } | { type: 'info'; text: string; tooltip: string };

const KIND_ICON: Record<string, string> = {
  vmexit: 'arrow-swap',
  trap: 'zap',
  hypercall: 'call-outgoing',
  callout: 'replace',
  interrupt: 'bell',
  exit: 'arrow-swap',
};

function icon(kind: string): vscode.ThemeIcon {
  return kind === 'hole' ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) : new vscode.ThemeIcon(KIND_ICON[kind] ?? 'circle-small');
}

class ExitsProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly hub: SessionHub) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    const current = this.hub.current;
    if (current === undefined) return [];
    const sessionId = current.session.id;
    if (node === undefined) {
      const nodes: Node[] = current.exits.groups().map((group) => ({ type: 'group', sessionId, group }));
      const unlisted = current.exits.unlisted;
      if (unlisted > 0) {
        nodes.push({
          type: 'info',
          text: `${unlisted.toLocaleString('en-US')} not listed`,
          tooltip: 'Counted but not listed: the adapter sends at most a few hundred entries every 100 ms, and the view keeps the latest hyperstep.exitsView.maxEvents.',
        });
      }
      return nodes;
    }
    if (node.type !== 'group') return [];
    return [...node.group.entries].reverse().map((entry) => ({ type: 'entry', sessionId, entry }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.type === 'info') {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.tooltip = node.tooltip;
      item.iconPath = new vscode.ThemeIcon('info');
      return item;
    }
    if (node.type === 'group') {
      const g = node.group;
      const item = new vscode.TreeItem(groupLabel(g), g.entries.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      item.id = `${node.sessionId}/${g.key}`;
      item.description = groupDescription(g);
      item.iconPath = icon(g.kind);
      item.contextValue = 'hyperstep.exitGroup';
      return item;
    }
    const e = node.entry;
    const item = new vscode.TreeItem(entryLabel(e), vscode.TreeItemCollapsibleState.None);
    item.id = `${node.sessionId}/#${e.seq}`;
    item.description = entryDescription(e);
    item.tooltip = entryTooltip(e);
    item.iconPath = icon(e.kind);
    item.contextValue = 'hyperstep.exit';
    item.command = { command: Command.revealExit, title: 'Show Guest Line', arguments: [e] };
    return item;
  }
}

/** Opens the guest line an exit or hole belongs to. */
async function revealExit(entry: VmmEventEntry | undefined): Promise<void> {
  if (entry === undefined) return;
  if (entry.source === undefined) {
    await showInfo(`Exit #${entry.seq} at ${entry.eip} has no source line: it happened outside the program's source (firmware, generated code or an address the source map does not cover).`);
    return;
  }
  const line = Math.max(0, entry.source.line - 1);
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(vscode.Uri.file(entry.source.path));
  } catch (e) {
    await showError(`Cannot open ${entry.source.path} (line ${entry.source.line}) for exit #${entry.seq}: ${errorText(e)}`);
    return;
  }
  const last = Math.min(line, doc.lineCount - 1);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(last, 0, last, doc.lineAt(last).text.length), preview: true });
}

export function registerExitsView(context: vscode.ExtensionContext, hub: SessionHub): void {
  const provider = new ExitsProvider(hub);
  const view = vscode.window.createTreeView(View.exits, { treeDataProvider: provider, showCollapseAll: true });
  const update = (): void => {
    const c = hub.current;
    if (c === undefined) {
      view.description = undefined;
      view.message = undefined;
    } else {
      const total = c.exits.total;
      view.description = `${c.exits.technique ?? ''}${c.exits.technique === undefined ? '' : ' · '}${total.toLocaleString('en-US')} event${total === 1 ? '' : 's'}`;
      view.message = c.ended ? `Session "${c.session.name}" has ended.` : c.exits.isEmpty && c.exits.technique === 'native' ? 'Native runs have no VMM: no exits.' : undefined;
    }
    provider.refresh();
  };
  context.subscriptions.push(
    view,
    hub.onDidChange(update),
    vscode.commands.registerCommand(Command.revealExit, (entry?: VmmEventEntry) => revealExit(entry)),
    vscode.commands.registerCommand(Command.clearExits, () => hub.clearExits()),
  );
}
