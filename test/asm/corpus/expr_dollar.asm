; expr_dollar.asm - $ (current position) and $$ (section start) arithmetic:
; jmp $ and $+n / $-n, call $+5 / pop idiom, dd $ and dw $-$$ in several
; sections (each section has its own $$), equ $ and equ $-label lengths,
; manual alignment with times computed from ($-$$), padding a header to a
; fixed size, and position-relative offsets inside instructions.

bits 32
org 0x00100000

HEADER_SIZE equ 64

section .text
header:
    db 'HSTP'
    dd $ - $$                   ; 4
    dd $                        ; absolute address of this dword
    dd header_end - header
    dw $ - header
    times HEADER_SIZE - ($ - $$) db 0
header_end:

code_start:
    jmp $ + 2                   ; jump to the next instruction (EB 00)
    jmp short $ + 4
    nop
    nop
    call $ + 5                  ; get eip
    pop ebx
    sub ebx, $ - 1 - code_start ; ebx = code_start at run time
    mov eax, $                  ; address of this instruction
    mov ecx, $ - $$             ; offset in section
    lea edx, [ebx + ($ - code_start)]
    cmp eax, $$
    je $ + 4
    jmp $ - 2
    jz $
    loop $
    jecxz $ + 2

    ; manual 16-byte alignment with times
    times (16 - (($ - $$) & 15)) & 15 nop
aligned16:
    mov eax, aligned16 - $$
    ; pad to the next 32-byte boundary with int3 using %
    times (32 - ($ - $$) % 32) % 32 db 0xCC
aligned32:
    ret
fn_len equ $ - code_start

here equ $
before_here equ here - 4
    dd here, before_here, here - $$

section .data
data_top:
    dd $$                       ; start of .data
    dd $ - $$                   ; 4
    dw $ - data_top             ; 8
    db $ - $$                   ; 10
msg: db "position", 0
msg_len equ $ - msg
    times 8 - (($ - $$) % 8) db '.'
rel_table:
    dd code_start - $$          ; offsets relative to a different section's $$
    dd aligned16 - code_start
    dd aligned32 - aligned16
    dd $ - rel_table
end_of_data equ $

section .bss
bss_top:
    resb 3
bss_mid equ $ - bss_top
    resb 16 - bss_mid
bss_aligned:
    resd 4

section .text
tail:
    mov eax, end_of_data - data_top
    mov ebx, bss_aligned - bss_top
    mov ecx, msg_len
    mov edx, fn_len
    ret
    dd $ - tail
