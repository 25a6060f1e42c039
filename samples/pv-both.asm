; pv-both — one kernel source, two builds: native (`hyperstep run samples/pv-both.asm`) and Xen
; PV (assembled with -D XEN, run with `--technique paravirt`). Only include/pvops.inc differs
; between them: console output (UART vs console_io), the interrupt flag (CLI/STI/PUSHFD vs
; evtchn_upcall_mask), and power-off (isa-debug-exit vs sched_op shutdown). Both print:
;   pv-both: sum 1..100 = 000013ba
;   pv-both: IF after irq_disable 00000000
;   pv-both: IF after irq_enable 00000200
;   pv-both: IF after restore_fl 00000000
;   pv-both: done

; hyperstep: technique=paravirt    (F5 and the language server's hints use this technique)
bits 32
org 0x100000
%include "multiboot.inc"

section .text
MULTIBOOT_HEADER
%include "lib.inc"
%include "pvops.inc"

_start:
    mov esp, stack_top
    PV_INIT
    xor eax, eax
    mov ecx, 100
.sum:
    add eax, ecx
    loop .sum
    mov esi, msg_sum
    call pv_puts
    call pv_puthex
    call newline_pv

    irq_disable
    save_fl
    mov ebx, eax                        ; flags with IF off
    and eax, 0x200
    mov esi, msg_disable
    call pv_puts
    call pv_puthex
    call newline_pv

    irq_enable
    save_fl
    and eax, 0x200
    mov esi, msg_enable
    call pv_puts
    call pv_puthex
    call newline_pv

    mov eax, ebx
    restore_fl                          ; back to IF off
    save_fl
    and eax, 0x200
    mov esi, msg_restore
    call pv_puts
    call pv_puthex
    call newline_pv

    mov esi, msg_done
    call pv_puts
    pv_poweroff

newline_pv:
    push eax
    mov al, 10
    call pv_putc
    pop eax
    ret

section .data
XEN_GUEST_HEADER
PV_DATA
msg_sum:     db 'pv-both: sum 1..100 = ', 0
msg_disable: db 'pv-both: IF after irq_disable ', 0
msg_enable:  db 'pv-both: IF after irq_enable ', 0
msg_restore: db 'pv-both: IF after restore_fl ', 0
msg_done:    db 'pv-both: done', 10, 0
mb_load_end:

section .bss
LIB_BSS
    resb 4096
stack_top:
mb_bss_end:
