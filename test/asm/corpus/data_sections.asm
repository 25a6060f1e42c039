; data_sections.asm - section layout as nasm -f bin does it: .text then
; .data (align=16 attribute) then .bss (nobits), switching back and forth
; between sections several times, align in code (NOP fill) and data, align
; with an explicit fill (db 0 / db 0xCC), alignb in .bss, $$ per section,
; label differences across sections, and data/bss sizes exported as equs.

bits 32
org 0x00800000

section .text
text_start:
    mov esi, table_a
    mov edi, buffer_a
    mov ecx, TABLE_A_LEN
    rep movsb
    jmp text_part2

section .data align=16
data_start:
table_a:    db 1, 2, 3, 4, 5
TABLE_A_LEN equ $ - table_a
    align 4
dword_a:    dd 0x11111111
    align 8, db 0
qword_a:    dq 0x2222222233333333
    align 16, db 0xEE
para_a:     db "paragraph"
offset_in_data: dd $ - $$

section .bss
bss_start:
buffer_a:   resb 5
    alignb 4
counter_b:  resd 1
    alignb 16
block_b:    resb 100
    alignb 64
cacheline:  resb 64

section .text
text_part2:
    align 16                    ; NOP padding inside code
aligned_fn:
    push ebp
    mov ebp, esp
    mov eax, [dword_a]
    add eax, [counter_b]
    mov [counter_b], eax
    pop ebp
    ret
    align 8, db 0xCC            ; int3 padding between functions
second_fn:
    mov eax, $ - $$             ; offset within .text
    mov ebx, second_fn - text_start
    ret
    align 4
third_fn:
    lea eax, [block_b + 16]
    ret

section .data
more_data:  dw 0xBEEF
    align 2
words:      dw 1, 2, 3
    align 32
table_b:
%assign k 0
%rep 8
    dd k * k
%assign k k + 1
%endrep
ptrs:       dd aligned_fn, second_fn, third_fn, block_b, cacheline
data_end:

section .bss
    alignb 4
more_bss:   resd 10
    alignb 2
word_bss:   resw 3
byte_bss:   resb 1
    alignb 8
qword_bss:  resq 2
bss_end:

section .text
final_fn:
    mov eax, DATA_SIZE
    mov ebx, BSS_SIZE
    mov ecx, TEXT_SIZE
    ret
text_end:

DATA_SIZE equ data_end - data_start
BSS_SIZE  equ bss_end - bss_start
TEXT_SIZE equ text_end - text_start
