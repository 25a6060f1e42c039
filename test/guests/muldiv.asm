; muldiv — MUL, IMUL (one-, two- and three-operand forms, imm8 and imm32, register and memory)
; and DIV/IDIV at 8/16/32 bits. After MUL/IMUL only CF and OF are defined (mask 0x0801); after
; DIV/IDIV no flag is, so none is printed. Divide errors (#DE, vector 0) — division by zero and
; quotient overflow, including IDIV's most negative dividend by -1 — are caught by the IDT
; handler: the line shows the vector, the faulting EIP relative to the instruction's label (a
; fault: EIP points at the DIV itself) and that the registers were left unchanged.
%include "include/guest.inc"

; MULCASE name, setup..., instruction: runs with EDX:EAX and operands set by the setup lines.
; Prints "<name> -> edx:eax fl=..." (CF|OF only).
%macro SHOW_EDX_EAX 1
    pushfd
    PRINT %1, " -> "
    HEX32 edx
    PRINT ":"
    HEX32 eax
    popfd
    FLAGS_OUT FL_CF | FL_OF
    PRINTLN
%endmacro

; DIVTRY label — after a DIV/IDIV at label: prints quotient/remainder or the fault.
%macro DIV_OUT 1
    PRINT " -> "
    cmp dword [fault_vec], -1
    jne %%fault
    HEX32 edx
    PRINT ":"
    HEX32 eax
    jmp %%done
%%fault:
    SHOW_FAULT %1
    PRINT " regs "
    HEX32 edx
    PRINT ":"
    HEX32 eax
%%done:
    PRINTLN
%endmacro

main:
    ; ---- MUL r/m8: AX = AL * src
%macro MUL8 2
    mov eax, 0xdeadbe00 | %1
    mov edx, 0x11111111
    mov bl, %2
    SETFLAGS 0x8D7
    mul bl
    SHOW_EDX_EAX {"mul8 ", %str(%1), "*", %str(%2)}
%endmacro
    MUL8 0x00, 0xff
    MUL8 0x02, 0x7f
    MUL8 0x10, 0x10
    MUL8 0xff, 0xff
    MUL8 0x0f, 0x11
%macro MUL16 2
    mov eax, 0xdead0000 | %1
    mov edx, 0x11111111
    mov bx, %2
    SETFLAGS 0x002
    mul bx
    SHOW_EDX_EAX {"mul16 ", %str(%1), "*", %str(%2)}
%endmacro
    MUL16 0xffff, 0xffff
    MUL16 0x0100, 0x00ff
    MUL16 0x0100, 0x0100
    MUL16 0x1234, 0x0000
%macro MUL32 2
    mov eax, %1
    mov edx, 0x11111111
    mov dword [mem32], %2
    SETFLAGS 0x8D7
    mul dword [mem32]
    SHOW_EDX_EAX {"mul32 ", %str(%1), "*", %str(%2)}
%endmacro
    MUL32 0xffffffff, 0xffffffff
    MUL32 0x10000, 0xffff
    MUL32 0x10000, 0x10000
    MUL32 0x80000000, 2
    MUL32 0x12345678, 0x9abcdef0

    ; ---- IMUL one operand
%macro IMUL8 2
    mov eax, 0xdeadbe00 | %1
    mov edx, 0x11111111
    mov byte [mem32], %2
    SETFLAGS 0x002
    imul byte [mem32]
    SHOW_EDX_EAX {"imul8 ", %str(%1), "*", %str(%2)}
%endmacro
    IMUL8 0xff, 0xff
    IMUL8 0x80, 0xff
    IMUL8 0x80, 0x01
    IMUL8 0x7f, 0x02
    IMUL8 0x40, 0x02
    IMUL8 0xc0, 0x02
    IMUL8 0x81, 0x81
%macro IMUL16 2
    mov eax, 0xdead0000 | %1
    mov edx, 0x11111111
    mov cx, %2
    SETFLAGS 0x8D7
    imul cx
    SHOW_EDX_EAX {"imul16 ", %str(%1), "*", %str(%2)}
%endmacro
    IMUL16 0x8000, 0xffff
    IMUL16 0x8000, 0x0001
    IMUL16 0xc000, 0x0002
    IMUL16 0x4000, 0x0002
    IMUL16 0x00ff, 0x00ff
%macro IMUL32 2
    mov eax, %1
    mov edx, 0x11111111
    mov esi, %2
    SETFLAGS 0x002
    imul esi
    SHOW_EDX_EAX {"imul32 ", %str(%1), "*", %str(%2)}
%endmacro
    IMUL32 0x80000000, 0xffffffff
    IMUL32 0x80000000, 1
    IMUL32 0xffffffff, 0xffffffff
    IMUL32 0x7fffffff, 0x7fffffff
    IMUL32 0x40000000, 2
    IMUL32 0xc0000000, 2
    IMUL32 0x12345678, 0xfedcba98

    ; ---- IMUL two and three operands (result truncated, CF=OF=1 when it did not fit)
%macro IMUL2 4                           ; name, setup dest, setup src, instruction
    mov edx, 0x22222222
    %2
    %3
    SETFLAGS 0x8D7
    %4
    pushfd
    PRINT %1, " -> "
    HEX32 eax
    popfd
    FLAGS_OUT FL_CF | FL_OF
    PRINTLN
%endmacro
    IMUL2 "imul eax,ebx 7fffffff*2", {mov eax, 0x7fffffff}, {mov ebx, 2}, {imul eax, ebx}
    IMUL2 "imul eax,ebx -1*-1", {mov eax, -1}, {mov ebx, -1}, {imul eax, ebx}
    IMUL2 "imul eax,[m] 10000*10000", {mov eax, 0x10000}, {mov dword [mem32], 0x10000}, {imul eax, [mem32]}
    IMUL2 "imul ax,bx 0100*0100", {mov eax, 0x55550100}, {mov ebx, 0x0100}, {imul ax, bx}
    IMUL2 "imul ax,bx ff00*0002", {mov eax, 0x5555ff00}, {mov ebx, 0x0002}, {imul ax, bx}
    IMUL2 "imul eax,ebx,-3 (ebx=7)", {mov eax, 0}, {mov ebx, 7}, {imul eax, ebx, -3}
    IMUL2 "imul eax,ebx,40000000 (ebx=4)", {mov eax, 0}, {mov ebx, 4}, {imul eax, ebx, 0x40000000}
    IMUL2 "imul eax,[m],100 (m=01000000)", {mov eax, 0}, {mov dword [mem32], 0x01000000}, {imul eax, [mem32], 0x100}
    IMUL2 "imul ax,bx,7fff (bx=2)", {mov eax, 0x66660000}, {mov ebx, 2}, {imul ax, bx, 0x7fff}
    IMUL2 "imul ax,bx,-1 (bx=8000)", {mov eax, 0x66660000}, {mov ebx, 0x8000}, {imul ax, bx, -1}
    IMUL2 "imul eax,eax,5 (eax=3)", {mov eax, 3}, {mov ebx, 0}, {imul eax, eax, 5}

    ; ---- DIV / IDIV
%macro DIV8 3                            ; instruction, ax, divisor
    mov eax, 0xabcd0000 | %2
    mov edx, 0x33333333
    mov bl, %3
    EXPECT_FAULT %%after
%%at:
    %1 bl
%%after:
    PRINT %str(%1), "8 ", %str(%2), "/", %str(%3)
    DIV_OUT %%at
%endmacro
    DIV8 div, 0x0064, 0x07
    DIV8 div, 0xffff, 0xff
    DIV8 div, 0xff00, 0xff
    DIV8 div, 0x1234, 0x00
    DIV8 div, 0x0100, 0x01
    DIV8 idiv, 0xff9c, 0x07
    DIV8 idiv, 0x0064, 0xf9
    DIV8 idiv, 0xff80, 0x01
    DIV8 idiv, 0xff80, 0xff
    DIV8 idiv, 0x8000, 0xff
    DIV8 idiv, 0x007f, 0xff
    DIV8 idiv, 0x0005, 0x00
%macro DIV16 4                           ; instruction, dx, ax, divisor
    mov eax, 0xabcd0000 | %3
    mov edx, 0x44440000 | %2
    mov word [mem32], %4
    EXPECT_FAULT %%after
%%at:
    %1 word [mem32]
%%after:
    PRINT %str(%1), "16 ", %str(%2), ":", %str(%3), "/", %str(%4)
    DIV_OUT %%at
%endmacro
    DIV16 div, 0x0001, 0x0000, 0x0002
    DIV16 div, 0x0001, 0x0000, 0x0001
    DIV16 div, 0xfffe, 0xffff, 0xffff
    DIV16 idiv, 0xffff, 0xfff9, 0x0002
    DIV16 idiv, 0xffff, 0x8000, 0xffff
    DIV16 idiv, 0x0000, 0x8000, 0xffff
    DIV16 idiv, 0xffff, 0x0000, 0x0002
%macro DIV32 4                           ; instruction, edx, eax, divisor
    mov eax, %3
    mov edx, %2
    mov ecx, %4
    EXPECT_FAULT %%after
%%at:
    %1 ecx
%%after:
    PRINT %str(%1), "32 ", %str(%2), ":", %str(%3), "/", %str(%4)
    DIV_OUT %%at
%endmacro
    DIV32 div, 0, 100, 7
    DIV32 div, 0x00000001, 0x00000000, 0x00000010
    DIV32 div, 0xfffffffe, 0xffffffff, 0xffffffff
    DIV32 div, 0xffffffff, 0xffffffff, 0xffffffff
    DIV32 div, 0x00000005, 0x00000000, 0x00000005
    DIV32 div, 0, 0x12345678, 0
    DIV32 idiv, 0xffffffff, 0xffffff9c, 7
    DIV32 idiv, 0x00000000, 0x00000064, -7
    DIV32 idiv, 0xffffffff, 0x80000000, -1
    DIV32 idiv, 0xffffffff, 0x80000000, 1
    DIV32 idiv, 0x00000000, 0x80000000, -1
    DIV32 idiv, 0xc0000000, 0x00000000, 0x80000000
    DIV32 idiv, 0x3fffffff, 0xffffffff, 0x7fffffff
    DIV32 idiv, 0x40000000, 0x00000000, 0x7fffffff

    PRINT "faults seen: "
    DEC32 [fault_count]
    PRINTLN
    PRINTLN "muldiv done"
    mov eax, [fault_count]
    ret

section .data
align 4
mem32: dd 0

GUEST_END
