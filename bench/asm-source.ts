// A deterministic, realistic assembly source of a given number of lines for the assembler
// benchmark: a 32-bit kernel-like file with macros, %rep, functions with local labels, forward
// and backward jumps, calls, data tables, strings and alignment. Everything in it is valid nasm.

/** Small seeded PRNG (mulberry32), so every run assembles the same text. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const R32 = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp'];
const R16 = ['ax', 'bx', 'cx', 'dx', 'si', 'di'];
const R8 = ['al', 'bl', 'cl', 'dl', 'ah', 'bh'];
const CC = ['z', 'nz', 'c', 'nc', 'a', 'be', 'l', 'ge', 'g', 'le', 's', 'ns'];
const ALU = ['add', 'sub', 'and', 'or', 'xor', 'cmp', 'adc', 'sbb'];

const HEADER = `; benchmark source: generated, deterministic
bits 32
org 0x100000

%define COM1 0x3f8
%define EXIT_PORT 0xf4
STACK_SIZE equ 0x4000
FLAGS equ (1 << 0) | (1 << 1) | (1 << 16)

%macro outb 2
  mov dx, %1
  mov al, %2
  out dx, al
%endmacro

%macro save_all 0
  push eax
  push ebx
  push ecx
  push edx
%endmacro

%macro restore_all 0
  pop edx
  pop ecx
  pop ebx
  pop eax
%endmacro

%macro clamp 2
  cmp %1, %2
  jbe %%ok
  mov %1, %2
%%ok:
%endmacro

multiboot_header:
  dd 0x1BADB002
  dd FLAGS
  dd -(0x1BADB002 + FLAGS)
  dd multiboot_header, 0x100000, data_end, bss_end, entry

entry:
  cli
  mov esp, stack_top
  call fn_0
  outb EXIT_PORT, 0
  hlt
`;

const FOOTER = `
align 16
data_end:
stack: times 256 db 0
stack_top:
bss_end:
`;

export interface BenchSource {
  text: string;
  lines: number;
}

/** A source of exactly `lines` lines (at least 200). */
export function generateAsmSource(lines: number, seed = 1): BenchSource {
  if (lines < 200) throw new Error(`generateAsmSource: at least 200 lines, not ${lines}`);
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const mem = () => {
    switch (int(0, 4)) {
      case 0:
        return `[${pick(R32)}]`;
      case 1:
        return `[${pick(R32)} + ${int(1, 120)}]`;
      case 2:
        return `[${pick(R32)} + ${pick(['eax', 'ebx', 'ecx', 'esi', 'edi'])}*${pick([1, 2, 4, 8])} + 0x${int(0, 0xffff).toString(16)}]`;
      case 3:
        return `[table_${int(0, 9)} + ${4 * int(0, 3)}]`;
      default:
        return `[esp + ${4 * int(0, 8)}]`;
    }
  };

  /** One function: prologue, blocks under local labels with jumps both ways, epilogue. */
  const makeFunction = (f: number): string[] => {
    const fn: string[] = [`fn_${f}:`, '  push ebp', '  mov ebp, esp'];
    const nLabels = int(3, 6);
    for (let l = 0; l < nLabels; l++) {
      fn.push(`.l${l}:`);
      const n = int(3, 9);
      for (let k = 0; k < n; k++) {
        const r = rand();
        if (r < 0.3) fn.push(`  ${pick(ALU)} ${pick(R32)}, ${pick([pick(R32), String(int(-128, 127)), `0x${int(0, 0xfffff).toString(16)}`, mem()])}`);
        else if (r < 0.45) fn.push(`  mov ${pick(R32)}, ${pick([pick(R32), mem(), String(int(0, 1000)), `msg_${int(0, 9)}`])}`);
        else if (r < 0.5) fn.push(`  mov dword ${mem()}, ${int(0, 0xffffff)}`);
        else if (r < 0.55) fn.push(`  ${pick(['inc', 'dec', 'neg', 'not'])} ${pick([pick(R32), pick(R16), pick(R8)])}`);
        else if (r < 0.6) fn.push(`  ${pick(['shl', 'shr', 'sar', 'rol'])} ${pick(R32)}, ${pick(['1', 'cl', String(int(2, 31))])}`);
        else if (r < 0.65) fn.push(`  lea ${pick(R32)}, ${mem()}`);
        else if (r < 0.7) fn.push(`  movzx ${pick(R32)}, ${pick([pick(R8), `byte ${mem()}`])}`);
        else if (r < 0.76) fn.push(`  j${pick(CC)} .l${int(0, nLabels - 1)}`);
        else if (r < 0.8) fn.push(`  jmp .l${int(0, nLabels - 1)}`);
        else if (r < 0.85) fn.push('  call fn_@');
        else if (r < 0.88) fn.push(`  test ${pick(R32)}, ${pick([pick(R32), String(int(1, 255))])}`);
        else if (r < 0.9) fn.push(`  outb COM1, ${pick(['al', String(int(32, 126))])}`);
        else if (r < 0.92) fn.push(`  clamp ${pick(R32)}, ${int(1, 1000)}`);
        else if (r < 0.94) fn.push('  save_all', `  imul ${pick(R32)}, ${pick(R32)}, ${int(2, 300)}`, '  restore_all');
        else if (r < 0.96) fn.push(`  %rep ${int(2, 4)}`, `  ${pick(['nop', 'inc eax', 'shl ebx, 1', 'stosd'])}`, '  %endrep');
        else fn.push(`  ${pick(['cld', 'rep movsd', 'rep stosb', 'pushfd', 'popfd', 'cpuid', 'rdtsc', 'xchg eax, ebx', 'cdq', 'nop'])}`);
      }
    }
    fn.push('  mov esp, ebp', '  pop ebp', '  ret');
    if (rand() < 0.3) fn.push(`align ${pick([4, 8, 16])}`);
    return fn;
  };

  const head = HEADER.trimEnd().split('\n');
  const foot = FOOTER.trimEnd().split('\n');
  const data: string[] = [];
  for (let s = 0; s < 10; s++) data.push(`msg_${s}: db "message number ${s}", 13, 10, 0`);
  for (let t = 0; t < 10; t++) data.push(`table_${t}: dd ${int(0, 0xffff)}, ${int(0, 0xffff)}, fn_${t}_ref, ${int(0, 0xffff)}`);
  const budget = lines - head.length - foot.length - data.length;

  // Whole functions while they fit; then calls (forward and backward) are bound to real ones.
  const functions: string[][] = [];
  let used = 0;
  for (let f = 0; ; f++) {
    const fn = makeFunction(f);
    if (used + fn.length > budget) break;
    functions.push(fn);
    used += fn.length;
  }
  if (functions.length === 0) throw new Error('generateAsmSource: no room for a function');
  const count = functions.length;
  const body = functions.flat().map((l) => l.replace('fn_@', `fn_${int(0, count - 1)}`));
  const tableRefs = data.map((l) => l.replace(/fn_(\d+)_ref/, (_, n: string) => `fn_${Number(n) % count}`));
  // Top up to the exact line count with unreachable nops after the entry code.
  const padding = new Array<string>(budget - used).fill('  nop');
  const all = [...head, ...padding, ...body, ...tableRefs, ...foot];
  return { text: all.join('\n') + '\n', lines: all.length };
}
