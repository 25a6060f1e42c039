; endif_without_if.asm - conditional-assembly directives without an opening
; %if: a stray %endif, a stray %else and a stray %elif.
bits 32
%define DEBUG 1

%if DEBUG
    nop
%endif
%endif
    ret
%else
    nop
%elif 1
    nop
