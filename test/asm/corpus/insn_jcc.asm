; insn_jcc.asm - conditional and unconditional control transfer sweep:
; every jcc mnemonic and alias as short forward, short backward, near
; forward (target > 127 bytes away), near backward, and with explicit
; short / near keywords; loop loope loopz loopne loopnz jecxz jcxz (with the
; address-size prefix in 32-bit code); jmp/call direct, register and memory
; indirect; and the same jcc set in 16-bit code (rel16 near forms).

bits 32
org 0xA000

%macro JCC_ALL 1
    jo %1
    jno %1
    jb %1
    jc %1
    jnae %1
    jae %1
    jnb %1
    jnc %1
    je %1
    jz %1
    jne %1
    jnz %1
    jbe %1
    jna %1
    ja %1
    jnbe %1
    js %1
    jns %1
    jp %1
    jpe %1
    jnp %1
    jpo %1
    jl %1
    jnge %1
    jge %1
    jnl %1
    jle %1
    jng %1
    jg %1
    jnle %1
%endmacro

section .text
back_short:
    nop
    JCC_ALL back_short          ; all within -128: short backward
    JCC_ALL fwd_short           ; 30 x 2 bytes = 60 for the first: short
fwd_short:
    JCC_ALL fwd_near            ; target beyond 127 bytes: near forward
    times 100 nop
fwd_near:
    JCC_ALL back_short          ; far behind: near backward

explicit:
    JCC_ALL short explicit_end
explicit_end:
    JCC_ALL near explicit_end2
explicit_end2:

loops:
    mov ecx, 10
.l1:
    loop .l1
.l2:
    loope .l2
.l3:
    loopz .l3
.l4:
    loopne .l4
.l5:
    loopnz .l5
    jecxz .l6
    jcxz .l6
.l6:
    a16 loop .l6
    a32 loop .l6

direct:
    jmp direct_target
    jmp short direct_target
    jmp near direct_target
    call direct_target
    call near direct_target
direct_target:

indirect:
    jmp eax
    jmp ebx
    jmp [eax]
    jmp [ebx + ecx*4]
    jmp [jump_table + eax*4]
    jmp dword [jump_table]
    jmp [jump_table]
    call eax
    call esi
    call [esi]
    call [ebp + 8]
    call dword [jump_table + 4]
    call [fs:0x10]
    jmp [gs:eax]
    ret

bits 16
jcc16:
.back:
    JCC_ALL .back
    JCC_ALL .fwd
.fwd:
    JCC_ALL .far
    times 130 nop
.far:
    jcxz .far
    jecxz .far
    loop .far
    jmp .back
    jmp ax
    jmp [bx]
    jmp word [bx + si]
    call bx
    call [bp + 2]
    ret

section .data
jump_table: dd direct, indirect, loops, explicit
