; boot_disk_load.asm - 512-byte boot sector that loads a second stage with
; INT 13h: an LBA disk-address packet laid out with struc/istruc, extension
; check (AH=41h), CHS fallback with retry loop, BIOS print macros from
; bios.inc with %% local labels, far jump to the stage-2 segment, and the
; boot signature written as two bytes.

bits 16
org 0x7c00

%include "bios.inc"

STAGE2_SEG      equ 0x0800
STAGE2_OFF      equ 0x0000
STAGE2_LBA      equ 1
STAGE2_SECTORS  equ 16
RETRIES         equ 3

struc dap
    .size       resb 1
    .reserved   resb 1
    .count      resw 1
    .offset     resw 1
    .segment    resw 1
    .lba_lo     resd 1
    .lba_hi     resd 1
endstruc

entry:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, entry
    sti
    cld
    mov [drive], dl

    BIOS_PRINT msg_loading

    ; INT 13h extensions present?
    mov ah, 0x41
    mov bx, 0x55AA
    mov dl, [drive]
    int DISK_INT
    jc chs_read
    cmp bx, 0xAA55
    jne chs_read
    test cl, 1
    jz chs_read

    mov si, packet
    mov ah, 0x42
    mov dl, [drive]
    int DISK_INT
    jc disk_error
    jmp loaded

chs_read:
    mov byte [tries], RETRIES
.retry:
    mov ax, STAGE2_SEG
    mov es, ax
    mov bx, STAGE2_OFF
    mov ah, 0x02
    mov al, STAGE2_SECTORS
    mov ch, 0                   ; cylinder 0
    mov cl, STAGE2_LBA + 1      ; sectors are 1-based
    mov dh, 0                   ; head 0
    mov dl, [drive]
    int DISK_INT
    jnc loaded
    ; reset the controller and try again
    xor ah, ah
    int DISK_INT
    dec byte [tries]
    jnz .retry
    jmp short disk_error

loaded:
    BIOS_PRINT msg_ok
    mov dl, [drive]
    jmp STAGE2_SEG:STAGE2_OFF

disk_error:
    BIOS_PRINT msg_err
    BIOS_PUTC '!'
    xor ax, ax
    int KBD_INT                 ; wait for a key
    int 0x19                    ; reboot via bootstrap loader

packet:
    istruc dap
        at dap.size,     db dap_size
        at dap.reserved, db 0
        at dap.count,    dw STAGE2_SECTORS
        at dap.offset,   dw STAGE2_OFF
        at dap.segment,  dw STAGE2_SEG
        at dap.lba_lo,   dd STAGE2_LBA
        at dap.lba_hi,   dd 0
    iend

drive:       db 0
tries:       db 0
msg_loading: db "Loading stage 2", 0
msg_ok:      db " ok", 13, 10, 0
msg_err:     db " disk error", 0

    times 510 - ($ - $$) db 0
    db 0x55, 0xAA
