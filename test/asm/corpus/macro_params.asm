; macro_params.asm - multi-line macro parameter handling: fixed counts,
; ranges (1-2, 0-3, 2-4) with default values, greedy last parameter (+)
; that swallows commas, %0 tested with %if, %1..%9 references, parameters
; used as labels, registers, memory operands, sizes and expressions, and the
; same macro name overloaded by parameter count.

bits 32
org 0x00040000

; zero to three registers cleared, %0 picks the path
%macro CLEAR 0-3 eax, ebx, ecx
    xor %1, %1
%if %0 >= 2
    xor %2, %2
%endif
%if %0 == 3
    xor %3, %3
%endif
%endmacro

; 1-2: optional shift count with default 1
%macro SHL_BY 1-2 1
    shl %1, %2
%endmacro

; 2-4: mov with optional offset and size keyword default
%macro LOAD 2-4 0, dword
    mov %1, %4 [%2 + %3]
%endmacro

; greedy: label + any number of db values
%macro BYTES 2+
%1: db %2
%endmacro

; greedy with a fixed first parameter forming an instruction
%macro TWICE 1+
    %1
    %1
%endmacro

; overloaded by parameter count
%macro OUT8 1
    out dx, al
    mov al, %1
%endmacro
%macro OUT8 2
    mov dx, %1
    mov al, %2
    out dx, al
%endmacro

; %0 reported as data
%macro COUNT_ARGS 0-5
    db %0
%endmacro

; nine parameters
%macro NINE 9
    dd %1 + %2 + %3, %4 * %5, %6 - %7, %8 | %9
%endmacro

; parameter used as size keyword and as part of an expression
%macro FILL_MEM 3           ; size, address, value
    mov %1 [%2], (%3) & 0xFF
%endmacro

; parameter used as a condition code suffix
%macro CMOV_IF 3            ; cc, dst, src
    cmov%1 %2, %3
%endmacro

; defaults that refer to equ symbols and expressions
BASE_PORT equ 0x3F8
%macro PORT_WRITE 1-2 BASE_PORT + 1
    mov dx, %2
    mov al, %1
    out dx, al
%endmacro

section .text
start:
    CLEAR
    CLEAR edx
    CLEAR esi, edi
    CLEAR eax, ebx, ebp
    SHL_BY eax
    SHL_BY ebx, 4
    SHL_BY dword [counter], cl
    LOAD eax, table
    LOAD ebx, table, 4
    LOAD cx, table, 8, word
    LOAD dl, esi, ecx*2, byte
    TWICE inc eax
    TWICE add dword [counter], 2
    TWICE push byte -1
    OUT8 0x21, 0xFF
    OUT8 0x1F
    FILL_MEM byte, counter, 0x1FF
    FILL_MEM word, counter + 2, -1
    FILL_MEM dword, edi + 4, 0xAB
    CMOV_IF e, eax, ebx
    CMOV_IF nz, ecx, [counter]
    CMOV_IF ge, si, di
    PORT_WRITE 0x41
    PORT_WRITE 0x42, 0x2F8
    PORT_WRITE 'A' + 1, BASE_PORT
    ret

section .data
counter: dd 0
table:   dd 10, 20, 30, 40
    BYTES greeting, "hello", ',', ' ', 'world', 0
    BYTES single, 1
    BYTES many, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
arg_counts:
    COUNT_ARGS
    COUNT_ARGS 1
    COUNT_ARGS 1, 2
    COUNT_ARGS a, b, c, d, e
nine:
    NINE 1, 2, 3, 4, 5, 6, 7, 8, 9
    NINE 0x10, 0x20, 0x30, 2, 3, 100, 1, 0xF0, 0x0F
