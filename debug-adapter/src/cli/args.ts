// A small argument reader for the `hyperstep` subcommands: flags with values, repeated flags, positionals.

export class UsageError extends Error {}

export interface ParsedArgs {
  positionals: string[];
  values: Map<string, string[]>;
  flags: Set<string>;
}

/**
 * `withValue` lists the options that take a value (`-o FILE`, `-oFILE`, `--listing=FILE`);
 * `switches` lists the boolean ones. Anything else starting with `-` is a usage error.
 */
export function parseArgs(argv: string[], withValue: string[], switches: string[] = []): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: new Map(), flags: new Set() };
  const add = (name: string, v: string) => out.values.set(name, [...(out.values.get(name) ?? []), v]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 && a.startsWith('--') ? a.slice(0, eq) : a;
    if (switches.includes(name)) {
      out.flags.add(name);
      continue;
    }
    if (withValue.includes(name)) {
      const v = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`option ${name} needs a value`);
      add(name, v);
      continue;
    }
    // Short options glued to their value: -oOUT, -Idir.
    const short = withValue.find((w) => w.length === 2 && a.startsWith(w) && a.length > 2);
    if (short) {
      add(short, a.slice(2));
      continue;
    }
    throw new UsageError(`unknown option ${a}`);
  }
  return out;
}
