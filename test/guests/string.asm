; string — MOVS STOS LODS CMPS SCAS at 8/16/32 bits, alone and with REP/REPE/REPNE, DF=0 and
; DF=1, counts 0, 1 and several; a segment override on the source (FS with a nonzero base);
; INS/OUTS are left to other guests. After each operation prints the buffer bytes and ESI/EDI/ECX
; relative to their start values (so addresses do not matter), and for CMPS/SCAS the flags (all
; six arithmetic flags are defined, as for SUB). REP with ECX=0 must change nothing, flags
; included (input flags are set to a recognisable value).
%include "include/guest.inc"

SEL_FS_BUF equ SEL_SPARE0               ; data segment based at src_buf

; SHOW_REGS: " esi+X edi+X ecx=N" with esi/edi relative to the given bases (0: not shown)
%macro SHOW_REGS 2
    pushfd
    push eax
%ifnidn %1, 0
    PRINT " esi"
    mov eax, esi
    sub eax, %1
    call show_signed
%endif
%ifnidn %2, 0
    PRINT " edi"
    mov eax, edi
    sub eax, %2
    call show_signed
%endif
    PRINT " ecx="
    HEX32 ecx
    pop eax
    popfd
%endmacro

%macro DUMP 2                           ; buffer, count
    push esi
    push ecx
    PRINT " ["
    mov esi, %1
    mov ecx, %2
    call hexdump
    PRINT "]"
    pop ecx
    pop esi
%endmacro

main:
    ; FS = a data segment whose base is src_buf
    mov eax, SEL_FS_BUF
    mov ebx, src_buf
    mov ecx, 0xFFFFF
    mov dl, 0x93
    mov dh, 0xC0
    call set_desc
    mov ax, SEL_FS_BUF
    mov fs, ax

    ; ---- MOVS
    call reset
    PRINT "rep movsb 5 df0"
    mov esi, src_buf
    mov edi, dst_buf
    mov ecx, 5
    rep movsb
    SHOW_REGS src_buf, dst_buf
    DUMP dst_buf, 8
    PRINTLN

    call reset
    PRINT "rep movsw 3 df1"
    mov esi, src_buf + 6
    mov edi, dst_buf + 8
    mov ecx, 3
    std
    rep movsw
    cld
    SHOW_REGS src_buf + 6, dst_buf + 8
    DUMP dst_buf, 12
    PRINTLN

    call reset
    PRINT "rep movsd 2 df0"
    mov esi, src_buf
    mov edi, dst_buf + 1
    mov ecx, 2
    rep movsd
    SHOW_REGS src_buf, dst_buf + 1
    DUMP dst_buf, 12
    PRINTLN

    call reset
    PRINT "movsd 1 df1 (no rep)"
    mov esi, src_buf + 4
    mov edi, dst_buf + 4
    mov ecx, 0x77
    std
    movsd
    cld
    SHOW_REGS src_buf + 4, dst_buf + 4
    DUMP dst_buf, 8
    PRINTLN

    call reset
    PRINT "rep movsb 0"
    mov esi, src_buf
    mov edi, dst_buf
    xor ecx, ecx
    SETFLAGS 0x8D7
    rep movsb
    SHOW_REGS src_buf, dst_buf
    FLAGS_OUT FL_ARITH
    DUMP dst_buf, 4
    PRINTLN

    call reset
    PRINT "rep movsb overlap fwd"            ; byte-by-byte copy propagates the pattern
    mov esi, dst_buf
    mov byte [dst_buf], 0xAB
    mov byte [dst_buf + 1], 0xCD
    mov edi, dst_buf + 2
    mov ecx, 8
    rep movsb
    SHOW_REGS dst_buf, dst_buf + 2
    DUMP dst_buf, 12
    PRINTLN

    call reset
    PRINT "rep fs movsb 4"                   ; source = FS:ESI (FS base = src_buf)
    mov esi, 8
    mov edi, dst_buf
    mov ecx, 4
    rep fs movsb
    SHOW_REGS 8, dst_buf
    DUMP dst_buf, 6
    PRINTLN

    ; ---- STOS
    call reset
    PRINT "rep stosb 7 df0"
    mov edi, dst_buf + 1
    mov eax, 0x11223344
    mov ecx, 7
    rep stosb
    SHOW_REGS 0, dst_buf + 1
    DUMP dst_buf, 10
    PRINTLN

    call reset
    PRINT "rep stosw 3 df1"
    mov edi, dst_buf + 10
    mov eax, 0x11223344
    mov ecx, 3
    std
    rep stosw
    cld
    SHOW_REGS 0, dst_buf + 10
    DUMP dst_buf, 14
    PRINTLN

    call reset
    PRINT "rep stosd 3 df0"
    mov edi, dst_buf
    mov eax, 0xa1b2c3d4
    mov ecx, 3
    rep stosd
    SHOW_REGS 0, dst_buf
    DUMP dst_buf, 14
    PRINTLN

    ; ---- LODS
    call reset
    PRINT "lodsb x2"
    mov esi, src_buf + 3
    mov eax, 0xffffffff
    lodsb
    lodsb
    SHOW_REGS src_buf + 3, 0
    PRINT " eax="
    HEX32 eax
    PRINTLN

    PRINT "lodsw df1"
    mov esi, src_buf + 6
    mov eax, 0xffffffff
    std
    lodsw
    cld
    SHOW_REGS src_buf + 6, 0
    PRINT " eax="
    HEX32 eax
    PRINTLN

    PRINT "rep lodsd 3"
    mov esi, src_buf
    mov ecx, 3
    rep lodsd
    SHOW_REGS src_buf, 0
    PRINT " eax="
    HEX32 eax
    PRINTLN

    PRINT "fs lodsd"
    mov esi, 4
    fs lodsd
    SHOW_REGS 4, 0
    PRINT " eax="
    HEX32 eax
    PRINTLN

    ; ---- CMPS
    call reset
    mov byte [dst_buf + 5], 0x99                   ; first difference at index 5 (src: 0x15)
    PRINT "repe cmpsb 10"
    mov esi, src_buf
    mov edi, dst_buf
    call copy16                                    ; dst = src except [5]
    mov byte [dst_buf + 5], 0x99
    mov ecx, 10
    SETFLAGS 0x002
    repe cmpsb
    SHOW_REGS src_buf, dst_buf
    FLAGS_OUT FL_ARITH
    PRINTLN

    PRINT "repe cmpsb 4 (all equal)"
    mov esi, src_buf
    mov edi, dst_buf
    mov ecx, 4
    SETFLAGS 0x8D7
    repe cmpsb
    SHOW_REGS src_buf, dst_buf
    FLAGS_OUT FL_ARITH
    PRINTLN

    PRINT "repne cmpsw 8"                           ; stops at the first equal word
    mov dword [dst_buf], 0
    mov dword [dst_buf + 4], 0x17160000
    mov esi, src_buf
    mov edi, dst_buf
    mov ecx, 8
    repne cmpsw
    SHOW_REGS src_buf, dst_buf
    FLAGS_OUT FL_ARITH
    PRINTLN

    PRINT "repe cmpsd df1 3"
    call copy16
    mov dword [dst_buf + 4], 0x13121110             ; differs from src dword 1 (0x17161514)
    mov dword [dst_buf + 0], 0x80000000
    mov esi, src_buf + 8
    mov edi, dst_buf + 8
    mov ecx, 3
    std
    repe cmpsd
    cld
    SHOW_REGS src_buf + 8, dst_buf + 8
    FLAGS_OUT FL_ARITH
    PRINTLN

    PRINT "cmpsb once"
    mov esi, src_buf
    mov edi, dst_buf + 15
    mov ecx, 0x55
    cmpsb
    SHOW_REGS src_buf, dst_buf + 15
    FLAGS_OUT FL_ARITH
    PRINTLN

    PRINT "repe cmpsb 0"
    mov esi, src_buf
    mov edi, dst_buf
    xor ecx, ecx
    SETFLAGS 0x0C3
    repe cmpsb
    SHOW_REGS src_buf, dst_buf
    FLAGS_OUT FL_ARITH
    PRINTLN

    ; ---- SCAS
    PRINT "repne scasb strlen"
    mov edi, text
    mov ecx, -1
    xor eax, eax
    repne scasb
    SHOW_REGS 0, text
    FLAGS_OUT FL_ARITH
    not ecx
    dec ecx
    PRINT " len="
    DEC32 ecx
    PRINTLN

    PRINT "repe scasb skip 'a'"
    mov edi, text2
    mov ecx, 20
    mov al, 'a'
    repe scasb
    SHOW_REGS 0, text2
    FLAGS_OUT FL_ARITH
    PRINTLN

    PRINT "repne scasw df1"
    mov edi, src_buf + 14
    mov ecx, 8
    mov ax, 0x1514
    std
    repne scasw
    cld
    SHOW_REGS 0, src_buf + 14
    FLAGS_OUT FL_ARITH
    PRINTLN

    PRINT "repne scasd not found"
    mov edi, src_buf
    mov ecx, 4
    mov eax, 0x12345678
    repne scasd
    SHOW_REGS 0, src_buf
    FLAGS_OUT FL_ARITH
    PRINTLN

    PRINT "scasb above"
    mov edi, src_buf
    mov al, 0x05
    scasb
    FLAGS_OUT FL_ARITH
    PRINTLN

    PRINTLN "string done"
    mov eax, 0x13
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

; dst_buf := 16 bytes of 0xEE; src_buf stays 0x10..0x1F
reset:
    push edi
    push ecx
    push eax
    mov edi, dst_buf
    mov ecx, 16
    mov al, 0xEE
    rep stosb
    pop eax
    pop ecx
    pop edi
    ret

copy16:                                 ; dst_buf := src_buf (16 bytes)
    pushad
    mov esi, src_buf
    mov edi, dst_buf
    mov ecx, 4
    rep movsd
    popad
    ret

section .data
align 4
src_buf: db 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f
         times 16 db 0
dst_buf: times 32 db 0
text:    db "hyperstep", 0
text2:   db "aaaab", 0

GUEST_END
