; console-echo — echoes what arrives on COM1 back to COM1 (polling LSR.DR), until a newline, then
; exits with debug-exit status 0 (exit code 1). For the console's `serial` command.
bits 32
org 0x100000

%include "../../../samples/include/multiboot.inc"

section .text
MULTIBOOT_HEADER

_start:
    mov esp, stack_top
.next:
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 1                          ; data ready
    jz .wait
    mov dx, COM1
    in al, dx
    out dx, al
    cmp al, 10
    jne .next
    mov dx, DEBUG_EXIT_PORT
    mov al, 0
    out dx, al
.halt:
    cli
    hlt
    jmp .halt

section .data
echo_count: dd 0
mb_load_end:

section .bss
alignb 16
stack: resb 1024
stack_top:
mb_bss_end:
