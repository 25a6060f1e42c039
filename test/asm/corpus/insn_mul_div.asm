; insn_mul_div.asm - multiply/divide family: mul/imul/div/idiv one-operand
; forms on 8/16/32-bit registers and memory, imul two-operand (reg,reg and
; reg,mem), three-operand with imm8 and imm32 (reg,reg,imm and reg,mem,imm),
; the two-operand-with-immediate shorthand (imul reg, imm), sign extension
; helpers cbw cwde cwd cdq, neg, and typical 64-bit arithmetic sequences.

bits 32
org 0x3000

section .text
one_operand:
    mul bl
    mul bx
    mul ebx
    mul byte [m8]
    mul word [m16]
    mul dword [m32]
    imul cl
    imul cx
    imul ecx
    imul byte [esi]
    imul word [esi + 2]
    imul dword [esi + ecx*4]
    div dh
    div si
    div edi
    div byte [m8]
    div word [m16]
    div dword [ebp + 8]
    idiv ah
    idiv bp
    idiv ebp
    idiv byte [edi]
    idiv word [edi - 2]
    idiv dword [m32]

two_operand:
    imul eax, ebx
    imul ax, bx
    imul esi, [m32]
    imul si, [m16]
    imul edx, [ebx + ecx*8 + 0x40]
    imul ebp, esp

three_operand:
    imul eax, ebx, 10
    imul eax, ebx, 1000
    imul eax, [m32], 3
    imul eax, [m32], 0x10000
    imul ax, bx, 7
    imul ax, [m16], 300
    imul edi, [esi + 4], -1
    imul esp, ebp, -100000

shorthand:
    imul eax, 10
    imul ebx, 1000
    imul cx, 5
    imul dx, 500

sign_extension:
    cbw
    cwde
    cwd
    cdq
    neg al
    neg ax
    neg eax
    neg byte [m8]
    neg dword [m32]

; 64-bit unsigned multiply: edx:eax = [a] * [b] (64 x 64 -> low 64)
mul64:
    mov eax, [a_lo]
    mul dword [b_hi]
    mov ecx, eax
    mov eax, [a_hi]
    mul dword [b_lo]
    add ecx, eax
    mov eax, [a_lo]
    mul dword [b_lo]
    add edx, ecx
    ret

; signed divide with remainder: eax / ebx -> eax quotient, edx remainder
sdiv32:
    cdq
    idiv ebx
    ret

; unsigned 64 / 32 -> 64 (two divides)
udiv64:
    mov ecx, [divisor]
    mov eax, [a_hi]
    xor edx, edx
    div ecx
    mov ebx, eax
    mov eax, [a_lo]
    div ecx
    mov edx, ebx
    ret

; 16-bit divide in 32-bit code
div16:
    mov ax, [m16]
    cwd
    idiv word [divisor]
    movsx eax, ax
    ret

section .data
m8:      db 7
m16:     dw 700
m32:     dd 70000
a_lo:    dd 0x89ABCDEF
a_hi:    dd 0x01234567
b_lo:    dd 0x00000010
b_hi:    dd 0x00000000
divisor: dd 10
