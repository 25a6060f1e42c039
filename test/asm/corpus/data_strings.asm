; data_strings.asm - string and character data in all three quote styles:
; single quotes (no escapes), double quotes (no escapes in NASM), backquotes
; with C-style escapes (\n \t \r \0 \\ \` \' \" \x41 \101 octal \e \a \b \f
; \v \u263a UTF-8), strings mixed with numbers in one db, strings in dw/dd
; (padded to the unit size), character constants as immediates and in
; expressions, embedded quotes of the other kind, and length equs.

bits 32
org 0

section .text
    mov al, 'A'
    mov ax, 'OK'
    mov eax, 'HYPR'
    mov ebx, "abcd"
    mov ecx, `\0\0\0\x01`
    cmp al, `\n`
    cmp al, '"'
    cmp al, "'"
    cmp byte [esi], `\``
    mov edx, 'a' + 1
    mov edx, 'z' - 'a'
    push dword 'LIVE'
    push 'ok'
    mov word [edi], `\r\n`
    mov dword [edi], "\n\n"      ; double quotes: backslash is literal
    ret

section .data
single:     db 'single quoted string'
single_len  equ $ - single
double:     db "double quoted string"
double_len  equ $ - double
back:       db `backquoted\tstring\n`
back_len    equ $ - back

; quotes inside other quote styles
q1:         db "it's", 0
q2:         db 'say "hi"', 0
q3:         db `both ' and " and \` here`, 0
q4:         db 'back`tick', 0
q5:         db "C:\path\no\escapes", 0

; backquote escape sequences
esc_basic:  db `\n\t\r\0\\`
esc_quote:  db `\'\"\``
esc_hex:    db `\x41\x42\x43\x7f\xff\x0`
esc_oct:    db `\101\102\7\0\377`
esc_ctrl:   db `\e[1;31m\a\b\f\v`
esc_utf8:   db `\u263a smile \u00e9t\u00e9 \u20ac`
esc_len     equ $ - esc_basic

; strings mixed with numbers and expressions
mixed:      db 'Err', ' ', 0x30 + 5, ':', " code ", 'A' + 2, 13, 10, 0
crlf:       db 13, 10
empty:      db '', 0
empty2:     db "", ``, 1

; strings in wider units pad each string with zeros to the unit size
w_str:      dw 'abc'            ; 'a','b','c',0
w_str2:     dw "ab", 'c', 0x4142
d_str:      dd 'hello'          ; padded to 8 bytes
d_str2:     dd `x\ty`, 'long string!'
q_str:      dq 'QWORD'

; character constants as numbers
chars:      dw 'A', 'AB'
            dd 'ABCD', 'AB' << 16, 'a' | 0x20
            db 'Z' - 'A' + 1, '9' - '0'

; message table with lengths
%macro MSG 2
%1:     db %2
%1_end:
%endmacro

    MSG m_boot,    "Booting"
    MSG m_ok,      `[ ok ]\n`
    MSG m_fail,    '[fail]'
    MSG m_unicode, `\u2713 done`

msg_lengths:
    db m_boot_end - m_boot
    db m_ok_end - m_ok
    db m_fail_end - m_fail
    db m_unicode_end - m_unicode

; a long line of comma-separated strings and bytes
banner:
    db '+', '-', "----------------------------------------", '-', '+', 10
    db '|', ' ', "  Hyperstep x86 guest debugger stub     ", ' ', '|', 10
    db '+', '-', "----------------------------------------", '-', '+', 10, 0
banner_len equ $ - banner

; times with strings
stars:      times 3 db '*-'
            times 2 db `ab\n`
pad_zero:   times 4 db 0

lengths:
    dd single_len, double_len, back_len, esc_len, banner_len
