; pv-paging — page tables and CR3 through pv_ops, one source, two builds (see pv-both.asm).
; The kernel builds two page directories (both map the first 2 MiB 1:1 with the page-table pages
; read-only, as a Xen PV guest must; they differ in what linear 0x400000 maps), loads one with
; write_cr3 (native: MOV CR3 then CR0.PG; Xen: mmuext_op(MMUEXT_NEW_BASEPTR), which also turns
; paging on here), changes a PTE with pv_set_pte + flush_tlb_one (Xen: mmu_update and
; MMUEXT_INVLPG_LOCAL) and with pv_set_pte_va (Xen: update_va_mapping with UVMF_INVLPG), and
; switches directories. Both builds print:
;   pv-paging: paging on
;   pv-paging: alias (pd) = aaaa0001
;   pv-paging: page_a after a write through the alias = 12345678
;   pv-paging: alias after set_pte = bbbb0002
;   pv-paging: alias after set_pte_va = 12345678
;   pv-paging: alias (pd2) = bbbb0002
;   pv-paging: alias (pd) = 12345678
;   pv-paging: done

; hyperstep: technique=paravirt    (F5 and the language server's hints use this technique)
bits 32
org 0x100000
%include "multiboot.inc"

ALIAS equ 0x400000

section .text
MULTIBOOT_HEADER
%include "lib.inc"
%include "pvops.inc"

%macro SAY 1
    mov esi, %1
    call pv_puts
%endmacro

%macro SAY_HEX 1                         ; message, then EAX in hex and a newline
    mov esi, %1
    call pv_puts
    call pv_puthex
    push eax
    mov al, 10
    call pv_putc
    pop eax
%endmacro

_start:
    mov esp, stack_top
    PV_INIT
    mov edi, pt0                         ; pt0: 0 .. 2 MiB 1:1, present and writable
    xor eax, eax
    mov ecx, 512
.identity:
    lea edx, [eax + 3]
    mov [edi], edx
    add edi, 4
    add eax, 0x1000
    loop .identity
    mov eax, pd                          ; ... except the six page-table pages: read-only
    shr eax, 12
    mov ecx, 6
.readonly:
    and dword [pt0 + eax * 4], ~2
    inc eax
    loop .readonly
    mov dword [pd], pt0 + 3
    mov dword [pd + 4], pt1 + 3
    mov dword [pt1], page_a + 3          ; pd:  ALIAS -> page_a
    mov dword [pd2], pt0 + 3
    mov dword [pd2 + 4], pt2 + 3
    mov dword [pt2], page_b + 3          ; pd2: ALIAS -> page_b
    mov dword [page_a], 0xaaaa0001
    mov dword [page_b], 0xbbbb0002
    mov eax, pd
    mov edx, pt_top
    call pv_map_xen_pages
    mov eax, pd2
    call pv_map_xen_pages

    mov eax, pd
    write_cr3
    paging_on
    SAY msg_on
    mov eax, [ALIAS]
    SAY_HEX msg_pd
    mov dword [ALIAS], 0x12345678
    mov eax, [page_a]
    SAY_HEX msg_write

    mov edi, pt1                         ; ALIAS -> page_b: set the PTE, then flush that page
    mov edx, page_b + 3
    call pv_set_pte
    mov eax, ALIAS
    flush_tlb_one
    mov eax, [ALIAS]
    SAY_HEX msg_set_pte

    mov eax, ALIAS                       ; ALIAS -> page_a in one call
    mov edx, page_a + 3
    mov edi, pt1
    call pv_set_pte_va
    mov eax, [ALIAS]
    SAY_HEX msg_set_pte_va

    mov eax, pd2
    write_cr3
    mov eax, [ALIAS]
    SAY_HEX msg_pd2
    mov eax, pd
    write_cr3
    mov eax, [ALIAS]
    SAY_HEX msg_pd
    SAY msg_done
    pv_poweroff

section .data
XEN_GUEST_HEADER
PV_DATA
msg_on:         db 'pv-paging: paging on', 10, 0
msg_pd:         db 'pv-paging: alias (pd) = ', 0
msg_write:      db 'pv-paging: page_a after a write through the alias = ', 0
msg_set_pte:    db 'pv-paging: alias after set_pte = ', 0
msg_set_pte_va: db 'pv-paging: alias after set_pte_va = ', 0
msg_pd2:        db 'pv-paging: alias (pd2) = ', 0
msg_done:       db 'pv-paging: done', 10, 0
mb_load_end:

section .bss
LIB_BSS
    resb 4096
stack_top:
alignb 4096
pd:     resb 4096                        ; the six page-table pages, contiguous (made read-only)
pd2:    resb 4096
pt0:    resb 4096
pt1:    resb 4096
pt2:    resb 4096
pt_top: resb 4096
page_a: resb 4096
page_b: resb 4096
mb_bss_end:
