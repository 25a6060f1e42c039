; boot_pm_switch.asm - 512-byte real-mode boot sector (org 0x7c00) that
; normalises CS:IP with a far jump, enables A20 (fast A20 port 0x92 plus the
; 8042 fallback), loads a GDT, sets CR0.PE and far-jumps into 32-bit
; protected mode, writes to VGA memory, and pads with times 510-($-$$) and
; the 0xaa55 signature.

bits 16
org 0x7c00

CODE_SEL    equ gdt_code - gdt
DATA_SEL    equ gdt_data - gdt
VGA         equ 0xB8000

start:
    jmp 0x0000:.normalise       ; force CS = 0
.normalise:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    mov [boot_drive], dl
    sti

    ; print a message with the BIOS teletype service
    mov si, msg_real
.print:
    lodsb
    or al, al
    jz .printed
    mov ah, 0x0e
    mov bx, 0x0007
    int 0x10
    jmp short .print
.printed:

    ; fast A20
    in al, 0x92
    test al, 2
    jnz .a20_done
    or al, 2
    and al, 0xFE
    out 0x92, al
.a20_done:
    ; 8042 fallback
    call kbc_wait
    mov al, 0xD1
    out 0x64, al
    call kbc_wait
    mov al, 0xDF
    out 0x60, al
    call kbc_wait

    cli
    lgdt [gdt_desc]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp CODE_SEL:pm_entry

kbc_wait:
    in al, 0x64
    test al, 2
    jnz kbc_wait
    ret

bits 32
pm_entry:
    mov ax, DATA_SEL
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, 0x90000

    mov esi, msg_pm
    mov edi, VGA + 160
    mov ah, 0x2F
.copy:
    lodsb
    test al, al
    jz .hang
    stosw
    jmp .copy
.hang:
    hlt
    jmp .hang

align 8
gdt:
    dq 0
gdt_code:
    dw 0xFFFF, 0x0000
    db 0x00, 10011010b, 11001111b, 0x00
gdt_data:
    dw 0xFFFF, 0x0000
    db 0x00, 10010010b, 11001111b, 0x00
gdt_end:

gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt

boot_drive: db 0
msg_real:   db "Booting Hyperstep...", 13, 10, 0
msg_pm:     db 'Protected mode OK', 0

    times 510-($-$$) db 0
    dw 0xaa55
