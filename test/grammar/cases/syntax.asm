; SYNTAX TEST "source.guest-asm" "labels, directives, registers, size keywords, strings, comments, macros"

; ---- comments
; a whole-line comment
; <- comment.line.semicolon.guest-asm punctuation.definition.comment.guest-asm
    mov eax, 1 ; trailing comment with 'quotes' and cs
;              ^ comment.line.semicolon.guest-asm punctuation.definition.comment.guest-asm
;                                     ^^^^^^^^ comment.line.semicolon.guest-asm - string.quoted.single.guest-asm

; ---- labels
lib_init:
; <-------- entity.name.function.label.guest-asm
;       ^ punctuation.separator.label.guest-asm
.reload:
; <------- entity.name.function.label.local.guest-asm
..@vec_1:
; <-------- entity.name.function.label.special.guest-asm
..start:
; <------- entity.name.function.label.special.guest-asm
%%done:
; <------ entity.name.function.label.macro-local.guest-asm
msg db 'hi', 0
; <--- entity.name.function.label.guest-asm
;   ^^ keyword.directive.data.guest-asm
COM1 equ 0x3F8
; <---- entity.name.function.label.guest-asm
;    ^^^ keyword.directive.equ.guest-asm
.field resd 1
; <------ entity.name.function.label.local.guest-asm
;      ^^^^ keyword.directive.reserve.guest-asm
table: times 6 db 0
; <----- entity.name.function.label.guest-asm
;      ^^^^^ keyword.directive.times.guest-asm
;              ^^ keyword.directive.data.guest-asm

; ---- directives
bits 32
; <---- keyword.directive.bits.guest-asm
;    ^^ constant.numeric.decimal.guest-asm
[bits 16]
; <- punctuation.definition.directive.begin.guest-asm
;^^^^ keyword.directive.bits.guest-asm
;       ^ punctuation.definition.directive.end.guest-asm
use32
; <----- keyword.directive.bits.guest-asm
org 0x100000
; <--- keyword.directive.org.guest-asm
section .text
; <------- keyword.directive.section.guest-asm
;       ^^^^^ entity.name.section.guest-asm
segment .bss nobits
; <------- keyword.directive.section.guest-asm
;       ^^^^ entity.name.section.guest-asm
[section .data]
;^^^^^^^ keyword.directive.section.guest-asm
;        ^^^^^ entity.name.section.guest-asm
    align 8
;   ^^^^^ keyword.directive.align.guest-asm
    alignb 4
;   ^^^^^^ keyword.directive.align.guest-asm
global _start
; <------ keyword.directive.symbol.guest-asm
extern lib_init
; <------ keyword.directive.symbol.guest-asm
absolute 0x1000
; <-------- keyword.directive.other.guest-asm
cpu 386
; <--- keyword.directive.other.guest-asm
    incbin "blob.bin"
;   ^^^^^^ keyword.directive.other.guest-asm
struc point
; <----- keyword.directive.struc.guest-asm
endstruc
; <-------- keyword.directive.struc.guest-asm
    db 1, 2
;   ^^ keyword.directive.data.guest-asm
    dw 1
;   ^^ keyword.directive.data.guest-asm
    dd 1
;   ^^ keyword.directive.data.guest-asm
    dq 1
;   ^^ keyword.directive.data.guest-asm
    dt 1
;   ^^ keyword.directive.data.guest-asm
    resb 4096
;   ^^^^ keyword.directive.reserve.guest-asm
    resw 1
;   ^^^^ keyword.directive.reserve.guest-asm
    resd 1
;   ^^^^ keyword.directive.reserve.guest-asm
    resq 1
;   ^^^^ keyword.directive.reserve.guest-asm
    times 510 - ($ - $$) db 0
;   ^^^^^ keyword.directive.times.guest-asm
;                ^ variable.language.here.guest-asm
;                    ^^ variable.language.section-start.guest-asm
;                        ^^ keyword.directive.data.guest-asm
    dd __?FILE?__, __LINE__
;      ^^^^^^^^^^ support.constant.builtin.guest-asm
;                  ^^^^^^^^ support.constant.builtin.guest-asm

; ---- registers by kind
    mov al, ah
;       ^^ variable.other.register.general.guest-asm
;           ^^ variable.other.register.general.guest-asm
    mov ax, bx
;       ^^ variable.other.register.general.guest-asm
    mov esp, ebp
;       ^^^ variable.other.register.general.guest-asm
;            ^^^ variable.other.register.general.guest-asm
    push fs
;        ^^ variable.other.register.segment.guest-asm
    mov cr4, eax
;       ^^^ variable.other.register.control.guest-asm
    mov cr2, eax
;       ^^^ variable.other.register.control.guest-asm
    mov dr0, eax
;       ^^^ variable.other.register.debug.guest-asm
    mov tr7, eax
;       ^^^ variable.other.register.test.guest-asm
    mov eax, $eax
;            ^^^^ - variable.other.register.general.guest-asm

; ---- size and jump keywords, operators, memory operands
    mov byte [ebx + ecx * 4 + 8], 0
;       ^^^^ storage.type.size.guest-asm
;            ^ punctuation.definition.memory.begin.guest-asm
;                 ^ keyword.operator.guest-asm
;                              ^ punctuation.definition.memory.end.guest-asm
;                               ^ punctuation.separator.comma.guest-asm
    mov word [x], 1
;       ^^^^ storage.type.size.guest-asm
    mov dword [x], 1
;       ^^^^^ storage.type.size.guest-asm
    cmpxchg8b qword [x]
;             ^^^^^ storage.type.size.guest-asm
    dt tword 0
;      ^^^^^ storage.type.size.guest-asm
    jmp near .next
;       ^^^^ storage.modifier.distance.guest-asm
    jmp short .next
;       ^^^^^ storage.modifier.distance.guest-asm
    push strict dword 1
;        ^^^^^^ storage.modifier.strict.guest-asm
;               ^^^^^ storage.type.size.guest-asm
    mov ax, seg lib_init
;           ^^^ keyword.operator.word.guest-asm
    and eax, ~2 << 1
;            ^ keyword.operator.guest-asm
;             ^ constant.numeric.decimal.guest-asm
;               ^^ keyword.operator.guest-asm

; ---- strings and character constants
    db 'single', "double", `back\n\x41\101\u263a\``
;      ^ string.quoted.single.guest-asm punctuation.definition.string.begin.guest-asm
;       ^^^^^^ string.quoted.single.guest-asm
;             ^ string.quoted.single.guest-asm punctuation.definition.string.end.guest-asm
;                ^^^^^^^^ string.quoted.double.guest-asm
;                          ^ string.quoted.other.backquote.guest-asm punctuation.definition.string.begin.guest-asm
;                           ^^^^ string.quoted.other.backquote.guest-asm - constant.character.escape.guest-asm
;                               ^^ string.quoted.other.backquote.guest-asm constant.character.escape.guest-asm
;                                 ^^^^ constant.character.escape.guest-asm
;                                     ^^^^ constant.character.escape.guest-asm
;                                         ^^^^^^ constant.character.escape.guest-asm
;                                               ^^ constant.character.escape.guest-asm
;                                                 ^ string.quoted.other.backquote.guest-asm punctuation.definition.string.end.guest-asm
    db 'no \n escapes; here'
;      ^^^^^^^^^^^^^^^^^^^^^ string.quoted.single.guest-asm - constant.character.escape.guest-asm comment.line.semicolon.guest-asm
    mov al, 'a'
;           ^^^ string.quoted.single.guest-asm
    cmp eax, 'ABCD'
;            ^^^^^^ string.quoted.single.guest-asm

; ---- macro invocations (an identifier in mnemonic position that is not an instruction)
    MULTIBOOT_HEADER
;   ^^^^^^^^^^^^^^^^ entity.name.function.macro.invocation.guest-asm
    irq_disable
;   ^^^^^^^^^^^ entity.name.function.macro.invocation.guest-asm
    HYPERCALL __HYPERVISOR_sched_op
;   ^^^^^^^^^ entity.name.function.macro.invocation.guest-asm
;             ^^^^^^^^^^^^^^^^^^^^^ - entity.name.function.macro.invocation.guest-asm
LIB_BSS
; <------- entity.name.function.macro.invocation.guest-asm
