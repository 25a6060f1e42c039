; insn_bcd_flags.asm - BCD adjust instructions (daa das aaa aas, aam/aad
; with default and explicit bases), flag instructions (clc stc cmc cld std
; cli sti lahf sahf pushf/popf), sign-extension one-byte forms (cbw cwde
; cwd cdq), xlat/xlatb, salc-free carry idioms with sbb/adc, and BCD
; arithmetic routines operating on packed BCD in memory (RTC time values).

bits 32
org 0x000E0000

section .text
adjust:
    daa
    das
    aaa
    aas
    aam
    aam 10
    aam 16
    aam 0x0A
    aad
    aad 10
    aad 16

flags:
    clc
    stc
    cmc
    cld
    std
    cli
    sti
    lahf
    sahf
    pushf
    popf
    pushfd
    popfd

conversions:
    cbw
    cwde
    cwd
    cdq
    xlat
    xlatb

; packed BCD add: [esi] + [edi] -> [edi], ecx bytes, little-endian
bcd_add:
    clc
.next:
    mov al, [esi]
    adc al, [edi]
    daa
    mov [edi], al
    inc esi
    inc edi
    loop .next
    ret

; packed BCD subtract
bcd_sub:
    clc
.next:
    mov al, [edi]
    sbb al, [esi]
    das
    mov [edi], al
    inc esi
    inc edi
    loop .next
    ret

; unpacked ASCII add of two digits in al and bl -> ax
ascii_add:
    xor ah, ah
    add al, bl
    aaa
    or ax, 0x3030
    ret

; RTC packed BCD (al) to binary
bcd_to_bin:
    mov ah, al
    shr ah, 4
    and al, 0x0F
    aad
    ret

; binary (al < 100) to packed BCD
bin_to_bcd:
    aam
    shl ah, 4
    or al, ah
    ret

; read RTC seconds/minutes/hours via CMOS ports 0x70/0x71
read_rtc:
    cli
    mov al, 0x00
    out 0x70, al
    in al, 0x71
    call bcd_to_bin
    mov [seconds], al
    mov al, 0x02
    out 0x70, al
    in al, 0x71
    call bcd_to_bin
    mov [minutes], al
    mov al, 0x04
    out 0x70, al
    in al, 0x71
    call bcd_to_bin
    mov [hours], al
    sti
    ret

; carry idioms
carry_idioms:
    cmp eax, 1
    sbb eax, eax            ; eax = (eax == 0) ? -1 : 0
    neg ebx
    sbb ebx, ebx            ; ebx = (ebx != 0) ? -1 : 0
    cmp ecx, edx
    adc esi, 0
    sbb edi, -1
    lahf
    and ah, 0xD5
    sahf
    ret

section .data
seconds: db 0
minutes: db 0
hours:   db 0
bcd_a:   db 0x99, 0x99, 0x00
bcd_b:   db 0x01, 0x00, 0x00
