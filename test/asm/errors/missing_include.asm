; missing_include.asm - %include of a file that exists in no include path;
; this is fatal in nasm, so nothing after it is reported.
bits 32

%include "does_not_exist.inc"

    mov eax, undefined_after_include
    ret
