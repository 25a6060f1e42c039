; vars-controls — a vt-x guest for the Variables view's tests: no timer, so the exits are exactly
; those of the instructions below. RDTSC and HLT exit only when their controls are on.
bits 32
org 0x100000

%include "../../../samples/include/multiboot.inc"

section .text
MULTIBOOT_HEADER

_start:
    mov esp, stack_top
    mov esi, 3                            ; line 13: set the controls here
.tsc:
    rdtsc
    dec esi
    jnz .tsc
    mov ecx, 2
.cpuid:
    push ecx
    xor eax, eax
    cpuid
    pop ecx
    loop .cpuid
    mov al, 0x55
    out 0x80, al                          ; line 26: an IO_INSTRUCTION exit (port 0x80, immediate)
    nop                                   ; line 27: counters checked here
    mov dx, DEBUG_EXIT_PORT
    mov al, 0
    out dx, al                            ; exit status 1
.halt:
    cli
    hlt
    jmp .halt

section .data
mb_load_end:

section .bss
alignb 16
stack: resb 4096
stack_top:
mb_bss_end:
