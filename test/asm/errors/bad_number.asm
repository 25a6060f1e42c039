; bad_number.asm - malformed numeric literals: invalid hex digits, binary
; and octal literals with out-of-range digits, an octal digit 8 after 0q.
bits 32

    mov eax, 0x1F
    mov eax, 0xZZ
    mov ebx, 0b102
    mov ecx, 19o
    mov edx, 0q8
    dd 12h, 0x7F, 1_000
    ret
