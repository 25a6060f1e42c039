; stack-interrupt — a guest for the debug adapter's stack traces through an interrupt: `_start`
; calls `idle`, which waits with HLT for the timer; IRQ0 (vector 0x20) enters `timer`, which calls
; `tick`. Stopped in `tick`, the stack is tick, timer, the interrupt, idle, _start.
bits 32
org 0x100000

%include "../../../samples/include/multiboot.inc"

TICKS equ 3

section .text
MULTIBOOT_HEADER
%include "../../../samples/include/lib.inc"

_start:
    mov esp, stack_top
    call lib_init
    mov eax, timer
    mov dx, 1193
    call start_timer
    call idle                             ; line 21
    mov al, 0
    call exit

idle:
    sti
.wait:
    hlt
    cmp dword [ticks], TICKS              ; line 29: where the timer interrupts
    jb .wait
    cli
    ret

timer:
    call tick                             ; line 35
    call eoi
    iret

tick:
    inc dword [ticks]                     ; line 40: the breakpoint
    ret

section .data
ticks: dd 0
mb_load_end:

section .bss
LIB_BSS
alignb 16
    resb 4096
stack_top:
mb_bss_end:
