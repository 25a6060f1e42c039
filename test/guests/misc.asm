; misc — RDTSC (only "the counter increases" is comparable), CBW/CWDE/CWD/CDQ, MOVZX/MOVSX from
; registers and memory, XCHG (register/memory, with itself), XLAT (with a segment override),
; LAHF/SAHF (SAHF ignores the reserved bits, LAHF sets bit 1), CMC/CLC/STC/CLD/STD,
; LEA with scaled index, 32-bit wrap-around and disp-only forms, LOOP/LOOPE/LOOPNE/JECXZ, NOP and
; XCHG EAX,EAX, MOV with moffs forms, TEST with memory, and NOT/NEG on memory.
%include "include/guest.inc"

main:
    ; ---- RDTSC
    rdtsc
    mov [t0], eax
    mov [t0 + 4], edx
    mov ecx, 1000
.spin:
    dec ecx
    jnz .spin
    rdtsc
    sub eax, [t0]
    sbb edx, [t0 + 4]
    PRINT "rdtsc increases: "
    js .no
    or eax, edx
    jz .no
    PRINTLN "yes"
    jmp .tsc_done
.no:
    PRINTLN "no"
.tsc_done:

    ; ---- sign/zero extension
    PRINT "cbw/cwde/cwd/cdq: "
    mov eax, 0x12345680
    cbw
    HEX32 eax
    call putsp
    mov eax, 0x1234007f
    cbw
    HEX32 eax
    call putsp
    mov eax, 0x12348000
    cwde
    HEX32 eax
    call putsp
    mov eax, 0x11118000
    mov edx, 0x22222222
    cwd
    HEX32 edx
    call putsp
    mov eax, 0x80000000
    mov edx, 0x33333333
    cdq
    HEX32 edx
    call putsp
    mov eax, 0x7fffffff
    cdq
    HEX32 edx
    PRINTLN

    PRINT "movzx/movsx: "
    mov ebx, 0x000081f0
    movzx eax, bl
    HEX32 eax
    call putsp
    movsx eax, bl
    HEX32 eax
    call putsp
    movsx eax, bh
    HEX32 eax
    call putsp
    mov word [m16], 0x8001
    movzx eax, word [m16]
    HEX32 eax
    call putsp
    movsx eax, word [m16]
    HEX32 eax
    call putsp
    mov eax, 0xffffffff
    movzx ax, byte [m16]
    HEX32 eax
    call putsp
    movsx cx, byte [m16 + 1]
    HEX16 cx
    PRINTLN

    PRINT "xchg: "
    mov eax, 1
    mov ebx, 2
    xchg eax, ebx
    HEX32 eax
    call putsp
    HEX32 ebx
    mov dword [m32], 0xaaaa5555
    mov ecx, 0x12345678
    xchg [m32], ecx
    call putsp
    HEX32 ecx
    call putsp
    HEX32 [m32]
    mov ax, 0x1111
    mov dx, 0x2222
    xchg ax, dx
    call putsp
    HEX16 ax
    xchg eax, eax
    nop
    mov cl, 0x33
    mov ch, 0x44
    xchg cl, ch
    call putsp
    HEX16 cx
    PRINTLN

    PRINT "xlat: "
    mov ebx, table
    mov eax, 0xffffff03
    xlatb
    HEX32 eax
    mov ax, SEL_DATA0
    mov fs, ax
    mov eax, 0x000000ff
    fs xlatb
    call putsp
    HEX32 eax
    PRINTLN

    PRINT "lahf/sahf: "
    SETFLAGS 0x8D7
    mov eax, 0
    lahf
    HEX32 eax
    SETFLAGS 0x002
    lahf
    call putsp
    HEX32 eax
    mov ah, 0xff                        ; reserved bits 1, 3, 5 of AH are ignored
    sahf
    pushfd
    pop eax
    call putsp
    HEX32 eax
    mov ah, 0x00
    SETFLAGS 0x8D7
    sahf
    pushfd
    pop eax
    call putsp
    HEX32 eax                           ; OF kept
    PRINTLN

    PRINT "flag ops: "
    SETFLAGS 0x002
    stc
    pushfd
    cmc
    pushfd
    cmc
    clc
    pushfd
    std
    pushfd
    cld
    pushfd
    mov ecx, 5
.fl:
    pop eax
    and eax, FL_CF | FL_DF
    HEX16 ax
    call putsp
    loop .fl
    PRINTLN

    PRINT "lea: "
    mov eax, 0x10
    mov ebx, 0x100
    lea ecx, [eax + ebx*8 + 0x7]
    HEX32 ecx
    call putsp
    mov eax, 0xfffffff0
    lea ecx, [eax + 0x20]               ; wraps
    HEX32 ecx
    call putsp
    lea ecx, [ebx*4]
    HEX32 ecx
    call putsp
    lea ecx, [0x12345678]
    HEX32 ecx
    call putsp
    lea ecx, [esp + 8]
    sub ecx, esp
    HEX32 ecx
    call putsp
    mov ebp, 0x80000000
    lea ecx, [ebp + ebp*2]
    HEX32 ecx
    PRINTLN

    PRINT "loops: "
    mov ecx, 5
    xor eax, eax
.l1:
    inc eax
    loop .l1
    HEX32 eax
    ; LOOPE: continue while ZF=1 and ECX != 0
    mov esi, zbytes
    mov ecx, 10
    xor edx, edx
.l2:
    inc edx
    lodsb
    cmp al, 0
    loope .l2
    call putsp
    HEX32 edx
    call putsp
    HEX32 ecx
    ; LOOPNE: continue while ZF=0
    mov esi, nzbytes
    mov ecx, 10
    xor edx, edx
.l3:
    inc edx
    lodsb
    cmp al, 0
    loopne .l3
    call putsp
    HEX32 edx
    call putsp
    HEX32 ecx
    ; JECXZ
    mov ecx, 0
    mov eax, 1
    jecxz .jz
    mov eax, 2
.jz:
    call putsp
    HEX32 eax
    ; LOOP with ECX=0 runs 2^32 times: not done; LOOP with ECX=1 falls through at once
    mov ecx, 1
    mov eax, 0
.l4:
    inc eax
    loop .l4
    call putsp
    HEX32 eax
    PRINTLN

    PRINT "moffs/test/not/neg mem: "
    mov eax, 0x5a5aa5a5
    mov [m32], eax
    mov al, [m32 + 1]
    HEX8 al
    mov ax, [m32 + 2]
    call putsp
    HEX16 ax
    mov dword [m32], 0x80
    SETFLAGS 0x8D7
    test dword [m32], 0x80
    FLAGS_OUT FL_ARITH & ~FL_AF
    not dword [m32]
    call putsp
    HEX32 [m32]
    SETFLAGS 0x002
    neg word [m32]
    FLAGS_OUT FL_ARITH
    call putsp
    HEX32 [m32]
    PRINTLN

    PRINTLN "misc done"
    mov eax, 0x21
    ret

section .data
align 8
t0:      dd 0, 0
m32:     dd 0
m16:     dw 0
table:   db 0x10, 0x11, 0x12, 0x13, 0x14
         times 250 db 0
         db 0xfe
zbytes:  db 0, 0, 0, 7, 0, 0
nzbytes: db 1, 2, 3, 0, 5

GUEST_END
