; expr_numbers.asm - every NASM integer literal form, as data and as
; instruction immediates: hex (0x, 0X, 0h, h/H suffix, $ prefix), octal
; (0o, 0q, o/q suffix), binary (0b, 0y, b/y suffix), decimal (plain, 0d, 0t,
; d suffix), underscores as digit separators in every base, upper/lower
; case, character constants of 1-4 chars, and boundary values for db/dw/dd/dq.

bits 32
org 0

section .text
immediates:
    mov eax, 0x1F
    mov eax, 0X1F
    mov eax, 1Fh
    mov eax, 1FH
    mov eax, 0h1F
    mov eax, $0F
    mov eax, $0abc
    mov eax, 0o17
    mov eax, 0O17
    mov eax, 17o
    mov eax, 17q
    mov eax, 17Q
    mov eax, 0q17
    mov eax, 0b1010
    mov eax, 0B1010
    mov eax, 1010b
    mov eax, 1010y
    mov eax, 0y1010
    mov eax, 0d99
    mov eax, 99d
    mov eax, 0t99
    mov eax, 99
    mov eax, 0x_FF_FF
    mov eax, 0xDEAD_BEEF
    mov eax, 1_000_000
    mov eax, 0b1111_0000_1010_0101
    mov eax, 7_7_7o
    mov eax, 0FF_FFh
    mov eax, 'AB'
    mov eax, 'ABCD'
    mov al, 'x'
    mov ax, 0ffffh
    mov cl, 0b1000_0000
    mov dx, 0o177777
    push 0q377
    push 0x7F
    push 0d128
    add eax, 0ah
    add eax, 0abcdefh
    and eax, 0xFFFF_FF00
    cmp al, 0y1111_1111
    ret

section .data
hex_forms:      dd 0x1F, 0X1F, 1Fh, 1FH, 0h1F, 0H1F, $0F, $1F, 0x_FF_FF, 0ah
oct_forms:      dd 0o17, 0O17, 17o, 17O, 17q, 17Q, 0q17, 0Q17, 0o1_7
bin_forms:      dd 0b1010, 0B1010, 1010b, 1010B, 1010y, 1010Y, 0y1010, 0Y1010
dec_forms:      dd 0d99, 0D99, 99d, 99D, 0t99, 0T99, 99, 0_99
sep_forms:      dd 1_000_000, 0x1234_5678, 0b1_0_1_0, 1_0_1_0b, 0FF_FFh, 0o7_7_7
char_forms:     dd 'A', 'AB', 'ABC', 'ABCD', "wxyz", `\x01\x02`
zeroes:         dd 0, 0x0, 0h, 0b0, 0o0, 0q0, 0d0, 0t0, 0y0, $0

byte_limits:    db 0, 1, 127, 128, 255, -1, -128, 0x80, 0FFh, 0b1111_1111
word_limits:    dw 0, 32767, 32768, 65535, -1, -32768, 0x8000, 0FFFFh
dword_limits:   dd 0, 2147483647, 2147483648, 4294967295, -1, -2147483648
                dd 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 37777777777o
qword_limits:   dq 0, 1, -1, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000
                dq 0xFFFFFFFFFFFFFFFF, 18446744073709551615, 0x0123_4567_89AB_CDEF
                dq 1_000_000_000_000, 1111111111111111111111111111111111111111b

; numbers in preprocessor arithmetic
%assign v 0x10 + 10h + 0h10 + $10 + 0o20 + 20q + 0b10000 + 10000y + 0d16 + 16d + 0t16
pp_sum:         dd v
%if v == 16 * 11
pp_ok:          db 1
%endif
