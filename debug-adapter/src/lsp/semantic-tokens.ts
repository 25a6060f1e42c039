// Semantic tokens: instructions coloured by their virtualization class (the form decides, so
// `mov cr3, eax` is privileged and `int 0x82` a hypercall), labels by what they name, and the
// rest of the syntax. The custom type names are contributed by package.json.
import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import { classify, type VirtClass } from '../isa/index.js';
import type { Analysis, AnalyzedFile } from './analysis.js';
import { operandShape } from './operands.js';
import type { LabelDefinition, OutlineToken } from './outline.js';
import { SEMANTIC_TOKEN_TYPE_OF_CLASS } from '../grammar/scopes.js';

export const TOKEN_TYPES = [
  'instruction',
  'sensitiveInstruction',
  'privilegedInstruction',
  'hypercallInstruction',
  'vmxInstruction',
  'label',
  'function',
  'variable',
  'number',
  'macro',
  'keyword',
  'comment',
  'string',
  'parameter',
] as const;

export const TOKEN_MODIFIERS = ['declaration', 'readonly', 'defaultLibrary'] as const;

export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

type TokenType = (typeof TOKEN_TYPES)[number];
type Modifier = (typeof TOKEN_MODIFIERS)[number];

const TYPE_INDEX = new Map<TokenType, number>(TOKEN_TYPES.map((t, i) => [t, i]));
const MODIFIER_BIT = new Map<Modifier, number>(TOKEN_MODIFIERS.map((m, i) => [m, 1 << i]));

// The grammar's class → token type map (its semanticTokenScopes give these the grammar's colours).
const BY_CLASS: Readonly<Record<VirtClass, TokenType>> = SEMANTIC_TOKEN_TYPE_OF_CLASS;

const CODE_SECTION = /^\.?text$|code/i;

export function semanticTokens(analysis: Analysis, file: AnalyzedFile): SemanticTokens {
  const data: number[] = [];
  let prevLine = 0;
  let prevStart = 0;
  const lookup = (n: string) => analysis.symbols.get(n)?.value;
  const labels = new Map(file.outline.labels.map((l) => [l.name, l]));
  file.outline.tokens.forEach((tokens, line) => {
    for (const tok of tokens) {
      const typed = typeOf(analysis, file, line, tok, lookup, labels);
      if (!typed || tok.end <= tok.start) continue;
      const [type, modifiers] = typed;
      data.push(line - prevLine, line === prevLine ? tok.start - prevStart : tok.start, tok.end - tok.start, TYPE_INDEX.get(type)!, modifiers.reduce((m, x) => m | MODIFIER_BIT.get(x)!, 0));
      prevLine = line;
      prevStart = tok.start;
    }
  });
  return { data };
}

function typeOf(
  analysis: Analysis,
  file: AnalyzedFile,
  line: number,
  tok: OutlineToken,
  lookup: (n: string) => number | undefined,
  labels: Map<string, LabelDefinition>,
): [TokenType, Modifier[]] | undefined {
  const decl: Modifier[] = tok.definition ? ['declaration'] : [];
  switch (tok.role) {
    case 'mnemonic': {
      const text = file.outline.lines[line].text.slice(tok.start, tok.end);
      const insn = file.outline.instructionAt.get(line);
      const shapes = insn && insn.start === tok.start ? insn.operands.map((o) => operandShape(o, lookup)) : [];
      const cls = classify(text, shapes)?.class;
      return cls ? [BY_CLASS[cls], []] : ['instruction', []];
    }
    case 'prefix':
    case 'directive':
    case 'keyword':
    case 'preprocessor':
      return ['keyword', []];
    case 'register':
      return ['variable', ['defaultLibrary']];
    case 'number':
      return ['number', []];
    case 'string':
      return ['string', []];
    case 'comment':
      return ['comment', []];
    case 'macro':
      return ['macro', decl];
    case 'macro-param':
      return ['parameter', []];
    case 'label':
      return labelType(analysis, labels, tok, decl);
  }
}

function labelType(analysis: Analysis, labels: Map<string, LabelDefinition>, tok: OutlineToken, decl: Modifier[]): [TokenType, Modifier[]] {
  if (tok.name === undefined) return ['label', decl];
  const sym = analysis.symbols.get(tok.name);
  const def = sym ? undefined : labels.get(tok.name);
  if (sym?.kind === 'equ' || def?.equ) return ['variable', [...decl, 'readonly']];
  if (sym?.kind === 'local-label' || def?.local) return ['label', decl];
  const section = sym?.section ?? def?.section;
  if (section === undefined) return ['label', decl];
  return CODE_SECTION.test(section) || section === '' ? ['function', decl] : ['variable', decl];
}
