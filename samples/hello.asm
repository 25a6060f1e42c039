; hello — the smallest guest: prints a line over COM1 and powers off through isa-debug-exit.
; What to look for: it runs unchanged under every technique; its only sensitive instructions are
; the port writes (OUT), which trap under trap-and-emulate and exit under VT-x.
; Run: npx hyperstep run samples/hello.asm   (exit status 1 = (0 << 1) | 1)

bits 32
org 0x100000

%include "multiboot.inc"

section .text
MULTIBOOT_HEADER

_start:
    mov esp, stack_top
    mov esi, message
.next:
    lodsb
    test al, al
    jz .done
    call serial_putc
    jmp .next
.done:
    mov dx, DEBUG_EXIT_PORT
    xor eax, eax
    out dx, al                            ; QEMU exits with status (0 << 1) | 1
.halt:
    cli
    hlt
    jmp .halt

; al = character. Waits for the transmitter holding register to be empty (LSR bit 5).
serial_putc:
    push edx
    push eax
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop eax
    mov dx, COM1
    out dx, al
    pop edx
    ret

section .data
message: db `Hello from a Hyperstep guest!\n`, 0
mb_load_end:

section .bss
alignb 16
stack: resb 4096
stack_top:
mb_bss_end:
