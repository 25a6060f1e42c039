// Folding ranges: %macro, %if/%elif/%else, %rep, struc/istruc, sections, label blocks and runs of
// comment lines (all found by the outline).
import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver';
import type { SourceOutline } from './outline.js';

export function foldingRanges(outline: SourceOutline): FoldingRange[] {
  return outline.folds.map((f) => {
    const r: FoldingRange = { startLine: f.startLine, endLine: f.endLine };
    if (f.kind === 'comment') r.kind = FoldingRangeKind.Comment;
    return r;
  });
}
