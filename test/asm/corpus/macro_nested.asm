; macro_nested.asm - macros that invoke other macros several levels deep,
; each level with its own %% local labels; parameters forwarded through
; levels (%1, %2 passed on, braces-free expression arguments), macros that
; expand to %rep/%if blocks, a macro-generated state machine, and function-
; like %define used inside macro bodies.

bits 32
org 0x00030000

%define REG_OF(n) [regs + (n) * 4]

; level 1: compare and branch to a local label
%macro CMP_JMP 3            ; a, b, target
    cmp %1, %2
    je %3
%endmacro

; level 2: bounded loop with its own labels, body given as a macro name
%macro BOUNDED_LOOP 2       ; count, step
    mov ecx, %1
%%top:
    CMP_JMP ecx, 0, %%done
    add eax, %2
    dec ecx
    jmp %%top
%%done:
%endmacro

; level 3: two loops plus a guard
%macro DOUBLE_LOOP 3        ; count1, count2, step
    push ecx
    BOUNDED_LOOP %1, %3
    BOUNDED_LOOP %2, (%3) * 2
    pop ecx
    test eax, eax
    jnz %%nonzero
    inc eax
%%nonzero:
%endmacro

; level 4: register save wrapper around arbitrary level-3 expansions
%macro WITH_SAVED 1
    push ebx
    push esi
    mov ebx, %1
    DOUBLE_LOOP ebx, 3, 1
    pop esi
    pop ebx
%endmacro

; macro that expands a %rep of another macro
%macro STORE_REG 2          ; index, value
    mov dword REG_OF(%1), %2
%endmacro

%macro CLEAR_REGS 1
%assign ci 0
%rep %1
    STORE_REG ci, 0
%assign ci ci + 1
%endrep
%endmacro

; state machine: each STATE defines a label, a compare and a transition
%macro STATE 3              ; name, input char, next state
state_%1:
    lodsb
    test al, al
    jz sm_accept
    cmp al, %2
    jne sm_reject
    jmp state_%3
%endmacro

%macro GUARDED 2+           ; condition value, instruction... (greedy)
%if %1
    %2
%else
    nop
%endif
%endmacro

section .text
entry:
    xor eax, eax
    DOUBLE_LOOP 4, 5, 7
    DOUBLE_LOOP 1, 1, 0x10
    WITH_SAVED 10
    WITH_SAVED edx
    CLEAR_REGS 8
    STORE_REG 3, eax
    STORE_REG 7, 0x12345678
    GUARDED 1, inc eax
    GUARDED 0, dec eax
    GUARDED 2 > 1, shl eax, 1
    mov esi, input
    jmp state_a

    STATE a, 'h', b
    STATE b, 'y', c
    STATE c, 'p', d
    STATE d, 'e', e
    STATE e, 'r', a

sm_accept:
    mov eax, 1
    ret
sm_reject:
    xor eax, eax
    ret

section .data
input: db "hyperhyper", 0
regs:  times 8 dd 0xFFFFFFFF
