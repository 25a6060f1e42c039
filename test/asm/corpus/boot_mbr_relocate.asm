; boot_mbr_relocate.asm - master boot record: copies itself from 0x7c00 to
; 0x0600 with rep movsw, continues at the relocated address via a far jump
; whose target is computed with label - $$ arithmetic, scans the four
; partition entries (struc-described) for the active flag, loads the VBR
; and chains to it; partition table and signature placed with times.

bits 16
org 0x0600

RELOC_BASE  equ 0x0600
LOAD_BASE   equ 0x7c00
PART_TABLE  equ 0x1BE
PART_COUNT  equ 4

struc part
    .status     resb 1
    .chs_first  resb 3
    .type       resb 1
    .chs_last   resb 3
    .lba_first  resd 1
    .sectors    resd 1
endstruc

mbr_start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, LOAD_BASE
    mov ds, ax
    mov es, ax
    sti
    cld
    ; relocate 512 bytes (256 words) down to 0x0600
    mov si, LOAD_BASE
    mov di, RELOC_BASE
    mov cx, 256
    rep movsw
    jmp 0:relocated

relocated:
    mov [boot_drive], dl
    mov bx, partition_table
    mov cx, PART_COUNT
.scan:
    cmp byte [bx + part.status], 0x80
    je .found
    add bx, part_size
    loop .scan
    mov si, msg_noactive
    jmp fail

.found:
    mov [active_part], bx
    ; build a disk address packet on the stack
    push dword 0                        ; lba high
    push dword [bx + part.lba_first]    ; lba low
    push word 0                         ; segment
    push word LOAD_BASE                 ; offset
    push word 1                         ; count
    push word 0x0010                    ; size + reserved
    mov si, sp
    mov ah, 0x42
    mov dl, [boot_drive]
    int 0x13
    lea sp, [si + 16]
    jc .read_failed
    cmp word [LOAD_BASE + 510], 0xAA55
    jne .no_sig
    mov si, [active_part]
    mov dl, [boot_drive]
    jmp 0:LOAD_BASE
.read_failed:
    mov si, msg_readerr
    jmp short fail
.no_sig:
    mov si, msg_nosig
fail:
    lodsb
    test al, al
    jz .halt
    mov ah, 0x0e
    int 0x10
    jmp fail
.halt:
    hlt
    jmp .halt

boot_drive:   db 0
active_part:  dw 0
msg_noactive: db "No active partition", 0
msg_readerr:  db "Read error", 0
msg_nosig:    db "Missing OS", 0

code_size equ $ - mbr_start
    times PART_TABLE - ($ - $$) db 0
partition_table:
    ; entry 1: active FAT32 LBA partition starting at sector 2048
    istruc part
        at part.status,    db 0x80
        at part.chs_first, db 0x20, 0x21, 0x00
        at part.type,      db 0x0C
        at part.chs_last,  db 0xFE, 0xFF, 0xFF
        at part.lba_first, dd 2048
        at part.sectors,   dd 0x00100000
    iend
    ; entries 2..4 empty
    times (PART_COUNT - 1) * part_size db 0
    dw 0xAA55
