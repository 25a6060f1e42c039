; SYNTAX TEST "source.guest-asm" "preprocessor lines, macro definitions, parameters and invocations"

%define MB_MAGIC 0x1BADB002 ; comment
; <------- meta.preprocessor.define.guest-asm keyword.other.preprocessor.define.guest-asm
;       ^^^^^^^^ meta.preprocessor.define.guest-asm entity.name.function.macro.guest-asm
;                ^^^^^^^^^^ meta.preprocessor.define.guest-asm constant.numeric.hex.guest-asm
;                           ^^^^^^^^^ comment.line.semicolon.guest-asm - meta.preprocessor.define.guest-asm
%xdefine pair(a, b) ((a) << 8 | (b))
; <-------- keyword.other.preprocessor.define.guest-asm
;        ^^^^ entity.name.function.macro.guest-asm
;            ^ punctuation.section.parens.begin.guest-asm
;             ^ variable.parameter.macro.guest-asm
;                ^ variable.parameter.macro.guest-asm
%assign counter counter + 1
; <------- keyword.other.preprocessor.define.guest-asm
;       ^^^^^^^ entity.name.function.macro.guest-asm
%undef MB_MAGIC
; <------ keyword.other.preprocessor.define.guest-asm
%include "multiboot.inc"
; <-------- meta.preprocessor.guest-asm keyword.other.preprocessor.include.guest-asm
;        ^^^^^^^^^^^^^^^ meta.preprocessor.guest-asm string.quoted.double.guest-asm
%ifdef XEN
; <------ meta.preprocessor.guest-asm keyword.other.preprocessor.conditional.guest-asm
%elif PV_LEVEL > 2
; <----- keyword.other.preprocessor.conditional.guest-asm
;                ^ constant.numeric.decimal.guest-asm
%else
; <----- keyword.other.preprocessor.conditional.guest-asm
%endif
; <------ keyword.other.preprocessor.conditional.guest-asm
%ifndef HYPERSTEP
; <------- keyword.other.preprocessor.conditional.guest-asm
%if 1
; <--- keyword.other.preprocessor.conditional.guest-asm
  %endif
; ^^^^^^ keyword.other.preprocessor.conditional.guest-asm
%endif
%rep 20
; <---- meta.preprocessor.guest-asm keyword.other.preprocessor.rep.guest-asm
;    ^^ constant.numeric.decimal.guest-asm
%endrep
; <------- keyword.other.preprocessor.rep.guest-asm
%error "unsupported"
; <------ keyword.other.preprocessor.other.guest-asm

%macro HYPERCALL_INT 1
; <------ meta.preprocessor.macro.guest-asm keyword.other.preprocessor.macro.guest-asm
;      ^^^^^^^^^^^^^ meta.preprocessor.macro.guest-asm entity.name.function.macro.guest-asm
;                    ^ constant.numeric.decimal.guest-asm
    mov eax, %1
;            ^^ variable.parameter.macro.guest-asm
    int 0x82
;   ^^^ keyword.control.instruction.sensitive.guest-asm support.function.instruction.hypercall.guest-asm
    cmp byte [eax + %{1}], 0
;                   ^^^^ variable.parameter.macro.guest-asm
    je %%done
;      ^^^^^^ variable.other.macro-local.guest-asm
    j%+1 %%done
;   ^ keyword.other.instruction.ordinary.guest-asm
;    ^^^ variable.parameter.macro.guest-asm
%%done:
; <------ entity.name.function.label.macro-local.guest-asm
%endmacro
; <--------- meta.preprocessor.guest-asm keyword.other.preprocessor.macro.guest-asm
%imacro save_fl 0-1+ eax
; <------- keyword.other.preprocessor.macro.guest-asm
;       ^^^^^^^ entity.name.function.macro.guest-asm
%endm
; <----- keyword.other.preprocessor.macro.guest-asm

    HYPERCALL_INT 17
;   ^^^^^^^^^^^^^ entity.name.function.macro.invocation.guest-asm
;                 ^^ constant.numeric.decimal.guest-asm
    save_fl
;   ^^^^^^^ entity.name.function.macro.invocation.guest-asm
