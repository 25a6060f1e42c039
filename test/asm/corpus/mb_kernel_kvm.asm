; mb_kernel_kvm.asm - the same hypercall wrapper macro set as the Xen kernel
; but with XEN undefined (vmcall path) and a second block assembled with
; AMD_SVM defined (vmmcall path); cpuid-based hypervisor detection with the
; "KVMKVMKVM" signature compared as dword character constants.

bits 32
org 0x100000

%include "multiboot.inc"
%include "hypercall.inc"

MB_FLAGS        equ MB_AOUT_KLUDGE
CPUID_HV_BASE   equ 0x40000000
CPUID_HV_BIT    equ 1 << 31

section .text
base:
    MULTIBOOT_HEADER hdr, MB_FLAGS, base, data_end, bss_end, kvm_entry

kvm_entry:
    mov esp, stk_top
    ; hypervisor present?
    mov eax, 1
    cpuid
    test ecx, CPUID_HV_BIT
    jz near no_hypervisor
    ; read vendor signature
    mov eax, CPUID_HV_BASE
    cpuid
    mov [hv_max_leaf], eax
    mov [hv_sig], ebx
    mov [hv_sig + 4], ecx
    mov [hv_sig + 8], edx
    cmp ebx, 'KVMK'
    jne .other
    cmp ecx, 'VMKV'
    jne .other
    cmp edx, 'M'
    jne .other
    mov byte [hv_kind], 1
    jmp short .probe_done
.other:
    cmp ebx, 'Hype'
    jne .probe_done
    mov byte [hv_kind], 2
.probe_done:
    call intel_calls
    call amd_calls
no_hypervisor:
    cli
    hlt
    jmp no_hypervisor

intel_calls:
    HYPERCALL HC_CONSOLE_IO, 5, msg
    HYPERCALL HC_SCHED_OP, 1
    HYPERCALL HC_EVENT_OP
    ret

%define AMD_SVM
amd_calls:
    HYPERCALL HC_CONSOLE_IO, 5, msg
    HYPERCALL HC_SCHED_OP, 1, 2
    HYPERCALL HC_EVENT_OP, 1, 2, 3
    ret

section .data
msg:        db 'hello'
hv_kind:    db 0
align 4
hv_max_leaf: dd 0
data_end:

section .bss
hv_sig:     resb 12
alignb 16
stk:        resb 1024
stk_top:
bss_end:
