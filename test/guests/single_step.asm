; single_step — #DB single-step traps with EFLAGS.TF: the trap comes after the instruction
; following the POPF that set TF, then after every instruction (taken and not-taken branches,
; LOOP iterations, CALL/RET, PUSHF shows TF=1, each iteration of a REP MOVSB with EIP staying on
; the REP until the last one), after the POPF that clears TF; an IRET that sets TF (first trap
; after the next instruction); DR6.BS is set.
; Not covered, on purpose: an exception or INT n taken while TF=1. After such a handler IRETs
; back with TF=1, QEMU 7.2 raises a #DB at the return address before executing anything there
; (the SDM has no such trap), so those cases are not comparable.
; Prints the number of traps and each trap EIP as an offset from the start of the sequence.
%include "include/guest.inc"

MAX_STEPS equ 64

main:
    mov dword [vec_hook + 1*4], db_hook
    xor eax, eax
    mov dr6, eax

    PRINTLN "sequence 1:"
    mov dword [nsteps], 0
    mov esi, src
    mov edi, dst
    pushfd
    or dword [esp], FL_TF
    popfd
seq1:
    mov eax, 1                          ; first trap after this one
    add eax, 2
    cmp eax, 3
    jne .skip                           ; not taken
    jmp .over                           ; taken
.skip:
    nop
.over:
    mov ecx, 3
.lp:
    loop .lp                            ; 3 traps, last one falls through
    call .fn
    pushfd
    pop ebx                             ; TF visible in the image
    mov ecx, 3
    rep movsb                           ; a trap per iteration
    push dword 0x002
    popfd                               ; clears TF: one more trap after it
seq1_end:
    mov [tf_seen], ebx
    call show_steps
    PRINT " pushf saw tf="
    mov eax, [tf_seen]
    shr eax, 8
    and eax, 1
    DEC32 eax
    PRINT " dr6 bs="
    mov eax, [dr6_first]
    and eax, 0x4000
    HEX16 ax
    PRINT " copied="
    mov esi, dst
    mov ecx, 3
    call hexdump
    PRINTLN
    jmp seq2_start

seq1.fn:
    nop
    ret

seq2_start:
    PRINTLN "sequence 2 (IRET sets TF; REP with ECX=0):"
    mov dword [nsteps], 0
    xor ecx, ecx
    mov edi, dst
    pushfd
    or dword [esp], FL_TF
    push cs
    push dword seq2
    iretd                               ; no trap after the IRET itself
seq2:
    nop
    rep stosb                           ; no iteration: one trap after it
    xchg eax, eax
    push dword 0x002
    popfd
    call show_steps
    PRINTLN

    PRINTLN "single_step done"
    mov eax, [total_steps]
    ret

db_hook:
    mov eax, dr6
    cmp dword [total_steps], 0
    jne .not_first
    mov [dr6_first], eax
.not_first:
    xor eax, eax
    mov dr6, eax
    inc dword [total_steps]
    mov ecx, [nsteps]
    cmp ecx, MAX_STEPS
    jae .full
    mov eax, [ebp + F_EIP]
    mov [step_eip + ecx*4], eax
    inc dword [nsteps]
    ret
.full:
    and dword [ebp + F_EFLAGS], ~FL_TF  ; runaway: stop stepping
    ret

; prints " N traps:" and each EIP relative to the sequence's first instruction (seq1 or seq2)
show_steps:
    pushad
    PRINT " "
    DEC32 [nsteps]
    PRINT " traps:"
    xor ecx, ecx
.l:
    cmp ecx, [nsteps]
    jae .done
    call putsp
    mov eax, [step_eip + ecx*4]
    mov ebx, seq1
    cmp eax, seq2_start
    jb .rel
    mov ebx, seq2
.rel:
    sub eax, ebx
    HEX16 ax
    inc ecx
    jmp .l
.done:
    popad
    ret

section .data
align 4
nsteps:      dd 0
total_steps: dd 0
tf_seen:     dd 0
dr6_first:   dd 0
src:         db 0x61, 0x62, 0x63, 0
dst:         dd 0

section .bss
step_eip:    resd MAX_STEPS

GUEST_END
