; missing_endmacro.asm - a multi-line macro whose %endmacro is missing; the
; rest of the file is swallowed into the definition and nasm reports the
; end of file while still defining the macro.
bits 32

%macro SAVE_ALL 0
    pushad
    push ds
    push es

start:
    SAVE_ALL
    hlt
    jmp start
