// File access for analyses: an open document's text wins over the disk (so unsaved edits of an
// include file count), and disk files are kept until their modification time or size changes.
import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface FileText {
  text: string;
  /** The open document's version; undefined when read from disk. */
  version?: number;
}

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

interface DiskEntry {
  mtimeMs: number;
  size: number;
  text: string | undefined;
}

export class FileStore {
  private readonly disk = new Map<string, DiskEntry>();

  constructor(private readonly openDocument: (path: string) => FileText | undefined) {}

  read(path: string): FileText | undefined {
    const open = this.openDocument(path);
    if (open) return open;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(path);
    } catch {
      return undefined;
    }
    if (!stat.isFile()) return undefined;
    const cached = this.disk.get(path);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.text === undefined ? undefined : { text: cached.text };
    let text: string | undefined;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch {
      text = undefined;
    }
    this.disk.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, text });
    return text === undefined ? undefined : { text };
  }

  exists(path: string): boolean {
    return this.read(path) !== undefined;
  }

  forget(path?: string): void {
    if (path === undefined) this.disk.clear();
    else this.disk.delete(path);
  }
}
