; insn_system.asm - IA-32 system instruction sweep: descriptor-table loads
; and stores (lgdt lidt sgdt sidt lldt sldt ltr str) with memory and
; register operands, lmsw/smsw, clts, invlpg, invd, wbinvd, rdmsr/wrmsr,
; rdtsc, rdpmc, cpuid, hlt, cli/sti, protection checks (lar lsl verr verw
; arpl), control/debug register moves, int/int3/into/iret/iretd,
; sysenter/sysexit, ud2, plus an MSR read-modify-write helper.

bits 32
org 0x000C0000

MSR_IA32_APIC_BASE  equ 0x1B
MSR_IA32_EFER       equ 0xC0000080
MSR_SYSENTER_CS     equ 0x174
MSR_SYSENTER_ESP    equ 0x175
MSR_SYSENTER_EIP    equ 0x176

section .text
tables:
    lgdt [gdtr]
    lidt [idtr]
    sgdt [saved_gdtr]
    sidt [saved_idtr]
    lgdt [ebx]
    lidt [ebx + 6]
    sgdt [esp]
    sidt [ebp - 6]
    lldt ax
    lldt [ldt_sel]
    sldt ax
    sldt [ldt_sel]
    sldt eax
    ltr bx
    ltr [tr_sel]
    str cx
    str [tr_sel]
    str ecx

machine_status:
    lmsw ax
    lmsw [msw]
    smsw ax
    smsw eax
    smsw [msw]
    clts

cache_tlb:
    invlpg [eax]
    invlpg [0x00400000]
    invlpg [ebx + ecx*4 + 4096]
    invlpg [page_var]
    invd
    wbinvd

msrs_counters:
    mov ecx, MSR_IA32_APIC_BASE
    rdmsr
    or eax, 1 << 11
    wrmsr
    rdtsc
    xor ecx, ecx
    rdpmc
    xor eax, eax
    cpuid
    mov eax, 0x80000001
    cpuid

interrupts:
    cli
    sti
    hlt
    int 0x80
    int 3
    int3
    int 0
    int 0xFF
    into
    iret
    iretd
    iretw
    ud2

protection:
    lar eax, bx
    lar eax, [sel_word]
    lar ax, bx
    lsl ecx, dx
    lsl ecx, [sel_word]
    lsl cx, dx
    verr ax
    verr [sel_word]
    verw bx
    verw [sel_word]
    arpl ax, bx
    arpl [sel_word], cx

registers:
    mov eax, cr0
    mov cr0, eax
    mov eax, cr2
    mov eax, cr3
    mov cr3, eax
    mov eax, cr4
    mov cr4, eax
    mov ebx, dr0
    mov dr0, ebx
    mov ebx, dr1
    mov dr1, ebx
    mov ebx, dr2
    mov dr2, ebx
    mov ebx, dr3
    mov dr3, ebx
    mov ebx, dr6
    mov dr6, ebx
    mov ebx, dr7
    mov dr7, ebx

fast_syscalls:
    mov ecx, MSR_SYSENTER_CS
    xor edx, edx
    mov eax, 0x08
    wrmsr
    mov ecx, MSR_SYSENTER_EIP
    mov eax, sysenter_entry
    wrmsr
    mov ecx, MSR_SYSENTER_ESP
    mov eax, kstack_top
    wrmsr
    ret
sysenter_entry:
    sysexit
    sysenter

; set bits in an MSR: ecx = msr, eax = bits-low, edx = bits-high
msr_set_bits:
    push ebx
    push esi
    mov ebx, eax
    mov esi, edx
    rdmsr
    or eax, ebx
    or edx, esi
    wrmsr
    pop esi
    pop ebx
    ret

; read the time-stamp counter into [tsc_lo]/[tsc_hi] with serialising cpuid
read_tsc:
    push ebx
    xor eax, eax
    cpuid
    rdtsc
    mov [tsc_lo], eax
    mov [tsc_hi], edx
    pop ebx
    ret

section .data
align 4
gdtr:       dw 0x17
            dd 0
idtr:       dw 0x7FF
            dd 0
saved_gdtr: dw 0
            dd 0
saved_idtr: dw 0
            dd 0
ldt_sel:    dw 0x38
tr_sel:     dw 0x28
msw:        dw 0
sel_word:   dw 0x10
page_var:   dd 0
tsc_lo:     dd 0
tsc_hi:     dd 0

section .bss
alignb 16
kstack:     resb 1024
kstack_top:
