; insn_atomic.asm - atomic and synchronisation instructions: lock prefix on
; add/sub/inc/dec/and/or/xor/not/neg/adc/sbb/bts/btr/btc/xadd/cmpxchg with
; memory destinations, cmpxchg with 8/16/32-bit registers, cmpxchg8b, xadd
; in all sizes, bswap on every 32-bit register, pause, and lock-free
; primitives: atomic counters, compare-and-swap loops, a ticket lock and a
; 64-bit atomic read using cmpxchg8b.

bits 32
org 0x00120000

section .text
locked_alu:
    lock add [counter], eax
    lock add dword [counter], 1
    lock sub dword [counter], 1
    lock inc dword [counter]
    lock dec dword [counter]
    lock inc word [counter16]
    lock dec byte [flag8]
    lock and [flags], eax
    lock or dword [flags], 0x80
    lock xor byte [flag8], 1
    lock not dword [flags]
    lock neg dword [counter]
    lock adc [counter], ecx
    lock sbb [counter], edx
    lock bts dword [flags], 3
    lock btr [flags], eax
    lock btc dword [flags], 31
    lock xadd [counter], eax
    lock cmpxchg [counter], ecx
    lock cmpxchg8b [value64]

cmpxchg_forms:
    cmpxchg bl, cl
    cmpxchg [flag8], dl
    cmpxchg bx, cx
    cmpxchg [counter16], si
    cmpxchg ebx, ecx
    cmpxchg [counter], edi
    cmpxchg [ebx + ecx*4 + 8], eax
    cmpxchg8b [esi]
    cmpxchg8b [value64]
    cmpxchg8b [ebp - 8]

xadd_forms:
    xadd al, bl
    xadd [flag8], cl
    xadd ax, dx
    xadd [counter16], bx
    xadd eax, ebx
    xadd [counter], esi

bswap_forms:
    bswap eax
    bswap ecx
    bswap edx
    bswap ebx
    bswap esp
    bswap ebp
    bswap esi
    bswap edi

; uint32 atomic_inc_return(uint32 *p)
atomic_inc_return:
    mov edx, [esp + 4]
    mov eax, 1
    lock xadd [edx], eax
    inc eax
    ret

; bool cas(uint32 *p, uint32 old, uint32 new)
cas32:
    mov edx, [esp + 4]
    mov eax, [esp + 8]
    mov ecx, [esp + 12]
    lock cmpxchg [edx], ecx
    sete al
    movzx eax, al
    ret

; atomic max: *p = max(*p, ecx)
atomic_max:
    mov edx, [esp + 4]
    mov ecx, [esp + 8]
    mov eax, [edx]
.retry:
    cmp eax, ecx
    jae .done
    lock cmpxchg [edx], ecx
    jnz .retry
.done:
    ret

; ticket lock: [lock_next] / [lock_owner]
ticket_lock:
    mov eax, 1
    lock xadd [lock_next], eax
.spin:
    cmp [lock_owner], eax
    je .got
    pause
    jmp .spin
.got:
    ret
ticket_unlock:
    lock inc dword [lock_owner]
    ret

; 64-bit atomic read: edx:eax = *value64
atomic_read64:
    push ebx
    push ecx
    xor eax, eax
    xor edx, edx
    xor ebx, ebx
    xor ecx, ecx
    lock cmpxchg8b [value64]
    pop ecx
    pop ebx
    ret

; 64-bit atomic add of ecx:ebx
atomic_add64:
    push esi
    push edi
    mov esi, ebx
    mov edi, ecx
    mov eax, [value64]
    mov edx, [value64 + 4]
.retry:
    mov ebx, eax
    mov ecx, edx
    add ebx, esi
    adc ecx, edi
    lock cmpxchg8b [value64]
    jnz .retry
    pop edi
    pop esi
    ret

section .data
align 8
value64:    dq 0
counter:    dd 0
flags:      dd 0
lock_next:  dd 0
lock_owner: dd 0
counter16:  dw 0
flag8:      db 0
