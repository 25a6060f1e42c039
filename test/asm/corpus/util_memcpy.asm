; util_memcpy.asm - memory block routines: memcpy with rep movsd plus a
; byte tail, memmove with backward copy under std/cld, memset with the byte
; replicated into a dword by imul, memset16/memset32, aligned head/body/tail
; copying, zeroing pages with rep stosd, segment-override string ops
; (es/fs destinations via bracket form), and bswap-based endian copy.

bits 32
org 0x00400000

section .text

; void *memcpy(void *dst, const void *src, size_t n)
memcpy:
    push esi
    push edi
    mov edi, [esp + 12]
    mov esi, [esp + 16]
    mov ecx, [esp + 20]
    mov eax, edi
    mov edx, ecx
    shr ecx, 2
    rep movsd
    mov ecx, edx
    and ecx, 3
    rep movsb
    pop edi
    pop esi
    ret

; void *memmove(void *dst, const void *src, size_t n)
memmove:
    push esi
    push edi
    mov edi, [esp + 12]
    mov esi, [esp + 16]
    mov ecx, [esp + 20]
    mov eax, edi
    cmp edi, esi
    jbe .forward
    lea edx, [esi + ecx]
    cmp edi, edx
    jae .forward
    ; overlapping, copy backwards
    lea esi, [esi + ecx - 1]
    lea edi, [edi + ecx - 1]
    std
    rep movsb
    cld
    jmp short .out
.forward:
    cld
    mov edx, ecx
    shr ecx, 2
    rep movsd
    mov ecx, edx
    and ecx, 3
    rep movsb
.out:
    pop edi
    pop esi
    ret

; void *memset(void *dst, int c, size_t n)
memset:
    push edi
    mov edi, [esp + 8]
    movzx eax, byte [esp + 12]
    mov ecx, [esp + 16]
    imul eax, eax, 0x01010101
    mov edx, ecx
    shr ecx, 2
    rep stosd
    mov ecx, edx
    and ecx, 3
    rep stosb
    mov eax, [esp + 8]
    pop edi
    ret

; memset16(edi = dst, ax = value, ecx = count)
memset16:
    rep stosw
    ret

; memset32(edi = dst, eax = value, ecx = count)
memset32:
    rep stosd
    ret

; copy with alignment of the destination to 4 bytes first
; esi = src, edi = dst, ecx = n
memcpy_aligned:
    cmp ecx, 16
    jb .tail
.head:
    test edi, 3
    jz .body
    movsb
    dec ecx
    jmp .head
.body:
    mov edx, ecx
    shr ecx, 4
.block:
    mov eax, [esi]
    mov ebx, [esi + 4]
    mov [edi], eax
    mov [edi + 4], ebx
    mov eax, [esi + 8]
    mov ebx, [esi + 12]
    mov [edi + 8], eax
    mov [edi + 12], ebx
    add esi, 16
    add edi, 16
    dec ecx
    jnz .block
    mov ecx, edx
    and ecx, 15
.tail:
    rep movsb
    ret

; zero_pages(edi = first page, ecx = number of pages)
zero_pages:
    push ecx
    shl ecx, 10                 ; dwords per page
    xor eax, eax
    rep stosd
    pop ecx
    ret

; copy to a far segment: fs:edi <- ds:esi, ecx dwords
copy_to_fs:
    jecxz .done
.loop:
    mov eax, [esi]
    mov [fs:edi], eax
    add esi, 4
    add edi, 4
    loop .loop
.done:
    ret

; string ops with source segment override (destination is always es)
copy_from_gs:
    rep movsd                   ; ds:esi -> es:edi
    mov esi, [gs:0]
    lodsd
    mov eax, [gs:esi + 4]
    mov [es:edi], eax
    stosd
    rep movsb
    ret

; copy ecx dwords converting endianness
copy_bswap:
.next:
    lodsd
    bswap eax
    stosd
    dec ecx
    jnz .next
    ret

; compare ecx dwords; zf=1 when equal
memeq32:
    repe cmpsd
    ret

; find first dword equal to eax in [edi], ecx entries
find32:
    repne scasd
    jne .nf
    lea eax, [edi - 4]
    ret
.nf:
    xor eax, eax
    ret

; 16-bit string forms in 32-bit code (operand size prefix)
copy_words:
    rep movsw
    repe cmpsw
    repne scasw
    lodsw
    stosw
    ret

section .data
align 16
pattern:    times 4 dd 0xA5A5A5A5
routines:   dd memcpy, memmove, memset, memset16, memset32, memcpy_aligned
            dd zero_pages, copy_to_fs, copy_from_gs, copy_bswap, memeq32, find32
routine_count equ ($ - routines) / 4
