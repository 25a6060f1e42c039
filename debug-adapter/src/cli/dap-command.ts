// `hyperstep dap [--port N]` (ARCHITECTURE §6): the debug adapter over stdio, or a TCP server on
// 127.0.0.1 only, one session per connection.
import * as net from 'node:net';
import { HyperstepSession } from '../dap/session.js';
import { parseArgs, UsageError } from './args.js';

export const DAP_USAGE = 'usage: hyperstep dap [--port N]   (stdio by default; --port serves TCP on 127.0.0.1, 0 picks a free port)';

function parsePort(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--port needs a port number (got '${text}')`);
  const port = Number(text);
  if (port > 65535) throw new UsageError(`--port must be between 0 (any free port) and 65535 (got ${port})`);
  return port;
}

/** Resolves with the exit status when the client is gone (stdio) or the server closes. */
export function dapCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['--port'], ['-h', '--help']);
  if (args.flags.has('-h') || args.flags.has('--help')) {
    process.stdout.write(DAP_USAGE + '\n');
    return Promise.resolve(0);
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const portText = args.values.get('--port')?.at(-1);
  if (portText !== undefined) return serveTcp(parsePort(portText));
  return serveStdio();
}

function serveStdio(): Promise<number> {
  return new Promise((resolve) => {
    const session = new HyperstepSession();
    session.setRunAsServer(false);
    const done = () => {
      process.stdin.off('end', done);
      process.stdin.off('close', done);
      session.dispose();
      resolve(0);
    };
    process.stdin.on('end', done);
    process.stdin.on('close', done);
    session.start(process.stdin, process.stdout);
  });
}

function serveTcp(port: number): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => {
      const session = new HyperstepSession();
      session.setRunAsServer(true);
      socket.on('close', () => session.dispose());
      socket.on('error', () => socket.destroy());
      session.start(socket, socket);
    });
    server.on('error', (e: NodeJS.ErrnoException) => {
      process.stderr.write(`hyperstep dap: cannot listen on 127.0.0.1:${port}: ${e.code ?? e.message}\n`);
      resolve(6);
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      process.stderr.write(`hyperstep dap: listening on 127.0.0.1:${actual}\n`);
    });
  });
}
