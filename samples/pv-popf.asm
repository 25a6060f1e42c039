; pv-popf — the POPF-hole guest (popf-hole.asm) rewritten with pv_ops (include/pvops.inc).
; The critical section is protected with save_fl / irq_disable / restore_fl instead of
; PUSHF / POPF. Natively those are PUSHFD/CLI/POPFD; built with -D XEN they write the virtual
; interrupt flag (shared_info's evtchn_upcall_mask) and ask Xen to deliver pending events, so
; under `--technique paravirt` no timer event lands inside a critical section: the hole that
; trap-and-emulate cannot close is gone because the kernel no longer executes POPF at all.
; The timer: a tick every 20 µs (PIT natively, set_timer_op + VIRQ_TIMER under Xen).
; Expected (both builds): "pv-popf: critical sections intact" then "pv-popf: timer ran".
; Run: npx hyperstep run samples/pv-popf.asm             (native)
;      (build with -D XEN, then) npx hyperstep run pv-popf.bin --technique paravirt

; hyperstep: technique=paravirt    (F5 and the language server's hints use this technique)
bits 32
org 0x100000
%include "multiboot.inc"

ROUNDS equ 400
DELAY  equ 200

section .text
MULTIBOOT_HEADER
%include "lib.inc"
%include "pvops.inc"

_start:
    mov esp, stack_top
    PV_INIT
    mov eax, timer
    mov ecx, 20000                      ; ns between ticks
    call pv_timer_start
    irq_enable

    mov ecx, ROUNDS
.round:
    save_fl                             ; EAX = flags (IF on)
    irq_disable
    mov ebx, [shared]                   ; critical section: read ...
    mov edx, DELAY
.work:
    dec edx
    jnz .work
    inc ebx
    mov [shared], ebx                   ; ... modify, write back
    restore_fl                          ; IF back on: pending ticks are taken here
    loop .round

    irq_disable
    mov esi, msg_rounds
    call pv_puts
    ; Every timer tick added 1000; every round added 1. Lost updates show as a shortfall.
    mov eax, [ticks]
    imul eax, eax, 1000
    add eax, ROUNDS
    sub eax, [shared]
    jnz .corrupted
    mov esi, msg_intact
    call pv_puts
    cmp dword [ticks], 2
    jb .done
    mov esi, msg_timer
    call pv_puts
.done:
    pv_poweroff
.corrupted:
    mov esi, msg_corrupted
    call pv_puts
    pv_crash

timer:                                  ; called with interrupts (events) off
    add dword [shared], 1000
    inc dword [ticks]
    ret

section .data
XEN_GUEST_HEADER
PV_DATA
msg_rounds:    db 'pv-popf: ', 0
msg_intact:    db 'critical sections intact', 10, 0
msg_timer:     db 'pv-popf: timer ran', 10, 0
msg_corrupted: db 'CORRUPTED: timer updates lost inside critical sections', 10, 0
shared: dd 0
ticks:  dd 0
mb_load_end:

section .bss
LIB_BSS
    resb 4096
stack_top:
mb_bss_end:
