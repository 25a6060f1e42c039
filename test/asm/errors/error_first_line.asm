mov eax, bl   ; error_first_line.asm - an error on line 1 (no bits directive before it)
bits 32
; the rest of the file is fine
start:
    mov eax, 1
    ret
