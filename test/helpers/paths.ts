// Well-known locations in the checkout, for tests and benchmarks.
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const ASM_TEST_DIR = path.join(REPO_ROOT, 'test', 'asm');
export const CORPUS_DIR = path.join(ASM_TEST_DIR, 'corpus');
export const CORPUS_INCLUDE_DIR = path.join(CORPUS_DIR, 'include');
export const ERRORS_DIR = path.join(ASM_TEST_DIR, 'errors');
export const CLI_BIN = path.join(REPO_ROOT, 'bin', 'hyperstep.js');
export const BUILD_SCRIPT = path.join(REPO_ROOT, 'scripts', 'build.mjs');
