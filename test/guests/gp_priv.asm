; gp_priv — #GP(0) from every privileged instruction executed at CPL 3 (IOPL 0): CLI, STI, HLT,
; MOV to/from CR0/CR3/CR4 and DR0/DR7, LGDT, LIDT, LLDT, LTR, LMSW, CLTS, INVLPG, WBINVD, INVD,
; RDMSR, WRMSR, RDTSC with CR4.TSD=1; I/O against the TSS I/O bitmap (COM1 0x3F8-0x3FF and port
; 0x80 allowed; 0x21, 0x60 and a word access at 0x3FF that reaches port 0x400 denied; IN, OUT,
; INS, OUTS); INT3/INTO/INT n through DPL-0 gates -> #GP(vector*8+2); IRET to ring 0 ->
; #GP(selector). Then IOPL 3: CLI/STI/IN/OUT allowed, HLT and MOV CR still #GP. Each fault is
; resumed after the instruction; the faulting EIP must be the instruction itself.
%include "include/guest.inc"

%macro PRIV 2+                          ; text, instruction
    PRINT " ", %1, ":"
    EXPECT_FAULT %%after
%%at:
    %2
%%after:
    SHOW_FAULT %%at
    PRINTLN
%endmacro

main:
    PRINTLN "ring 3, iopl 0:"
    mov eax, user_iopl0
    call enter_user
    PRINTLN "ring 3, rdtsc with cr4.tsd=1:"
    mov eax, cr4
    or eax, 4                           ; TSD
    mov cr4, eax
    mov eax, user_tsd
    call enter_user
    xor eax, eax
    mov cr4, eax
    PRINTLN "ring 3, iopl 3:"
    mov dword [user_eflags], 0x3002
    mov eax, user_iopl3
    call enter_user
    PRINTLN "gp_priv done"
    mov eax, 0x19
    ret

user_iopl0:
    PRIV "cli", cli
    PRIV "sti", sti
    PRIV "hlt", hlt
    PRIV "mov eax,cr0", mov eax, cr0
    PRIV "mov cr0,eax", mov cr0, eax
    PRIV "mov eax,cr3", mov eax, cr3
    PRIV "mov cr3,eax", mov cr3, eax
    PRIV "mov cr4,eax", mov cr4, eax
    PRIV "mov eax,dr7", mov eax, dr7
    PRIV "mov dr0,eax", mov dr0, eax
    PRIV "lgdt", lgdt [gdt_desc]
    PRIV "lidt", lidt [idt_desc]
    PRIV "lldt", lldt ax
    PRIV "ltr", ltr ax
    PRIV "lmsw", lmsw ax
    PRIV "clts", clts
    PRIV "invlpg", invlpg [scratch]
    PRIV "wbinvd", wbinvd
    PRIV "invd", invd
    PRIV "rdmsr", rdmsr
    PRIV "wrmsr", wrmsr
    PRIV "in al,21h", in al, 0x21
    PRIV "out 21h,al", out 0x21, al
    mov dx, 0x60
    PRIV "in al,dx (60h)", in al, dx
    mov dx, 0x21
    mov edi, scratch
    PRIV "insb (21h)", insb
    mov esi, scratch
    PRIV "outsb (21h)", outsb
    mov dx, 0x3FF
    PRIV "in ax,dx (3ffh: 400h denied)", in ax, dx
    mov dx, 0x3FD
    PRIV "in al,dx (3fdh allowed)", in al, dx
    mov dx, 0x3FE
    PRIV "in ax,dx (3feh allowed)", in ax, dx
    mov dx, 0x3FC
    PRIV "in eax,dx (3fch allowed)", in eax, dx
    mov dx, 0x3FB
    PRIV "in eax,dx (3fbh-3feh allowed)", in eax, dx
    mov dx, 0x3F6
    PRIV "in ax,dx (3f6h denied, 3f7h denied)", in ax, dx
    mov dx, 0x3F7
    PRIV "in ax,dx (3f7h denied, 3f8h allowed)", in ax, dx
    PRIV "in al,80h (allowed)", in al, 0x80
    PRIV "int3", int3
    PRINT " into (of=1):"
    EXPECT_FAULT .after_into
    SETFLAGS 0x802
.into:
    into
.after_into:
    SHOW_FAULT .into
    PRINTLN
    PRIV "int 20h", int 0x20
    pushfd                              ; an IRET frame back to ring 0: RPL 0 < CPL 3
    push dword SEL_CODE0
    push dword .after_iret_frame
    PRIV "iret to ring 0", iretd
.after_iret_frame:
    add esp, 12                         ; the frame is still there after the fault
    USER_RETURN

user_tsd:
    PRIV "rdtsc", rdtsc
    USER_RETURN

user_iopl3:
    PRIV "cli", cli
    PRINT " if after cli="
    pushfd
    pop eax
    shr eax, 9
    and eax, 1
    DEC32 eax
    PRINTLN
    PRIV "sti", sti
    PRIV "in al,21h", in al, 0x21
    PRINT " value="
    HEX8 al
    PRINTLN
    mov al, 0xFF
    PRIV "out 21h,al", out 0x21, al
    PRIV "hlt", hlt
    PRIV "mov eax,cr0", mov eax, cr0
    PRINT " popf iopl0 -> iopl="
    push dword 0x0002
    popfd
    pushfd
    pop eax
    shr eax, 12
    and eax, 3
    DEC32 eax
    PRINTLN
    USER_RETURN

section .data
align 4
scratch: dd 0

GUEST_END
