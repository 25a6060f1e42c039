; Benchmark guest: paging on (4 KiB pages over the first 8 MiB), a memory-heavy loop that reads
; and writes a 1 MiB buffer with a stride through many pages, then exit (status 1).
bits 32
org 0x100000
%include "multiboot.inc"
section .text
MULTIBOOT_HEADER
_start:
    mov esp, stack_top
    ; Page tables: 2 page tables identity-map 8 MiB.
    mov edi, page_tables
    mov eax, 0x003                 ; present, writable
    mov ecx, 2048
.fill_pt:
    mov [edi], eax
    add eax, 0x1000
    add edi, 4
    dec ecx
    jnz .fill_pt
    mov dword [page_dir], page_tables + 0x003
    mov dword [page_dir + 4], page_tables + 0x1000 + 0x003
    mov eax, page_dir
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov edx, 200                   ; passes
.pass:
    mov esi, buffer
    mov ecx, 65536                 ; 16 bytes per step over 1 MiB
.step:
    mov eax, [esi]
    add eax, edx
    mov [esi + 4], eax
    mov ebx, [esi + 8]
    xor ebx, eax
    mov [esi + 12], ebx
    add esi, 16
    dec ecx
    jnz .step
    dec edx
    jnz .pass
    mov dx, DEBUG_EXIT_PORT
    xor eax, eax
    out dx, al
    cli
    hlt
mb_load_end:
section .bss
alignb 4096
page_dir:    resb 4096
page_tables: resb 8192
buffer:      resb 1 << 20
             resb 4096
stack_top:
mb_bss_end:
