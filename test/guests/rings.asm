; rings — privilege levels: IRET from ring 0 to ring 3 and to ring 1 (GDT DPL-1 segments), the
; TSS's SS0:ESP0 used for the stack switch (also after moving ESP0 to another stack), `int 0x80`
; through a DPL-3 trap gate (IF kept) and `int 0x82` through a DPL-3 interrupt gate (IF
; cleared) back to ring 0, the frame the CPU pushed (EIP, CS, EFLAGS, ESP3, SS3), a syscall
; result returned in EAX; `int 0x83` through a DPL-0 gate -> #GP(0x83*8+2); the sensitive but
; unprivileged instructions at CPL 3 (POPF silently keeps IOPL and IF, PUSHF, MOV from CS, SGDT,
; SIDT, STR, SLDT, SMSW); CPL 1 with IOPL 1 (CLI/STI/IN allowed) and with IOPL 0 (CLI -> #GP,
; POPF keeps IF: the trap-and-emulate hole); IRET to ring 3 nulls ES/GS holding DPL-0 selectors;
; a same-privilege IRET.
%include "include/guest.inc"

SEL_CODE1 equ 0x41                      ; code32 DPL1 (slot 0x40)
SEL_DATA1 equ 0x49                      ; data32 DPL1 (slot 0x48)

main:
    mov eax, SEL_CODE1
    xor ebx, ebx
    mov ecx, 0xFFFFF
    mov dl, 0xBB
    mov dh, 0xC0
    call set_desc
    mov eax, SEL_DATA1
    mov dl, 0xB3
    call set_desc
    mov eax, 0x80                       ; DPL-3 trap gate
    mov dl, 0xEF
    call set_stub_gate
    mov dword [vec_hook + 0x80*4], syscall_hook
    mov eax, 0x82                       ; DPL-3 interrupt gate
    mov dl, 0xEE
    call set_stub_gate
    mov dword [vec_hook + 0x82*4], syscall_hook
    mov eax, 0x84                       ; DPL-3 gate: return from the hand-made IRET test
    mov dl, 0xEE
    call set_stub_gate
    mov dword [vec_hook + 0x84*4], iret_test_return

    PRINT "ring 0: cs="
    mov ax, cs
    HEX16 ax
    PRINTLN

    ; ---- ring 3, IOPL 0, IF 1
    PRINTLN "ring 3 (iopl 0, if 1):"
    mov dword [user_eflags], 0x202
    mov eax, user3
    call enter_user
    PRINT "back in ring 0, user returned eax="
    HEX32 eax
    PRINTLN

    ; ---- ring 3 with ESP0 moved
    PRINTLN "ring 3, TSS.ESP0 = alt stack:"
    mov dword [tss + 4], alt_stack_top
    mov eax, user3_alt
    call enter_user
    mov dword [tss + 4], isr_stack_top

    ; ---- ring 1, IOPL 1
    PRINTLN "ring 1 (iopl 1):"
    mov dword [user_cs], SEL_CODE1
    mov dword [user_ss], SEL_DATA1
    mov dword [user_eflags], 0x1202
    mov eax, user1
    call enter_user

    ; ---- ring 1, IOPL 0: kernel-at-ring-1 as trap-and-emulate runs it
    PRINTLN "ring 1 (iopl 0):"
    mov dword [user_eflags], 0x0202
    mov eax, user1_iopl0
    call enter_user
    mov dword [user_cs], SEL_CODE3
    mov dword [user_ss], SEL_DATA3
    mov dword [user_eflags], 0x002

    ; ---- IRET to ring 3 with DPL-0 selectors in ES and GS
    PRINT "iret to ring 3 with es=gs=0010 fs=ds=0023:"
    mov [saved_esp], esp
    mov ax, SEL_DATA0
    mov es, ax
    mov gs, ax
    mov ax, SEL_DATA3
    mov fs, ax
    mov ds, ax
    push dword SEL_DATA3
    push dword ustack_top
    push dword 0x002
    push dword SEL_CODE3
    push dword user_segs
    iretd
.back_from_segs:
    PRINTLN

    ; ---- same-privilege IRET
    PRINT "iret ring 0 -> ring 0: esp delta "
    mov ebx, esp
    pushfd
    push cs
    push dword .after_iret
    iretd
.after_iret:
    mov eax, esp
    sub eax, ebx
    HEX32 eax
    PRINTLN

    PRINTLN "rings done"
    mov eax, 0x18
    ret

; ---- hooks (ring 0)
syscall_hook:
    PRINT "  int "
    HEX8 [ebp + F_VEC]
    PRINT ": cs="
    mov ax, cs
    HEX16 ax
    PRINT " if="
    pushfd
    pop eax
    shr eax, 9
    and eax, 1
    DEC32 eax
    PRINT " frame eip="
    mov eax, [ebp + F_EIP]
    sub eax, [sys_ret_base]
    HEX32 eax
    PRINT " cs="
    HEX16 [ebp + F_CS]
    PRINT " fl="
    mov eax, [ebp + F_EFLAGS]
    and eax, 0x3300                     ; IOPL, IF, TF
    HEX16 ax
    PRINT " esp3="
    mov eax, [ebp + F_ESP3]
    sub eax, ustack_top
    HEX32 eax
    PRINT " ss3="
    HEX16 [ebp + F_SS3]
    PRINT " frame-esp0="
    lea eax, [ebp + F_EIP]
    sub eax, [tss + 4]
    HEX32 eax
    lea eax, [ebp + F_EIP]
    cmp eax, alt_stack
    jb .not_alt
    cmp eax, alt_stack_top
    jae .not_alt
    PRINT " (alt stack)"
.not_alt:
    PRINTLN
    mov eax, [ebp + F_EBX]
    add [ebp + F_EAX], eax              ; result: eax + ebx
    ret

iret_test_return:
    mov esp, [saved_esp]
    mov ax, SEL_DATA0
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    jmp main.back_from_segs

; ---- ring-3 code (IOPL 0)
user3:
    PRINT " cs="
    mov ax, cs
    HEX16 ax
    PRINT " ss="
    mov ax, ss
    HEX16 ax
    PRINT " ds="
    mov ax, ds
    HEX16 ax
    PRINT " fl="
    pushfd
    pop eax
    and eax, 0x3300
    HEX16 ax
    PRINTLN
    mov dword [sys_ret_base], .r80
    mov eax, 0x1234
    mov ebx, 0x5678
    int 0x80
.r80:
    PRINT " int 80 returned eax="
    HEX32 eax
    PRINTLN
    mov dword [sys_ret_base], .r82
    mov eax, 0x100
    mov ebx, 0x23
    int 0x82
.r82:
    PRINT " int 82 returned eax="
    HEX32 eax
    PRINTLN
    PRINT " int 83 (dpl 0 gate):"
    EXPECT_FAULT .f83
.i83:
    int 0x83
.f83:
    SHOW_FAULT .i83
    PRINTLN
    ; POPF at CPL 3, IOPL 0: IOPL and IF silently unchanged
    PRINT " popf 3002 -> "
    push dword 0x3002
    popfd
    pushfd
    pop eax
    and eax, 0x3300
    HEX16 ax
    PRINT " popf 0002 -> "
    push dword 0x0002
    popfd
    pushfd
    pop eax
    and eax, 0x3300
    HEX16 ax
    PRINT " popf 08d7 -> "
    push dword 0x08D7                   ; arithmetic flags do change
    popfd
    pushfd
    pop eax
    and eax, 0x3BD7
    HEX16 ax
    PRINTLN
    ; sensitive, unprivileged reads
    PRINT " sgdt limit="
    sgdt [desc_buf]
    HEX16 [desc_buf]
    PRINT " base-gdt="
    mov eax, [desc_buf + 2]
    sub eax, gdt
    HEX32 eax
    PRINT " sidt limit="
    sidt [desc_buf]
    HEX16 [desc_buf]
    PRINT " base-idt="
    mov eax, [desc_buf + 2]
    sub eax, idt
    HEX32 eax
    PRINT " str="
    str ax
    HEX16 ax
    PRINT " sldt="
    mov eax, 0xffff
    sldt ax
    HEX16 ax
    PRINT " smsw&f="
    smsw ax
    and ax, 0xF
    HEX16 ax
    PRINTLN
    mov eax, 0xc0de
    USER_RETURN

user3_alt:
    mov dword [sys_ret_base], .r
    mov eax, 1
    mov ebx, 2
    int 0x80
.r:
    USER_RETURN

; ---- ring-1 code, IOPL 1
user1:
    PRINT " cs="
    mov ax, cs
    HEX16 ax
    PRINT " ss="
    mov ax, ss
    HEX16 ax
    PRINT " fl="
    pushfd
    pop eax
    and eax, 0x3300
    HEX16 ax
    cli
    PRINT " after cli fl="
    pushfd
    pop eax
    and eax, 0x3300
    HEX16 ax
    sti
    PRINT " popf 3002 -> "
    push dword 0x3002                   ; IF may change (CPL <= IOPL), IOPL may not (CPL > 0)
    popfd
    pushfd
    pop eax
    and eax, 0x3300
    HEX16 ax
    push dword 0x1202
    popfd
    PRINT " in 21h="
    in al, 0x21                         ; PIC mask register: every IRQ masked
    HEX8 al
    PRINTLN
    mov dword [sys_ret_base], .r
    mov eax, 7
    mov ebx, 8
    int 0x80
.r:
    USER_RETURN

; ---- ring-1 code, IOPL 0
user1_iopl0:
    PRINT " cli:"
    EXPECT_FAULT .f1
.c1:
    cli
.f1:
    SHOW_FAULT .c1
    PRINT " popf 0002 -> "
    push dword 0x0002
    popfd
    pushfd
    pop eax
    and eax, 0x3300
    HEX16 ax
    PRINT " in 21h:"
    EXPECT_FAULT .f2
.c2:
    in al, 0x21
.f2:
    SHOW_FAULT .c2
    PRINTLN
    USER_RETURN

; ---- ring 3 entered by the hand-made IRET
user_segs:
    PRINT " es="
    mov ax, es
    HEX16 ax
    PRINT " fs="
    mov ax, fs
    HEX16 ax
    PRINT " gs="
    mov ax, gs
    HEX16 ax
    PRINT " cs="
    mov ax, cs
    HEX16 ax
    int 0x84

section .data
align 4
sys_ret_base: dd 0
saved_esp:    dd 0
desc_buf:     times 8 db 0

section .bss
alignb 16
alt_stack:    resb 4096
alt_stack_top:

GUEST_END
