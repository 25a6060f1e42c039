; label_and_equ.asm - a name used both as a code label and as an equ
; constant, and a struc field name reused as a label.
bits 32

struc point
    .x resd 1
    .y resd 1
endstruc

buffer:
    dd 0

buffer equ 0x1000

point.x:
    nop
    mov eax, buffer
    ret
