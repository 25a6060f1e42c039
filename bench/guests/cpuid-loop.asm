; Benchmark guest: 2 million CPUID instructions (each a VM exit under vt-x), then exit (status 1).
bits 32
org 0x100000
%include "multiboot.inc"
section .text
MULTIBOOT_HEADER
_start:
    mov esi, 2000000             ; 4 instructions per iteration, one of them CPUID
.loop:
    xor eax, eax
    cpuid
    dec esi
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
