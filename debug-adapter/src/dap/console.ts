// Debug Console commands (evaluate with context 'repl'): what a Bochs or GDB user reaches for.
// A line that is not a command returns undefined, and the session evaluates it as an expression.
// A command always answers with text: bad input gets a one-line message, never an exception.
import { compileExpression, ExpressionError } from './expression.js';
import { GuestContext } from './guest-context.js';
import { ConsoleError, type ConsoleContext } from './console/context.js';
import { infoTable } from './console/descriptor-tables.js';
import { examineCommand } from './console/examine.js';
import { exitsCommand } from './console/exits.js';
import { infoTlb, pageCommand } from './console/page-walk.js';
import { serialCommand } from './console/serial.js';

export type { ConsoleContext } from './console/context.js';

interface Command {
  usage: string;
  summary: string;
  /** More lines for `help NAME`. */
  details: string[];
  run(ctx: ConsoleContext, args: string): string;
}

const INFO_SUBJECTS = ['gdt', 'idt', 'ldt', 'tlb'];

function info(ctx: ConsoleContext, args: string): string {
  const m = /^\s*(\S*)(.*)$/s.exec(args) as RegExpExecArray;
  const subject = m[1];
  switch (subject) {
    case 'gdt':
    case 'idt':
    case 'ldt':
      return infoTable(ctx, subject, m[2]);
    case 'tlb':
      if (m[2].trim() !== '') throw new ConsoleError("'info tlb' takes no arguments");
      return infoTlb(ctx);
    case '':
      throw new ConsoleError(`what about? (${INFO_SUBJECTS.map((s) => `info ${s}`).join(', ')})`);
    default:
      throw new ConsoleError(`unknown subject '${subject}' (${INFO_SUBJECTS.map((s) => `info ${s}`).join(', ')})`);
  }
}

const COMMANDS: Record<string, Command> = {
  help: {
    usage: 'help [COMMAND]',
    summary: 'this list, or one command in detail',
    details: [],
    run: (_ctx, args) => help(args.trim()),
  },
  info: {
    usage: 'info gdt|idt|ldt [hw] [FROM [TO]] | info tlb',
    summary: 'descriptor tables entry by entry; the TLB',
    details: [
      'info gdt / idt / ldt: each entry with its selector (or vector), base, limit, type in words, DPL, P, D/B, G;',
      'gates with their target selector:offset and the nearest label. Runs of empty entries are folded.',
      "Under a VMM the guest's tables (its virtual GDTR/IDTR/LDTR) are shown; add `hw` for the CPU's",
      "(the VMM's own or shadow tables). FROM [TO] limits the listing to those entry numbers.",
      'info tlb: the CPU\'s cached translations (linear page -> physical page, supervisor or user, write ok).',
    ],
    run: info,
  },
  page: {
    usage: 'page ADDR',
    summary: 'walk the translation of a linear address: CR3, PDE, PTE, physical address, access',
    details: [
      'ADDR is an expression: `page esp`, `page my_label+4`, `page dword [esp]`.',
      'Shows each entry with its flags (P R/W U/S A D PS), where the walk fails and why, what supervisor',
      'and user code may do there, and the TLB entry for the page if there is one. Sets no A/D bits.',
    ],
    run: pageCommand,
  },
  x: {
    usage: 'x/[COUNT][FORMAT][SIZE] ADDR',
    summary: 'examine memory: x/8xb, x/4xw, x/2i, x/s; phys:ADDR for physical addresses',
    details: [
      'FORMAT: x hex (default), d signed, u unsigned, i instructions, s NUL-terminated string.',
      'SIZE: b 1 byte, h 2 bytes, w 4 bytes (default). COUNT: how many units, instructions or strings.',
      'ADDR is an expression (`x/4xw esp`, `x/2i $`), or phys:EXPR for a guest-physical address.',
      '`x` is a command only as `x/...` or `x ADDR`; when a label is named x, `x` alone, or followed by',
      'an operator as in `x + 1`, evaluates the label (unless that is no valid expression, as `x /4xb esp`).',
    ],
    run: examineCommand,
  },
  exits: {
    usage: 'exits [N]',
    summary: 'the last N (default 10) VMM exits and holes',
    details: ['One line each: sequence number, kind, reason (number), guest EIP, source line, instruction, action.'],
    run: exitsCommand,
  },
  serial: {
    usage: 'serial TEXT',
    summary: "send TEXT to the guest's serial port (COM1)",
    details: [
      'C escapes: \\n \\r \\t \\0 \\\\ \\" \\xNN \\NNN (octal). Surrounding double quotes are dropped,',
      'so `serial "  padded  "` keeps its spaces. Other characters go as UTF-8.',
    ],
    run: serialCommand,
  },
};

function help(topic: string): string {
  if (topic === '') {
    const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
    return [
      'Debug Console commands (any other line is evaluated as an expression, e.g. `eax + 1`, `dword [esp]`):',
      ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
      'A label with the name of a command other than help is evaluated when its name stands alone or is',
      'followed by an operator in a valid expression (`page + 4`); parentheses always evaluate: `(page)`.',
    ].join('\n');
  }
  const command = Object.hasOwn(COMMANDS, topic) ? COMMANDS[topic] : undefined;
  if (command === undefined) throw new ConsoleError(`no command '${topic}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
  return [`${command.usage}: ${command.summary}`, ...command.details.map((d) => `  ${d}`)].join('\n');
}

const BINARY_OPERATOR = /^(==|!=|<=|>=|<<|>>|&&|\|\||[-+*/%&|^<>])/;

/** The command a line asks for, with its arguments, or undefined for an expression. */
function parse(ctx: ConsoleContext, line: string): { name: string; args: string } | undefined {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(.*)$/s.exec(line);
  if (m === null) return undefined;
  const [, word, rest] = m;
  if (!Object.hasOwn(COMMANDS, word)) return undefined;
  if (rest !== '' && !/^\s/.test(rest) && !(word === 'x' && rest.startsWith('/'))) return undefined; // `page.end`, `x2`
  if (word === 'help' || rest.startsWith('/')) return { name: word, args: rest };
  const args = rest.trim();
  const isName = new GuestContext(ctx.engine, ctx.index).lookup(word) !== undefined;
  if (isName && (args === '' || BINARY_OPERATOR.test(args)) && compiles(line)) return undefined;
  return { name: word, args: rest };
}

function compiles(line: string): boolean {
  try {
    compileExpression(line);
    return true;
  } catch {
    return false;
  }
}

/** A line like `disas 0x1000` that is neither a command nor an expression. */
function unknownCommand(ctx: ConsoleContext, line: string): string | undefined {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(\s+\S|\/)/.exec(line);
  if (m === null || new GuestContext(ctx.engine, ctx.index).lookup(m[1]) !== undefined || compiles(line)) return undefined;
  const lower = m[1].toLowerCase();
  if (Object.hasOwn(COMMANDS, lower)) return `unknown command '${m[1]}': commands are lowercase (\`${lower}\`)`;
  return `unknown command '${m[1]}': type \`help\` for the console commands (any other line is evaluated as an expression)`;
}

/** The command's output text, or undefined when `line` is not a console command. */
export function runConsoleCommand(context: ConsoleContext, line: string): string | undefined {
  let parsed: { name: string; args: string } | undefined;
  try {
    parsed = parse(context, line);
    if (parsed === undefined) return unknownCommand(context, line);
    return COMMANDS[parsed.name].run(context, parsed.args);
  } catch (e) {
    const prefix = parsed === undefined ? 'console' : parsed.name;
    if (e instanceof ConsoleError || e instanceof ExpressionError) return `${prefix}: ${e.message}`;
    return `${prefix}: internal error: ${e instanceof Error ? e.message : String(e)}`;
  }
}
