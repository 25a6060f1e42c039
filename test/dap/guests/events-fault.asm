; A #GP the guest handles once (its handler skips the faulting instruction), then a triple fault:
; an IDT with no present gates.
bits 32
org 0x100000
%include "../../../samples/include/multiboot.inc"

section .text
MULTIBOOT_HEADER

_start:
    mov esp, stack_top
    mov eax, gp_handler                 ; interrupt gate 13 -> gp_handler
    mov [idt + 13 * 8], ax
    mov word [idt + 13 * 8 + 2], 0x08
    mov word [idt + 13 * 8 + 4], 0x8e00
    shr eax, 16
    mov [idt + 13 * 8 + 6], ax
    lidt [idt_descriptor]
    mov ax, 0xfff8
    mov ds, ax                          ; faults: #GP (selector 0xfff8 is beyond the GDT)
    lidt [no_idt]
    mov ds, ax                          ; #GP with no IDT: #DF, then a triple fault
    hlt

gp_handler:
    add dword [esp + 4], 2              ; skip the 2-byte mov ds, ax (the error code is at [esp])
    add esp, 4
    iret

section .data
align 8
idt:
    times 14 dq 0
idt_descriptor:
    dw 14 * 8 - 1
    dd idt
no_idt:
    dw 0
    dd 0
mb_load_end:

section .bss
alignb 16
    resb 4096
stack_top:
mb_bss_end:
