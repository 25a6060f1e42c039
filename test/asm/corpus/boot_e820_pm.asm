; boot_e820_pm.asm - boot sector that collects the BIOS E820 memory map
; (32-bit registers and the 'SMAP' character constant in 16-bit code),
; checks A20 by memory wrap-around with segment overrides, enters protected
; mode via CR0.PE and a "jmp dword" far jump, and continues in [bits 32]
; code that sums usable RAM from the map; padded to 510 bytes plus 0xAA55.

bits 16
org 0x7c00

MAP_BUF     equ 0x0500
MAP_COUNT   equ 0x04FE
ENTRY_SIZE  equ 24
SMAP        equ 'SMAP'

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti

    ; E820 loop
    xor ebx, ebx
    xor bp, bp
    mov di, MAP_BUF
.e820:
    mov eax, 0xE820
    mov edx, SMAP
    mov ecx, ENTRY_SIZE
    mov dword [di + 20], 1      ; ACPI 3 extended attributes: valid
    int 0x15
    jc .e820_done
    cmp eax, SMAP
    jne .e820_done
    jcxz .skip                  ; empty entry
    inc bp
    add di, ENTRY_SIZE
.skip:
    test ebx, ebx
    jnz .e820
.e820_done:
    mov [MAP_COUNT], bp

    ; A20 check: 0000:0500 vs FFFF:0510 alias
    push ds
    mov ax, 0xFFFF
    mov fs, ax
    mov al, [0x0500]
    mov ah, [fs:0x0510]
    cmp al, ah
    pop ds
    jne .a20_on
    in al, 0x92
    or al, 2
    out 0x92, al
.a20_on:

    cli
    lgdt [gdt_ptr]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp dword 0x08:protected

[bits 32]
protected:
    mov eax, 0x10
    mov ds, eax
    mov es, eax
    mov ss, eax
    mov esp, 0x7c00
    ; total usable RAM (type 1), low dwords only
    movzx ecx, word [MAP_COUNT]
    mov esi, MAP_BUF
    xor edx, edx
.sum:
    jecxz .done
    cmp dword [esi + 16], 1
    jne .next
    add edx, [esi + 8]
.next:
    add esi, ENTRY_SIZE
    dec ecx
    jmp .sum
.done:
    mov [0x04F0], edx
    mov dword [0xB8000], 0x2F4B2F4F     ; "OK"
.hang:
    hlt
    jmp .hang

align 4
gdt:
    dq 0x0000000000000000
    dq 0x00CF9A000000FFFF       ; code, base 0, limit 4 GiB
    dq 0x00CF92000000FFFF       ; data
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dd gdt

    times 510 - ($ - $$) db 0
    dw 0xAA55
