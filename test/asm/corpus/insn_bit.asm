; insn_bit.asm - bit instruction sweep: bt bts btr btc with register bit
; index (16/32-bit, reg and mem destinations) and with imm8 index (0F BA
; group), bsf/bsr with register and memory sources, and a bitmap allocator
; (find-first-zero, set, clear) as written in a physical page allocator.

bits 32
org 0x000D0000

BITMAP_DWORDS equ 32

section .text
bt_forms:
    bt eax, ebx
    bt ax, bx
    bt [bitmap], eax
    bt [bitmap], ax
    bt dword [ebx], 31
    bt word [ebx], 15
    bt eax, 0
    bt cx, 7
    bts eax, ecx
    bts si, di
    bts [bitmap], ecx
    bts dword [bitmap + 4], 5
    bts edx, 31
    btr eax, edx
    btr bx, cx
    btr [bitmap], edx
    btr dword [esi + 8], 0
    btr ebp, 16
    btc eax, esi
    btc dx, ax
    btc [bitmap], esi
    btc word [edi], 3
    btc edi, 1

scan_forms:
    bsf eax, ebx
    bsf ax, bx
    bsf ecx, [bitmap]
    bsf cx, [bitmap]
    bsr eax, ebx
    bsr dx, si
    bsr edx, [esi + 4]
    bsr di, [edi]

; allocate one bit: returns index in eax or -1
bitmap_alloc:
    push ebx
    xor ecx, ecx
.scan:
    mov eax, [bitmap + ecx*4]
    not eax
    bsf eax, eax
    jnz .found
    inc ecx
    cmp ecx, BITMAP_DWORDS
    jb .scan
    or eax, -1
    pop ebx
    ret
.found:
    bts [bitmap + ecx*4], eax
    shl ecx, 5
    add eax, ecx
    pop ebx
    ret

; free bit eax
bitmap_free:
    btr [bitmap], eax
    jnc .double_free
    ret
.double_free:
    int3
    ret

; test bit eax; returns 0/1
bitmap_test:
    bt [bitmap], eax
    setc al
    movzx eax, al
    ret

; highest set bit of eax (floor log2), -1 for zero
log2_floor:
    bsr eax, eax
    jnz .done
    mov eax, -1
.done:
    ret

section .bss
alignb 4
bitmap: resd BITMAP_DWORDS
