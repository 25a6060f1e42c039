; include_error.asm - the error is inside an included file (bad_macros.inc
; in errors/include): its macro body uses an invalid operand combination
; and its last line references an undefined symbol.
bits 32

%include "bad_macros.inc"

start:
    SET_DS
    ret
