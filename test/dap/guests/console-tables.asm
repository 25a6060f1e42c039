; console-tables — a guest for the Debug Console commands: it loads its own GDT (flat code and data,
; a ring-3 code segment, a small 16-bit data segment, a TSS, a call gate) and IDT (an interrupt
; gate, a trap gate, a task gate), turns on paging with a 4 KiB page and a 4 MiB page, touches
; both (so the TLB holds them) and stops at `ready`.
;   0x00803000  4 KiB page, user read-only  -> data_page (PDE 2 -> pt2, PTE 3)
;   0x00c00000  4 MiB page, supervisor RW   -> 0x00400000 (PDE 3, PS)
;   0x01000000  not mapped (PDE 4 not present)
bits 32
org 0x100000

%include "../../../samples/include/multiboot.inc"

PAGE_4K equ 0x00803000
PAGE_4M equ 0x00c00000
UNMAPPED equ 0x01000000

section .text
MULTIBOOT_HEADER

_start:
    mov esp, stack_top
    ; the address fields NASM cannot split at assembly time
    mov eax, tss
    mov [gdt + 0x28 + 2], ax
    shr eax, 16
    mov [gdt + 0x28 + 4], al
    mov [gdt + 0x28 + 7], ah
    mov ebx, gdt + 0x30
    mov eax, far_target
    call set_offset
    mov ebx, idt + 0x0e * 8
    mov eax, pf_handler
    call set_offset
    mov ebx, idt + 0x21 * 8
    mov eax, syscall_handler
    call set_offset
    lgdt [gdt_desc]
    jmp 0x08:.reload
.reload:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    lidt [idt_desc]

    ; pt0: identity map of the first 4 MiB (this code and its data)
    mov edi, pt0
    mov eax, 0x003                      ; P RW
    mov ecx, 1024
.fill:
    stosd
    add eax, 0x1000
    dec ecx
    jnz .fill
    mov dword [pd + 0 * 4], pt0 + 0x003           ; P RW
    mov dword [pd + 2 * 4], pt2 + 0x007           ; P RW US
    mov dword [pt2 + 3 * 4], data_page + 0x005    ; P US (read-only)
    mov dword [pd + 3 * 4], 0x00400000 + 0x083    ; P RW PS: 4 MiB page

    mov eax, pd
    mov cr3, eax
    mov eax, cr4
    or eax, 0x10                        ; PSE
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80000000                  ; PG
    mov cr0, eax
    jmp .paged
.paged:
    mov eax, [PAGE_4K]                  ; fills the TLB for both pages
    mov dword [PAGE_4M + 0x10], 0x11223344
ready:
    nop
    mov dx, DEBUG_EXIT_PORT
    mov al, 0
    out dx, al
.halt:
    cli
    hlt
    jmp .halt

; EBX = a gate descriptor, EAX = its target offset
set_offset:
    mov [ebx], ax
    shr eax, 16
    mov [ebx + 6], ax
    ret

pf_handler:
    iret
syscall_handler:
    iret
far_target:
    retf

section .data
align 8
gdt:
    dq 0                                ; 0x00 null
    dq 0x00cf9a000000ffff               ; 0x08 code, flat, 32-bit, DPL 0
    dq 0x00cf92000000ffff               ; 0x10 data, flat, DPL 0
    dq 0x00cffa000000ffff               ; 0x18 code, flat, DPL 3
    dd 0x23450fff, 0x00009201           ; 0x20 data, base 0x12345, limit 0xfff, 16-bit
    dw 0x67, 0, 0x8900, 0               ; 0x28 32-bit TSS (available), limit 0x67, base: tss
    dw 0, 0x08, 0xec00, 0               ; 0x30 32-bit call gate, DPL 3 -> 0x08:far_target
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt

align 8
idt:
    times 14 dq 0
    dw 0, 0x08, 0x8e00, 0               ; 0x0e #PF: 32-bit interrupt gate, DPL 0 -> pf_handler
    times 0x21 - 15 dq 0
    dw 0, 0x08, 0xef00, 0               ; 0x21: 32-bit trap gate, DPL 3 -> syscall_handler
    dw 0, 0x28, 0x8500, 0               ; 0x22: task gate -> TSS 0x28
idt_end:
idt_desc:
    dw idt_end - idt - 1
    dd idt

tss: times 0x68 db 0

align 4096
data_page:
    db 'PAGE', 0xde, 0xad, 0xbe, 0xef
greeting:
    db 'Hi, console', 10, 0
x:  dd 0x00c0ffee                       ; a label named like the console's `x` command
mb_load_end:

section .bss
alignb 4096
pd: resb 4096
pt0: resb 4096
pt2: resb 4096
stack: resb 4096
stack_top:
mb_bss_end:
