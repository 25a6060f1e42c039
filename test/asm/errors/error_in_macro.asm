; error_in_macro.asm - errors that only appear when a macro is expanded:
; an invalid operand combination produced by a parameter, an undefined
; symbol built from a parameter, and a bad instruction inside a %rep.
bits 32

%macro LOAD_SEG 2
    mov %1, %2
%endmacro

%macro CALL_HANDLER 1
    call handler_%1
%endmacro

handler_ok:
    ret

start:
    LOAD_SEG ax, 0x10
    LOAD_SEG ds, ax
    LOAD_SEG eax, bl
    CALL_HANDLER ok
    CALL_HANDLER missing
%rep 2
    add eax, cl
%endrep
    ret
