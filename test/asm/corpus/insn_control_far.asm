; insn_control_far.asm - far and privileged control transfers: direct far
; jmp/call with selector:offset (constants, labels and equ selectors),
; indirect far jmp/call through m16:32 and m16:16 pointers (jmp far [mem],
; call far [mem], far word / far dword), retf and retf imm16, iret/iretd/
; iretw, int n/int3/into, bound with 16/32-bit operands, and the same
; transfers from 16-bit code (rel16 offsets, dword far pointers).

bits 32
org 0x00110000

KCODE equ 0x08
UCODE equ 0x1B
CODE16 equ 0x28

section .text
direct_far:
    jmp KCODE:far_target
    jmp 0x08:0x00110000
    jmp UCODE:0
    call KCODE:far_target
    call 0x10:0x12345678
    jmp word 0x28:0x1234        ; 16-bit offset form (o16 prefix)
    call word CODE16:0x100

indirect_far:
    jmp far [far_ptr32]
    call far [far_ptr32]
    jmp far [ebx]
    call far [ebx + 8]
    jmp far dword [far_ptr32]
    call far dword [esi + ecx*8]
    jmp far word [far_ptr16]
    call far word [far_ptr16]
    jmp far [fs:0x100]

far_target:
    retf
    retf 8
    retf 0x100
    o16 retf

interrupts:
    int 0x21
    int 0x80
    int3
    into
    iret
    iretd
    iretw

bounds:
    bound eax, [bounds32]
    bound ax, [bounds16]
    bound ecx, [ebx + 8]

; a far call through a call gate selector stored in memory
gate_call:
    call far [gate_ptr]
    ret

bits 16
from16:
    jmp 0x08:0x0010
    jmp CODE16:from16 - $$
    call 0x08:0x0010
    jmp dword KCODE:0x00110000
    call dword KCODE:far_target
    jmp far [far_ptr16]
    call far [far_ptr16]
    jmp far dword [far_ptr32]
    call far dword [bx + si]
    jmp far [bp + 4]
    retf
    retf 2
    o32 retf
    iret
    iretd
    bound ax, [bounds16]
    bound eax, [bounds32]
    into
    int 0x10
    ret

section .data
align 4
far_ptr32:  dd far_target
            dw KCODE
far_ptr16:  dw 0x1234
            dw CODE16
gate_ptr:   dd 0
            dw 0x48 | 3
bounds32:   dd -10, 10
bounds16:   dw 0, 100
