; redefined_label.asm - the same label defined twice (a copy-pasted
; function), the same local label twice under one global, and an equ
; defined twice with different values.
bits 32

init:
    call setup
    ret

setup:
    mov eax, 1
.loop:
    dec eax
    jnz .loop
.loop:
    ret

setup:
    mov eax, 2
    ret

LIMIT equ 10
LIMIT equ 20
