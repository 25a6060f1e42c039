; stray_block_ends.asm - block-closing directives with nothing to close: a
; stray %endmacro, a stray %endrep, and endstruc without struc.
bits 32

%macro PUSH_TWO 2
    push %1
    push %2
%endmacro

    PUSH_TWO eax, ebx
%endmacro
%rep 2
    nop
%endrep
%endrep
    endstruc
    ret
