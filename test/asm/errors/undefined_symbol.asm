; undefined_symbol.asm - references to symbols that are never defined:
; a misspelled label in a jump, an undefined equ in an immediate, and an
; undefined label in a data directive.
bits 32
org 0x100000

start:
    mov esp, stack_top
    call kernel_mian            ; typo for kernel_main
    mov eax, UNDEFINED_CONSTANT
    jmp $

kernel_main:
    ret

section .data
vectors: dd start, kernel_main, missing_handler

section .bss
stack: resb 4096
stack_top:
