// Keeps one analysis per open document (assembled once per version and settings), decides when
// to analyse (a change after a quiet spell right away, a burst of typing once it pauses for
// DEBOUNCE_MS), publishes diagnostics, and re-analyses documents whose %include files changed.
// An open include file that another open document includes is analysed in that context: its
// diagnostics, symbols and lints are those of the program it belongs to.
import { isAbsolute } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type Analysis, type AnalyzedFile } from './analysis.js';
import { fileDiagnostics } from './diagnostics.js';
import { FileStore, pathToUri, uriToPath, type FileText } from './files.js';
import { scanText, type ScannedFile } from './scan.js';
import type { ServerSettings } from './settings.js';

export const DEBOUNCE_MS = 50;

export interface DocumentSource {
  get(uri: string): TextDocument | undefined;
  all(): TextDocument[];
}

export interface WorkspaceHooks {
  settingsFor(uri: string): Promise<ServerSettings>;
  publish(uri: string, version: number, diagnostics: Diagnostic[]): void;
  log(message: string): void;
}

interface Cached {
  analysis: Analysis;
  settingsGeneration: number;
  /** A file it read from disk has changed. */
  stale: boolean;
}

export interface Target {
  analysis: Analysis;
  file: AnalyzedFile;
}

const FRAGMENT = /\.(inc|mac|ash)$/i;

function sameAssemblyOptions(a: ServerSettings, b: ServerSettings): boolean {
  return JSON.stringify([a.includePaths, a.defines]) === JSON.stringify([b.includePaths, b.defines]);
}

export class AnalysisWorkspace {
  readonly store: FileStore;
  private readonly cache = new Map<string, Cached>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastChange = new Map<string, number>();
  private readonly scans = new Map<string, { text: string; scanned: ScannedFile }>();
  private settingsGeneration = 0;
  /** Called after every analysis (the bench and tests read timings through it). */
  onAnalysed: ((uri: string, analysis: Analysis) => void) | undefined;

  constructor(
    private readonly docs: DocumentSource,
    private readonly hooks: WorkspaceHooks,
    private readonly debounceMs = DEBOUNCE_MS,
  ) {
    this.store = new FileStore((p) => this.openText(p));
  }

  // ---- events -----------------------------------------------------------------------------------

  changed(uri: string): void {
    const now = performance.now();
    const quiet = now - (this.lastChange.get(uri) ?? -Infinity) > this.debounceMs;
    this.lastChange.set(uri, now);
    this.schedule(uri, quiet ? 0 : this.debounceMs);
  }

  closed(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
    this.lastChange.delete(uri);
    this.cache.delete(uri);
    this.hooks.publish(uri, 0, []);
    // Whoever read the closed document's text now reads the disk, and its fragments stand alone.
    const p = this.pathOf(uri);
    for (const [other, c] of this.cache) if (c.analysis.inputs.has(p)) this.schedule(other, 0);
    for (const d of this.docs.all()) if (d.uri !== uri && this.contextOf(d.uri) === d.uri && !this.cache.has(d.uri)) this.schedule(d.uri, 0);
  }

  settingsChanged(): void {
    this.settingsGeneration++;
    for (const d of this.docs.all()) this.schedule(d.uri, 0);
  }

  /** Files changed on disk (watched files, saves). */
  diskChanged(paths: string[]): void {
    for (const p of paths) this.store.forget(p);
    for (const [uri, c] of this.cache) {
      if (paths.some((p) => c.analysis.inputs.has(p) && c.analysis.inputs.get(p) === undefined)) {
        c.stale = true;
        this.schedule(uri, 0);
      }
    }
  }

  // ---- analyses ---------------------------------------------------------------------------------

  /** The up-to-date analysis a request about `uri` reads, or undefined when it is not open. */
  async analysisFor(uri: string): Promise<Target | undefined> {
    if (!this.docs.get(uri)) return undefined;
    const context = this.contextOf(uri);
    let cached = this.cache.get(context);
    if (!cached || !this.isFresh(cached)) {
      await this.run(context);
      cached = this.cache.get(context);
    }
    const file = cached?.analysis.files.get(this.pathOf(uri));
    return cached && file ? { analysis: cached.analysis, file } : undefined;
  }

  /** Every cached analysis (workspace symbols). */
  analyses(): Analysis[] {
    return [...this.cache.values()].map((c) => c.analysis);
  }

  pathOf(uri: string): string {
    return uriToPath(uri) ?? uri;
  }

  uriOf(path: string): string {
    for (const d of this.docs.all()) if (this.pathOf(d.uri) === path) return d.uri;
    // Documents that are not files (untitled:...) go by their URI in place of a path.
    return isAbsolute(path) ? pathToUri(path) : path;
  }

  scan(path: string, text: string): ScannedFile {
    const known = this.scans.get(path);
    if (known && known.text === text) return known.scanned;
    const scanned = scanText(text);
    this.scans.set(path, { text, scanned });
    return scanned;
  }

  private schedule(uri: string, delay: number): void {
    const old = this.timers.get(uri);
    if (old) clearTimeout(old);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.run(this.contextOf(uri)).catch((e: unknown) => this.hooks.log(`analysis of ${uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
      }, delay),
    );
  }

  private async run(uri: string): Promise<void> {
    const pending = this.timers.get(uri);
    if (pending) {
      clearTimeout(pending);
      this.timers.delete(uri);
    }
    const settings = await this.hooks.settingsFor(uri);
    // The document may have changed or closed while the settings were fetched: use what is there now.
    const doc = this.docs.get(uri);
    if (!doc) return;
    const cached = this.cache.get(uri);
    if (cached && this.inputsFresh(cached)) {
      const same = JSON.stringify(cached.analysis.settings) === JSON.stringify(settings);
      // Only the technique changed: the assembly stands, the lints are made again when published.
      if (same || sameAssemblyOptions(cached.analysis.settings, settings)) {
        const analysis = same ? cached.analysis : { ...cached.analysis, settings };
        this.cache.set(uri, { analysis, settingsGeneration: this.settingsGeneration, stale: false });
        if (!same) this.publish(uri, analysis);
        return;
      }
    }
    const analysis = analyze({ uri, path: this.pathOf(uri), text: doc.getText(), version: doc.version }, settings, {
      read: (p) => this.store.read(p),
      uriOf: (p) => this.uriOf(p),
      scan: (p, text) => this.scan(p, text),
    });
    this.cache.set(uri, { analysis, settingsGeneration: this.settingsGeneration, stale: false });
    this.publish(uri, analysis);
    this.onAnalysed?.(uri, analysis);
    // Open documents that include this one (it is their input) are stale now.
    for (const [other, c] of this.cache) if (other !== uri && c.analysis.inputs.has(analysis.main.path) && !this.isFresh(c)) this.schedule(other, 0);
  }

  private publish(uri: string, analysis: Analysis): void {
    for (const doc of this.docs.all()) {
      const file = analysis.files.get(this.pathOf(doc.uri));
      if (!file) continue;
      if (doc.uri !== uri) {
        if (this.contextOf(doc.uri) !== uri) continue;
        this.cache.delete(doc.uri);
      }
      const fragment = doc.uri === uri && FRAGMENT.test(file.path);
      this.hooks.publish(doc.uri, doc.version, fileDiagnostics(analysis, file, { fragment }));
    }
  }

  /** The open document whose analysis answers for `uri`: one that includes it, else itself. */
  private contextOf(uri: string): string {
    const p = this.pathOf(uri);
    for (const [other, c] of this.cache) if (other !== uri && this.docs.get(other) && c.analysis.files.has(p)) return other;
    return uri;
  }

  private isFresh(c: Cached): boolean {
    return c.settingsGeneration === this.settingsGeneration && this.inputsFresh(c);
  }

  /** Nothing the analysis read has changed since. */
  private inputsFresh(c: Cached): boolean {
    if (c.stale) return false;
    for (const [p, version] of c.analysis.inputs) if (this.openText(p)?.version !== version) return false;
    return true;
  }

  private openText(path: string): FileText | undefined {
    for (const d of this.docs.all()) if (this.pathOf(d.uri) === path) return { text: d.getText(), version: d.version };
    return undefined;
  }
}
