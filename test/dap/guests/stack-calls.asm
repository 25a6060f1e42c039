; stack-calls — a guest for the debug adapter's stack traces: `_start` calls `dispatch`, which
; never sets up an EBP frame (and keeps a saved register on the stack), and calls `worker`, which
; does. The EBP chain alone skips `_start`; the shadow call stack shows every caller.
bits 32
org 0x100000

%include "../../../samples/include/multiboot.inc"

section .text
MULTIBOOT_HEADER

_start:
    mov esp, stack_top
    xor ebp, ebp                          ; the outermost frame: the EBP chain ends here
    mov eax, 3
    call dispatch                         ; line 16
    mov dx, DEBUG_EXIT_PORT
    mov al, 0
    out dx, al
.halt:
    cli
    hlt
    jmp .halt

dispatch:
    push ebx                              ; no frame: EBP still belongs to _start
    mov ebx, eax
    call worker                           ; line 28
    pop ebx
    ret

worker:
    push ebp
    mov ebp, esp
    add eax, ebx                          ; line 35: the breakpoint
    pop ebp
    ret

section .data
marker: dd 0
mb_load_end:

section .bss
alignb 16
stack: resb 4096
stack_top:
mb_bss_end:
