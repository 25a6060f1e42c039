; style_labels_case.asm - the label and layout styles NASM accepts: labels
; with and without a trailing colon in front of instructions and data,
; label-only lines (with colon), labels directly followed by code without a
; space, .local labels under several globals and referenced by full name
; (func.loop) from elsewhere, identifiers using _ ? @ . and digits, upper-
; and mixed-case mnemonics/registers/directives, tabs, and trailing comments.

BITS 32
ORG 0x00180000

SECTION .text
_start  mov eax, 1              ; label without colon before an instruction
entry2: mov ebx, 2              ; label with colon before an instruction
entry3:mov ecx,3                ; no space after the colon or the comma
entry4:
    MOV EDX, 4
    Mov Esi, 5
    mov EDI, 6
	push	eax			; tab-separated fields
	pop	eax
    call func_a
    call func_b
    jmp func_a.done             ; reference to another function's local label

func_a:
.loop:
    dec eax
    jnz .loop
.done:
    ret

func_b:
.loop:                          ; same local name under a different global
    dec ebx
    JNZ .loop
    cmp ebx, [func_b.state]
    je func_b.done
.done:
    RET
.state  dd 0                    ; local data label without colon

; identifiers with the extra characters nasm allows
_private_helper:
    nop
?maybe: nop
at@sign: nop
dotted.global: nop
label_with_digits_123: nop
__double_underscore: nop
Mixed_Case: nop
mixed_case: nop                 ; distinct from Mixed_Case
    jmp Mixed_Case
    jmp mixed_case
    jmp ?maybe
    jmp at@sign
    jmp dotted.global

SECTION .data
count   dd 5                    ; data labels without colons
buf     times 4 db 0
msg     db "no colon", 0
msg2:   db 'with colon', 0
width   equ 80
height: equ 25
Table   DD 1, 2, 3
table   dw 4, 5, 6
cells   DW width * height
        ALIGN 4
ptrs    dd _start, entry2, entry3, entry4, func_a.loop, func_b.loop, func_a.done

SECTION .bss
scratch resb 16
words   RESW 4
dwords: resd 2
