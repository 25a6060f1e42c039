; bitops — BT/BTS/BTR/BTC with register and immediate offsets on registers (offset mod width)
; and on memory (register offsets address outside the operand: +-large, negative; immediate
; offsets mod width); BSF/BSR (ZF; destination not printed for a zero source); BSWAP; SETcc,
; Jcc and CMOVcc for all 16 conditions over all 32 combinations of CF PF ZF SF OF; XADD,
; CMPXCHG (8/16/32, register and memory, equal and not equal) and CMPXCHG8B, with LOCK on the
; memory forms.
; BT*: only CF is defined (ZF kept: input ZF=1); BSF/BSR: only ZF; XADD/CMPXCHG: as ADD/CMP;
; CMPXCHG8B: only ZF changes.
%include "include/guest.inc"

MASK_BT equ FL_CF | FL_ZF

%macro BTREG 4                          ; instruction, width reg value, offset reg value, text
    mov eax, %2
    mov ecx, %3
    SETFLAGS 0x0C6
    %1
    pushfd
    PRINT %4, " -> "
    HEX32 eax
    popfd
    FLAGS_OUT MASK_BT
    PRINTLN
%endmacro

%macro BTMEM 3                          ; instruction (on [membuf+32]), offset in ecx, text
    call fill_membuf
    mov ecx, %2
    SETFLAGS 0x0C6
    %1
    pushfd
    PRINT %3, " ->"
    popfd
    FLAGS_OUT MASK_BT
    PRINT " mem:"
    call dump_membuf
    PRINTLN
%endmacro

main:
    ; ---- BT family on registers
    BTREG {bt eax, ecx},  0x80000001, 31, "bt eax,31 (80000001)"
    BTREG {bt eax, ecx},  0x80000001, 32, "bt eax,32 (mod 32)"
    BTREG {bt eax, ecx},  0x80000001, -1, "bt eax,-1 (mod 32)"
    BTREG {bts eax, ecx}, 0x00000000, 7, "bts eax,7"
    BTREG {bts eax, ecx}, 0x00000080, 39, "bts eax,39 (set already)"
    BTREG {btr eax, ecx}, 0xffffffff, 16, "btr eax,16"
    BTREG {btr eax, ecx}, 0x00000000, 16, "btr eax,16 (clear already)"
    BTREG {btc eax, ecx}, 0x0000ff00, 8, "btc eax,8"
    BTREG {btc eax, ecx}, 0x0000ff00, 0, "btc eax,0"
    BTREG {bt ax, cx},    0x00000002, 17, "bt ax,cx=17 (mod 16)"
    BTREG {bts ax, cx},   0xffff0000, 0x1f, "bts ax,cx=31 (mod 16)"
    BTREG {btc ax, cx},   0x12345678, 3, "btc ax,3"
    BTREG {bt eax, 33},   0x00000002, 0, "bt eax,imm 33 (mod 32)"
    BTREG {bts eax, 4},   0x00000000, 0, "bts eax,imm 4"
    BTREG {btr ax, 18},   0x0000ffff, 0, "btr ax,imm 18 (mod 16)"
    BTREG {btc eax, 31},  0x00000000, 0, "btc eax,imm 31"

    ; ---- BT family on memory (membuf+32 is the operand base)
    BTMEM {bt dword [membuf + 32], ecx}, 0, "bt [m],0"
    BTMEM {bt dword [membuf + 32], ecx}, 37, "bt [m],37"
    BTMEM {bts dword [membuf + 32], ecx}, 100, "bts [m],100"
    BTMEM {bts dword [membuf + 32], ecx}, -1, "bts [m],-1"
    BTMEM {btr dword [membuf + 32], ecx}, -100, "btr [m],-100"
    BTMEM {btc dword [membuf + 32], ecx}, 255, "btc [m],255"
    BTMEM {btc dword [membuf + 32], ecx}, -256, "btc [m],-256"
    BTMEM {lock bts dword [membuf + 32], ecx}, 66, "lock bts [m],66"
    BTMEM {lock btr dword [membuf + 32], ecx}, 9, "lock btr [m],9"
    BTMEM {bts word [membuf + 32], cx}, -17, "bts word [m],-17"
    BTMEM {btc word [membuf + 32], cx}, 40, "btc word [m],40"
    BTMEM {bts dword [membuf + 32], 35}, 0, "bts [m],imm 35 (mod 32)"
    BTMEM {btr word [membuf + 32], 20}, 0, "btr word [m],imm 20 (mod 16)"

    ; ---- BSF / BSR
%macro BSX 2                            ; instruction, source value
    mov ebx, %2
    mov eax, 0xdddddddd
    SETFLAGS 0x8D7 & ~FL_ZF
    %1 eax, ebx
    pushfd
    PRINT %str(%1), " ", %str(%2), " ->"
    popfd
    FLAGS_OUT FL_ZF
    jz %%zero
    PRINT " "
    HEX32 eax
%%zero:
    PRINTLN
%endmacro
    BSX bsf, 0x00000001
    BSX bsf, 0x80000000
    BSX bsf, 0x00f00000
    BSX bsf, 0
    BSX bsr, 0x00000001
    BSX bsr, 0x80000000
    BSX bsr, 0x00f00000
    BSX bsr, 0xffffffff
    BSX bsr, 0
    PRINT "bsf ax,bx (bx=0x0100) ->"
    mov eax, 0x77777777
    mov ebx, 0xffff0100
    bsf ax, bx
    HEX32 eax
    PRINT " bsr ax,[m16=0x4000] ->"
    mov word [m16], 0x4000
    bsr ax, [m16]
    HEX32 eax
    PRINTLN

    PRINT "bswap: "
    mov eax, 0x11223344
    bswap eax
    HEX32 eax
    call putsp
    mov esi, 0x80c0e0f0
    bswap esi
    HEX32 esi
    PRINTLN

    ; ---- conditions: for each CF/PF/ZF/SF/OF combination, a 16-bit mask of SETcc / Jcc / CMOVcc
    PRINTLN "conditions (bit n = condition n: o no b ae e ne be a s ns p np l ge le g):"
    xor ebp, ebp
.cond:
    ; combination bits: 0 CF, 1 PF, 2 ZF, 3 SF, 4 OF
    mov eax, 2
    test ebp, 1
    jz .c1
    or eax, FL_CF
.c1:
    test ebp, 2
    jz .c2
    or eax, FL_PF
.c2:
    test ebp, 4
    jz .c3
    or eax, FL_ZF
.c3:
    test ebp, 8
    jz .c4
    or eax, FL_SF
.c4:
    test ebp, 16
    jz .c5
    or eax, FL_OF
.c5:
    mov [cond_flags], eax
    PRINT "fl="
    HEX16 ax
    call setcc_mask
    PRINT " setcc="
    HEX16 ax
    call jcc_mask
    PRINT " jcc="
    HEX16 ax
    call cmovcc_mask
    PRINT " cmovcc="
    HEX16 ax
    PRINTLN
    inc ebp
    cmp ebp, 32
    jb .cond

    ; ---- XADD
%macro XADD_REG 3                       ; width reg a, reg b, values in eax/ebx
    mov eax, %2
    mov ebx, %3
    SETFLAGS 0x002
    xadd %1
    pushfd
    PRINT "xadd ", %str(%1), " ", %str(%2), ",", %str(%3), " -> eax="
    HEX32 eax
    PRINT " ebx="
    HEX32 ebx
    popfd
    FLAGS_OUT FL_ARITH
    PRINTLN
%endmacro
    XADD_REG {eax, ebx}, 0x7fffffff, 1
    XADD_REG {eax, ebx}, 0xffffffff, 1
    XADD_REG {ax, bx}, 0x1234ffff, 0x56780002
    XADD_REG {al, bl}, 0x0000007f, 0x00000081
    XADD_REG {ebx, eax}, 5, 0xfffffffe
    PRINT "lock xadd [m],ecx m=10 ecx=20 -> m="
    mov dword [m32], 0x10
    mov ecx, 0x20
    SETFLAGS 0x002
    lock xadd [m32], ecx
    HEX32 [m32]
    PRINT " ecx="
    HEX32 ecx
    PRINTLN

    ; ---- CMPXCHG
%macro CMPX 5                           ; text, eax, dest init, src, instruction (dest = [m32] or edx)
    mov eax, %2
    mov dword [m32], %3
    mov edx, %3
    mov ecx, %4
    SETFLAGS 0x8D7
    %5
    pushfd
    PRINT %1, " -> eax="
    HEX32 eax
    PRINT " m="
    HEX32 [m32]
    PRINT " edx="
    HEX32 edx
    popfd
    FLAGS_OUT FL_ARITH
    PRINTLN
%endmacro
    CMPX "cmpxchg [m],ecx equal",        0x1111, 0x1111, 0x2222, {cmpxchg [m32], ecx}
    CMPX "cmpxchg [m],ecx not equal",    0x1111, 0x3333, 0x2222, {cmpxchg [m32], ecx}
    CMPX "lock cmpxchg [m],ecx equal",   0x80000000, 0x80000000, 5, {lock cmpxchg [m32], ecx}
    CMPX "cmpxchg edx,ecx equal",        0x44, 0x44, 0x55, {cmpxchg edx, ecx}
    CMPX "cmpxchg edx,ecx not equal",    0x44, 0x80000000, 0x55, {cmpxchg edx, ecx}
    CMPX "cmpxchg dx,cx not equal",      0xaaaa0001, 0xbbbb0002, 0xcccc0003, {cmpxchg dx, cx}
    CMPX "cmpxchg [m] byte,cl equal",    0xaaaaaa7f, 0x9999997f, 0x000000ee, {cmpxchg byte [m32], cl}
    CMPX "cmpxchg [m] byte,cl not equal",0xaaaaaa00, 0x99999980, 0x000000ee, {cmpxchg byte [m32], cl}

    ; ---- CMPXCHG8B
%macro CX8 3                            ; text, equal (1/0), instruction
    mov dword [q64], 0x11112222
    mov dword [q64 + 4], 0x33334444
    mov eax, 0x11112222
    mov edx, 0x33334444
%if %2 == 0
    mov edx, 0x33334445
%endif
    mov ebx, 0x55556666
    mov ecx, 0x77778888
    SETFLAGS 0x8D7 & ~FL_ZF
    %3
    pushfd
    PRINT %1, " -> edx:eax="
    HEX32 edx
    PRINT ":"
    HEX32 eax
    PRINT " m="
    HEX32 [q64 + 4]
    PRINT ":"
    HEX32 [q64]
    popfd
    FLAGS_OUT FL_ARITH
    PRINTLN
%endmacro
    CX8 "cmpxchg8b equal", 1, {cmpxchg8b [q64]}
    CX8 "cmpxchg8b not equal", 0, {cmpxchg8b [q64]}
    CX8 "lock cmpxchg8b equal", 1, {lock cmpxchg8b [q64]}

    PRINTLN "bitops done"
    mov eax, 0x17
    ret

; ---- helpers
fill_membuf:                            ; membuf[i] = (i * 0x25) ^ 0x5a for 64 bytes
    pushad
    xor ecx, ecx
.l:
    mov al, cl
    imul eax, eax, 0x25
    xor al, 0x5a
    mov [membuf + ecx], al
    inc ecx
    cmp ecx, 64
    jb .l
    popad
    ret

dump_membuf:                            ; prints the bytes that differ from the fill: "+off=xx"
    pushad
    xor ecx, ecx
    xor edx, edx
.l:
    mov al, cl
    imul eax, eax, 0x25
    xor al, 0x5a
    cmp al, [membuf + ecx]
    je .same
    PRINT " "
    mov eax, ecx
    sub eax, 32
    js .neg
    PRINT "+"
    jmp .o
.neg:
    PRINT "-"
    neg eax
.o:
    HEX8 al
    PRINT "="
    HEX8 [membuf + ecx]
    inc edx
.same:
    inc ecx
    cmp ecx, 64
    jb .l
    test edx, edx
    jnz .done
    PRINT " unchanged"
.done:
    popad
    ret

; each returns ax = bit n set when condition n holds for [cond_flags]
setcc_mask:
    push ebx
    push ecx
    xor ebx, ebx
%assign cc 0
%rep 16
    push dword [cond_flags]
    popfd
    mov cl, 0xee
%if cc == 0
    seto cl
%elif cc == 1
    setno cl
%elif cc == 2
    setb cl
%elif cc == 3
    setae cl
%elif cc == 4
    sete cl
%elif cc == 5
    setne cl
%elif cc == 6
    setbe cl
%elif cc == 7
    seta cl
%elif cc == 8
    sets cl
%elif cc == 9
    setns cl
%elif cc == 10
    setp cl
%elif cc == 11
    setnp cl
%elif cc == 12
    setl cl
%elif cc == 13
    setge cl
%elif cc == 14
    setle cl
%else
    setg cl
%endif
    movzx ecx, cl
    shl ecx, cc
    or ebx, ecx
%assign cc cc + 1
%endrep
    mov eax, ebx
    pop ecx
    pop ebx
    ret

%macro JCC_BIT 2                        ; jcc mnemonic, bit
    push dword [cond_flags]
    popfd
    %1 %%taken
    jmp %%next
%%taken:
    or ebx, 1 << %2
%%next:
%endmacro
jcc_mask:
    push ebx
    xor ebx, ebx
    JCC_BIT jo, 0
    JCC_BIT jno, 1
    JCC_BIT jb, 2
    JCC_BIT jae, 3
    JCC_BIT je, 4
    JCC_BIT jne, 5
    JCC_BIT jbe, 6
    JCC_BIT ja, 7
    JCC_BIT js, 8
    JCC_BIT jns, 9
    JCC_BIT jp, 10
    JCC_BIT jnp, 11
    JCC_BIT jl, 12
    JCC_BIT jge, 13
    JCC_BIT jle, 14
    JCC_BIT jg, 15
    mov eax, ebx
    pop ebx
    ret

%macro CMOV_BIT 2                       ; cmovcc mnemonic, bit
    push dword [cond_flags]
    popfd
    mov ecx, 0                          ; (not XOR: the flags must survive)
    %1 ecx, [one]
    shl ecx, %2
    or ebx, ecx
%endmacro
cmovcc_mask:
    push ebx
    push ecx
    xor ebx, ebx
    CMOV_BIT cmovo, 0
    CMOV_BIT cmovno, 1
    CMOV_BIT cmovb, 2
    CMOV_BIT cmovae, 3
    CMOV_BIT cmove, 4
    CMOV_BIT cmovne, 5
    CMOV_BIT cmovbe, 6
    CMOV_BIT cmova, 7
    CMOV_BIT cmovs, 8
    CMOV_BIT cmovns, 9
    CMOV_BIT cmovp, 10
    CMOV_BIT cmovnp, 11
    CMOV_BIT cmovl, 12
    CMOV_BIT cmovge, 13
    CMOV_BIT cmovle, 14
    CMOV_BIT cmovg, 15
    mov eax, ebx
    pop ecx
    pop ebx
    ret

section .data
align 4
one:        dd 1
cond_flags: dd 0
m32:        dd 0
m16:        dw 0
align 8
q64:        dq 0
membuf:     times 64 db 0

GUEST_END
