; mb_kernel_paging.asm - Multiboot a.out-kludge kernel that enables paging:
; a statically built page directory mixing 4 MiB PSE entries (times/%rep with
; dd expressions) and a 4 KiB page table generated with %rep/%assign, cr4.PSE
; and cr0.PG/WP set through mov to/from control registers, invlpg, a
; higher-half alias, and a run-time page-table fill loop.

bits 32
org 0x100000

%include "multiboot.inc"

MB_FLAGS    equ MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_AOUT_KLUDGE

PG_PRESENT  equ 0x001
PG_WRITE    equ 0x002
PG_USER     equ 0x004
PG_PWT      equ 0x008
PG_PCD      equ 0x010
PG_ACCESSED equ 0x020
PG_DIRTY    equ 0x040
PG_PSE      equ 0x080
PG_GLOBAL   equ 0x100

CR0_PE      equ 1 << 0
CR0_WP      equ 1 << 16
CR0_PG      equ 1 << 31
CR4_PSE     equ 1 << 4
CR4_PGE     equ 1 << 7

PAGE_4K     equ 0x1000
PAGE_4M     equ 0x400000
KERNEL_VMA  equ 0xC0000000
PDE_INDEX_KERNEL equ KERNEL_VMA >> 22
IDENTITY_4M_PAGES equ 4           ; identity-map the first 16 MiB with PSE

section .text
image_start:
    MULTIBOOT_HEADER mbhdr, MB_FLAGS, image_start, image_data_end, image_bss_end, boot_entry

boot_entry:
    mov esp, boot_stack_end
    mov [mbi], ebx

    ; fill the second page table (maps 0x00400000.. with 4 KiB pages) at run time
    mov edi, page_table_1
    mov eax, PAGE_4M | PG_PRESENT | PG_WRITE
    mov ecx, 1024
.pt_loop:
    stosd
    add eax, PAGE_4K
    dec ecx
    jnz .pt_loop

    ; hook page_table_1 into the directory slot 0x301 (higher-half + 4 MiB)
    mov eax, page_table_1
    or eax, PG_PRESENT | PG_WRITE
    mov [page_directory + (PDE_INDEX_KERNEL + 1) * 4], eax

    ; enable PSE + PGE
    mov eax, cr4
    or eax, CR4_PSE | CR4_PGE
    mov cr4, eax

    mov eax, page_directory
    mov cr3, eax

    mov eax, cr0
    or eax, CR0_PG | CR0_WP
    mov cr0, eax
    jmp short .paging_on            ; flush prefetch
.paging_on:
    ; touch the higher-half alias of our own image
    mov eax, [KERNEL_VMA + mbi - 0]
    invlpg [KERNEL_VMA]
    invlpg [page_table_0]
    invlpg [eax + ebx*4 + 0x1000]

    ; reload cr3 to flush non-global TLB entries
    mov ecx, cr3
    mov cr3, ecx

    ; read back the fault address register
    mov edx, cr2
    mov [saved_cr2], edx

    ; temporarily clear WP, then restore it
    mov eax, cr0
    and eax, ~CR0_WP
    mov cr0, eax
    or eax, CR0_WP
    mov cr0, eax

    wbinvd
.halt:
    cli
    hlt
    jmp .halt

; ---------------------------------------------------------------------------
section .data align=4096
page_directory:
    ; identity map: PSE entries 0..IDENTITY_4M_PAGES-1
%assign pde 0
%rep IDENTITY_4M_PAGES
    dd (pde * PAGE_4M) | PG_PRESENT | PG_WRITE | PG_PSE | PG_GLOBAL
%assign pde pde + 1
%endrep
    times PDE_INDEX_KERNEL - IDENTITY_4M_PAGES dd 0
    ; higher-half: 0xC0000000 -> 0x00000000 (4 MiB PSE)
    dd 0x00000000 | PG_PRESENT | PG_WRITE | PG_PSE
    ; filled at run time with page_table_1
    dd 0
    times 1024 - PDE_INDEX_KERNEL - 2 - 1 dd 0
    ; last slot: recursive mapping; '|' cannot be applied to a relocatable
    ; label, so the flag bits are added instead
    dd page_directory + (PG_PRESENT | PG_WRITE)
page_directory_end:

; 4 KiB page table mapping the first 4 MiB, with the first page not present
page_table_0:
    dd 0
%assign pte 1
%rep 1023
    dd (pte << 12) | PG_PRESENT | PG_WRITE
%assign pte pte + 1
%endrep
page_table_0_end:

; VGA text buffer entry rewritten uncached
vga_pte:    dd 0xB8000 | PG_PRESENT | PG_WRITE | PG_PCD | PG_PWT

pd_size:    dd page_directory_end - page_directory
pt_size:    dd page_table_0_end - page_table_0
image_data_end:

section .bss
alignb 4096
page_table_1:   resd 1024
mbi:            resd 1
saved_cr2:      resd 1
alignb 16
boot_stack:     resb 0x2000
boot_stack_end:
image_bss_end:
