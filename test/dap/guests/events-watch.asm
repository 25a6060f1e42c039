; Data breakpoint targets: IF toggled, a counter written and read, a register set.
bits 32
org 0x100000
%include "../../../samples/include/multiboot.inc"

section .text
MULTIBOOT_HEADER

_start:
    mov esp, stack_top
    nop
    sti                                 ; IF on
    nop
    cli                                 ; IF off
    nop
    mov dword [counter], 7              ; write counter
    nop
    mov eax, [counter]                  ; read counter
    mov [counter], eax
    nop
    mov edi, 42                         ; edi = 42
    nop
    mov dx, 0xf4
    mov al, 0
    out dx, al
    hlt

section .data
counter: dd 0
mb_load_end:

section .bss
alignb 16
    resb 4096
stack_top:
mb_bss_end:
