; util_heap_list.asm - kernel heap and intrusive list code: a first-fit
; free-list allocator whose block headers are described by struc (size,
; flags, next), block splitting and coalescing, a doubly linked list with
; insert/remove helpers using struc offsets, a ring buffer with power-of-
; two masking, and static pools laid out with times and alignb.

bits 32
org 0x00170000

HEAP_SIZE    equ 0x10000
MIN_SPLIT    equ 32
BLOCK_USED   equ 1
RING_SIZE    equ 256            ; must be a power of two
RING_MASK    equ RING_SIZE - 1

struc block
    .size   resd 1              ; payload bytes
    .flags  resd 1
    .next   resd 1
    .prev   resd 1
endstruc

struc list_node
    .next   resd 1
    .prev   resd 1
endstruc

struc ring
    .head   resd 1
    .tail   resd 1
    .data   resb RING_SIZE
endstruc

section .text
heap_init:
    mov eax, heap_area
    mov dword [eax + block.size], HEAP_SIZE - block_size
    mov dword [eax + block.flags], 0
    mov dword [eax + block.next], 0
    mov dword [eax + block.prev], 0
    mov [free_list], eax
    ret

; void *kmalloc(ecx = bytes)
kmalloc:
    push ebx
    add ecx, 15
    and ecx, ~15
    mov ebx, [free_list]
.walk:
    test ebx, ebx
    jz .oom
    test dword [ebx + block.flags], BLOCK_USED
    jnz .next
    cmp [ebx + block.size], ecx
    jae .fit
.next:
    mov ebx, [ebx + block.next]
    jmp .walk
.fit:
    mov eax, [ebx + block.size]
    sub eax, ecx
    cmp eax, block_size + MIN_SPLIT
    jb .no_split
    ; split: new block after the allocated payload
    lea edx, [ebx + block_size + ecx]
    sub eax, block_size
    mov [edx + block.size], eax
    mov dword [edx + block.flags], 0
    mov eax, [ebx + block.next]
    mov [edx + block.next], eax
    mov [edx + block.prev], ebx
    test eax, eax
    jz .no_next
    mov [eax + block.prev], edx
.no_next:
    mov [ebx + block.next], edx
    mov [ebx + block.size], ecx
.no_split:
    or dword [ebx + block.flags], BLOCK_USED
    lea eax, [ebx + block_size]
    pop ebx
    ret
.oom:
    xor eax, eax
    pop ebx
    ret

; void kfree(eax = ptr)
kfree:
    test eax, eax
    jz .ret
    sub eax, block_size
    and dword [eax + block.flags], ~BLOCK_USED
    ; coalesce with the next block when it is free
    mov edx, [eax + block.next]
    test edx, edx
    jz .ret
    test dword [edx + block.flags], BLOCK_USED
    jnz .ret
    mov ecx, [edx + block.size]
    add ecx, block_size
    add [eax + block.size], ecx
    mov ecx, [edx + block.next]
    mov [eax + block.next], ecx
    jecxz .ret
    mov [ecx + block.prev], eax
.ret:
    ret

; list_add(eax = head, edx = node): insert after head
list_add:
    mov ecx, [eax + list_node.next]
    mov [edx + list_node.next], ecx
    mov [edx + list_node.prev], eax
    mov [ecx + list_node.prev], edx
    mov [eax + list_node.next], edx
    ret

; list_del(edx = node)
list_del:
    mov eax, [edx + list_node.prev]
    mov ecx, [edx + list_node.next]
    mov [eax + list_node.next], ecx
    mov [ecx + list_node.prev], eax
    mov dword [edx + list_node.next], 0
    mov dword [edx + list_node.prev], 0
    ret

; bool ring_put(al = byte)
ring_put:
    mov edx, [rx_ring + ring.head]
    lea ecx, [edx + 1]
    and ecx, RING_MASK
    cmp ecx, [rx_ring + ring.tail]
    je .full
    mov [rx_ring + ring.data + edx], al
    mov [rx_ring + ring.head], ecx
    mov eax, 1
    ret
.full:
    xor eax, eax
    ret

; int ring_get() -> byte or -1
ring_get:
    mov edx, [rx_ring + ring.tail]
    cmp edx, [rx_ring + ring.head]
    je .empty
    movzx eax, byte [rx_ring + ring.data + edx]
    inc edx
    and edx, RING_MASK
    mov [rx_ring + ring.tail], edx
    ret
.empty:
    or eax, -1
    ret

section .data
align 4
free_list:  dd 0
; an empty circular list head points at itself
task_list:
    dd task_list                ; next
    dd task_list                ; prev
struct_sizes: dd block_size, list_node_size, ring_size

section .bss
alignb 16
heap_area:  resb HEAP_SIZE
alignb 4
rx_ring:    resb ring_size
tx_ring:    resb ring_size
