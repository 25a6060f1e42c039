; insn_alu.asm - ALU instruction family sweep (add or adc sbb and sub xor
; cmp) over every operand form: reg,reg for 8/16/32-bit registers, reg,mem
; and mem,reg, accumulator short forms (al,imm8 / ax,imm16 / eax,imm32)
; versus the generic group-1 forms, sign-extended imm8 (83 /r) versus full
; immediates, memory destinations with byte/word/dword size keywords, and
; strict overrides that defeat the imm8 optimisation.

bits 32
org 0x00400000

%macro ALU_FORMS 1
    ; register, register
    %1 al, bl
    %1 ah, ch
    %1 dl, dh
    %1 ax, bx
    %1 si, di
    %1 eax, ebx
    %1 esp, ebp
    %1 edi, esi
    ; register, memory / memory, register
    %1 cl, [ebx]
    %1 cx, [ebx + 4]
    %1 ecx, [ebx + esi*2 + 8]
    %1 [edi], dl
    %1 [edi + 0x100], dx
    %1 [var32], edx
    ; accumulator with immediates
    %1 al, 5
    %1 ax, 1000
    %1 eax, 1000
    %1 eax, 5                   ; imm8 sign-extended wins over accumulator form
    %1 ax, 5
    ; other registers with immediates
    %1 bl, 5
    %1 bh, 0xFF
    %1 bx, 5
    %1 bx, 1000
    %1 ebx, 5
    %1 ebx, 1000
    %1 ebx, -1
    %1 ebp, -128
    %1 esp, 127
    ; memory with immediates
    %1 byte [var8], 1
    %1 word [var16], 1
    %1 word [var16], 0x1234
    %1 dword [var32], 1
    %1 dword [var32], 0x12345678
    %1 dword [ebx + ecx*4], -2
    %1 byte [esi + 1], 0x80
    ; strict overrides
    %1 eax, strict dword 5
    %1 ebx, strict dword 5
    %1 dword [var32], strict dword 1
    %1 ax, strict word 5
    %1 ecx, strict byte 5
%endmacro

section .text
alu_add: ALU_FORMS add
alu_or:  ALU_FORMS or
alu_adc: ALU_FORMS adc
alu_sbb: ALU_FORMS sbb
alu_and: ALU_FORMS and
alu_sub: ALU_FORMS sub
alu_xor: ALU_FORMS xor
alu_cmp: ALU_FORMS cmp

explicit:
    ; hand-written forms as they appear in real code
    add eax, 1000
    add ebx, 5
    add al, 5
    add esp, 16
    sub esp, 0x200
    and esp, -16
    and eax, 0xFFFFF000
    or eax, 0x80000000
    xor eax, eax
    xor al, al
    cmp eax, -1
    cmp byte [esi], 0
    cmp dword [ebp + 8], 0
    cmp word [ebp - 2], 0x7FFF
    sbb eax, eax
    adc edx, 0
    adc byte [carry], 0
    sub dword [esp + 4], 1
    add [counter], eax
    or [flags], cl
    and [flags], byte 0x7F
    xor [mask], word 0x00FF
    ret

section .data
var8:    db 0
var16:   dw 0
var32:   dd 0
carry:   db 0
counter: dd 0
flags:   db 0
mask:    dw 0
