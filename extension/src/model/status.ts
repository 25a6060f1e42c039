// The status bar item's words: the technique, and while the guest is stopped the privilege level
// it believes it runs at (the VMM's virtual CPL) next to the one the CPU really runs it at.

export interface Cpl {
  /** What the VMM's virtual CPU holds: the ring the guest believes it is in. */
  virtual: number;
  /** What the CPU model holds: the ring the guest really runs at. */
  physical: number;
}

/**
 * Reads the adapter's "Virtual CPU" scope's CPL item (`guest 0 / VMM 0 / hardware 1`), or the
 * "System" scope's plain CPL (`0`, no VMM: both the same).
 */
export function parseCpl(value: string): Cpl | undefined {
  const num = (s: string): number => (s.startsWith('0x') ? parseInt(s, 16) : Number(s));
  const m = /VMM\s+(\S+)\s*\/\s*hardware\s+(\S+)/.exec(value);
  if (m !== null) {
    const c = { virtual: num(m[1]), physical: num(m[2]) };
    return Number.isInteger(c.virtual) && Number.isInteger(c.physical) ? c : undefined;
  }
  const n = num(value.trim());
  return /^(0x)?[0-9a-f]+$/i.test(value.trim()) && Number.isInteger(n) ? { virtual: n, physical: n } : undefined;
}

export interface StatusState {
  technique: string;
  /** A Hyperstep session is running (as opposed to a technique chosen for the next one). */
  inSession: boolean;
  stopped: boolean;
  cpl?: Cpl;
}

export function statusText(s: StatusState): string {
  if (!s.inSession) return `$(circuit-board) ${s.technique}`;
  if (!s.stopped) return `$(debug-alt) ${s.technique}`;
  if (s.cpl === undefined) return `$(debug-pause) ${s.technique}`;
  if (s.cpl.virtual === s.cpl.physical) return `$(debug-pause) ${s.technique} · CPL ${s.cpl.physical}`;
  return `$(debug-pause) ${s.technique} · CPL virtual ${s.cpl.virtual} / physical ${s.cpl.physical}`;
}

export function statusTooltip(s: StatusState): string {
  if (!s.inSession) return `Hyperstep: guests start under ${s.technique} (hyperstep.technique). Click to choose another technique.`;
  const lines = [`Hyperstep session under ${s.technique}`];
  if (s.stopped && s.cpl !== undefined) {
    lines.push(
      s.cpl.virtual === s.cpl.physical
        ? `The guest runs at ring ${s.cpl.physical}, as it believes.`
        : `The guest believes it runs at ring ${s.cpl.virtual} (the VMM's virtual CPU); the CPU runs it at ring ${s.cpl.physical}.`,
    );
  } else if (!s.stopped) {
    lines.push('Running. The privilege levels show while the guest is stopped.');
  }
  lines.push('Click for the statistics.');
  return lines.join('\n');
}

/** Sends a DAP request and resolves with its response body (a session's customRequest). */
export type Requester = (command: string, args: Record<string, unknown>) => Thenable<unknown>;

/**
 * Reads the CPL of a stopped guest through plain DAP requests: the top frame's scopes, the
 * "Virtual CPU" scope's CPL item (or "System"'s when no VMM runs the guest).
 */
export async function readCpl(request: Requester, threadId: number): Promise<Cpl | undefined> {
  const trace = (await request('stackTrace', { threadId, startFrame: 0, levels: 1 })) as { stackFrames?: { id: number }[] } | undefined;
  const frameId = trace?.stackFrames?.[0]?.id;
  if (frameId === undefined) return undefined;
  const scopes = ((await request('scopes', { frameId })) as { scopes?: { name: string; variablesReference: number }[] } | undefined)?.scopes ?? [];
  const scope = scopes.find((x) => x.name === 'Virtual CPU') ?? scopes.find((x) => x.name === 'System');
  if (scope === undefined) return undefined;
  const variables = ((await request('variables', { variablesReference: scope.variablesReference })) as { variables?: { name: string; value: string }[] } | undefined)?.variables ?? [];
  const item = variables.find((v) => v.name === 'CPL');
  return item === undefined ? undefined : parseCpl(item.value);
}
