// The language server's wiring: capabilities, settings from the client, and one small handler per
// request that finds the document's analysis and asks the feature module. Requests with bad
// parameters or about documents that are not open are answered with errors; the server goes on.
import * as path from 'node:path';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  ErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type CancellationToken,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type Position,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActions, PARAVIRTUALIZE_FILE_KIND, PARAVIRTUALIZE_KIND } from './code-actions.js';
import { completion, resolveCompletion } from './completion.js';
import { AnalysisWorkspace, DEBOUNCE_MS, type Target } from './documents.js';
import { uriToPath } from './files.js';
import { foldingRanges } from './folding.js';
import { hover } from './hover.js';
import { LEGEND, semanticTokens } from './semantic-tokens.js';
import { parseSettings, type ServerSettings } from './settings.js';
import { definition, documentSymbols, prepareRename, references, rename, workspaceSymbols } from './symbols.js';
import { workspaceSources } from './workspace-files.js';

export interface ServerOptions {
  debounceMs?: number;
}

export function startLanguageServer(connection: Connection, options: ServerOptions = {}): AnalysisWorkspace {
  const documents = new TextDocuments(TextDocument);
  let canConfigure = false;
  let canRegisterConfiguration = false;
  let folders: string[] = [];
  let pushedSettings: unknown = undefined;
  const settingsCache = new Map<string, Promise<ServerSettings>>();

  const folderOf = (uri: string): string | undefined => {
    const p = uriToPath(uri);
    return (p && folders.find((f) => p === f || p.startsWith(f + path.sep))) ?? folders[0];
  };

  const settingsFor = (uri: string): Promise<ServerSettings> => {
    let s = settingsCache.get(uri);
    if (!s) {
      s = (canConfigure ? connection.workspace.getConfiguration({ scopeUri: uri, section: 'hyperstep' }) : Promise.resolve(pushedSettings)).then(
        (raw: unknown) => {
          const { settings, problems } = parseSettings(raw, folderOf(uri));
          for (const p of problems) connection.console.warn(p);
          return settings;
        },
        (e: unknown) => {
          connection.console.warn(`could not read the hyperstep settings: ${e instanceof Error ? e.message : String(e)}`);
          return parseSettings(pushedSettings, folderOf(uri)).settings;
        },
      );
      settingsCache.set(uri, s);
    }
    return s;
  };

  const workspace = new AnalysisWorkspace(
    documents,
    {
      settingsFor,
      publish: (uri, version, diagnostics) => void connection.sendDiagnostics(version > 0 ? { uri, version, diagnostics } : { uri, diagnostics }),
      log: (message) => connection.console.error(message),
    },
    options.debounceMs ?? DEBOUNCE_MS,
  );

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    canConfigure = params.capabilities.workspace?.configuration === true;
    canRegisterConfiguration = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    folders = uris.flatMap((u) => uriToPath(u) ?? []);
    const init = params.initializationOptions as { hyperstep?: unknown } | undefined;
    if (init && typeof init === 'object') pushedSettings = 'hyperstep' in init ? init.hyperstep : init;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        completionProvider: { triggerCharacters: ['.', '%'], resolveProvider: true },
        foldingRangeProvider: true,
        semanticTokensProvider: { legend: LEGEND, full: true },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, PARAVIRTUALIZE_KIND, PARAVIRTUALIZE_FILE_KIND] },
      },
      serverInfo: { name: 'hyperstep', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (canConfigure && canRegisterConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'hyperstep' });
  });

  connection.onDidChangeConfiguration((change) => {
    const pushed = (change.settings as { hyperstep?: unknown } | null | undefined)?.hyperstep;
    if (pushed !== undefined) pushedSettings = pushed;
    settingsCache.clear();
    workspace.settingsChanged();
  });

  connection.onDidChangeWatchedFiles((change) => {
    workspace.diskChanged(change.changes.flatMap((c) => uriToPath(c.uri) ?? []));
  });

  documents.onDidOpen((e) => workspace.changed(e.document.uri));
  documents.onDidChangeContent((e) => workspace.changed(e.document.uri));
  documents.onDidClose((e) => {
    settingsCache.delete(e.document.uri);
    workspace.closed(e.document.uri);
  });
  documents.onDidSave((e) => workspace.diskChanged([workspace.pathOf(e.document.uri)]));

  /** The analysis a request is about, or an error response for bad parameters. */
  const target = async (params: unknown, token?: CancellationToken): Promise<Target> => {
    const uri = (params as { textDocument?: { uri?: unknown } } | null)?.textDocument?.uri;
    if (typeof uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'textDocument.uri is required');
    const t = await workspace.analysisFor(uri);
    if (!t) throw new ResponseError(ErrorCodes.InvalidParams, `document is not open: ${uri}`);
    if (token?.isCancellationRequested) throw new ResponseError(-32800, 'request cancelled');
    return t;
  };
  const position = (params: unknown): Position => {
    const p = (params as { position?: { line?: unknown; character?: unknown } } | null)?.position;
    if (!p || !Number.isInteger(p.line) || !Number.isInteger(p.character) || (p.line as number) < 0 || (p.character as number) < 0) {
      throw new ResponseError(ErrorCodes.InvalidParams, 'position {line, character} (non-negative integers) is required');
    }
    return { line: p.line as number, character: p.character as number };
  };

  connection.onHover(async (params, token) => {
    const { analysis, file } = await target(params, token);
    return hover(analysis, file, position(params));
  });
  connection.onDefinition(async (params, token) => {
    const { analysis, file } = await target(params, token);
    return definition(analysis, file, position(params));
  });
  connection.onReferences(async (params, token) => {
    const { analysis, file } = await target(params, token);
    return references(analysis, file, position(params), params.context?.includeDeclaration !== false);
  });
  connection.onPrepareRename(async (params, token) => {
    const { analysis, file } = await target(params, token);
    return prepareRename(analysis, file, position(params));
  });
  connection.onRenameRequest(async (params, token) => {
    const { analysis, file } = await target(params, token);
    if (typeof params.newName !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'newName is required');
    return rename(analysis, file, position(params), params.newName);
  });
  connection.onDocumentSymbol(async (params, token) => {
    const { analysis, file } = await target(params, token);
    return documentSymbols(analysis, file.outline);
  });
  connection.onWorkspaceSymbol((params) => {
    if (typeof params?.query !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'query is required');
    return workspaceSymbols(workspaceSources(workspace, folders), params.query);
  });
  connection.onCompletion(async (params, token) => {
    const { analysis, file } = await target(params, token);
    return completion(analysis, file, position(params));
  });
  connection.onCompletionResolve((item) => resolveCompletion(item));
  connection.onFoldingRanges(async (params, token) => {
    const { file } = await target(params, token);
    return foldingRanges(file.outline);
  });
  connection.languages.semanticTokens.on(async (params, token) => {
    const { analysis, file } = await target(params, token);
    return semanticTokens(analysis, file);
  });
  connection.onCodeAction(async (params, token) => {
    const { analysis, file } = await target(params, token);
    const r = params.range;
    if (!r || !r.start || !r.end) throw new ResponseError(ErrorCodes.InvalidParams, 'range is required');
    return codeActions(analysis, file, r, { diagnostics: params.context?.diagnostics ?? [], only: params.context?.only });
  });

  documents.listen(connection);
  connection.listen();
  return workspace;
}
