; util_sort_search.asm - 32-bit algorithms with dense control flow:
; insertion sort, recursive quicksort (Lomuto partition) with cdecl frames,
; binary search, heap sift-down, min/max scan with cmov, array reverse with
; xchg, and a bubble sort unrolled by %rep; lots of short backward and
; forward branches plus a few that need near encodings.

bits 32
org 0x00160000

%include "macros.inc"

section .text
; insertion_sort(esi = array of dwords, ecx = count)
insertion_sort:
    push ebx
    push edi
    mov ebx, 1
.outer:
    cmp ebx, ecx
    jae .done
    mov eax, [esi + ebx*4]
    mov edi, ebx
.inner:
    test edi, edi
    jz .place
    mov edx, [esi + edi*4 - 4]
    cmp edx, eax
    jle .place
    mov [esi + edi*4], edx
    dec edi
    jmp .inner
.place:
    mov [esi + edi*4], eax
    inc ebx
    jmp .outer
.done:
    pop edi
    pop ebx
    ret

; void quicksort(int *a, int lo, int hi)
quicksort:
    PROLOGUE 4
    push ebx
    push esi
    push edi
    mov esi, [ebp + 8]
    mov eax, [ebp + 12]
    mov ecx, [ebp + 16]
    cmp eax, ecx
    jge near .return
    ; partition: pivot = a[hi]
    mov edx, [esi + ecx*4]
    lea ebx, [eax - 1]          ; i
    mov edi, eax                ; j
.part:
    cmp edi, ecx
    jge .part_done
    cmp [esi + edi*4], edx
    jg .no_swap
    inc ebx
    mov eax, [esi + ebx*4]
    xchg eax, [esi + edi*4]
    mov [esi + ebx*4], eax
.no_swap:
    inc edi
    jmp .part
.part_done:
    inc ebx
    mov eax, [esi + ebx*4]
    xchg eax, [esi + ecx*4]
    mov [esi + ebx*4], eax
    mov [ebp - 4], ebx          ; pivot index
    ; recurse left
    lea eax, [ebx - 1]
    push eax
    push dword [ebp + 12]
    push esi
    call quicksort
    add esp, 12
    ; recurse right
    push dword [ebp + 16]
    mov eax, [ebp - 4]
    inc eax
    push eax
    push esi
    call quicksort
    add esp, 12
.return:
    pop edi
    pop esi
    pop ebx
    EPILOGUE

; binary_search(esi = sorted array, ecx = count, eax = key) -> index or -1
binary_search:
    push ebx
    push edi
    xor ebx, ebx                ; lo
    mov edi, ecx                ; hi (exclusive)
.loop:
    cmp ebx, edi
    jae .missing
    lea edx, [ebx + edi]
    shr edx, 1
    cmp [esi + edx*4], eax
    je .hit
    jl .right
    mov edi, edx
    jmp .loop
.right:
    lea ebx, [edx + 1]
    jmp .loop
.hit:
    mov eax, edx
    jmp short .out
.missing:
    mov eax, -1
.out:
    pop edi
    pop ebx
    ret

; sift_down(esi = heap, ecx = size, eax = index) for a max-heap
sift_down:
    push ebx
    push edi
.again:
    lea ebx, [eax*2 + 1]        ; left child
    cmp ebx, ecx
    jae .done
    mov edi, ebx
    lea edx, [ebx + 1]
    cmp edx, ecx
    jae .one_child
    mov edx, [esi + edx*4]
    cmp edx, [esi + ebx*4]
    jle .one_child
    inc edi
.one_child:
    mov edx, [esi + edi*4]
    cmp edx, [esi + eax*4]
    jle .done
    xchg edx, [esi + eax*4]
    mov [esi + edi*4], edx
    mov eax, edi
    jmp .again
.done:
    pop edi
    pop ebx
    ret

; minmax(esi = array, ecx = count) -> eax = min, edx = max
minmax:
    push ebx
    mov eax, 0x7FFFFFFF
    mov edx, 0x80000000
    jecxz .end
.scan:
    mov ebx, [esi]
    cmp ebx, eax
    cmovl eax, ebx
    cmp ebx, edx
    cmovg edx, ebx
    add esi, 4
    loop .scan
.end:
    pop ebx
    ret

; reverse(esi = array, ecx = count)
reverse:
    lea edi, [esi + ecx*4 - 4]
.swap:
    cmp esi, edi
    jae .done
    mov eax, [esi]
    xchg eax, [edi]
    mov [esi], eax
    add esi, 4
    sub edi, 4
    jmp .swap
.done:
    ret

; compare-exchange of elements %1 and %1+1 (the store for element 0 is
; shorter than the others, so a %% label is used rather than $ + n)
%macro CMP_XCHG 1
    mov eax, [esi + (%1)*4]
    mov edx, [esi + (%1)*4 + 4]
    cmp eax, edx
    jle %%ordered
    mov [esi + (%1)*4], edx
    mov [esi + (%1)*4 + 4], eax
%%ordered:
%endmacro

; sort8: fixed-size bubble sort of 8 dwords at esi, fully unrolled
sort8:
%assign pass 0
%rep 7
  %assign i 0
  %rep 7 - pass
    CMP_XCHG i
    %assign i i + 1
  %endrep
  %assign pass pass + 1
%endrep
    ret

section .data
sample:     dd 42, -7, 19, 0, 1000, 3, -250, 88, 5, 5, 61, -1
SAMPLE_LEN  equ ($ - sample) / 4
sorted:     dd -250, -7, -1, 0, 3, 5, 5, 19, 42, 61, 88, 1000
