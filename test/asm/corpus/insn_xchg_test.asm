; insn_xchg_test.asm - xchg short forms with the accumulator (90+r) in both
; operand orders for eax and ax, generic xchg (86/87) for 8-bit and other
; register pairs and memory operands in either order, xchg eax,eax; test
; with the accumulator short forms (A8/A9) versus F6/F7 and 84/85 register
; and memory forms in both operand orders; nop, and spinlock code using
; xchg as an implicit lock.

bits 32
org 0x6000

section .text
xchg_forms:
    xchg eax, ebx
    xchg ebx, eax
    xchg eax, ecx
    xchg edx, eax
    xchg eax, esp
    xchg ebp, eax
    xchg eax, esi
    xchg edi, eax
    xchg ax, bx
    xchg cx, ax
    xchg ax, di
    xchg eax, eax
    xchg ax, ax
    xchg al, bl
    xchg cl, al
    xchg ah, al
    xchg bh, dl
    xchg ebx, ecx
    xchg si, di
    xchg [lock_var], eax
    xchg eax, [lock_var]
    xchg [ebx], cl
    xchg dl, [esi + 1]
    xchg [edi + 2], si
    xchg bx, [edi]
    xchg ecx, [ebx + esi*4]

test_forms:
    test al, 1
    test al, 0xFF
    test ax, 1
    test ax, 0x8000
    test eax, 1
    test eax, 0x80000000
    test bl, 1
    test bh, 0x40
    test cx, 0x100
    test edx, 4
    test al, bl
    test eax, eax
    test ebx, ecx
    test si, si
    test [mem], eax
    test eax, [mem]
    test [mem], cl
    test byte [mem], 1
    test word [mem], 0x100
    test dword [mem], 0x10000
    test dword [ebx + ecx*4 + 8], 3

nops:
    nop
    xchg eax, eax

; spinlock acquire/release with xchg (implicitly locked on memory)
spin_lock:
    mov eax, 1
.retry:
    xchg eax, [lock_var]
    test eax, eax
    jz .acquired
.wait:
    pause
    test dword [lock_var], 1
    jnz .wait
    jmp .retry
.acquired:
    ret

spin_unlock:
    xor eax, eax
    xchg [lock_var], eax
    ret

section .data
align 4
lock_var: dd 0
mem:      dd 0
