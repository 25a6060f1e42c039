; expr_operators.asm - the full NASM expression operator set and its
; precedence: | ^ & << >> + - * / // % %% and unary - + ~ !, parentheses,
; signed vs unsigned division/modulo on negative operands, shifts of
; negative values, operator chains without parentheses (precedence and
; left associativity), expressions in immediates, displacements, times
; counts, equ definitions and %assign.

bits 32
org 0x1000

A equ 100
B equ 7
C equ -9
MASK equ 0xF0F0

section .text
code:
    mov eax, A + B * 2                  ; 114
    mov eax, (A + B) * 2                ; 214
    mov eax, A / B                      ; 14
    mov eax, A % B                      ; 2
    mov eax, C // 2                     ; -4
    mov eax, C %% 4                     ; -1
    mov eax, -A
    mov eax, ~A
    mov eax, !A
    mov eax, !0
    mov eax, +A
    mov eax, - -A
    mov eax, ~~A
    mov eax, -~A
    mov eax, 1 << 31
    mov eax, 0x80000000 >> 31
    mov eax, A | B ^ MASK & 0xFF
    mov eax, (A | B) ^ (MASK & 0xFF)
    mov eax, A << 2 + 1                 ; shift binds looser than +
    mov eax, (A << 2) + 1
    mov ebx, [esi + A * 4 - B]
    mov ebx, [esi + (A - B) * 2]
    mov ecx, [ebx + ecx * (1 << 2) + (MASK >> 4)]
    lea edx, [eax + eax * 2 + (A & 0x0F)]
    add al, (B * 3) & 0x7F
    sub word [data_area + 2 * 2], A / 3
    and eax, ~(0x1000 - 1)
    or eax, 1 << B
    xor eax, -1 ^ 0x55
    cmp eax, ((A + 1) * (B - 1)) // 3
    ret

section .data
data_area:
arith:      dd A + B, A - B, A * B, A / B, A % B
            dd B - A, -A * -B, (B - A) / 1
signed:     dd (C / 2) & 0xFFFFFFFF, C // 2, C % 4, C %% 4
            dd -7 // 2, 7 // -2, -7 // -2, -7 %% 2, 7 %% -2, -7 %% -2
            dd 100 // 7, 100 %% 7
; / and % are unsigned 64-bit: mask the quotient back to 32 bits
unsigned_neg: dd (-8 / 2) & 0xFFFFFFFF, -1 % 10
bitwise:    dd A | B, A & B, A ^ B, ~A, ~0, ~MASK & 0xFFFF
            dd MASK | 0x0F0F, MASK & 0xFF00, MASK ^ 0xFFFF
shifts:     dd 1 << 0, 1 << 8, 1 << 31, 0xFFFF << 16, 0x80000000 >> 4
            dd (-16 >> 2) & 0xFFFFFFFF, 255 >> 8, (1 << 16) >> 15
logical_not: dd !0, !1, !A, !!A, !(A - 100)
precedence: dd 1 + 2 * 3, (1 + 2) * 3, 2 * 3 + 4 * 5, 10 - 4 - 3, 100 / 10 / 5
            dd 1 | 2 ^ 3 & 4, 1 << 2 + 3, 8 >> 1 + 1, 5 & 3 | 8, 6 ^ 3 | 1
            dd -2 * -3, ~1 + 1, -(1 + 2), +(+3), 3 - -3, 3 + +3
            dd (((1 + 2) * (3 + 4)) - ((5 - 6) * (7 - 8)))
mixed_widths:
            db A & 0xFF, -B, ~B & 0xFF, (C + 256) & 0xFF, 'a' + 1, 'z' - 'a'
            dw A * B, -A, ~A & 0xFFFF, MASK >> 8, 'AB' ^ 0x2020
            dq A * 0x100000000, -A, ~0

%assign e1 (A + B) * 2 - C
%assign e2 e1 // 3
%assign e3 e1 %% 7
%assign e4 (e1 << 4) | (e2 & 0xF) ^ e3
pp_results: dd e1, e2, e3, e4

; expressions as times counts
    times (A / 10) db 0xA0
    times 2 * (1 + 1) dw 0xBEEF
    times B % 4 db '-'
