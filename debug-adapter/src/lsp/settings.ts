// The language server's settings (the `hyperstep.*` section of the workspace configuration) and
// the per-file override `; hyperstep: technique=NAME`.
import * as path from 'node:path';
import { TECHNIQUES, type Technique } from '../isa/index.js';
import { TECHNIQUE_COMMENT } from './technique-directive.js';

export interface ServerSettings {
  /** The technique the lints assume (per-file comments override it). */
  technique: Technique;
  /** Extra %include directories (absolute once parsed), searched after the file's own directory and its include/. */
  includePaths: string[];
  /** Predefined single-line macros, like `-D NAME=VALUE`. */
  defines: Record<string, string>;
}

/**
 * trap-and-emulate, not native: the classic VMM is where x86's holes show, and under native
 * there would be almost nothing to lint, so a new user would never see what the server is for.
 */
export const DEFAULT_TECHNIQUE: Technique = 'trap-and-emulate';

export const DEFAULT_SETTINGS: Readonly<ServerSettings> = { technique: DEFAULT_TECHNIQUE, includePaths: [], defines: {} };

export function isTechnique(name: string): name is Technique {
  return (TECHNIQUES as readonly string[]).includes(name);
}

/**
 * Reads the `hyperstep` configuration object as a client sends it. Bad values fall back to the
 * defaults and are named in `problems` (the server logs them). Relative include paths are
 * resolved against `folder` (the workspace folder), as the launch configuration does.
 */
export function parseSettings(raw: unknown, folder: string | undefined): { settings: ServerSettings; problems: string[] } {
  const problems: string[] = [];
  const settings: ServerSettings = { technique: DEFAULT_TECHNIQUE, includePaths: [], defines: {} };
  if (raw === null || raw === undefined) return { settings, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { settings, problems: ['hyperstep settings must be an object'] };
  const r = raw as Record<string, unknown>;
  if (r.technique !== undefined) {
    if (typeof r.technique === 'string' && isTechnique(r.technique)) settings.technique = r.technique;
    else problems.push(`hyperstep.technique: unknown technique ${JSON.stringify(r.technique)} (known: ${TECHNIQUES.join(', ')}); using ${DEFAULT_TECHNIQUE}`);
  }
  if (r.includePaths !== undefined) {
    if (Array.isArray(r.includePaths) && r.includePaths.every((p) => typeof p === 'string')) {
      settings.includePaths = (r.includePaths as string[]).map((p) => (folder === undefined ? path.resolve(p) : path.resolve(folder, p)));
    } else problems.push('hyperstep.includePaths must be an array of directory paths');
  }
  if (r.defines !== undefined) {
    if (typeof r.defines === 'object' && r.defines !== null && !Array.isArray(r.defines)) {
      for (const [name, value] of Object.entries(r.defines as Record<string, unknown>)) {
        if (typeof value === 'string' || typeof value === 'number') settings.defines[name] = String(value);
        else problems.push(`hyperstep.defines.${name} must be a string or a number`);
      }
    } else problems.push('hyperstep.defines must be an object of NAME: VALUE');
  }
  return { settings, problems };
}

export function sameSettings(a: ServerSettings, b: ServerSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A `; hyperstep: technique=NAME` comment. */
export interface TechniqueDirective {
  name: string;
  technique: Technique | undefined;
  line: number;
  /** Range of NAME in the line (0-based offsets). */
  start: number;
  end: number;
}


/** Reads a technique directive out of one comment's text (starting at its `;`). */
export function parseTechniqueComment(comment: string, line: number, offset: number): TechniqueDirective | undefined {
  const m = TECHNIQUE_COMMENT.exec(comment);
  if (!m) return undefined;
  const name = m[1];
  const start = offset + m[0].length - name.length;
  const lower = name.toLowerCase();
  return { name, technique: isTechnique(lower) ? lower : undefined, line, start, end: start + name.length };
}
