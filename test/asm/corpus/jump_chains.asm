; jump_chains.asm - chains of forward jumps whose sizes depend on each
; other: a "domino" chain where the last jump being near forces every
; earlier jump to near, the same chain one byte shorter where all become
; short, interleaved forward/backward jcc with real instructions of varying
; length as padding, and a dispatcher with many jumps to a common exit.

bits 32
org 0x7000

%macro FILL 1
  %rep (%1) / 3
    mov eax, [ebx+4]            ; 3 bytes
  %endrep
  %rep (%1) % 3
    nop
  %endrep
%endmacro

section .text
domino_near:
    ; J_i targets the label just after J_(i+1); gap(J_i) = 123 + size(J_(i+1))
    jmp dn_t1
    FILL 123
    jmp dn_t2
dn_t1:
    FILL 123
    jmp dn_t3
dn_t2:
    FILL 123
    jmp dn_t4
dn_t3:
    FILL 128                    ; the last gap is 128 -> near -> chain is near
dn_t4:

domino_short:
    jz ds_t1
    FILL 123
    jz ds_t2
ds_t1:
    FILL 123
    jz ds_t3
ds_t2:
    FILL 123
    jz ds_t4
ds_t3:
    FILL 127                    ; the last gap is 127 -> short -> chain is short
ds_t4:

mixed:
    ; forward and backward jumps of many distances through real code
    xor ecx, ecx
.top:
    cmp ecx, 100
    jge .out                    ; forward, far
    test ecx, 1
    jnz .odd                    ; forward, short
    add eax, ecx
    jmp .next
.odd:
    sub eax, ecx
    FILL 40
    test eax, eax
    js .neg
    jmp short .next
.neg:
    neg eax
    FILL 90
.next:
    inc ecx
    jmp .top                    ; backward, beyond -128 -> near
.out:
    FILL 10

dispatch:
    ; many jumps to a common exit that sits > 127 bytes past the early ones
    cmp al, 0
    je .exit
    cmp al, 1
    je .exit
    cmp al, 2
    je .case2
    cmp al, 3
    je .case3
    cmp al, 4
    jae .exit
.case2:
    FILL 30
    jmp .exit
.case3:
    FILL 60
    jmp .exit
    FILL 50
.exit:
    ret

backward_mix:
.l0:
    FILL 20
.l1:
    FILL 60
.l2:
    FILL 40
    dec edx
    jnz .l2                     ; -42-ish, short
    dec esi
    jnz .l1                     ; ~-104, short
    dec edi
    jnz .l0                     ; ~-130, near
    loop .l2
    ret

lengths:
    dd dn_t4 - domino_near
    dd ds_t4 - domino_short
    dd dispatch - mixed
