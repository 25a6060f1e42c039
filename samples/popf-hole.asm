; popf-hole — why classic x86 cannot be virtualized by trap-and-emulate (Popek & Goldberg).
; A kernel protects a read-modify-write of shared data from its timer interrupt the way real
; kernels restore flags: PUSHF / clear IF / POPF ... POPF. On bare metal and under VT-x the POPF
; really clears IF, so no tick lands inside the critical section. De-privileged to ring 1 under
; trap-and-emulate, POPF is sensitive but not privileged: it silently keeps IF=1 and does not
; trap, the VMM never learns, timer ticks land inside the critical section and updates are lost.
; What to look for: "critical sections intact" natively and under vt-x; "CORRUPTED" under
; trap-and-emulate, with `popf` and `pushf` holes in `hyperstep run --technique
; trap-and-emulate --json` and in the debugger's virtualization-hole breakpoints.
; Run: npx hyperstep compare samples/popf-hole.asm

bits 32
org 0x100000
%include "multiboot.inc"

ROUNDS equ 400
DELAY  equ 200

section .text
MULTIBOOT_HEADER
%include "lib.inc"

_start:
    mov esp, stack_top
    call lib_init
    mov eax, timer
    mov dx, 100                         ; a tick every 100 PIT cycles (about 84 µs)
    call start_timer
    sti

    mov ecx, ROUNDS
.round:
    pushfd                              ; save flags (IF=1)
    pushfd
    and dword [esp], ~0x200             ; clear IF in the copy ...
    popfd                               ; ... and load it: interrupts off (or so the kernel thinks)
    mov ebx, [shared]                   ; critical section: read ...
    mov edx, DELAY
.work:
    dec edx
    jnz .work
    inc ebx
    mov [shared], ebx                   ; ... modify, write back
    popfd                               ; restore IF=1
    loop .round

    cli
    mov esi, msg_rounds
    call puts
    ; Every timer tick added 1000; every round added 1. Lost updates show as a shortfall.
    mov eax, [ticks]
    imul eax, eax, 1000
    add eax, ROUNDS
    sub eax, [shared]
    jnz .corrupted
    mov esi, msg_intact
    call puts
    mov al, 0
    call exit
.corrupted:
    xor edx, edx
    mov ecx, 1000
    div ecx                             ; lost updates: whole ticks (and rounds) overwritten
    mov esi, msg_corrupted
    call puts
    call puthex
    mov esi, msg_lost
    call puts
    mov al, 1
    call exit

timer:
    push eax
    add dword [shared], 1000
    inc dword [ticks]
    call eoi
    pop eax
    iret

section .data
msg_rounds:    db 'popf-hole: ', 0
msg_intact:    db 'critical sections intact', 10, 0
msg_corrupted: db 'CORRUPTED: timer updates lost inside critical sections: 0x', 0
msg_lost:      db 10, 0
shared: dd 0
ticks:  dd 0
mb_load_end:

section .bss
LIB_BSS
    resb 4096
stack_top:
mb_bss_end:
