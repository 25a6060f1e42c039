; Bitwise, shift, division and logical operators on a label's address: nasm refuses them even in
; bin output (a label is relocatable; `start - other` in one section would be scalar).
bits 32
org 0x100000
section .text
start: nop
    dd start & 0xffff
    dd start >> 16
    dd start / 2
    dd start | 1
    dd ~start
    dd start - start + 1
    dd (start - $$) & 0xffff
section .data
here_in_data: dd start - here_in_data                ; a cross-section difference is a value ...
    dd (start - here_in_data) & 0xffff               ; ... but not a scalar
alias equ start
    dd (alias - start) & 0xffff                      ; one section: a scalar
