// `hyperstep` command line (ARCHITECTURE §6). Subcommands land with the issues that build them.
import * as path from 'node:path';
import { asmCommand, ASM_USAGE } from './asm-command.js';
import { demoCommand } from './demo-command.js';
import { UsageError } from './args.js';

const USAGE = `usage: hyperstep <command> [options]

commands:
  asm IN.asm [-o OUT.bin] [--listing OUT.lst] [-I DIR]   assemble (byte-identical to nasm -f bin)
  demo [DIR]                                             assemble every sample and summarise it
`;

/** Exit status for input that could not be run or bad arguments (ARCHITECTURE §6). */
const EXIT_BAD_INPUT = 6;

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  const root = path.resolve(__dirname, '..');
  try {
    switch (command) {
      case 'asm':
        return asmCommand(rest);
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
      process.stderr.write(`hyperstep ${command}: ${e.message}\n${command === 'asm' ? ASM_USAGE + '\n' : ''}`);
      return command === 'asm' ? 1 : EXIT_BAD_INPUT;
    }
    process.stderr.write(`hyperstep: internal error: ${(e as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }
}

process.exitCode = main(process.argv.slice(2));
