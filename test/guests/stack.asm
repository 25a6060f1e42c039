; stack — PUSH/POP of registers, memory, immediates (sign-extended imm8) and segment registers
; at 16 and 32 bits; PUSH ESP (old value), POP ESP, POP [ESP+n] (address after the increment);
; CALL/RET near (relative, register, memory, table), RET imm16; ENTER with nesting levels 0, 1,
; 3 and 33 (masked to 1) against a prepared caller frame, LEAVE; PUSHA/POPA (32 and 16 bit);
; PUSHF/POPF in ring 0 (IOPL, NT, AC, ID are writable; RF, VM, VIF, VIP are not).
; Stack addresses are printed relative to the top of a private stack (stk_top), so only the
; layout matters.
%include "include/guest.inc"

; REL reg: prints reg - stk_top as a signed hex value ("-0010")
%macro REL 1
    mov [rel_tmp], eax
    mov eax, %1
    sub eax, stk_top
    call show_signed
    mov eax, [rel_tmp]
%endmacro

main:
    mov [saved_esp], esp
    mov esp, stk_top

    ; ---- push immediates and registers
    PRINT "push byte -2:"
    push byte -2
    mov edx, [esp]
    HEX32 edx
    PRINT " esp"
    REL esp
    PRINTLN
    mov esp, stk_top

    PRINT "push dword 0x1234 / push word 0x5678:"
    push dword 0x1234
    push word 0x5678
    mov dx, [esp]
    HEX16 dx
    call putsp
    mov edx, [esp + 2]
    HEX32 edx
    PRINT " esp"
    REL esp
    PRINTLN
    mov esp, stk_top

    PRINT "push esp pushes:"
    push esp
    mov edx, [esp]
    REL edx
    PRINT " o16 push sp:"
    mov esp, stk_top
    push sp
    mov dx, [esp]
    HEX16 dx
    PRINT " esp"
    REL esp
    PRINTLN
    mov esp, stk_top

    PRINT "pop esp:"
    push dword stk_top - 0x40
    pop esp
    REL esp
    PRINTLN
    mov esp, stk_top

    PRINT "pop [esp+4]:"
    push dword 0xAAAAAAAA
    push dword 0xBBBBBBBB
    push dword 0xCCCCCCCC
    pop dword [esp + 4]
    mov edx, [esp]
    HEX32 edx
    call putsp
    mov edx, [esp + 4]
    HEX32 edx
    PRINT " esp"
    REL esp
    PRINTLN
    mov esp, stk_top

    PRINT "push [esp+4]:"
    push dword 0x11111111
    push dword 0x22222222
    push dword [esp + 4]
    mov edx, [esp]
    HEX32 edx
    PRINT " esp"
    REL esp
    PRINTLN
    mov esp, stk_top

    PRINT "o16 push/pop:"
    mov eax, 0x12345678
    mov ebx, 0xffffffff
    push ax
    push word [w16]
    pop bx
    pop cx
    HEX32 ebx
    call putsp
    HEX16 cx
    PRINT " esp"
    REL esp
    PRINTLN
    mov esp, stk_top

    PRINT "push ds/cs/ss (low 16 bits):"
    push dword 0xffffffff
    pop eax
    push ds
    mov dx, [esp]
    HEX16 dx
    call putsp
    push cs
    mov dx, [esp]
    HEX16 dx
    call putsp
    push ss
    mov dx, [esp]
    HEX16 dx
    PRINT " esp"
    REL esp
    pop eax
    pop eax
    pop es
    mov ax, es
    PRINT " pop es:"
    HEX16 ax
    PRINT " o16 push fs:"
    push fs
    mov esp, stk_top
    o16 push fs
    REL esp
    o16 pop gs
    mov ax, gs
    PRINT " gs:"
    HEX16 ax
    PRINTLN
    mov esp, stk_top

    ; ---- CALL / RET
    PRINT "call rel pushes:"
    call .f1
.r1:
    PRINT " call reg:"
    mov eax, .f2
    call eax
.r2:
    PRINT " call [mem]:"
    call [fptr]
.r3:
    PRINT " call [tab+ecx*4]:"
    mov ecx, 1
    call [ftab + ecx*4]
    PRINTLN
    mov esp, stk_top

    PRINT "ret 12:"
    push dword 1
    push dword 2
    push dword 3
    call .fret12
    REL esp
    PRINTLN
    mov esp, stk_top

    PRINT "ret 4 after push:"
    push dword 0x9999
    call .fret4
    REL esp
    PRINTLN
    mov esp, stk_top

    ; ---- ENTER / LEAVE against a prepared caller frame
    ; caller frame: ebp = fake_ebp (inside the stack area), [fake_ebp-4] and [fake_ebp-8] known
    PRINTLN "enter 16,0:"
    call prep
    enter 16, 0
    call show_frame
    leave
    call show_after_leave

    PRINTLN "enter 8,1:"
    call prep
    enter 8, 1
    call show_frame
    leave
    call show_after_leave

    PRINTLN "enter 12,3:"
    call prep
    enter 12, 3
    call show_frame
    leave
    call show_after_leave

    PRINTLN "enter 4,33 (level masked to 1):"
    call prep
    enter 4, 33
    call show_frame
    leave
    call show_after_leave

    ; ---- PUSHA / POPA
    mov esp, stk_top
    PRINT "pushad:"
    mov eax, 0xa0a0a0a0
    mov ecx, 0xc1c1c1c1
    mov edx, 0xd2d2d2d2
    mov ebx, 0xb3b3b3b3
    mov ebp, 0x5b5b5b5b
    mov esi, 0x56565656
    mov edi, 0xd7d7d7d7
    pushad
    mov esi, esp
    mov ecx, 8
.pa:
    call putsp
    mov eax, [esi]
    cmp ecx, 5                          ; the ESP slot (4th from the top = index 3)
    jne .pa_plain
    REL eax
    jmp .pa_next
.pa_plain:
    HEX32 eax
.pa_next:
    add esi, 4
    loop .pa
    PRINTLN
    mov dword [esp + 12], 0x12345678    ; POPAD ignores the ESP slot
    xor eax, eax
    mov ebx, eax
    mov ecx, eax
    mov edx, eax
    mov esi, eax
    mov edi, eax
    mov ebp, eax
    popad
    PRINT "popad: "
    HEX32 eax
    call putsp
    HEX32 ebx
    call putsp
    HEX32 ecx
    call putsp
    HEX32 edx
    call putsp
    HEX32 esi
    call putsp
    HEX32 edi
    call putsp
    HEX32 ebp
    PRINT " esp"
    REL esp
    PRINTLN

    PRINT "pushaw:"
    mov esp, stk_top
    mov eax, 0xffff1111
    mov ecx, 0xffff2222
    mov edx, 0xffff3333
    mov ebx, 0xffff4444
    mov ebp, 0xffff5555
    mov esi, 0xffff6666
    mov edi, 0xffff7777
    o16 pusha
    REL esp
    mov esi, esp
    mov ecx, 8
.pw:
    call putsp
    cmp ecx, 5
    jne .pw_plain
    movzx eax, word [esi]
    mov edx, stk_top
    and edx, 0xffff
    sub eax, edx
    PRINT "sp"
    call show_signed
    jmp .pw_next
.pw_plain:
    HEX16 [esi]
.pw_next:
    add esi, 2
    loop .pw
    mov word [esp], 0xabcd              ; DI
    xor eax, eax
    mov edi, 0x99990000
    o16 popa
    PRINT " popaw di="
    HEX32 edi
    PRINT " esp"
    REL esp
    PRINTLN

    ; ---- PUSHF / POPF at CPL 0
    PRINT "popfd ffffFCFF -> "
    SETFLAGS 0xFFFFFCFF                 ; everything but TF and IF
    pushfd
    pop eax
    SETFLAGS 0x00000002
    HEX32 eax
    PRINT " popfd 0 -> "
    SETFLAGS 0
    pushfd
    pop eax
    HEX32 eax
    PRINT " popfw ffff -> "
    mov esp, stk_top
    push dword 0x00240000               ; AC | ID set in the upper half...
    popfd
    push word 0xfcff                    ; ...then a 16-bit POPF keeps the upper half
    popfw
    pushfd
    pop eax
    SETFLAGS 2
    HEX32 eax
    PRINT " pushfw "
    SETFLAGS 0x8C3
    pushfw
    mov dx, [esp]
    HEX16 dx
    PRINT " esp"
    REL esp
    PRINTLN
    SETFLAGS 2

    mov esp, [saved_esp]
    PRINTLN "stack done"
    mov eax, 0x14
    ret

.f1:
    mov eax, [esp]
    sub eax, .r1
    HEX32 eax
    ret
.f2:
    mov eax, [esp]
    sub eax, .r2
    HEX32 eax
    ret
.f3:
    mov eax, [esp]
    sub eax, .r3
    HEX32 eax
    ret
.f4:
    PRINT "(f4)"
    ret
.fret12:
    ret 12
.fret4:
    ret 4

; prep: esp = stk_top, a fake caller frame at fake_ebp with known words below it
prep:
    pop dword [ret_tmp]
    push edi
    push ecx
    push eax
    mov edi, stk
    mov ecx, (stk_top - stk) / 4
    mov eax, 0x5a5a5a5a
    rep stosd
    pop eax
    pop ecx
    pop edi
    mov esp, stk_top
    mov dword [fake_ebp - 4], 0xf1f1f1f1
    mov dword [fake_ebp - 8], 0xf2f2f2f2
    mov dword [fake_ebp - 12], 0xf3f3f3f3
    mov ebp, fake_ebp
    push dword [ret_tmp]                ; return address is the one word on the private stack
    ret

; show_frame: (called right after ENTER) prints EBP and ESP relative to stk_top and every dword
; from ESP up to stk_top (addresses relative to stk_top, values that are stack addresses too).
show_frame:
    pushad
    lea esi, [esp + 36]                 ; ESP as it was after ENTER (pushad + return address)
    PRINT "  ebp"
    REL ebp
    PRINT " esp"
    REL esi
    PRINT " words:"
.w:
    cmp esi, stk_top
    jae .done
    call putsp
    mov eax, [esi]
    cmp eax, stk_top
    ja .plain
    cmp eax, stk
    jb .plain
    PRINT "&"
    REL eax
    jmp .next
.plain:
    HEX32 eax
.next:
    add esi, 4
    jmp .w
.done:
    PRINTLN
    popad
    ret

show_after_leave:
    PRINT "  leave: ebp"
    push eax
    mov eax, ebp
    sub eax, fake_ebp
    call show_signed
    pop eax
    PRINT " (from fake_ebp) esp"
    lea edx, [esp + 4]                  ; as the caller sees it
    REL edx
    PRINTLN
    ret

; eax = signed offset → "+hex" / "-hex"
show_signed:
    push eax
    test eax, eax
    js .neg
    PRINT "+"
    jmp .out
.neg:
    PRINT "-"
    neg eax
.out:
    HEX16 ax
    pop eax
    ret

section .data
align 4
saved_esp: dd 0
rel_tmp:   dd 0
ret_tmp:   dd 0
w16:       dw 0xbeef
align 4
fptr:      dd main.f3
ftab:      dd main.f1, main.f4, main.f2

section .bss
alignb 16
stk:       resb 256
fake_ebp:  resb 256                     ; the fake caller frame is well above the ENTER frames
stk_top:

GUEST_END
