; Benchmark guest for the debug adapter's stepping round trips (bench/dap-bench.ts): a loop of
; one-instruction source lines inside a routine with an EBP frame (so the stack trace has two
; frames), long enough that thousands of `next`s, by line or by instruction, stay inside it.
bits 32
org 0x100000

%include "../../samples/include/multiboot.inc"

section .text
MULTIBOOT_HEADER

_start:
    mov esp, stack_top
    push 100000
    call work
    mov dx, DEBUG_EXIT_PORT
    xor eax, eax
    out dx, al
.halt:
    cli
    hlt
    jmp .halt

work:
    push ebp
    mov ebp, esp
    mov ecx, [ebp + 8]
    xor eax, eax
    xor ebx, ebx
.loop:
    add eax, ecx
    xor ebx, eax
    rol ebx, 3
    mov [scratch], ebx
    add [scratch + 4], eax
    lea edx, [eax + ebx * 2]
    dec ecx
    jnz .loop
    pop ebp
    ret

section .data
scratch: dd 0, 0
mb_load_end:

section .bss
alignb 16
stack: resb 4096
stack_top:
mb_bss_end:
