; timer-interrupts — interrupt delivery under each technique. The PIT raises IRQ0 through the
; PIC; natively the CPU delivers it through the guest's IDT. Under trap-and-emulate the VMM
; takes every interrupt first and reflects it into the guest's virtual IDT when the guest's
; virtual IF allows; under vt-x (external-interrupt exiting on) each interrupt is an
; EXTERNAL_INTERRUPT exit, and the VMM injects it at VM entry.
; What to look for: 50 ticks counted everywhere; the exits per tick in `hyperstep compare`.
; Run: npx hyperstep compare samples/timer-interrupts.asm

bits 32
org 0x100000
%include "multiboot.inc"

TICKS equ 50

section .text
MULTIBOOT_HEADER
%include "lib.inc"

_start:
    mov esp, stack_top
    call lib_init
    mov eax, timer
    mov dx, 1193                        ; about 1 kHz
    call start_timer
    sti
.wait:
    hlt
    cmp dword [ticks], TICKS
    jb .wait
    cli
    mov esi, msg
    call puts
    mov eax, [ticks]
    call puthex
    call newline
    mov al, 0
    call exit

timer:
    inc dword [ticks]
    call eoi
    iret

section .data
msg: db 'timer-interrupts: ticks handled 0x', 0
ticks: dd 0
mb_load_end:

section .bss
LIB_BSS
    resb 4096
stack_top:
mb_bss_end:
