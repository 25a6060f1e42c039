; mb_kernel_xen.asm - Multiboot a.out-kludge guest kernel built for the Xen
; hypercall ABI: %define XEN before including the hypercall wrapper macro set,
; so HYPERCALL expands to calls into a page-aligned hypercall page
; (function-like %define HC_STUB), with 1..4 macro arguments and defaults.

%define XEN
bits 32
org 0x100000

%include "multiboot.inc"
%include "hypercall.inc"

MB_FLAGS        equ MB_PAGE_ALIGN | MB_AOUT_KLUDGE
CONSOLEIO_write equ 0
SCHEDOP_yield   equ 0
SCHEDOP_block   equ 1
SCHEDOP_shutdown equ 2
SHUTDOWN_poweroff equ 0
EVTCHNOP_send   equ 4

section .text
img_base:
    MULTIBOOT_HEADER xen_mb_header, MB_FLAGS, img_base, img_data_end, img_bss_end, xen_start

xen_start:
    cld
    mov esp, stack_end
    ; write the banner to the Xen console
    HYPERCALL HC_CONSOLE_IO, CONSOLEIO_write, banner_len, banner
    ; yield once, with defaulted arguments
    HYPERCALL HC_SCHED_OP
    ; notify event channel 3
    mov dword [evtchn_port], 3
    HYPERCALL HC_EVENT_OP, EVTCHNOP_send, evtchn_port
    ; block until an event arrives
    HYPERCALL HC_SCHED_OP, SCHEDOP_block
    ; power off
    mov dword [shutdown_reason], SHUTDOWN_poweroff
    HYPERCALL HC_SCHED_OP, SCHEDOP_shutdown, shutdown_reason
.dead:
    hlt
    jmp short .dead

; the hypercall page is filled in by the hypervisor; we pre-fill each
; 32-byte slot with "mov eax, nr / int 0x82 / ret" so it works unpatched
    align 4096
hypercall_page:
%assign nr 0
%rep 128
    mov eax, nr
    int 0x82
    ret
    times 32 - 8 db 0xCC
%assign nr nr + 1
%endrep
hypercall_page_end:

; ---------------------------------------------------------------------------
section .data
banner:     db "Hyperstep Xen guest up", 13, 10
banner_len  equ $ - banner
page_bytes: dd hypercall_page_end - hypercall_page
slot_of_console: dd HC_STUB(HC_CONSOLE_IO)
img_data_end:

section .bss
alignb 4
evtchn_port:     resd 1
shutdown_reason: resd 1
alignb 16
stack:           resb 4096
stack_end:
img_bss_end:
