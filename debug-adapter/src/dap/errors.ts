// Errors the DAP layer answers with: each request handler throws a DapError (or anything else),
// and the session turns it into an error response and keeps serving (the js-debug pattern).

export const enum ErrorId {
  BadArguments = 2001,
  NotLaunched = 2002,
  LaunchFailed = 2003,
  NotStopped = 2004,
  UnknownCommand = 2005,
  Evaluation = 2006,
  Memory = 2007,
  Internal = 2099,
}

export class DapError extends Error {
  constructor(readonly id: ErrorId, message: string, readonly showUser = true) {
    super(message);
  }
}

export function badArguments(message: string): DapError {
  return new DapError(ErrorId.BadArguments, message);
}

/** The `arguments` of a request as an object (malformed requests carry anything). */
export function argumentsOf(raw: unknown, command: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badArguments(`'${command}' expects an arguments object`);
  return raw as Record<string, unknown>;
}

export function optionalNumber(args: Record<string, unknown>, name: string, command: string): number | undefined {
  const v = args[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badArguments(`'${command}': '${name}' must be a number`);
  return v;
}

export function requiredNumber(args: Record<string, unknown>, name: string, command: string): number {
  const v = optionalNumber(args, name, command);
  if (v === undefined) throw badArguments(`'${command}' needs '${name}'`);
  return v;
}

export function optionalString(args: Record<string, unknown>, name: string, command: string): string | undefined {
  const v = args[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badArguments(`'${command}': '${name}' must be a string`);
  return v;
}

export function requiredString(args: Record<string, unknown>, name: string, command: string): string {
  const v = optionalString(args, name, command);
  if (v === undefined) throw badArguments(`'${command}' needs '${name}'`);
  return v;
}

export function optionalArray(args: Record<string, unknown>, name: string, command: string): unknown[] | undefined {
  const v = args[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw badArguments(`'${command}': '${name}' must be an array`);
  return v;
}
