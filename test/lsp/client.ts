// Starts `hyperstep lsp --stdio` and speaks JSON-RPC to it the way an editor does: initialize,
// open and change documents, answer workspace/configuration, collect published diagnostics.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { CLI_BIN } from '../helpers/paths.js';

export const uriOf = (file: string): string => pathToFileURL(file).href;

export interface InitOptions {
  /** Advertise workspace/configuration (default true); settings are answered from `settings`. */
  configuration?: boolean;
  initializationOptions?: unknown;
  rootPath?: string;
}

export class LspClient {
  readonly conn: ProtocolConnection;
  /** What the client answers to workspace/configuration for section `hyperstep`. */
  settings: Record<string, unknown> = {};
  private err = '';
  private readonly published = new Map<string, PublishDiagnosticsParams[]>();
  private readonly waiters: { uri: string; version: number | undefined; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private readonly exited: Promise<number | null>;
  readonly configurationRequests: unknown[] = [];

  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stderr.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    this.conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.set(p.uri, [...(this.published.get(p.uri) ?? []), p]);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (w.uri === p.uri && (w.version === undefined || p.version === w.version)) {
          this.waiters.splice(i, 1);
          w.resolve(p);
        }
      }
    });
    this.conn.onRequest('workspace/configuration', (params: { items: { scopeUri?: string; section?: string }[] }) => {
      this.configurationRequests.push(params);
      return params.items.map((i) => (i.section === 'hyperstep' ? this.settings : null));
    });
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onNotification('window/logMessage', () => undefined);
    this.conn.listen();
  }

  static start(): LspClient {
    return new LspClient(spawn(process.execPath, [CLI_BIN, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  stderr(): string {
    return this.err;
  }

  async initialize(options: InitOptions = {}): Promise<InitializeResult> {
    const result = await this.request<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: options.rootPath ? uriOf(options.rootPath) : null,
      workspaceFolders: options.rootPath ? [{ uri: uriOf(options.rootPath), name: 'root' }] : null,
      capabilities: {
        workspace: { configuration: options.configuration !== false, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { versionSupport: true, relatedInformation: true } },
      },
      initializationOptions: options.initializationOptions,
    });
    await this.conn.sendNotification('initialized', {});
    return result;
  }

  /** Opens a document and waits for its first diagnostics. */
  async open(uri: string, text: string, version = 1): Promise<Diagnostic[]> {
    const published = this.waitForDiagnostics(uri, version);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'guest-asm', version, text } });
    return (await published).diagnostics;
  }

  async change(uri: string, version: number, changes: TextDocumentContentChangeEvent[] | string): Promise<Diagnostic[]> {
    const published = this.waitForDiagnostics(uri, version);
    const contentChanges = typeof changes === 'string' ? [{ text: changes }] : changes;
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
    return (await published).diagnostics;
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  waitForDiagnostics(uri: string, version?: number, timeoutMs = 15_000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} (version ${String(version)}) within ${timeoutMs} ms; stderr: ${this.err}`)), timeoutMs);
      this.waiters.push({
        uri,
        version,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  lastDiagnostics(uri: string): PublishDiagnosticsParams | undefined {
    return this.published.get(uri)?.at(-1);
  }

  /** A request; fails (instead of hanging) if the server exits before it answers. */
  request<R>(method: string, params?: unknown): Promise<R> {
    const died = this.exited.then((code) => {
      throw new Error(`the server exited (code ${String(code)}) before answering ${method}; stderr: ${this.err}`);
    });
    return Promise.race([params === undefined ? this.conn.sendRequest<R>(method) : this.conn.sendRequest<R>(method, params), died]);
  }

  /** shutdown + exit, then waits for the process; returns its exit code. */
  async stop(): Promise<number | null> {
    if (this.proc.exitCode === null) {
      try {
        await this.conn.sendRequest('shutdown');
        await this.conn.sendNotification('exit');
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => this.proc.kill(), 5_000);
    const code = await this.exited;
    clearTimeout(timer);
    this.conn.dispose();
    return code;
  }

  get exitPromise(): Promise<number | null> {
    return this.exited;
  }
}
