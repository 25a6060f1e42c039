// The output of `hyperstep compare FILE --json`, checked field by field (it crosses a process
// boundary), and the rows of the table the extension shows.

export interface TechniqueRun {
  technique: string;
  sameSerialAsNative: boolean;
  stopReason: string;
  exitStatus: number;
  instructions: number;
  serial: string;
  exits: { total: number; byReason: Record<string, number> };
  holes: { total: number; byInstruction: Record<string, number> };
  cycles: number;
}

export interface CompareResult {
  input: string;
  skipped: { technique: string; why: string }[];
  techniques: TechniqueRun[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCounts = (v: unknown): v is Record<string, number> => isObject(v) && Object.values(v).every((n) => typeof n === 'number');

function checkRun(v: unknown, i: number): TechniqueRun {
  const bad = (what: string): never => {
    throw new Error(`compare output: techniques[${i}] ${what}`);
  };
  if (!isObject(v)) return bad('is not an object');
  for (const k of ['technique', 'stopReason', 'serial'] as const) if (typeof v[k] !== 'string') bad(`has no string '${k}'`);
  for (const k of ['exitStatus', 'instructions', 'cycles'] as const) if (typeof v[k] !== 'number') bad(`has no number '${k}'`);
  if (typeof v.sameSerialAsNative !== 'boolean') bad("has no boolean 'sameSerialAsNative'");
  const exits = v.exits;
  const holes = v.holes;
  if (!isObject(exits) || typeof exits.total !== 'number' || !isCounts(exits.byReason)) bad("has no 'exits' {total, byReason}");
  if (!isObject(holes) || typeof holes.total !== 'number' || !isCounts(holes.byInstruction)) bad("has no 'holes' {total, byInstruction}");
  return v as unknown as TechniqueRun;
}

/** Parses compare's stdout; throws an Error naming what is wrong. */
export function parseCompareOutput(stdout: string): CompareResult {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    throw new Error(`compare output is not JSON: ${stdout.slice(0, 200)}`);
  }
  if (!isObject(raw) || !Array.isArray(raw.techniques)) throw new Error("compare output has no 'techniques' list");
  const techniques = raw.techniques.map(checkRun);
  if (techniques.length === 0) throw new Error('compare output lists no technique');
  const skipped = Array.isArray(raw.skipped)
    ? raw.skipped.filter((s): s is { technique: string; why: string } => isObject(s) && typeof s.technique === 'string' && typeof s.why === 'string')
    : [];
  return { input: typeof raw.input === 'string' ? raw.input : '', skipped, techniques };
}

export interface CompareRow {
  technique: string;
  /** `reference` (native), `same` or `DIFFERENT`. */
  serial: string;
  status: string;
  instructions: string;
  exits: string;
  topReasons: string;
  holes: string;
  cycles: string;
  /** Modelled cycles relative to the first (native) run, e.g. `1.95×`. */
  relative: string;
  /** Row to highlight: its serial output differs from native. */
  differs: boolean;
}

const n = (v: number): string => v.toLocaleString('en-US');

function top(counts: Record<string, number>, k = 4): string {
  const items = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = items.slice(0, k).map(([r, c]) => `${r} ${n(c)}`);
  if (items.length > k) shown.push(`+${items.length - k} more`);
  return shown.join(', ');
}

export function compareRows(result: CompareResult): CompareRow[] {
  const base = result.techniques[0].cycles;
  return result.techniques.map((r, i) => ({
    technique: r.technique,
    serial: i === 0 ? 'reference' : r.sameSerialAsNative ? 'same' : 'DIFFERENT',
    status: `${r.exitStatus} (${r.stopReason})`,
    instructions: n(r.instructions),
    exits: n(r.exits.total),
    topReasons: top(r.exits.byReason),
    holes: r.holes.total === 0 ? '0' : `${n(r.holes.total)} (${top(r.holes.byInstruction)})`,
    cycles: n(r.cycles),
    relative: base > 0 ? `${(r.cycles / base).toFixed(2)}×` : '—',
    differs: i > 0 && !r.sameSerialAsNative,
  }));
}
