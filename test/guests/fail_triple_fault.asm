; fail_triple_fault — failure mode: an empty IDT (limit 0) and an invalid opcode. The #UD cannot
; be delivered (#GP), nor can the #GP (double fault), nor the double fault: the CPU shuts down.
; QEMU (-no-reboot) exits with status 0; `hyperstep run` exits with status 2 and one stderr line
; naming the exception chain and the faulting EIP (0x00100040, the UD2 below).
; Standalone (no guest.inc) so that the faulting address is fixed.
; expect-qemu: shutdown
; expect-status: 2
bits 32
org 0x100000

section .text
align 4
mb_header:
    dd 0x1BADB002
    dd 0x00010003
    dd -(0x1BADB002 + 0x00010003)
    dd mb_header, $$, load_end, bss_end, _start

_start:
    mov esi, msg
    jmp print

    times 0x40 - ($ - $$) db 0x90
fault_site:                             ; = 0x00100040
    ud2

print:
    mov dx, 0x3FD
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov dx, 0x3F8
    lodsb
    test al, al
    jz .done
    out dx, al
    jmp print
.done:
    lidt [empty_idt]
    jmp fault_site

align 4
    dw 0
empty_idt:
    dw 0
    dd 0
msg: db "triple fault ahead", 10, 0
load_end:

section .bss
bss_end:
