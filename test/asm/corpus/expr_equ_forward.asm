; expr_equ_forward.asm - forward references everywhere: equ chains whose
; members are defined later in the file, label differences used before the
; labels exist, forward-referenced immediates that end up small (imm8
; candidates: add/cmp/push/imul), forward-referenced displacements (disp8
; vs disp32), forward jumps/calls, dd of later labels, and equ of equ of $.

bits 32
org 0x00200000

; chain: TOTAL depends on things defined at the bottom of the file
TOTAL       equ PART_A + PART_B + PART_C
PART_A      equ SIZE_OF_TABLE * 2
PART_B      equ PART_C - 1
DOUBLE      equ TOTAL * 2

section .text
start:
    mov eax, TOTAL
    mov ebx, DOUBLE
    mov ecx, later_equ
    mov edx, SIZE_OF_TABLE
    add eax, SMALL_FWD              ; value ends up 5
    add ebx, BIG_FWD                ; value ends up 0x12345
    cmp ecx, SMALL_FWD
    sub edx, NEG_FWD
    and eax, MASK_FWD
    push SMALL_FWD
    push BIG_FWD
    imul eax, ebx, SMALL_FWD
    imul ecx, SMALL_FWD
    mov esi, [ebx + FIELD_OFF]      ; small displacement defined later
    mov edi, [ebx + ecx*4 + FIELD_OFF2]
    mov byte [esi + FIELD_OFF], SMALL_FWD
    mov word [table + 2], SMALL_FWD
    mov eax, [table_end - 4]
    lea eax, [table + SIZE_OF_TABLE]
    test eax, SMALL_FWD
    call helper
    jmp done

helper:
    mov eax, table_end - table
    mov ebx, helper_end - helper
    cmp eax, SIZE_OF_TABLE
    jne .mismatch
    ret
.mismatch:
    xor eax, eax
    ret
helper_end:

done:
    jmp final

section .data
pointers:
    dd later_label, table, table_end, final, helper_end
    dd later_label - pointers, final - start
    dw SIZE_OF_TABLE, TOTAL, PART_A, PART_B, PART_C
    db SMALL_FWD, NEG_FWD & 0xFF

table:
    dd 1, 2, 3, 4, 5, 6, 7, 8
table_end:
SIZE_OF_TABLE equ table_end - table

later_label:
    db "later"

section .text
final:
    mov eax, pointers
    ret

; definitions referenced before this point
PART_C      equ 10
later_equ   equ DOUBLE + 1
SMALL_FWD   equ later_label - table - SIZE_OF_TABLE + 5
BIG_FWD     equ 0x12345
NEG_FWD     equ -SMALL_FWD
MASK_FWD    equ 0x7F
FIELD_OFF   equ 8
FIELD_OFF2  equ 0x100
