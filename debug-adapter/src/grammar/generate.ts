// Builds the guest-asm TextMate grammar (syntaxes/guest-asm.tmLanguage.json) from the instruction
// knowledge base: mnemonics by virtualization class, the operand forms whose class differs from the
// mnemonic's (`push cs`, `mov cr0, eax`, `jmp 0x08:x`, `int 0x82`), registers and prefixes.
// `npm run grammar` writes the file; a test fails when the checked-in copy is stale.
//
// Shape of the grammar: a line is a comment, a preprocessor line or a statement. A statement rule
// starts at the line start, takes an optional label, and then `\G` marks the mnemonic position,
// where an instruction, a directive, a label without colon or a macro invocation is recognised;
// the rest of the statement up to `;` is operands.
import { INSTRUCTIONS, PREFIXES, mnemonicsByClass, registersOf } from '../isa/index.js';
import type { OperandPattern, RegisterClass, Variant, VirtClass } from '../isa/index.js';
import { INSTRUCTION_SCOPES, REGISTER_SCOPES, SCOPE_NAME } from './scopes.js';

export interface TmCapture {
  name?: string;
  patterns?: TmRule[];
}

export interface TmRule {
  comment?: string;
  name?: string;
  contentName?: string;
  include?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Record<string, TmCapture>;
  beginCaptures?: Record<string, TmCapture>;
  endCaptures?: Record<string, TmCapture>;
  patterns?: TmRule[];
}

export interface TmGrammar {
  $schema: string;
  name: string;
  scopeName: string;
  fileTypes: string[];
  comment: string;
  patterns: TmRule[];
  repository: Record<string, TmRule>;
}

const S = '.guest-asm';

// NASM identifier characters; `\b` is not enough because `.`, `$`, `?` ... continue a name.
const ID_CHAR = '[\\w$#@~.?]';
// `~` continues a name but also starts an operand (`~2`), so it does not block a match after it.
const NOT_AFTER_ID = '(?<![\\w$#@.?])';
const END_ID = `(?!${ID_CHAR})`;
const GLOBAL_NAME = '\\$?[A-Za-z_?@][\\w$#@~.?]*';
const LOCAL_NAME = '\\.[\\w$#@~?][\\w$#@~.?]*';
const SPECIAL_NAME = '\\.\\.[\\w$#@~?][\\w$#@~.?]*';
const MACRO_LOCAL_NAME = '%%[\\w$#@~.?]+|%\\$+[A-Za-z_.?@][\\w$#@~.?]*';
/** Four groups: special (`..@x`, `..start`), local (`.x`), macro-local (`%%x`, `%$x`), global. */
const LABEL_GROUPS = `(?:(${SPECIAL_NAME})|(${LOCAL_NAME})|(${MACRO_LOCAL_NAME})|(${GLOBAL_NAME}))`;
const LABEL_SCOPES = [
  `entity.name.function.label.special${S}`,
  `entity.name.function.label.local${S}`,
  `entity.name.function.label.macro-local${S}`,
  `entity.name.function.label${S}`,
];
const EOS = '(?=;)|$';

const SIZE_KEYWORDS = ['byte', 'word', 'dword', 'qword', 'tword', 'oword', 'yword', 'zword'];
const DATA_DIRECTIVES = ['db', 'dw', 'dd', 'dq', 'dt', 'do', 'dy', 'dz'];
const RESERVE_DIRECTIVES = ['resb', 'resw', 'resd', 'resq', 'rest', 'reso', 'resy', 'resz'];
const SEGMENT_REGISTERS = registersOf('sreg');

/** Alternation of words, longest first (and sorted, so the output is stable). */
function alt(words: readonly string[]): string {
  const unique = [...new Set(words.map((w) => w.toLowerCase()))];
  unique.sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  return unique.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/** A case-insensitive whole-word alternation. */
function words(list: readonly string[]): string {
  return `(?i:${alt(list)})${END_ID}`;
}

const PREFIX_WORDS = [...PREFIXES.flatMap((p) => [p.name, ...p.aliases]), ...SEGMENT_REGISTERS];
const PREFIX_RUN = `((?:${words(PREFIX_WORDS)}\\s+)*)`;
const SIZE = words(SIZE_KEYWORDS);
const OPERAND_END = '\\s*(?=[,;]|$)';
// Skips one whole operand and its comma; strings are not expected in instruction operands.
const SKIP_OPERAND = "[^,;'\"`]*,\\s*";

// ---------------------------------------------------------------------------------------------
// Instructions

/** Every NASM spelling of an integer value, as a regex (digits may carry `_`, leading zeros). */
export function integerForms(value: number): string {
  const spaced = (digits: string) => digits.split('').map((c) => `${c}_*`).join('');
  const prefixed = (prefix: string, digits: string) => `0${prefix}[0_]*${spaced(digits)}`;
  // A suffixed number must start with a decimal digit: `0A0h`, not `A0h`.
  const suffixed = (digits: string, suffix: string) =>
    `${/^[0-9]/.test(digits) ? '(?:0[0_]*)?' : '0[0_]*'}${spaced(digits)}${suffix}`;
  const hex = value.toString(16);
  const dec = value.toString(10);
  const oct = value.toString(8);
  const bin = value.toString(2);
  return [
    prefixed('[xh]', hex),
    `\\$${/^[0-9]/.test(hex) ? '0*' : '0+'}${spaced(hex)}`,
    suffixed(hex, 'h'),
    prefixed('[dt]', dec),
    suffixed(dec, '[dt]?'),
    prefixed('[oq]', oct),
    suffixed(oct, '[oq]'),
    prefixed('[by]', bin),
    suffixed(bin, '[by]'),
  ].join('|');
}

/** A regex for one operand that fits `p`, from the operand's first character to its end. */
function operandRegex(p: OperandPattern): string {
  switch (p.kind) {
    case 'reg': {
      if (!p.name && !p.class) throw new Error('grammar: a register pattern needs a class or a name');
      const names = p.name ? [p.name] : registersOf(p.class as RegisterClass);
      return `(?:${SIZE}\\s+)?${words(names)}${OPERAND_END}`;
    }
    case 'imm':
      if (p.value === undefined) throw new Error('grammar: an immediate pattern without a value has no regex');
      return `(?:(?:${SIZE}|(?i:strict)${END_ID})\\s+)*(?i:${integerForms(p.value)})${END_ID}${OPERAND_END}`;
    case 'mem':
      return `(?:(?:${SIZE}|${words(['far', 'near', 'strict'])})\\s+)*(?:${words(SEGMENT_REGISTERS)}\\s*:\\s*)?\\[`;
    case 'far':
      // `far [mem]`, `far label`, or an immediate `seg:offset` (the segment part is not bracketed).
      return `(?:(?:${SIZE}|(?i:strict)${END_ID})\\s+)*(?:(?i:far)${END_ID}|[^\\s\\[\\],;:'"\`]+\\s*:\\s*[^\\s\\[,;])`;
  }
}

function variantLookahead(match: Variant['match']): string {
  const operand = operandRegex(match.operand);
  if (match.position === undefined) return `\\s+(?:${SKIP_OPERAND})*?${operand}`;
  const skip = match.position > 0 ? `(?:${SKIP_OPERAND}){${match.position}}` : '';
  return `\\s+${skip}${operand}`;
}

/** Instruction rules; `anchored` ones only match at the mnemonic position (`\G`). */
function instructionRules(anchored: boolean): TmRule[] {
  const start = anchored ? '\\G' : NOT_AFTER_ID;
  const rule = (spellings: readonly string[], scope: string, lookahead?: string, comment?: string): TmRule => ({
    ...(comment ? { comment } : {}),
    match: `${start}${PREFIX_RUN}(${words(spellings)})${lookahead ? `(?=${lookahead})` : ''}`,
    captures: {
      '1': { patterns: [{ include: '#prefix' }] },
      '2': { name: scope },
    },
  });
  const rules: TmRule[] = [];
  // Operand forms whose class differs from the mnemonic's come first: at the same position the
  // earlier rule wins, as the knowledge base's first matching variant does.
  for (const entry of INSTRUCTIONS) {
    for (const v of entry.variants) {
      if (v.class === entry.class) continue;
      // A form of a sensitive or privileged mnemonic keeps that scope under its own: `int 0x82` is
      // still an INT n (sensitive under trap-and-emulate) while it serves as the Xen hypercall.
      // The last scope decides the colour.
      const scope =
        entry.class === 'ordinary' ? INSTRUCTION_SCOPES[v.class] : `${INSTRUCTION_SCOPES[entry.class]} ${INSTRUCTION_SCOPES[v.class]}`;
      rules.push(rule([entry.mnemonic, ...entry.aliases], scope, variantLookahead(v.match), v.form));
    }
  }
  for (const cls of Object.keys(INSTRUCTION_SCOPES) as VirtClass[]) {
    const spellings = mnemonicsByClass(cls);
    if (spellings.length > 0) rules.push(rule(spellings, INSTRUCTION_SCOPES[cls]));
  }
  return rules;
}

// ---------------------------------------------------------------------------------------------
// The rest of the language

function registerRules(): TmRule[] {
  const byScope = new Map<string, string[]>();
  for (const cls of Object.keys(REGISTER_SCOPES) as RegisterClass[]) {
    const scope = REGISTER_SCOPES[cls];
    byScope.set(scope, [...(byScope.get(scope) ?? []), ...registersOf(cls)]);
  }
  return [...byScope].map(([scope, names]) => ({ match: `${NOT_AFTER_ID}${words(names)}`, name: scope }));
}

const NUMBER_RULES: TmRule[] = [
  {
    comment: 'floating point: 1.5, 1.e10, 3.14e-2, 0x1.8p+1',
    match: `${NOT_AFTER_ID}(?i:0[xh][0-9a-f_]*\\.?[0-9a-f_]*p[+-]?[0-9_]+|[0-9][0-9_]*\\.[0-9_]*(?:e[+-]?[0-9_]+)?)${END_ID}`,
    name: `constant.numeric.float${S}`,
  },
  {
    comment: 'hexadecimal: 0x1F, 0h1F, $1F, 1Fh',
    match: `${NOT_AFTER_ID}(?i:0[xh][0-9a-f_]+|\\$[0-9][0-9a-f_]*|[0-9][0-9a-f_]*h)${END_ID}`,
    name: `constant.numeric.hex${S}`,
  },
  {
    comment: 'binary: 0b1010, 0y1010, 1010b, 1010y',
    match: `${NOT_AFTER_ID}(?i:0[by][01_]+|[01][01_]*[by])${END_ID}`,
    name: `constant.numeric.binary${S}`,
  },
  {
    comment: 'octal: 0o17, 0q17, 17o, 17q',
    match: `${NOT_AFTER_ID}(?i:0[oq][0-7_]+|[0-7][0-7_]*[oq])${END_ID}`,
    name: `constant.numeric.octal${S}`,
  },
  {
    comment: 'decimal: 42, 1_000, 0d42, 0t42, 42d, 42t',
    match: `${NOT_AFTER_ID}(?i:0[dt][0-9_]+|[0-9][0-9_]*[dt]?)${END_ID}`,
    name: `constant.numeric.decimal${S}`,
  },
];

function stringRule(quote: string, kind: string, escapes: boolean): TmRule {
  return {
    name: `string.quoted.${kind}${S}`,
    begin: quote,
    beginCaptures: { '0': { name: `punctuation.definition.string.begin${S}` } },
    end: `${quote}|$`,
    endCaptures: { '0': { name: `punctuation.definition.string.end${S}` } },
    ...(escapes
      ? {
          patterns: [
            {
              match: '\\\\(?:[0-7]{1,3}|x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)',
              name: `constant.character.escape${S}`,
            },
          ],
        }
      : {}),
  };
}

const MACRO_TOKEN_RULES: TmRule[] = [
  {
    comment: 'macro-local labels and context-local names: %%done, %$count, %$$outer',
    match: `(?:${MACRO_LOCAL_NAME})`,
    name: `variable.other.macro-local${S}`,
  },
  {
    comment: 'macro parameters and their forms: %1, %-1, %+1, %0, %00, %{1:2}, %*?, %?, %??',
    match: '%(?:\\{[^}]*\\}|[+-]?[0-9]+|\\*\\?\\??|\\?\\??)',
    name: `variable.parameter.macro${S}`,
  },
];

const OPERATOR_RULES: TmRule[] = [
  { match: `${NOT_AFTER_ID}${words(['seg', 'wrt'])}`, name: `keyword.operator.word${S}` },
  { match: '\\[', name: `punctuation.definition.memory.begin${S}` },
  { match: '\\]', name: `punctuation.definition.memory.end${S}` },
  { match: '\\(', name: `punctuation.section.parens.begin${S}` },
  { match: '\\)', name: `punctuation.section.parens.end${S}` },
  { match: ',', name: `punctuation.separator.comma${S}` },
  { match: ':', name: `punctuation.separator.segment${S}` },
  { match: '<<<|>>>|<=>|\\|\\||&&|\\^\\^|==|!=|<>|<=|>=|<<|>>|//|%%|[-+*/%&|^~!<>=?]', name: `keyword.operator${S}` },
];

/** Directives recognised at the mnemonic position, by the scope they get. */
const POSITION_DIRECTIVES: ReadonlyArray<readonly [string, readonly string[]]> = [
  [`keyword.directive.bits${S}`, ['bits', 'use16', 'use32', 'use64']],
  [`keyword.directive.org${S}`, ['org']],
  [`keyword.directive.align${S}`, ['align', 'alignb', 'sectalign']],
  [`keyword.directive.symbol${S}`, ['global', 'extern', 'common', 'static', 'required']],
  [`keyword.directive.struc${S}`, ['struc', 'endstruc', 'istruc', 'at', 'iend']],
  [`keyword.directive.other${S}`, ['absolute', 'cpu', 'default', 'warning', 'list', 'map', 'incbin', 'float']],
];

/** Directives that may follow a label without a colon (`msg db 'x'`, `COM1 equ 0x3f8`). */
const FREE_DIRECTIVES: ReadonlyArray<readonly [string, readonly string[]]> = [
  [`keyword.directive.data${S}`, DATA_DIRECTIVES],
  [`keyword.directive.reserve${S}`, RESERVE_DIRECTIVES],
  [`keyword.directive.equ${S}`, ['equ']],
];

const PREPROCESSOR_DEFINES = [
  'define', 'idefine', 'xdefine', 'ixdefine', 'undef', 'assign', 'iassign', 'defstr', 'idefstr',
  'deftok', 'ideftok', 'defalias', 'idefalias', 'undefalias', 'strlen', 'substr', 'strcat',
  'pathsearch', 'ipathsearch',
];
const PREPROCESSOR_MACROS = ['macro', 'imacro', 'rmacro', 'irmacro', 'unmacro', 'unimacro'];

/** The kind segment of a preprocessor directive's scope. */
function preprocessorKind(name: string): string {
  const n = name.toLowerCase();
  if (/^(?:if|elif|else$|endif$)/.test(n)) return 'conditional';
  if (PREPROCESSOR_DEFINES.includes(n)) return 'define';
  if (/^(?:i?r?macro|unmacro|unimacro|endm|endmacro|exitmacro|rotate)$/.test(n)) return 'macro';
  if (/^(?:rep|endrep|exitrep)$/.test(n)) return 'rep';
  if (n === 'include' || n === 'depend' || n === 'use') return 'include';
  return 'other';
}

function preprocessorRules(): TmRule[] {
  const keyword = (kind: string) => `keyword.other.preprocessor.${kind}${S}`;
  const body: TmRule[] = [{ include: '#string' }, { include: '#macro-token' }, { include: '#number' }, { include: '#builtin' }];
  const definedName = `((?:%\\$*)?${GLOBAL_NAME}|${LOCAL_NAME})`;
  const kinds = ['conditional', 'macro', 'rep', 'include', 'other'];
  return [
    {
      comment: 'single-line macros and variables: %define NAME(params) body, %assign NAME expr, ...',
      name: `meta.preprocessor.define${S}`,
      begin: `^\\s*(%${words(PREPROCESSOR_DEFINES)})\\s+${definedName}(?:(\\()([^)]*)(\\)))?`,
      beginCaptures: {
        '1': { name: keyword('define') },
        '2': { name: `entity.name.function.macro${S}` },
        '3': { name: `punctuation.section.parens.begin${S}` },
        '4': { patterns: [{ match: GLOBAL_NAME, name: `variable.parameter.macro${S}` }] },
        '5': { name: `punctuation.section.parens.end${S}` },
      },
      end: EOS,
      patterns: [...body, { include: '#instruction-free' }, { include: '#register' }, { include: '#size' }, { include: '#operator' }],
    },
    {
      comment: 'multi-line macro definitions: %macro NAME 1-2+ defaults',
      name: `meta.preprocessor.macro${S}`,
      begin: `^\\s*(%${words(PREPROCESSOR_MACROS)})\\s+(${GLOBAL_NAME})`,
      beginCaptures: { '1': { name: keyword('macro') }, '2': { name: `entity.name.function.macro${S}` } },
      end: EOS,
      patterns: [...body, { match: '\\.nolist\\b', name: `storage.modifier.nolist${S}` }, { include: '#operator' }],
    },
    ...kinds.map(
      (kind): TmRule => ({
        name: `meta.preprocessor${S}`,
        begin: `^\\s*(%${words(preprocessorNames(kind))})`,
        beginCaptures: { '1': { name: keyword(kind) } },
        end: EOS,
        patterns: [...body, { include: '#register' }, { include: '#operator' }],
      }),
    ),
    {
      comment: 'any other %directive',
      name: `meta.preprocessor${S}`,
      begin: `^\\s*(%[A-Za-z_][\\w]*)`,
      beginCaptures: { '1': { name: keyword('other') } },
      end: EOS,
      patterns: [...body, { include: '#operator' }],
    },
  ];
}

const CONDITION_KINDS = ['', 'def', 'idn', 'idni', 'num', 'str', 'id', 'macro', 'ctx', 'empty', 'token', 'env'];

function preprocessorNames(kind: string): string[] {
  const all = [
    ...CONDITION_KINDS.flatMap((k) => [`if${k}`, `ifn${k}`, `elif${k}`, `elifn${k}`]),
    'else', 'endif',
    'endmacro', 'endm', 'exitmacro', 'rotate',
    'rep', 'endrep', 'exitrep',
    'include', 'depend', 'use',
    'error', 'warning', 'fatal', 'push', 'pop', 'repl', 'line', 'pragma', 'arg', 'local', 'stacksize', 'clear', 'aliases',
  ];
  return all.filter((n) => preprocessorKind(n) === kind);
}

/** Directive rules at the mnemonic position, which `start` anchors. */
function directiveRules(start: string): TmRule[] {
  return [
    {
      match: `${start}(${words(['section', 'segment'])})(?:\\s+([^\\s;,\\]]+))?`,
      captures: { '1': { name: `keyword.directive.section${S}` }, '2': { name: `entity.name.section${S}` } },
    },
    ...POSITION_DIRECTIVES.map(([name, list]): TmRule => ({ match: `${start}(${words(list)})`, captures: { '1': { name } } })),
  ];
}

function statementRule(): TmRule {
  const labelCaptures = (first: number): Record<string, TmCapture> =>
    Object.fromEntries(LABEL_SCOPES.map((name, i) => [String(first + i), { name }]));
  return {
    comment: 'one statement: [label:] mnemonic-or-directive operands, up to a comment',
    begin: `^(?=\\s*[^\\s;])\\s*(?:${LABEL_GROUPS}\\s*(:))?\\s*`,
    beginCaptures: { ...labelCaptures(1), '5': { name: `punctuation.separator.label${S}` } },
    end: EOS,
    patterns: [
      { include: '#instruction' },
      { comment: 'a prefix alone on a line', match: `\\G(${words(PREFIXES.flatMap((p) => [p.name, ...p.aliases]))})`, captures: { '1': { name: `storage.modifier.prefix${S}` } } },
      ...directiveRules('\\G'),
      {
        comment: 'a directive in brackets: [bits 32], [section .text]',
        begin: `\\G(\\[)(?=\\s*${words(POSITION_DIRECTIVES.flatMap(([, list]) => list).concat('section', 'segment'))})`,
        beginCaptures: { '1': { name: `punctuation.definition.directive.begin${S}` } },
        end: `(\\])|${EOS}`,
        endCaptures: { '1': { name: `punctuation.definition.directive.end${S}` } },
        patterns: [...directiveRules('\\G\\s*'), { include: '#operands' }],
      },
      {
        comment: 'a label without a colon, before a data, reserve, equ or times directive',
        match: `\\G${LABEL_GROUPS}(?=\\s+${words([...DATA_DIRECTIVES, ...RESERVE_DIRECTIVES, 'equ', 'times', 'istruc'])})`,
        captures: labelCaptures(1),
      },
      { include: '#free-directive' },
      { include: '#times' },
      {
        comment: 'a condition code from a macro parameter: j%+1, set%-2, cmov%+1 (all ordinary)',
        match: `\\G((?i:j|set|cmov))(%[+-][0-9]+)${END_ID}`,
        captures: { '1': { name: INSTRUCTION_SCOPES.ordinary }, '2': { name: `variable.parameter.macro${S}` } },
      },
      { comment: 'a macro parameter in mnemonic position', match: '\\G%(?:\\{[^}]*\\}|[+-]?[0-9]+)', name: `variable.parameter.macro${S}` },
      {
        comment: 'anything else in mnemonic position is a macro invocation',
        match: `\\G(${GLOBAL_NAME}|${LOCAL_NAME})`,
        captures: { '1': { name: `entity.name.function.macro.invocation${S}` } },
      },
      { include: '#operands' },
    ],
  };
}

/** The grammar as a JSON-ready object; deterministic for a given knowledge base. */
export function buildGrammar(): TmGrammar {
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'x86 Guest Assembly',
    scopeName: SCOPE_NAME,
    fileTypes: ['asm', 'nasm', 'inc'],
    comment: 'Generated by scripts/generate-grammar.mjs from debug-adapter/src/isa (npm run grammar). Do not edit.',
    patterns: [{ include: '#comment' }, { include: '#preprocessor' }, { include: '#statement' }],
    repository: {
      comment: {
        match: '(;).*$',
        name: `comment.line.semicolon${S}`,
        captures: { '1': { name: `punctuation.definition.comment${S}` } },
      },
      preprocessor: { patterns: preprocessorRules() },
      statement: statementRule(),
      instruction: { patterns: instructionRules(true) },
      'instruction-free': { patterns: instructionRules(false) },
      prefix: {
        patterns: [
          { match: `${NOT_AFTER_ID}${words(SEGMENT_REGISTERS)}`, name: REGISTER_SCOPES.sreg },
          { match: `${NOT_AFTER_ID}${words(PREFIXES.flatMap((p) => [p.name, ...p.aliases]))}`, name: `storage.modifier.prefix${S}` },
        ],
      },
      'free-directive': {
        patterns: FREE_DIRECTIVES.map(([name, list]): TmRule => ({ match: `${NOT_AFTER_ID}${words(list)}`, name })),
      },
      times: {
        comment: 'times COUNT then an instruction or data',
        begin: `${NOT_AFTER_ID}(${words(['times'])})`,
        beginCaptures: { '1': { name: `keyword.directive.times${S}` } },
        end: EOS,
        patterns: [{ include: '#instruction-free' }, { include: '#free-directive' }, { include: '#operands' }],
      },
      operands: {
        patterns: [
          { include: '#string' },
          { include: '#macro-token' },
          { include: '#number' },
          { include: '#register' },
          { include: '#size' },
          { include: '#location' },
          { include: '#builtin' },
          { include: '#operator' },
        ],
      },
      register: { patterns: registerRules() },
      size: {
        patterns: [
          { match: `${NOT_AFTER_ID}${SIZE}`, name: `storage.type.size${S}` },
          { match: `${NOT_AFTER_ID}${words(['far', 'near', 'short'])}`, name: `storage.modifier.distance${S}` },
          { match: `${NOT_AFTER_ID}${words(['strict', 'nosplit', 'rel', 'abs'])}`, name: `storage.modifier.strict${S}` },
        ],
      },
      number: { patterns: NUMBER_RULES },
      string: {
        patterns: [stringRule("'", 'single', false), stringRule('"', 'double', false), stringRule('`', 'other.backquote', true)],
      },
      'macro-token': { patterns: MACRO_TOKEN_RULES },
      location: {
        patterns: [
          { match: `${NOT_AFTER_ID}\\$\\$${END_ID}`, name: `variable.language.section-start${S}` },
          { match: `${NOT_AFTER_ID}\\$${END_ID}`, name: `variable.language.here${S}` },
        ],
      },
      builtin: {
        match: `${NOT_AFTER_ID}(?:__\\?[A-Za-z_]+\\?__|__(?:FILE|LINE|SECT|BITS|PASS|OUTPUT_FORMAT|DEBUG_FORMAT|DATE|TIME|UTC_DATE|UTC_TIME|POSIX_TIME|NASM_[A-Z_]+)__)${END_ID}`,
        name: `support.constant.builtin${S}`,
      },
      operator: { patterns: OPERATOR_RULES },
    },
  };
}

/** The grammar file's text: pretty-printed JSON with a trailing newline. */
export function grammarJson(): string {
  return `${JSON.stringify(buildGrammar(), null, 2)}\n`;
}
