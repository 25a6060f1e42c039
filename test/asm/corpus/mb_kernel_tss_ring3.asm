; mb_kernel_tss_ring3.asm - Multiboot a.out-kludge kernel: 32-bit TSS laid
; out with struc/istruc/at/iend, TSS descriptor patched at run time (base
; split into base_lo/base_mid/base_hi through the gdt_entry struc), ltr/str,
; an int 0x80 system-call gate with DPL 3, and the switch to ring 3 by
; building an iret frame (ss, esp, eflags, cs, eip) by hand.

[bits 32]
org 0x100000

%include "multiboot.inc"
%include "gdt.inc"
%include "idt.inc"

MB_FLAGS        equ MB_MEMORY_INFO | MB_AOUT_KLUDGE

SEL_KCODE       equ 0x08
SEL_KDATA       equ 0x10
SEL_UCODE       equ 0x18 | 3
SEL_UDATA       equ 0x20 | 3
SEL_TSS         equ 0x28
EFLAGS_IF       equ 1 << 9
EFLAGS_RESERVED equ 1 << 1
IOPB_NONE       equ 0xDFFF

struc tss32
    .link       resw 1
    .link_h     resw 1
    .esp0       resd 1
    .ss0        resw 1
    .ss0_h      resw 1
    .esp1       resd 1
    .ss1        resw 1
    .ss1_h      resw 1
    .esp2       resd 1
    .ss2        resw 1
    .ss2_h      resw 1
    .cr3        resd 1
    .eip        resd 1
    .eflags     resd 1
    .eax        resd 1
    .ecx        resd 1
    .edx        resd 1
    .ebx        resd 1
    .esp        resd 1
    .ebp        resd 1
    .esi        resd 1
    .edi        resd 1
    .es         resw 2
    .cs         resw 2
    .ss         resw 2
    .ds         resw 2
    .fs         resw 2
    .gs         resw 2
    .ldtr       resw 2
    .trap       resw 1
    .iomap      resw 1
endstruc

section .text
start_of_image:
    MULTIBOOT_HEADER the_header, MB_FLAGS, start_of_image, end_of_data, end_of_bss, kmain

kmain:
    mov esp, kernel_stack_top
    lgdt [gdtr]
    jmp SEL_KCODE:.flush
.flush:
    mov eax, SEL_KDATA
    mov ds, eax
    mov es, eax
    mov ss, eax
    xor eax, eax
    mov fs, ax
    mov gs, ax

    ; patch the TSS descriptor with the run-time address of the TSS
    mov eax, the_tss
    mov edi, gdt_tss
    mov [edi + gdt_entry.base_lo], ax
    shr eax, 16
    mov [edi + gdt_entry.base_mid], al
    mov [edi + gdt_entry.base_hi], ah
    mov word [edi + gdt_entry.limit_lo], tss32_size - 1
    mov byte [edi + gdt_entry.access], ACC_PRESENT | ACC_TSS32

    mov dword [the_tss + tss32.esp0], kernel_stack_top
    mov word [the_tss + tss32.ss0], SEL_KDATA
    mov ax, SEL_TSS
    ltr ax
    str bx
    cmp bx, SEL_TSS
    jne fatal

    ; syscall gate at vector 0x80, callable from ring 3
    mov edi, idt
    SET_GATE 0x80, syscall_entry, GATE_INT32 | GATE_USER
    SET_GATE 13, gp_fault, GATE_INT32
    lidt [idtr]

    ; enter ring 3
    cli
    mov ax, SEL_UDATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    push dword SEL_UDATA            ; ss
    push dword user_stack_top       ; esp
    pushfd
    or dword [esp], EFLAGS_IF       ; eflags with IF set
    push dword SEL_UCODE            ; cs
    push dword user_main            ; eip
    iretd

fatal:
    cli
.stop:
    hlt
    jmp .stop

gp_fault:
    add esp, 4
    mov dword [gp_count], 1
    jmp fatal

; eax = syscall number, ebx = argument
syscall_entry:
    push ds
    push es
    push eax
    mov ax, SEL_KDATA
    mov ds, ax
    mov es, ax
    pop eax
    cmp eax, SYS_MAX
    jae .bad
    call [syscall_table + eax*4]
    jmp short .out
.bad:
    mov eax, -1
.out:
    pop es
    pop ds
    iret

sys_exit:
    jmp fatal
sys_write:
    mov [last_write], ebx
    xor eax, eax
    ret
sys_getpid:
    mov eax, 1
    ret

; ---------------------------------------------------------------------------
; ring-3 code
user_main:
    mov eax, 2
    int 0x80
    mov ebx, eax
    mov eax, 1
    int 0x80
    xor eax, eax
    int 0x80
.spin:
    pause
    jmp .spin

; ---------------------------------------------------------------------------
section .data
align 16
gdt:
    GDT_NULL
    GDT_FLAT ACC_CODE0
    GDT_FLAT ACC_DATA0
    GDT_FLAT ACC_CODE3
    GDT_FLAT ACC_DATA3
gdt_tss:
    GDT_DESC 0, tss32_size - 1, ACC_PRESENT | ACC_TSS32, 0
gdt_end:

gdtr:
    dw gdt_end - gdt - 1
    dd gdt

idtr:
    dw 256 * 8 - 1
    dd idt

syscall_table:
    dd sys_exit
    dd sys_write
    dd sys_getpid
SYS_MAX equ ($ - syscall_table) / 4

align 16
the_tss:
    istruc tss32
        at tss32.link,   dw 0
        at tss32.esp0,   dd 0
        at tss32.ss0,    dw SEL_KDATA
        at tss32.cr3,    dd 0
        at tss32.eflags, dd EFLAGS_RESERVED
        at tss32.es,     dw SEL_KDATA
        at tss32.cs,     dw SEL_KCODE
        at tss32.ss,     dw SEL_KDATA
        at tss32.ds,     dw SEL_KDATA
        at tss32.iomap,  dw IOPB_NONE
    iend
tss_end:
end_of_data:

section .bss
alignb 8
idt:                resq 256
gp_count:           resd 1
last_write:         resd 1
alignb 4096
kernel_stack:       resb 4096
kernel_stack_top:
user_stack:         resb 4096
user_stack_top:
end_of_bss:
