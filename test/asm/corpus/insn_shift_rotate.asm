; insn_shift_rotate.asm - shift and rotate sweep: rol ror rcl rcr shl sal
; shr sar, each by 1 (D0/D1 short form), by cl (D2/D3) and by imm8 (C0/C1)
; on 8/16/32-bit registers and byte/word/dword memory; explicit "1" versus
; an equ that evaluates to 1; shld/shrd with imm8 and cl on registers and
; memory; and shift idioms from real code (multiply/divide by powers of 2).

bits 32
org 0x2000

ONE   equ 1
SHIFT equ 4

%macro SHIFT_FORMS 1
    %1 al, 1
    %1 bl, cl
    %1 ch, 3
    %1 ax, 1
    %1 dx, cl
    %1 si, 15
    %1 eax, 1
    %1 ebx, cl
    %1 ecx, 31
    %1 ebp, ONE
    %1 edi, SHIFT
    %1 byte [byte_var], 1
    %1 byte [ebx + 2], cl
    %1 byte [esi], 7
    %1 word [word_var], 1
    %1 word [edi + ecx*2], cl
    %1 word [ebp - 2], 8
    %1 dword [dword_var], 1
    %1 dword [eax + ebx], cl
    %1 dword [esp + 4], 16
%endmacro

section .text
f_rol: SHIFT_FORMS rol
f_ror: SHIFT_FORMS ror
f_rcl: SHIFT_FORMS rcl
f_rcr: SHIFT_FORMS rcr
f_shl: SHIFT_FORMS shl
f_sal: SHIFT_FORMS sal
f_shr: SHIFT_FORMS shr
f_sar: SHIFT_FORMS sar

double_shifts:
    shld eax, ebx, 4
    shld eax, ebx, cl
    shld ax, bx, 1
    shld ax, bx, cl
    shld [dword_var], edx, 8
    shld [word_var], dx, cl
    shrd eax, edx, 31
    shrd eax, edx, cl
    shrd si, di, 2
    shrd [dword_var], ecx, cl
    shrd [ebx + 4], eax, 12

idioms:
    shl eax, 2                  ; * 4
    lea eax, [eax*8]            ; * 8 without flags
    sar edx, 31                 ; sign mask
    shr ecx, 1                  ; / 2
    shr ecx, 2                  ; dword count from bytes
    rol eax, 8
    ror eax, 16                 ; swap halves
    rol ax, 8                   ; swap bytes
    rcl edx, 1                  ; 64-bit shift: shl eax,1 / rcl edx,1
    rcr ebx, 1
    shl dword [dword_var], 1
    sar byte [byte_var], 1
    ret

section .data
byte_var:  db 0x81
word_var:  dw 0x8001
dword_var: dd 0x80000001
