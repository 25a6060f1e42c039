; times_negative.asm - a boot sector whose code grew past 510 bytes, so the
; padding "times 510-($-$$) db 0" gets a negative count.
bits 16
org 0x7c00

start:
    cli
    xor ax, ax
    mov ds, ax
    mov si, message
.print:
    lodsb
    test al, al
    jz .done
    mov ah, 0x0e
    int 0x10
    jmp .print
.done:
    hlt

message:
    times 600 db 'x'
    db 0

    times 510-($-$$) db 0
    dw 0xaa55
