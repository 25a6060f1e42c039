; Benchmark guest: a tight ALU loop of 200 million instructions, then exit (status 1).
bits 32
org 0x100000
%include "multiboot.inc"
section .text
MULTIBOOT_HEADER
_start:
    mov ecx, 40000000            ; 5 instructions per iteration
    xor eax, eax
    mov ebx, 0x12345
.loop:
    add eax, ebx
    xor eax, 0x5a5a
    sub ebx, 7
    dec ecx
    jnz .loop
    mov dx, DEBUG_EXIT_PORT
    xor eax, eax
    out dx, al
    cli
    hlt
mb_load_end:
section .bss
    resb 16
mb_bss_end:
