// Starts `hyperstep dap` over stdio and drives it with @vscode/debugadapter-testsupport's
// DebugClient (connected to the process we spawn, so the command line's own `dap` argument is used).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterEach, expect } from 'vitest';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CLI_BIN, REPO_ROOT } from '../helpers/paths.js';

export const HELLO = path.join(REPO_ROOT, 'samples', 'hello.asm');
export const COUNTER = path.join(REPO_ROOT, 'test', 'dap', 'guests', 'counter.asm');
export const LONGCALL = path.join(REPO_ROOT, 'test', 'dap', 'guests', 'longcall.asm');
export const SPIN = path.join(REPO_ROOT, 'test', 'dap', 'guests', 'spin.asm');

/** A DebugClient on streams of a process we spawned ourselves (DebugClient.start passes one argument only). */
class StdioDebugClient extends DebugClient {
  attach(readable: Readable, writable: Writable): void {
    this.connect(readable, writable);
  }
}

export interface Adapter {
  dc: DebugClient;
  proc: ChildProcessWithoutNullStreams;
  stderr(): string;
  /** Writes raw bytes to the adapter's stdin (malformed input). */
  writeRaw(text: string): void;
  /** Disconnects, closes stdin and waits for the process to exit by itself; returns its exit code. */
  close(): Promise<number | null>;
}

export function startAdapter(): Adapter {
  const proc = spawn(process.execPath, [CLI_BIN, 'dap'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const dc = new StdioDebugClient(process.execPath, CLI_BIN, 'hyperstep');
  dc.defaultTimeout = 10_000;
  dc.attach(proc.stdout, proc.stdin);
  return {
    dc,
    proc,
    stderr: () => err,
    writeRaw: (text) => proc.stdin.write(text),
    async close() {
      if (proc.exitCode === null) {
        try {
          await dc.disconnectRequest({});
        } catch {
          // already gone
        }
        proc.stdin.end();
      }
      const timer = setTimeout(() => proc.kill(), 5_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * One adapter per test: the returned `open()` starts it, and after each test it is disconnected
 * and must exit by itself with status 0 (no leaked timers or handles).
 */
export function adapterPerTest(): (() => DebugClient) & { current(): Adapter } {
  let adapter: Adapter | undefined;
  afterEach(async () => {
    const a = adapter;
    adapter = undefined;
    if (a !== undefined) expect(await a.close()).toBe(0);
  });
  const open = (): DebugClient => {
    if (adapter !== undefined) throw new Error('one adapter per test');
    adapter = startAdapter();
    return adapter.dc;
  };
  return Object.assign(open, {
    current(): Adapter {
      if (adapter === undefined) throw new Error('no adapter started in this test');
      return adapter;
    },
  });
}

/** initialize + launch + configurationDone; with stopOnEntry, waits for the entry stop. */
export async function launch(dc: DebugClient, args: Record<string, unknown>): Promise<void> {
  const waits: Promise<unknown>[] = [dc.configurationSequence(), dc.launch(args)];
  if (args.stopOnEntry === true) waits.push(dc.assertStoppedLocation('entry', {}));
  await Promise.all(waits);
}

export async function topFrame(dc: DebugClient): Promise<DebugProtocol.StackFrame> {
  const r = await dc.stackTraceRequest({ threadId: 1 });
  return r.body.stackFrames[0];
}

export async function evaluate(dc: DebugClient, expression: string): Promise<string> {
  const r = await dc.evaluateRequest({ expression, context: 'watch' });
  return r.body.result;
}

/** Sends a request and returns the error message it was refused with (fails if it succeeded). */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the request succeeded');
}
