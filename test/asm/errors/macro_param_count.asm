; macro_param_count.asm - invoking multi-line macros with the wrong number
; of parameters: too many for a fixed count, too few, and too many for a
; range with defaults.
bits 32

%macro OUTB 2
    mov dx, %1
    mov al, %2
    out dx, al
%endmacro

%macro CLEAR 1-2 eax
    xor %1, %1
    xor %2, %2
%endmacro

    OUTB 0x3F8, 'A'
    OUTB 0x3F8, 'A', 'B'
    OUTB 0x3F8
    CLEAR ebx
    CLEAR ebx, ecx, edx
    ret
