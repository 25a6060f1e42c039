// One analysis of a document: the assembler's result (diagnostics, symbols, source map) and the
// outline of the document and of every file it %includes. Everything the features answer comes
// from here; an analysis is built once per document version and settings.
import * as path from 'node:path';
import { assemble, type AssembleResult, type SymbolInfo } from '../asm/index.js';
import type { Technique } from '../isa/index.js';
import type { FileText } from './files.js';
import { MacroTable } from './macro-table.js';
import { buildOutline, type SourceOutline } from './outline.js';
import type { ScannedFile } from './scan.js';
import type { ServerSettings } from './settings.js';

export interface AnalyzedFile {
  path: string;
  uri: string;
  text: string;
  scanned: ScannedFile;
  outline: SourceOutline;
}

export interface IncludeSite {
  /** The including file. */
  file: string;
  line: number;
}

export interface Analysis {
  main: AnalyzedFile;
  /** The main file first, then every file the assembler read through %include. */
  files: Map<string, AnalyzedFile>;
  /** For each included file, the %include line that brought it in. */
  includedBy: Map<string, IncludeSite>;
  assembly: AssembleResult;
  macros: MacroTable;
  /** The assembler's symbols by (qualified) name. */
  symbols: Map<string, SymbolInfo>;
  settings: ServerSettings;
  /** What the analysis read: path → open-document version (undefined: from disk). */
  inputs: Map<string, number | undefined>;
  timings: { assembleMs: number; outlineMs: number };
}

export interface DocumentInput {
  uri: string;
  /** File-system path, or the URI for documents that are not files. */
  path: string;
  text: string;
  version: number;
}

export interface AnalysisEnvironment {
  read(path: string): FileText | undefined;
  uriOf(path: string): string;
  scan(path: string, text: string): ScannedFile;
}

export function analyze(doc: DocumentInput, settings: ServerSettings, env: AnalysisEnvironment): Analysis {
  const inputs = new Map<string, number | undefined>([[doc.path, doc.version]]);
  const texts = new Map<string, string>();
  const readFile = (p: string): string | undefined => {
    const f = env.read(p);
    if (f && !texts.has(p)) {
      texts.set(p, f.text);
      inputs.set(p, f.version);
    }
    return f?.text;
  };
  const dir = path.dirname(doc.path);
  const t0 = performance.now();
  const assembly = assemble(doc.text, {
    fileName: doc.path,
    includePaths: [dir, path.join(dir, 'include'), ...settings.includePaths],
    defines: settings.defines,
    readFile,
  });
  const t1 = performance.now();

  const scans = new Map<string, { uri: string; text: string; scanned: ScannedFile }>();
  scans.set(doc.path, { uri: doc.uri, text: doc.text, scanned: env.scan(doc.path, doc.text) });
  for (const [p, text] of texts) if (!scans.has(p)) scans.set(p, { uri: env.uriOf(p), text, scanned: env.scan(p, text) });
  const macros = new MacroTable([...scans].flatMap(([file, s]) => s.scanned.macros.map((def) => ({ def, file }))));
  const files = new Map<string, AnalyzedFile>();
  for (const [p, s] of scans) files.set(p, { path: p, uri: s.uri, text: s.text, scanned: s.scanned, outline: buildOutline(s.scanned, macros) });
  const symbols = new Map<string, SymbolInfo>();
  for (const s of assembly.symbols) symbols.set(s.name, s);
  const t2 = performance.now();

  return {
    main: files.get(doc.path)!,
    files,
    includedBy: includeSites(files, [dir, path.join(dir, 'include'), ...settings.includePaths]),
    assembly,
    macros,
    symbols,
    settings,
    inputs,
    timings: { assembleMs: t1 - t0, outlineMs: t2 - t1 },
  };
}

/** Which %include line brought in each file, resolved as the preprocessor resolves names. */
function includeSites(files: Map<string, AnalyzedFile>, includePaths: string[]): Map<string, IncludeSite> {
  const sites = new Map<string, IncludeSite>();
  for (const f of files.values()) {
    for (const inc of f.outline.includes) {
      const candidates = path.isAbsolute(inc.file) ? [inc.file] : [path.join(path.dirname(f.path), inc.file), ...includePaths.map((d) => path.join(d, inc.file))];
      const hit = candidates.find((c) => files.has(c));
      if (hit !== undefined && hit !== f.path && !sites.has(hit)) sites.set(hit, { file: f.path, line: inc.line });
    }
  }
  return sites;
}

/** The technique a file's lints assume: its own comment, else the main file's, else the setting. */
export function techniqueOf(analysis: Analysis, file: AnalyzedFile): { technique: Technique; from: 'comment' | 'setting' } {
  const own = file.outline.technique?.technique ?? analysis.main.outline.technique?.technique;
  return own ? { technique: own, from: 'comment' } : { technique: analysis.settings.technique, from: 'setting' };
}

/** The %include line of the main file through which `file` was (transitively) included. */
export function topIncludeSite(analysis: Analysis, file: string): IncludeSite | undefined {
  let site = analysis.includedBy.get(file);
  const seen = new Set<string>();
  while (site && site.file !== analysis.main.path && !seen.has(site.file)) {
    seen.add(site.file);
    site = analysis.includedBy.get(site.file);
  }
  return site?.file === analysis.main.path ? site : undefined;
}
