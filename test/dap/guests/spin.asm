; spin — a guest that never stops: a tight loop with interrupts off (pause must still work).
bits 32
org 0x100000

%include "../../../samples/include/multiboot.inc"

section .text
MULTIBOOT_HEADER

_start:
    cli
    xor ecx, ecx
spin:
    inc ecx
    jmp spin

section .data
marker: dd 0
mb_load_end:
mb_bss_end:
