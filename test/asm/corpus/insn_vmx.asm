; insn_vmx.asm - virtualisation instructions a Hyperstep guest/hypervisor
; stub uses: vmcall (Intel) and vmmcall (AMD) hypercalls wrapped in the
; hypercall.inc macro set, VMX root operations (vmxon vmxoff vmptrld
; vmptrst vmclear vmread vmwrite vmlaunch vmresume) with register and
; memory operands, VMCS field encodings as equs, CR4.VMXE enabling and the
; IA32_FEATURE_CONTROL MSR check, plus a VM-exit handler dispatch table.

bits 32
org 0x00140000

%include "hypercall.inc"

CR4_VMXE                equ 1 << 13
MSR_FEATURE_CONTROL     equ 0x3A
MSR_VMX_BASIC           equ 0x480
FC_LOCK                 equ 1 << 0
FC_VMXON_OUTSIDE_SMX    equ 1 << 2

VMCS_GUEST_RIP          equ 0x681E
VMCS_GUEST_RSP          equ 0x681C
VMCS_GUEST_CR0          equ 0x6800
VMCS_EXIT_REASON        equ 0x4402
VMCS_EXIT_INSN_LEN      equ 0x440C
VMCS_HOST_RIP           equ 0x6C16
VMCS_HOST_RSP           equ 0x6C14

EXIT_CPUID              equ 10
EXIT_HLT                equ 12
EXIT_VMCALL             equ 18
EXIT_IO                 equ 30

section .text
guest_hypercalls:
    HYPERCALL HC_CONSOLE_IO, 1, 2, 3
    HYPERCALL HC_SCHED_OP
    vmcall
    vmmcall
    ret

vmx_enable:
    ; check and lock IA32_FEATURE_CONTROL
    mov ecx, MSR_FEATURE_CONTROL
    rdmsr
    test eax, FC_LOCK
    jnz .locked
    or eax, FC_LOCK | FC_VMXON_OUTSIDE_SMX
    wrmsr
.locked:
    test eax, FC_VMXON_OUTSIDE_SMX
    jz .fail
    mov eax, cr4
    or eax, CR4_VMXE
    mov cr4, eax
    ; revision id into the vmxon region and the vmcs
    mov ecx, MSR_VMX_BASIC
    rdmsr
    mov [vmxon_region], eax
    mov [vmcs_region], eax
    vmxon [vmxon_phys]
    jbe .fail
    vmclear [vmcs_phys]
    jbe .fail
    vmptrld [vmcs_phys]
    jbe .fail
    vmptrst [current_vmcs]
    ; host state
    mov eax, VMCS_HOST_RIP
    mov ebx, vm_exit
    vmwrite eax, ebx
    mov eax, VMCS_HOST_RSP
    vmwrite eax, [host_stack_ptr]
    ; guest state
    mov ecx, VMCS_GUEST_RIP
    vmwrite ecx, [guest_entry]
    mov ecx, VMCS_GUEST_CR0
    mov edx, cr0
    vmwrite ecx, edx
    vmlaunch
.fail:
    xor eax, eax
    ret

vm_exit:
    pushad
    mov eax, VMCS_EXIT_REASON
    vmread ebx, eax
    vmread [last_exit], eax
    and ebx, 0xFFFF
    cmp ebx, EXIT_TABLE_LEN
    jae .unknown
    call [exit_table + ebx*4]
    ; advance guest rip past the exiting instruction
    mov eax, VMCS_EXIT_INSN_LEN
    vmread ecx, eax
    mov eax, VMCS_GUEST_RIP
    vmread edx, eax
    add edx, ecx
    vmwrite eax, edx
    popad
    vmresume
.unknown:
    popad
    vmxoff
    hlt

exit_default:
    ret
exit_cpuid:
    inc dword [cpuid_exits]
    ret
exit_hlt:
    inc dword [hlt_exits]
    ret
exit_vmcall:
    inc dword [vmcall_exits]
    ret
exit_io:
    inc dword [io_exits]
    ret

section .data
align 4
exit_table:
    times EXIT_CPUID dd exit_default
    dd exit_cpuid
    dd exit_default
    dd exit_hlt
    times EXIT_VMCALL - EXIT_HLT - 1 dd exit_default
    dd exit_vmcall
    times EXIT_IO - EXIT_VMCALL - 1 dd exit_default
    dd exit_io
EXIT_TABLE_LEN equ ($ - exit_table) / 4

align 8
vmxon_phys:     dq vmxon_region
vmcs_phys:      dq vmcs_region
current_vmcs:   dq 0
guest_entry:    dd 0x7C00
host_stack_ptr: dd host_stack_top
last_exit:      dd 0
cpuid_exits:    dd 0
hlt_exits:      dd 0
vmcall_exits:   dd 0
io_exits:       dd 0

section .bss
alignb 4096
vmxon_region:   resb 4096
vmcs_region:    resb 4096
host_stack:     resb 4096
host_stack_top:
