; insn_alu_imm_edges.asm - immediate-size selection at the imm8 sign-
; extension edges: -128, 127, 128, -129, 255, 256, -1, 0xFFFFFFFF,
; 0xFFFFFF80, 0xFFFFFF7F, 0x80000000 for 32-bit operands and 0xFF80/0xFFFF/
; 0x8000 for 16-bit operands, in 32-bit and 16-bit code, for group-1 ALU,
; push, imul (3-operand and 2-operand), mov (never sign-extended), test (no
; imm8 form), with byte/strict/explicit size keywords and equ values.

bits 32
org 0

EDGE_LO equ -128
EDGE_HI equ 127

section .text
edges32:
    add eax, -128
    add eax, 127
    add eax, 128
    add eax, -129
    add eax, 255
    add eax, 256
    add eax, -1
    add eax, 0xFFFFFFFF
    add eax, 0xFFFFFF80
    add eax, 0xFFFFFF7F
    add eax, 0x80000000
    add eax, 0x7FFFFFFF
    add eax, EDGE_LO
    add eax, EDGE_HI
    add eax, EDGE_HI + 1
    add eax, EDGE_LO - 1
    sub ecx, -128
    sub ecx, 128
    sub ecx, 0xFFFFFFFF
    cmp edx, 127
    cmp edx, 128
    cmp edx, -129
    and esi, 0xFFFFFF80
    and esi, 0xFFFFFF7F
    or edi, -128
    xor ebp, 0xFFFFFFFF
    adc dword [mem32], -128
    sbb dword [mem32], 128
    cmp dword [mem32], 0xFFFFFFFF

edges16_in32:
    add ax, -128
    add ax, 127
    add ax, 128
    add ax, -129
    add ax, 0xFF80
    add ax, 0xFF7F
    add ax, 0xFFFF
    add ax, 0x8000
    cmp bx, 0xFFFF
    cmp bx, -1
    cmp word [mem16], 0xFF80
    and cx, 0xFF00

edges8:
    add al, -128
    add al, 127
    add al, 128
    add al, 255
    add bl, -1
    cmp cl, 0x80
    cmp byte [mem8], 0xFF

push_edges:
    push -128
    push 127
    push 128
    push -129
    push 0xFFFFFFFF
    push 0xFFFFFF80
    push byte -128
    push byte 127
    push dword 5
    push strict dword 5
    push word 5
    push word -200

imul_edges:
    imul eax, ebx, -128
    imul eax, ebx, 127
    imul eax, ebx, 128
    imul eax, ebx, -129
    imul eax, ebx, 0xFFFFFFFF
    imul ecx, 127
    imul ecx, 128
    imul cx, dx, 0xFF80
    imul cx, dx, 0x80
    imul edx, [mem32], -1
    imul edx, [mem32], 1000

mov_no_sign_extension:
    mov eax, -128
    mov eax, 0xFFFFFFFF
    mov ax, -1
    mov al, -1
    mov dword [mem32], -128
    mov word [mem16], -128
    mov byte [mem8], -128

test_no_imm8:
    test eax, 1
    test eax, -1
    test ebx, 0x80
    test al, 0x80
    test ax, 0x8000
    test dword [mem32], 1
    test byte [mem8], 0xFF

strict_and_byte:
    add eax, byte -1
    add eax, strict byte -1
    add eax, dword -1
    add eax, strict dword -1
    add ebx, byte 127
    add word [mem16], byte -128
    add dword [mem32], byte 1

bits 16
edges_in16:
    add ax, -128
    add ax, 127
    add ax, 128
    add ax, 0xFFFF
    add ax, 0xFF80
    add bx, 0xFF7F
    add eax, -128
    add eax, 128
    add eax, 0xFFFFFFFF
    push -1
    push 128
    push dword -1
    push dword 128
    imul ax, bx, -128
    imul eax, ebx, 0x80
    cmp word [bx], 0xFFFF
    cmp dword [bx], 0xFFFFFF80
    ret

section .data
mem8:  db 0
mem16: dw 0
mem32: dd 0
