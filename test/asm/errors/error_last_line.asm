; error_last_line.asm - a file whose final line (with no trailing newline)
; contains an error.
bits 32

start:
    mov eax, 1
    ret
    mov al, 0x1234 + undefined_tail