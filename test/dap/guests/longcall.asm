; longcall — `next` over a call that runs longer than the adapter single-steps (it finishes the
; call at full speed with a temporary breakpoint on the return address).
bits 32
org 0x100000

%include "../../../samples/include/multiboot.inc"

section .text
MULTIBOOT_HEADER

_start:
    mov esp, stack_top
    call busy                             ; line 13
    mov ebx, 1                            ; line 14
    mov dx, DEBUG_EXIT_PORT
    xor eax, eax
    out dx, al
.halt:
    cli
    hlt
    jmp .halt

busy:
    mov ecx, 300000
.loop:
    loop .loop
    ret

section .data
marker: dd 0
mb_load_end:

section .bss
alignb 16
stack: resb 4096
stack_top:
mb_bss_end:
