; A Xen PV kernel (build with -D XEN) that makes one hypercall by `int 0x82` in its own code
; (xen_version), for stepping into a hypercall, then powers off through sched_op.
bits 32
org 0x100000
%include "../../../samples/include/multiboot.inc"

section .text
MULTIBOOT_HEADER
%include "../../../samples/include/lib.inc"
%include "../../../samples/include/pvops.inc"

_start:
    mov esp, stack_top
    PV_INIT
    xor ebx, ebx                        ; XENVER_version
    HYPERCALL_INT 17                    ; xen_version
    mov edi, eax                        ; after the hypercall
    pv_poweroff

section .data
XEN_GUEST_HEADER
PV_DATA
mb_load_end:

section .bss
LIB_BSS
alignb 16
    resb 4096
stack_top:
mb_bss_end:
