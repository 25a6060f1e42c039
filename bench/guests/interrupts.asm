; Benchmark guest: the PIT at about 100 kHz drives IRQ0 through the PIC; the handler counts
; ticks and the main loop halts until 200,000 ticks have arrived, then exit (status 1).
bits 32
org 0x100000
%include "multiboot.inc"
section .text
MULTIBOOT_HEADER
_start:
    mov esp, stack_top
    lgdt [gdt_desc]
    jmp 0x08:.reload
.reload:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    ; IDT entry 0x20 → timer handler (32-bit interrupt gate).
    mov eax, timer_handler
    mov [idt + 0x20 * 8], ax
    mov word [idt + 0x20 * 8 + 2], 0x08
    mov word [idt + 0x20 * 8 + 4], 0x8e00
    shr eax, 16
    mov [idt + 0x20 * 8 + 6], ax
    lidt [idt_desc]
    ; PIC: remap to 0x20/0x28, only IRQ0 unmasked.
    mov al, 0x11
    out 0x20, al
    out 0xa0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xa1, al
    mov al, 4
    out 0x21, al
    mov al, 2
    out 0xa1, al
    mov al, 1
    out 0x21, al
    out 0xa1, al
    mov al, 0xfe
    out 0x21, al
    mov al, 0xff
    out 0xa1, al
    ; PIT channel 0, mode 2, divisor 12 (about 99 kHz).
    mov al, 0x34
    out 0x43, al
    mov al, 12
    out 0x40, al
    xor al, al
    out 0x40, al
    sti
.wait:
    hlt
    cmp dword [ticks], 200000
    jb .wait
    cli
    mov dx, DEBUG_EXIT_PORT
    xor eax, eax
    out dx, al
    hlt
timer_handler:
    push eax
    inc dword [ticks]
    mov al, 0x20
    out 0x20, al
    pop eax
    iret
section .data
align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff
    dq 0x00cf92000000ffff
gdt_desc:
    dw gdt_desc - gdt - 1
    dd gdt
idt_desc:
    dw 256 * 8 - 1
    dd idt
ticks: dd 0
mb_load_end:
section .bss
alignb 8
idt: resb 256 * 8
    resb 4096
stack_top:
mb_bss_end:
