// How a Hyperstep launch configuration is completed before the adapter sees it: F5 on an open
// guest file without a launch.json, missing fields, the Xen build of the pv-* samples. Free of the
// `vscode` module so that it can be tested on its own.
import * as path from 'node:path';
import { DEBUG_TYPE, LANGUAGE_ID } from '../ids.js';
import { isTechnique, TECHNIQUES, type Technique } from './techniques.js';
import { techniqueDirective } from '../../../debug-adapter/src/lsp/technique-directive.js';

export type LaunchConfig = Record<string, unknown>;

/** The file in the active editor, if any. */
export interface ActiveFile {
  path: string;
  languageId: string;
  /** The file's text, for its `; hyperstep: technique=NAME` directive. */
  text?: string;
}

/** The technique a guest file asks for with its directive (the language server lints for the same). */
function fileTechnique(active: ActiveFile | undefined): Technique | undefined {
  const name = active?.text === undefined ? undefined : techniqueDirective(active.text);
  return name !== undefined && isTechnique(name) ? name : undefined;
}

/** What a notification offers when a configuration cannot be used. */
export type FixAction = 'openLaunchJson' | 'openSample' | 'openWalkthrough';

export type Resolution = { ok: true; config: LaunchConfig } | { ok: false; message: string; actions: FixAction[] };

export function isGuestFile(file: ActiveFile | undefined): file is ActiveFile {
  return file !== undefined && (file.languageId === LANGUAGE_ID || /\.(asm|nasm|s)$/i.test(file.path));
}

/** A complete launch configuration of a guest (what VS Code's DebugConfiguration needs, and more). */
export interface GuestLaunch {
  type: string;
  request: string;
  name: string;
  program: string;
  technique: Technique;
  stopOnEntry: boolean;
  [key: string]: unknown;
}

/** The configuration F5 uses on an open guest file (and the one launch.json starts with). */
export function defaultLaunch(technique: Technique, fileName?: string): GuestLaunch {
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: fileName === undefined ? `Debug guest (${technique})` : `Debug ${fileName} (${technique})`,
    program: '${file}',
    technique,
    stopOnEntry: true,
  };
}

/** One configuration per technique for the open guest ("Select and Start Debugging" → Hyperstep...). */
export function dynamicLaunches(): GuestLaunch[] {
  return TECHNIQUES.map((t) => ({ ...defaultLaunch(t), name: `Debug the open guest under ${t}` }));
}

const NO_GUEST = 'Hyperstep debugs guest programs: open a .asm guest file (or a sample) and press F5 again, or add a "hyperstep" configuration to launch.json.';

/** Before variables are substituted: fills what is missing, or says why it cannot go on. */
export function resolveLaunch(config: LaunchConfig, active: ActiveFile | undefined, defaultTechnique: Technique): Resolution {
  const unset = (v: unknown): boolean => v === undefined || v === '';
  const empty = unset(config.type) && unset(config.request) && unset(config.name);
  if (empty) {
    if (!isGuestFile(active)) return { ok: false, message: NO_GUEST, actions: ['openSample', 'openWalkthrough'] };
    return { ok: true, config: defaultLaunch(fileTechnique(active) ?? defaultTechnique, path.basename(active.path)) };
  }
  if (config.request === 'attach') {
    return { ok: false, message: "Hyperstep starts its own guest machine: use \"request\": \"launch\" (there is nothing to attach to).", actions: ['openLaunchJson'] };
  }
  const out: LaunchConfig = { ...config, type: DEBUG_TYPE };
  out.request ??= 'launch';
  out.name ??= 'Debug guest';
  if (out.program === undefined || out.program === '') {
    if (!isGuestFile(active)) {
      return { ok: false, message: `The launch configuration '${String(out.name)}' has no 'program': set it to a .asm guest or an image, e.g. "\${file}".`, actions: ['openLaunchJson'] };
    }
    out.program = '${file}';
    out.technique ??= fileTechnique(active);
  }
  out.technique ??= defaultTechnique;
  return { ok: true, config: out };
}

/** What the second pass reads from the file system. */
export interface FileAccess {
  isFile(file: string): boolean;
  /** The text of a file, or undefined when it cannot be read. */
  readText(file: string): string | undefined;
}

/** A source that builds as a Xen PV kernel with `-D XEN` (the pv-* samples' include/pvops.inc). */
export function declaresXenBuild(source: string): boolean {
  return /%ifn?def\s+XEN\b|\bXEN_GUEST_HEADER\b/.test(source);
}

/** After variables are substituted: the program exists, the technique is known, paravirt gets -D XEN. */
export function resolveSubstituted(config: LaunchConfig, files: FileAccess, workspaceFolder?: string): Resolution {
  const program = config.program;
  if (typeof program !== 'string' || program === '') {
    return { ok: false, message: "The launch configuration has no 'program' (a .asm guest or an image).", actions: ['openLaunchJson'] };
  }
  const base = typeof config.cwd === 'string' ? config.cwd : (workspaceFolder ?? path.dirname(program));
  const file = path.resolve(base, program);
  if (!files.isFile(file)) {
    return { ok: false, message: `The guest program '${program}' does not exist (${file}).`, actions: ['openLaunchJson'] };
  }
  const technique = config.technique;
  if (technique !== undefined && !isTechnique(technique)) {
    return { ok: false, message: `Unknown technique '${String(technique)}': use one of ${TECHNIQUES.join(', ')}.`, actions: ['openLaunchJson'] };
  }
  const out: LaunchConfig = { ...config, program: file };
  // The adapter resolves includePaths and a relative program against `cwd`; the README promises the workspace folder.
  out.cwd ??= base;
  if (technique === 'paravirt' && out.defines === undefined && /\.(asm|nasm|s)$/i.test(file)) {
    const text = files.readText(file);
    if (text !== undefined && declaresXenBuild(text)) out.defines = { XEN: '' };
  }
  return { ok: true, config: out };
}
