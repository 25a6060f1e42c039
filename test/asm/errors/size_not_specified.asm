; size_not_specified.asm - memory operands with immediates and no size
; keyword, so nasm cannot tell byte/word/dword (the most common beginner
; error in kernel code), next to correctly sized versions.
bits 32

clear_state:
    mov dword [state], 0
    mov [state], 0
    inc [counter]
    inc dword [counter]
    push [state]
    add [esi + 4], 1
    cmp [edi], 0x80
    shl [counter], 1
    ret

state:   dd 0
counter: dd 0
