; unterminated_if.asm - %if and %rep blocks that are never closed; nasm
; reports them at end of file.
bits 32
%define FEATURE 1

%if FEATURE
    nop
%if FEATURE > 1
    hlt
%endif
    ret
