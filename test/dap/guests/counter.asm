; counter — a guest for the debug adapter's tests: a counting loop (conditional breakpoints), and
; two routines with EBP frames (stack traces, stepping, memory at ESP).
bits 32
org 0x100000

%include "../../../samples/include/multiboot.inc"

section .text
MULTIBOOT_HEADER

_start:
    mov esp, stack_top
    xor eax, eax
.count:
    inc eax                               ; line 15: `eax == 5` stops here once
    cmp eax, 10
    jne .count
    push 0x12345678
    call framed
after_call:
    add esp, 4
    mov dx, COM1
    mov al, 'K'
    out dx, al
    mov al, 10
    out dx, al
    mov dx, DEBUG_EXIT_PORT
    mov al, 2
    out dx, al                            ; exit status (2 << 1) | 1 = 5
.halt:
    cli
    hlt
    jmp .halt

framed:
    push ebp
    mov ebp, esp
    mov eax, [ebp + 8]
    call leaf
    pop ebp
    ret

leaf:
    push ebp
    mov ebp, esp
    nop                                   ; line 46: the stack is leaf, framed, _start
    pop ebp
    ret

section .data
marker: dd 0xcafef00d
mb_load_end:

section .bss
alignb 16
stack: resb 4096
stack_top:
mb_bss_end:
