; real16_prefixes.asm - bits 16 code that relies on operand-size (0x66) and
; address-size (0x67) prefixes: 32-bit registers and immediates, 32-bit
; SIB addressing, explicit o16/o32/a16/a32 prefixes on string ops and
; stack ops, unreal-mode setup with a 32-bit flat data segment, far returns
; (retf, o32 retf), and dword far jumps out of 16-bit code.

bits 16
org 0x8000

FLAT_SEL equ 0x08

stage2:
    cli
    push cs
    pop ds
    xor eax, eax
    mov ax, cs
    shl eax, 4
    add eax, gdt
    mov [gdtr + 2], eax
    lgdt [gdtr]
    ; enter protected mode just long enough to load a 4 GiB limit into fs/gs
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp short .pm
.pm:
    mov bx, FLAT_SEL
    mov fs, bx
    mov gs, bx
    and al, 0xFE
    mov cr0, eax
    jmp short .unreal
.unreal:
    xor ax, ax
    mov fs, ax
    mov gs, ax
    sti

    ; 32-bit addressing from 16-bit code (0x67 prefix)
    mov edi, 0x00100000
    mov dword [fs:edi], 0xDEADBEEF
    mov eax, [fs:edi]
    mov ecx, 4
    mov ebx, [fs:edi + ecx*4 + 0x10]
    mov [gs:ebx*2 + 0x400], al
    lea esi, [eax + ebx*8 - 4]
    lea si, [bx + di + 6]
    movzx ecx, word [si]
    movsx edx, byte [bx + 3]
    movzx eax, byte [fs:esi]

    ; 32-bit operands (0x66 prefix)
    add eax, 0x12345678
    sub ecx, 1
    imul edx, ebx, 1000
    shl dword [counter], 3
    push dword 0x11223344
    push eax
    pop dword [scratch]
    pushad
    popad
    pushfd
    popfd
    push word 0x1234
    pop word [scratch + 4]

    ; explicit prefixes
    o32 pushf
    o16 pushf
    o32 popf
    a32 lodsb
    a16 lodsb
    o32 lodsd
    o16 lodsw
    a32 rep movsb
    a32 rep stosd
    rep movsd
    o32 leave
    a32 o32 movsd
    o32 retf
    retf
    o32 iret
    iret
    o32 ret
    ret 4

    ; copy 64 KiB above 1 MiB with 32-bit addresses
    mov esi, 0x00200000
    mov edi, 0x00300000
    mov ecx, 0x4000
.copy:
    mov eax, [fs:esi]
    mov [fs:edi], eax
    add esi, 4
    add edi, 4
    a32 loop .copy
    loop .copy
    jecxz .skip
    jcxz .skip
.skip:
    in eax, dx
    out dx, eax
    in ax, 0x60
    out 0x61, eax

    ; far transfers to 32-bit code
    jmp dword 0x18:0x00100000
    call dword 0x18:0x00100000
    jmp 0x1000:0x0020
    call 0x1000:0x0020
    jmp far [far_target]
    call far [far_target]
    jmp far dword [far_target32]

counter:        dd 0
scratch:        dd 0, 0
far_target:     dw 0x0020, 0x1000
far_target32:   dd 0x00100000
                dw 0x18

align 8
gdt:
    dq 0
    dw 0xFFFF, 0
    db 0, 0x92, 0xCF, 0
gdt_end:
gdtr:
    dw gdt_end - gdt - 1
    dd 0
