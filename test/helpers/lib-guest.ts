// The source of a small Multiboot guest built on samples/include/lib.inc (flat GDT, IDT, PIC and
// PIT helpers) around a test's own `body`, for tests that assemble guests inline.

export function libGuestSource(body: string, stackBytes = 4096): string {
  return `bits 32
org 0x100000
%include "multiboot.inc"
section .text
MULTIBOOT_HEADER
%include "lib.inc"
_start:
    mov esp, stack_top
    xor ebp, ebp
    call lib_init
${body}
section .data
data_marker: dd 0
mb_load_end:
section .bss
LIB_BSS
alignb 16
    resb ${stackBytes}
stack_top:
mb_bss_end:
`;
}
