// The one place the tests import the assembler from, so a moved entry point is a one-line fix.
export { assemble } from '../../debug-adapter/src/asm/index';
export type {
  AsmDiagnostic,
  AssembleOptions,
  AssembleResult,
  SourceMapEntry,
  SymbolInfo,
} from '../../debug-adapter/src/asm/types';
