; invalid_operands.asm - operand combinations no encoding exists for:
; mismatched register sizes, immediate destinations, memory-to-memory,
; 8-bit operands for instructions that have none.
bits 32

start:
    mov eax, ebx
    mov eax, bl
    mov al, bx
    add cx, edx
    mov 5, eax
    mov [esi], [edi]
    push al
    movzx eax, ebx
    lea eax, ebx
    imul al, bl, 3
    ret
