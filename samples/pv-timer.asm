; pv-timer — a kernel with a timer event handler, written against pv_ops (include/pvops.inc).
; Built with -D XEN it is a Xen PV kernel: it binds VIRQ_TIMER to an event channel
; (event_channel_op), arms a one-shot timer (set_timer_op) every millisecond, sleeps with
; sched_op(SCHEDOP_block) and takes each tick in its event callback (set_callbacks), returning
; with HYPERVISOR_iret; the tick line is written with console_io and it powers off with
; sched_op(SCHEDOP_shutdown). Natively the same source uses the PIT, IRQ0, STI;HLT and the UART.
; Expected (both builds):
;   pv-timer: waiting for 5 ticks / tick 00000001 ... tick 00000005 / pv-timer: done

; hyperstep: technique=paravirt    (F5 and the language server's hints use this technique)
bits 32
org 0x100000
%include "multiboot.inc"

TICKS equ 5

section .text
MULTIBOOT_HEADER
%include "lib.inc"
%include "pvops.inc"

_start:
    mov esp, stack_top
    PV_INIT
    mov esi, msg_start
    call pv_puts
    mov eax, tick
    mov ecx, 1000000                    ; 1 ms
    call pv_timer_start
.wait:
    irq_disable                         ; check-then-sleep without losing a tick:
    cmp dword [ticks], TICKS
    jae .done
    safe_halt                           ; enables events and sleeps atomically
    jmp .wait
.done:
    mov esi, msg_done
    call pv_puts
    pv_poweroff

tick:
    inc dword [ticks]
    mov esi, msg_tick
    call pv_puts
    mov eax, [ticks]
    call pv_puthex
    mov al, 10
    call pv_putc
    ret

section .data
XEN_GUEST_HEADER
PV_DATA
msg_start: db 'pv-timer: waiting for 5 ticks', 10, 0
msg_tick:  db 'tick ', 0
msg_done:  db 'pv-timer: done', 10, 0
ticks: dd 0
mb_load_end:

section .bss
LIB_BSS
    resb 4096
stack_top:
mb_bss_end:
