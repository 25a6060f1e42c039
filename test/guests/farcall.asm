; farcall — far CALL/JMP/RETF through GDT code segments: ptr16:32 and m16:32 operands, a second
; flat code segment, a code segment with a nonzero base (EIP becomes the offset in it), RETF imm16;
; call gates: a DPL-0 gate called from ring 0 (no stack switch), a DPL-3 gate with 2 parameters
; called from ring 3 into ring 0 (stack switch through the TSS: the new stack holds SS3, ESP3, the
; copied parameters, CS3, EIP3), RETF 8 back to ring 3 (FS holding a DPL-0 selector is nulled);
; a conforming code segment called from ring 3 (CPL stays 3, CS.RPL = 3), directly and through a
; gate (there CS is not printed: QEMU 7.2 loads CS.RPL = 0, the SDM says CPL); entering ring 3 with a hand-built RETF frame; #GP for a far call from ring 3 to a DPL-0
; nonconforming segment, for a far JMP through a call gate to a more privileged segment and for
; a gate whose DPL is below CPL (error code = the offending selector).
%include "include/guest.inc"

SEL_FLAT2  equ 0x40                     ; code32 DPL0, base 0
SEL_BASED  equ 0x48                     ; code32 DPL0, base CODE_BASE
SEL_GATE3  equ 0x50                     ; call gate DPL3 -> SEL_CODE0:gate3_target, 2 params
SEL_GATE0  equ 0x58                     ; call gate DPL0 -> SEL_FLAT2:gate0_target
SEL_CONF   equ 0x60                     ; conforming code32 DPL0, base 0
SEL_GATEC  equ 0x68                     ; call gate DPL3 -> SEL_CONF:conf_target
CODE_BASE  equ 0x1000

; CSVAL: prints CS
%macro CSVAL 0
    push eax
    mov ax, cs
    HEX16 ax
    pop eax
%endmacro

main:
    call init_0x82
    mov eax, SEL_FLAT2
    xor ebx, ebx
    mov ecx, 0xFFFFF
    mov dl, 0x9B
    mov dh, 0xC0
    call set_desc
    mov eax, SEL_BASED
    mov ebx, CODE_BASE
    call set_desc
    mov eax, SEL_CONF
    xor ebx, ebx
    mov dl, 0x9F                        ; conforming, readable, accessed
    call set_desc
    mov eax, SEL_GATE3
    mov ebx, gate3_target
    mov cx, SEL_CODE0
    mov dl, 0xEC
    mov dh, 2
    call set_callgate
    mov eax, SEL_GATE0
    mov ebx, gate0_target
    mov cx, SEL_FLAT2
    mov dl, 0x8C
    mov dh, 0
    call set_callgate
    mov eax, SEL_GATEC
    mov ebx, conf_gate_target
    mov cx, SEL_CONF
    mov dl, 0xEC
    mov dh, 0
    call set_callgate

    ; ---- ring 0
    PRINT "call ptr16:32 ->"
    call SEL_FLAT2:far_target
.ret1:
    PRINT " back cs="
    CSVAL
    PRINTLN

    PRINT "call m16:32 ->"
    call far [fptr]
    PRINTLN

    PRINT "jmp ptr16:32 ->"
    jmp SEL_FLAT2:jmp_target
.jback:
    PRINT " back cs="
    CSVAL
    PRINTLN

    PRINT "call based segment ->"
    call SEL_BASED:(based_target - CODE_BASE)
    PRINT " back cs="
    CSVAL
    PRINTLN

    PRINT "retf 8 ->"
    mov [esp_before], esp
    push dword 0x1111
    push dword 0x2222
    call SEL_FLAT2:retf8_target
    mov eax, esp
    sub eax, [esp_before]
    PRINT " esp delta "
    HEX32 eax
    PRINTLN

    PRINT "call gate dpl0 ->"
    mov [esp_before], esp
    call SEL_GATE0:0xdeadbeef            ; the offset is ignored
    PRINTLN

    ; ---- ring 3
    PRINTLN "ring 3 via call gate:"
    mov eax, user_gate_test
    call enter_user
    PRINTLN "ring 3 to conforming code:"
    mov eax, user_conf_test
    call enter_user
    PRINTLN "ring 3 faults:"
    mov eax, user_fault_test
    call enter_user
    PRINT "ring 3 via retf frame:"
    mov [kernel_saved_esp2], esp
    mov ax, SEL_DATA3
    mov ds, ax
    mov es, ax
    push dword SEL_DATA3
    push dword ustack_top
    push dword SEL_CODE3
    push dword user_retf_entry
    retf
.after_retf_user:
    PRINTLN "farcall done"
    mov eax, 0x15
    ret

; ---- ring-0 far targets
far_target:
    PRINT " cs="
    CSVAL
    PRINT " ret eip="
    mov eax, [esp]
    sub eax, main.ret1
    HEX32 eax
    PRINT " ret cs="
    mov ax, [esp + 4]
    HEX16 ax
    retf

fptr_target:
    PRINT " cs="
    CSVAL
    retf

jmp_target:
    PRINT " cs="
    CSVAL
    jmp far [jback_ptr]

based_target:                            ; runs with CS base = CODE_BASE
    PRINT " cs="
    CSVAL
    call .here
.here:
    pop eax                              ; offset in the based segment
    add eax, CODE_BASE
    sub eax, .here
    PRINT " eip-offset+base-linear="
    HEX32 eax
    retf

retf8_target:
    PRINT " args "
    mov eax, [esp + 8]
    HEX32 eax
    call putsp
    mov eax, [esp + 12]
    HEX32 eax
    retf 8

gate0_target:
    PRINT " cs="
    CSVAL
    PRINT " esp delta "
    lea eax, [esp + 8]
    sub eax, [esp_before]
    HEX32 eax
    PRINT " ret cs="
    mov ax, [esp + 4]
    HEX16 ax
    retf

; call gate DPL3 -> ring 0, 2 parameters copied
gate3_target:
    mov [gate_esp], esp
    PRINT "  in gate: cs="
    CSVAL
    PRINT " ss="
    mov ax, ss
    HEX16 ax
    PRINT " esp-esp0="
    mov eax, [gate_esp]
    sub eax, isr_stack_top
    HEX32 eax
    PRINTLN
    PRINT "  frame: eip3="
    mov ebx, [gate_esp]
    mov eax, [ebx]
    sub eax, user_gate_test.ret
    HEX32 eax
    PRINT " cs3="
    HEX16 [ebx + 4]
    PRINT " p0="
    HEX32 [ebx + 8]
    PRINT " p1="
    HEX32 [ebx + 12]
    PRINT " esp3="
    mov eax, [ebx + 16]
    sub eax, ustack_top
    HEX32 eax
    PRINT " ss3="
    HEX16 [ebx + 20]
    PRINTLN
    mov ax, SEL_DATA0
    mov fs, ax                          ; DPL 0: nulled by the return to ring 3
    mov eax, 0x600d
    retf 8

conf_target:
    PRINT " conforming: cs="
    CSVAL
conf_gate_target:                       ; through a gate: QEMU 7.2 shows CS.RPL = 0 there, the
                                        ; SDM says CS.RPL = CPL (3), so CS is not printed
    PRINT " ss="
    push eax
    mov ax, ss
    HEX16 ax
    pop eax
    PRINT " esp-ustack_top="
    lea eax, [esp + 8]
    sub eax, ustack_top
    HEX32 eax
    retf

; ---- ring-3 code
user_gate_test:
    mov ax, SEL_DATA3
    mov fs, ax
    push dword 0xAAAA0001               ; becomes the parameter at the higher address
    push dword 0xBBBB0002
    mov eax, 0
    call (SEL_GATE3 | 3):0
.ret:
    PRINT "  back in ring 3: cs="
    CSVAL
    PRINT " eax="
    HEX32 eax
    PRINT " esp3="
    mov eax, esp
    sub eax, ustack_top
    HEX32 eax
    PRINT " fs="
    mov ax, fs
    HEX16 ax
    PRINT " gs="
    mov ax, gs
    HEX16 ax
    PRINTLN
    USER_RETURN

user_conf_test:
    PRINT " direct:"
    call SEL_CONF:conf_target
    PRINTLN
    PRINT " through gate:"
    call (SEL_GATEC | 3):0
    PRINTLN
    USER_RETURN

user_fault_test:
    PRINT " call 08:x from ring 3:"
    EXPECT_FAULT .f1
.c1:
    call SEL_CODE0:far_target
.f1:
    SHOW_FAULT .c1
    PRINTLN
    PRINT " jmp through dpl3 gate to ring 0:"
    EXPECT_FAULT .f2
.c2:
    jmp (SEL_GATE3 | 3):0
.f2:
    SHOW_FAULT .c2
    PRINTLN
    PRINT " call dpl0 gate from ring 3:"
    EXPECT_FAULT .f3
.c3:
    call (SEL_GATE0 | 3):0
.f3:
    SHOW_FAULT .c3
    PRINTLN
    PRINT " retf to ring 0 from ring 3:"
    EXPECT_FAULT .f4
    push dword SEL_CODE0
    push dword .f4
.c4:
    retf
.f4:
    SHOW_FAULT .c4
    add esp, 8
    PRINTLN
    USER_RETURN

user_retf_entry:
    PRINT " cs="
    CSVAL
    PRINT " ss="
    mov ax, ss
    HEX16 ax
    PRINTLN
    int 0x82                            ; back to ring 0 (hook below)

section .data
align 4
fptr:       dd fptr_target
            dw SEL_FLAT2
align 4
jback_ptr:  dd main.jback
            dw SEL_CODE0
align 4
esp_before: dd 0
gate_esp:   dd 0
kernel_saved_esp2: dd 0

section .text
; vector 0x82 (made DPL 3 in init below): return from the retf-entered ring 3 code
ret_from_retf_user:
    mov esp, [kernel_saved_esp2]
    mov ax, SEL_DATA0
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    jmp main.after_retf_user

init_0x82:
    mov eax, 0x82
    mov dl, 0xEE
    call set_stub_gate
    mov dword [vec_hook + 0x82*4], ret_from_retf_user
    ret

GUEST_END
