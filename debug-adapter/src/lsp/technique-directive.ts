// The per-file technique directive, `; hyperstep: technique=NAME`: the language server lints for
// it and the extension's F5 starts the file under it. Kept free of imports so the client bundle
// can take it without the knowledge base.

/** Matches the directive at the start of a comment (its `;`); group 1 is NAME. */
export const TECHNIQUE_COMMENT = /^;+\s*hyperstep\s*:\s*technique\s*=\s*([A-Za-z0-9_-]*)/i;

/** NAME of the first directive in a source text (lower case), or undefined. */
export function techniqueDirective(source: string): string | undefined {
  for (const line of source.split('\n')) {
    const semicolon = line.indexOf(';');
    if (semicolon < 0) continue;
    const m = TECHNIQUE_COMMENT.exec(line.slice(semicolon));
    if (m !== null && m[1] !== '') return m[1].toLowerCase();
  }
  return undefined;
}
