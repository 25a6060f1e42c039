; too_many_operands.asm - instructions given more operands than any of
; their forms take, and operand-less instructions given operands (note that
; "nop eax" would be valid: it is the multi-byte 0F 1F /0 nop).
bits 32

    inc eax
    inc eax, ebx
    pushad eax
    ret 4, 8
    push eax, ebx
    cli 1
    mov eax, ebx, ecx
    hlt
