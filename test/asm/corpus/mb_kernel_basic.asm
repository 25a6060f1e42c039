; mb_kernel_basic.asm - Multiboot v1 kernel (a.out kludge, flags bit 16) at
; org 0x100000: header fields computed from labels, macro-built GDT with
; struc-based field access, far jump reload of CS, 16550 UART console output,
; .text/.data/.bss layout with bss_end_addr taken from the end of .bss.

bits 32
org 0x100000

%include "multiboot.inc"
%include "gdt.inc"
%include "uart.inc"

MB_FLAGS        equ MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_AOUT_KLUDGE
STACK_SIZE      equ 0x4000
KERNEL_CS       equ gdt_code - gdt_start
KERNEL_DS       equ gdt_data - gdt_start

section .text
kernel_start:
    MULTIBOOT_HEADER mb_header, MB_FLAGS, kernel_start, data_end, bss_end, _start

_start:
    cli
    mov esp, stack_top
    cmp eax, MB_BOOTLOADER_MAGIC
    jne .no_multiboot
    mov [boot_info_ptr], ebx

    ; fill in the GDT pointer at run time as well, to exercise struc offsets
    mov word [gdt_ptr], gdt_end - gdt_start - 1
    mov dword [gdt_ptr + 2], gdt_start
    lgdt [gdt_ptr]
    jmp KERNEL_CS:.reload_cs
.reload_cs:
    mov ax, KERNEL_DS
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax

    ; patch the access byte of the spare descriptor via the struc layout
    mov edi, gdt_spare
    mov byte [edi + gdt_entry.access], ACC_DATA0
    mov byte [edi + gdt_entry.gran], GRAN_4K | GRAN_32 | 0x0F
    mov word [edi + gdt_entry.limit_lo], 0xFFFF

    call serial_init
    mov esi, msg_hello
    call serial_puts

    ; print memory size from the multiboot info block
    mov ebx, [boot_info_ptr]
    test dword [ebx + mb_info.flags], 1
    jz .skip_mem
    mov eax, [ebx + mb_info.mem_upper]
    call serial_hex32
    mov esi, msg_kb
    call serial_puts
.skip_mem:
    mov esi, msg_halt
    call serial_puts
.halt:
    hlt
    jmp .halt

.no_multiboot:
    mov esi, msg_nomb
    call serial_puts
    jmp .halt

; ---------------------------------------------------------------------------
serial_init:
    UART_INIT COM1, 1           ; 115200 baud
    ret

; al = character
serial_putc:
    push edx
    push eax
    UART_WAIT_TX COM1
    pop eax
    mov dx, COM1 + UART_THR
    out dx, al
    pop edx
    ret

; esi = zero-terminated string
serial_puts:
    push eax
.loop:
    lodsb
    or al, al
    jz .done
    cmp al, 10
    jne .plain
    mov al, 13
    call serial_putc
    mov al, 10
.plain:
    call serial_putc
    jmp .loop
.done:
    pop eax
    ret

; eax = value, printed as 8 hex digits
serial_hex32:
    push ecx
    push ebx
    mov ebx, eax
    mov ecx, 8
.digit:
    rol ebx, 4
    mov al, bl
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'A' - '9' - 1
.out:
    call serial_putc
    loop .digit
    pop ebx
    pop ecx
    ret

; ---------------------------------------------------------------------------
section .data
align 8
gdt_start:
    GDT_NULL
gdt_code:
    GDT_FLAT ACC_CODE0
gdt_data:
    GDT_FLAT ACC_DATA0
gdt_user_code:
    GDT_FLAT ACC_CODE3
gdt_user_data:
    GDT_FLAT ACC_DATA3
gdt_spare:
    istruc gdt_entry
        at gdt_entry.limit_lo,  dw 0
        at gdt_entry.base_lo,   dw 0
        at gdt_entry.base_mid,  db 0
        at gdt_entry.access,    db 0
        at gdt_entry.gran,      db 0
        at gdt_entry.base_hi,   db 0
    iend
gdt_end:

GDT_ENTRIES equ (gdt_end - gdt_start) / gdt_entry_size

gdt_ptr:
    dw gdt_end - gdt_start - 1
    dd gdt_start

msg_hello:  db "Hyperstep multiboot kernel", 10, 0
msg_kb:     db " KiB upper memory", 10, 0
msg_halt:   db 'halting.', 10, 0
msg_nomb:   db `not loaded by a multiboot loader\n\0`
gdt_count:  dd GDT_ENTRIES
data_end:

section .bss
alignb 16
boot_info_ptr:  resd 1
stack_bottom:   resb STACK_SIZE
stack_top:
bss_end:
