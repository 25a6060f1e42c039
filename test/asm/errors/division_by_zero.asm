; division_by_zero.asm - expressions dividing by zero with every division
; operator, including through an equ that evaluates to zero.
bits 32

ZERO    equ 0
COUNT   equ 10

    mov eax, COUNT / 2
    mov eax, COUNT / ZERO
    dd 1 / 0
    dd 7 % 0
    dd -7 // (COUNT - 10)
    dd -7 %% ZERO
    ret
