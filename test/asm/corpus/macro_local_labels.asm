; macro_local_labels.asm - %% macro-local labels: multiple expansions of the
; same macro each getting unique labels, forward and backward references
; to %% labels, inline strings skipped by a call to a %% label (PRINT
; idiom), %% labels for data in another section, %% labels not disturbing
; the surrounding .local label scope, and per-iteration %% labels in %rep
; via a helper macro.

bits 32
org 0x00050000

; inline string: call over the data, pop its address
%macro PRINT 1
    call %%after
%%str:
    db %1, 0
%%after:
    pop esi
    call puts
%endmacro

; assert that eax == value, otherwise trap with the line number
%macro ASSERT_EQ 2
    cmp eax, %1
    je %%ok
    mov edx, %2
    int3
%%ok:
%endmacro

; min/max with conditional jumps over single instructions
%macro MIN 2
    cmp %1, %2
    jle %%keep
    mov %1, %2
%%keep:
%endmacro

%macro MAX 2
    cmp %1, %2
    jge %%keep
    mov %1, %2
%%keep:
%endmacro

; spin-wait with timeout: backward and forward %% references
%macro WAIT_BIT 3           ; port, mask, timeout
    mov ecx, %3
%%poll:
    in al, %1
    test al, %2
    jnz %%ready
    dec ecx
    jnz %%poll
    stc
    jmp short %%exit
%%ready:
    clc
%%exit:
%endmacro

; put a constant in .data and load its address, then return to .text
%macro CONST_STR 2          ; register, string
section .data
%%s: db %2, 0
section .text
    mov %1, %%s
%endmacro

section .text
main:
    PRINT "first"
    PRINT 'second'
    PRINT `third\n`
.loop:                              ; .loop belongs to main
    mov eax, 5
    MIN eax, 3
    MAX eax, 10
    ASSERT_EQ 10, 100
    MIN eax, ebx
    MAX eax, [limit]
    WAIT_BIT 0x64, 1, 1000
    jc .timeout                     ; still main.timeout after %% labels
    WAIT_BIT 0x64, 2, 0x10000
    jc .timeout
    CONST_STR esi, "from data"
    call puts
    CONST_STR edi, `another\tone`
    dec dword [iterations]
    jnz .loop
    ret
.timeout:
    PRINT "timeout"
    mov eax, -1
    ret

; a %rep body repeats the same %% label, so each iteration invokes a
; helper macro to get a fresh set of %% labels per iteration
%macro CHECK_ONE 1
    cmp byte [flags + %1], 0
    jz %%next
    inc edx
%%next:
%endmacro

%macro CHECK_ALL 1
%assign ci 0
%rep %1
    CHECK_ONE ci
%assign ci ci + 1
%endrep
%endmacro

count_flags:
    xor edx, edx
    CHECK_ALL 4
    mov eax, edx
    ret

puts:
    push eax
.next:
    lodsb
    test al, al
    jz .done
    out 0xE9, al                    ; debug console port
    jmp .next
.done:
    pop eax
    ret

section .data
limit:      dd 7
iterations: dd 3
flags:      db 1, 0, 1, 1
