; kernel_with_bugs.asm - a realistic Multiboot kernel fragment with several
; independent mistakes spread across the file: a byte register moved into
; a control register, a struc field typo (an undefined symbol), a call to an
; undefined label, and a misspelled instruction. nasm reports only the
; misspelled instruction: it is a first-pass (parser) error, and nasm stops
; before the pass that would report the other three.
bits 32
org 0x100000

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010003

struc gdt_ptr_t
    .limit resw 1
    .base  resd 1
endstruc

section .text
header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

entry:
    mov esp, stack_top
    lgdt [gdtr]
    mov cr0, al
    mov eax, [gdtr + gdt_ptr_t.limt]
    call setup_paging
    jmp 0x08:.flush
.flush:
    mov ax, 0x10
    mov ds, ax
    hlt
    jmpz .flush

section .data
gdtr:
    dw 23
    dd 0

section .bss
resb 4096
stack_top:
