// `hyperstep` command line (ARCHITECTURE §6). Subcommands land with the issues that build them.
import * as path from 'node:path';
import { asmCommand, ASM_USAGE } from './asm-command.js';
import { demoCommand } from './demo-command.js';
import { runCommand, RUN_USAGE } from './run-command.js';
import { compareCommand, COMPARE_USAGE } from './compare-command.js';
import { UsageError } from './args.js';
import { dapCommand, DAP_USAGE } from './dap-command.js';
import { lspCommand, LSP_USAGE } from './lsp-command.js';

const USAGE = `usage: hyperstep <command> [options]

commands:
  asm IN.asm [-o OUT.bin] [--listing OUT.lst] [-I DIR]   assemble (byte-identical to nasm -f bin)
  run IMAGE|IN.asm [--memory MIB] [--max-instructions N] [--json]
                                                         run a guest (serial output on stdout)
  compare IMAGE|IN.asm [--json]                          run under every technique, side by side
  dap [--port N]                                         the debug adapter (stdio, or TCP on 127.0.0.1)
  lsp [--stdio]                                          the language server (stdio)
  demo [DIR]                                             run every sample guest and summarise it
`;

/** Exit status for input that could not be run or bad arguments (ARCHITECTURE §6). */
const EXIT_BAD_INPUT = 6;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const root = path.resolve(__dirname, '..');
  try {
    switch (command) {
      case 'asm':
        return asmCommand(rest);
      case 'run':
        return await runCommand(rest);
      case 'compare':
        return compareCommand(rest);
      case 'dap':
        return await dapCommand(rest);
      case 'lsp':
        return await lspCommand(rest);
      case 'demo':
        return demoCommand(rest, root);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? EXIT_BAD_INPUT : 0;
      default:
        process.stderr.write(`hyperstep: unknown command '${command}'\n${USAGE}`);
        return EXIT_BAD_INPUT;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      // run's bad-argument errors are one line (ARCHITECTURE §6); asm adds its usage.
      const usage = command === 'asm' ? ASM_USAGE : '';
      if (command === 'run') e.message += ` (${RUN_USAGE})`;
      if (command === 'compare') e.message += ` (${COMPARE_USAGE})`;
      if (command === 'dap') e.message += ` (${DAP_USAGE})`;
      if (command === 'lsp') e.message += ` (${LSP_USAGE})`;
      process.stderr.write(`hyperstep ${command}: ${e.message}\n${usage ? usage + '\n' : ''}`);
      return command === 'asm' ? 1 : EXIT_BAD_INPUT;
    }
    process.stderr.write(`hyperstep: internal error: ${(e as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }
}

void main(process.argv.slice(2)).then((status) => {
  // Exit explicitly: a guest run may leave stdin listeners behind.
  process.exit(status);
});
