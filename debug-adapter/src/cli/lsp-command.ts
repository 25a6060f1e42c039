// `hyperstep lsp [--stdio]` (ARCHITECTURE §6): the language server over stdio. VS Code's client
// passes --stdio (and --clientProcessId=N, which vscode-languageserver watches by itself); the
// other transports are refused.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startLanguageServer } from '../lsp/server.js';
import { parseArgs, UsageError } from './args.js';

export const LSP_USAGE = 'usage: hyperstep lsp [--stdio]   (the language server over stdio; --node-ipc, --socket and --pipe are not supported)';

/** Resolves never: the connection ends the process when the client exits or closes stdin. */
export function lspCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['--clientProcessId', '--socket', '--pipe', '--port'], ['--stdio', '--node-ipc', '-h', '--help']);
  if (args.flags.has('-h') || args.flags.has('--help')) {
    process.stdout.write(LSP_USAGE + '\n');
    return Promise.resolve(0);
  }
  for (const t of ['--node-ipc', '--socket', '--pipe', '--port']) {
    if (args.flags.has(t) || args.values.has(t)) throw new UsageError(`${t} is not supported: the language server speaks over stdio`);
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  // stdout carries the protocol: anything printed by mistake goes to stderr instead.
  console.log = console.info = console.debug = console.warn = (...data: unknown[]) => console.error(...data);
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  startLanguageServer(connection);
  return new Promise<number>(() => undefined);
}
