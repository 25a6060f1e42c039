; real16_stage2.asm - a second-stage loader mixing bits 16 and bits 32 in
; one flat image at org 0x8000: BIOS keyboard/video services through the
; bios.inc macros, a 16-bit menu with a jump table of near pointers (dw),
; video mode switch, CPUID feature probe with pushfd/popfd toggling the ID
; bit, protected-mode entry, a 32-bit memory test, and padding to exactly
; four sectors with a trailing magic dword.

bits 16
org 0x8000

%include "bios.inc"

SECTORS     equ 4
MENU_ITEMS  equ 3
EFLAGS_ID   equ 1 << 21

stage2_entry:
    mov [boot_drive], dl
    BIOS_PRINT banner
    call check_cpuid
    jc no_cpuid

menu:
    BIOS_PRINT menu_text
    xor ah, ah
    int KBD_INT                 ; al = ascii
    sub al, '1'
    cmp al, MENU_ITEMS
    jae menu
    movzx bx, al
    shl bx, 1
    jmp [menu_table + bx]

item_text_mode:
    mov ax, 0x0003
    int VIDEO_INT
    jmp go_protected
item_vga_mode:
    mov ax, 0x0013
    int VIDEO_INT
    jmp go_protected
item_reboot:
    jmp 0xFFFF:0x0000

no_cpuid:
    BIOS_PRINT msg_nocpuid
    cli
    hlt

; CF=0 when CPUID exists (EFLAGS.ID can be toggled)
check_cpuid:
    pushfd
    pop eax
    mov ecx, eax
    xor eax, EFLAGS_ID
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    xor eax, ecx
    test eax, EFLAGS_ID
    jz .none
    clc
    ret
.none:
    stc
    ret

go_protected:
    cli
    in al, 0x92
    or al, 2
    out 0x92, al
    lgdt [gdt_desc]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp 0x08:pm_start

bits 32
pm_start:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, 0x9FC00
    ; simple memory test over 1 MiB .. 2 MiB
    mov edi, 0x100000
    mov ecx, 0x40000
    mov eax, 0x55AA55AA
.fill:
    mov [edi], eax
    add edi, 4
    loop .fill
    mov esi, 0x100000
    mov ecx, 0x40000
.check:
    cmp [esi], eax
    jne .bad
    add esi, 4
    dec ecx
    jnz .check
    mov byte [mem_ok], 1
    jmp short .done
.bad:
    mov [bad_addr], esi
.done:
    cli
    hlt
    jmp .done

; ---------------------------------------------------------------------------
menu_table:
    dw item_text_mode
    dw item_vga_mode
    dw item_reboot

align 8
gdt:
    dq 0
    dw 0xFFFF, 0x0000, 0x9A00, 0x00CF
    dw 0xFFFF, 0x0000, 0x9200, 0x00CF
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt

boot_drive:  db 0
mem_ok:      db 0
bad_addr:    dd 0
banner:      db "Hyperstep stage 2", 13, 10, 0
menu_text:   db "1) text  2) vga  3) reboot", 13, 10, "> ", 0
msg_nocpuid: db "CPUID not supported", 0

    times SECTORS * 512 - 4 - ($ - $$) db 0
    dd 'STG2'
