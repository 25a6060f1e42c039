; SYNTAX TEST "source.guest-asm" "instruction classes: ordinary, sensitive, privileged, hypercall, vmx"

; ---- ordinary (innocuous) instructions
    mov eax, ebx
;   ^^^ keyword.other.instruction.ordinary.guest-asm - keyword.control.instruction.sensitive.guest-asm
    add eax, 1
;   ^^^ keyword.other.instruction.ordinary.guest-asm
    push eax
;   ^^^^ keyword.other.instruction.ordinary.guest-asm - keyword.control.instruction.sensitive.guest-asm
    pop dword [esp]
;   ^^^ keyword.other.instruction.ordinary.guest-asm - keyword.control.instruction.sensitive.guest-asm
    jmp .next
;   ^^^ keyword.other.instruction.ordinary.guest-asm
    jmp short .next
;   ^^^ keyword.other.instruction.ordinary.guest-asm
    jmp [cs:eax]
;   ^^^ keyword.other.instruction.ordinary.guest-asm - keyword.control.instruction.sensitive.guest-asm
    call lib_init
;   ^^^^ keyword.other.instruction.ordinary.guest-asm
    mov eax, [cs:ebx]
;   ^^^ keyword.other.instruction.ordinary.guest-asm - keyword.control.instruction.sensitive.guest-asm
    ret
;   ^^^ keyword.other.instruction.ordinary.guest-asm
    int3
;   ^^^^ keyword.other.instruction.ordinary.guest-asm
    cpuid
;   ^^^^^ keyword.other.instruction.ordinary.guest-asm
    lock xadd [ebx], eax
;   ^^^^ storage.modifier.prefix.guest-asm
;        ^^^^ keyword.other.instruction.ordinary.guest-asm
    rep movsb
;   ^^^ storage.modifier.prefix.guest-asm
;       ^^^^^ keyword.other.instruction.ordinary.guest-asm
    es lodsb
;   ^^ variable.other.register.segment.guest-asm
;      ^^^^^ keyword.other.instruction.ordinary.guest-asm
    MOV EAX, EBX
;   ^^^ keyword.other.instruction.ordinary.guest-asm
;       ^^^ variable.other.register.general.guest-asm

; ---- sensitive but unprivileged (Robin & Irvine)
    popf
;   ^^^^ keyword.control.instruction.sensitive.guest-asm
    popfd
;   ^^^^^ keyword.control.instruction.sensitive.guest-asm
    pushf
;   ^^^^^ keyword.control.instruction.sensitive.guest-asm
    pushfd
;   ^^^^^^ keyword.control.instruction.sensitive.guest-asm
    sgdt [gdtr]
;   ^^^^ keyword.control.instruction.sensitive.guest-asm
    sidt [idtr]
;   ^^^^ keyword.control.instruction.sensitive.guest-asm
    sldt ax
;   ^^^^ keyword.control.instruction.sensitive.guest-asm
    smsw eax
;   ^^^^ keyword.control.instruction.sensitive.guest-asm
    str ax
;   ^^^ keyword.control.instruction.sensitive.guest-asm
    lar eax, ebx
;   ^^^ keyword.control.instruction.sensitive.guest-asm
    lsl eax, ebx
;   ^^^ keyword.control.instruction.sensitive.guest-asm
    verr ax
;   ^^^^ keyword.control.instruction.sensitive.guest-asm
    verw ax
;   ^^^^ keyword.control.instruction.sensitive.guest-asm
    push cs
;   ^^^^ keyword.control.instruction.sensitive.guest-asm
;        ^^ variable.other.register.segment.guest-asm
    pop ds
;   ^^^ keyword.control.instruction.sensitive.guest-asm
    mov ax, cs
;   ^^^ keyword.control.instruction.sensitive.guest-asm
    mov ds, ax
;   ^^^ keyword.control.instruction.sensitive.guest-asm
    mov word [saved], ss ; store a selector
;   ^^^ keyword.control.instruction.sensitive.guest-asm
    call far [ptr]
;   ^^^^ keyword.control.instruction.sensitive.guest-asm
;        ^^^ storage.modifier.distance.guest-asm
    jmp 0x08:target
;   ^^^ keyword.control.instruction.sensitive.guest-asm
;       ^^^^ constant.numeric.hex.guest-asm
;           ^ punctuation.separator.segment.guest-asm
    jmp far [ptr]
;   ^^^ keyword.control.instruction.sensitive.guest-asm
    retf
;   ^^^^ keyword.control.instruction.sensitive.guest-asm
    iret
;   ^^^^ keyword.control.instruction.sensitive.guest-asm
    iretd
;   ^^^^^ keyword.control.instruction.sensitive.guest-asm
    int 0x80
;   ^^^ keyword.control.instruction.sensitive.guest-asm
    o32 iret
;   ^^^ storage.modifier.prefix.guest-asm
;       ^^^^ keyword.control.instruction.sensitive.guest-asm

; ---- privileged, and IOPL-sensitive (privileged for a guest kernel at CPL > IOPL)
    lgdt [gdt_desc]
;   ^^^^ support.type.instruction.privileged.guest-asm
    lidt [idt_desc]
;   ^^^^ support.type.instruction.privileged.guest-asm
    hlt
;   ^^^ support.type.instruction.privileged.guest-asm
    mov cr0, eax
;   ^^^ support.type.instruction.privileged.guest-asm
;       ^^^ variable.other.register.control.guest-asm
    mov eax, dr7
;   ^^^ support.type.instruction.privileged.guest-asm
;            ^^^ variable.other.register.debug.guest-asm
    mov eax, tr6
;   ^^^ support.type.instruction.privileged.guest-asm
;            ^^^ variable.other.register.test.guest-asm
    invlpg [eax]
;   ^^^^^^ support.type.instruction.privileged.guest-asm
    wrmsr
;   ^^^^^ support.type.instruction.privileged.guest-asm
    cli
;   ^^^ support.type.instruction.privileged.iopl.guest-asm
    sti
;   ^^^ support.type.instruction.privileged.iopl.guest-asm
    in al, dx
;   ^^ support.type.instruction.privileged.iopl.guest-asm
    out 0x80, al
;   ^^^ support.type.instruction.privileged.iopl.guest-asm
    rep outsb
;       ^^^^^ support.type.instruction.privileged.iopl.guest-asm

; ---- hypercalls
    vmcall
;   ^^^^^^ support.function.instruction.hypercall.guest-asm
    vmmcall
;   ^^^^^^^ support.function.instruction.hypercall.guest-asm
    int 0x82
;   ^^^ keyword.control.instruction.sensitive.guest-asm support.function.instruction.hypercall.guest-asm
    int 82h
;   ^^^ support.function.instruction.hypercall.guest-asm

; ---- hardware virtualization (VT-x, and AMD-V under .vmx.svm)
    vmxon [vmxon_region]
;   ^^^^^ support.class.instruction.vmx.guest-asm
    vmlaunch
;   ^^^^^^^^ support.class.instruction.vmx.guest-asm
    vmread eax, ebx
;   ^^^^^^ support.class.instruction.vmx.guest-asm
    vmrun
;   ^^^^^ support.class.instruction.vmx.svm.guest-asm

; ---- positions: after a label, after times, in a %define body, never in comments
start: popf
; <----- entity.name.function.label.guest-asm
;      ^^^^ keyword.control.instruction.sensitive.guest-asm
    times 2 push cs
;   ^^^^^ keyword.directive.times.guest-asm
;           ^^^^ keyword.control.instruction.sensitive.guest-asm
%define IRQ_OFF cli
;               ^^^ support.type.instruction.privileged.iopl.guest-asm
    nop ; popf cli vmcall
;         ^^^^^^^^^^^^^^^ comment.line.semicolon.guest-asm - keyword.control.instruction.sensitive.guest-asm support.type.instruction.privileged.iopl.guest-asm
