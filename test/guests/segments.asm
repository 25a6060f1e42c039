; segments — segmentation without faults: data segments with nonzero bases (DS, FS and GS
; overrides reach different memory at the same offset), LDS/LES/LFS/LGS/LSS from far pointers,
; MOV to/from segment registers, an LDT (LLDT, SLDT, loading DS through a TI=1 selector), the
; accessed bit set in a descriptor when a data segment is loaded, ARPL, and LAR/LSL/VERR/VERW over
; every kind of selector: null, code/data of each DPL, conforming code, execute-only code,
; read-only data, busy 32-bit TSS, 16-bit TSS, LDT, call gate, interrupt gate (invalid in the
; GDT), byte- and page-granular limits, beyond the GDT limit, LDT selectors, RPL above DPL; from
; ring 0 and from ring 3. LAR values are masked with 0x00F0FF00 (bits 19:16 undefined).
%include "include/guest.inc"

SEL_BUF   equ 0x40                      ; data RW, base segbuf, limit 0xFF
SEL_NOACC equ 0x48                      ; data RW, accessed bit clear
SEL_CONF  equ 0x50                      ; conforming readable code DPL0
SEL_GATE  equ 0x58                      ; call gate DPL3
SEL_LDT   equ 0x60                      ; LDT
SEL_RO3   equ 0x68                      ; data read-only DPL3
SEL_IGATE equ 0x70                      ; interrupt gate descriptor in the GDT (invalid for LAR)
SEL_XONLY equ 0x78                      ; execute-only code
SEL_TSS16 equ 0x80                      ; available 16-bit TSS
SEL_GRAN  equ 0x88                      ; data, G=1, limit 0xF
SEL_BUF2  equ 0x90                      ; data RW, base segbuf + 0x80

main:
    call setup
    ; ---- bases
    PRINT "bases: ds:[4]="
    mov ax, SEL_BUF
    mov ds, ax
    mov ebx, [4]
    mov ax, SEL_BUF2
    mov fs, ax
    mov ecx, [fs:4]
    mov ax, SEL_DATA0
    mov gs, ax
    mov edx, [gs:segbuf + 4]
    mov ds, ax
    HEX32 ebx
    PRINT " fs:[4]="
    HEX32 ecx
    PRINT " gs:[segbuf+4]="
    HEX32 edx
    PRINTLN

    ; ---- far pointer loads
    PRINT "lds/les/lfs/lgs/lss:"
    mov dword [farp], 8
    mov word [farp + 4], SEL_BUF
    lds esi, [cs:farp]                  ; the pointer itself read through CS (flat)
    mov eax, [esi]
    mov bx, ds
    mov cx, SEL_DATA0
    mov ds, cx
    call putsp
    HEX16 bx
    PRINT ":"
    HEX32 esi
    PRINT "="
    HEX32 eax
    les edi, [farp]
    mov ax, es
    call putsp
    HEX16 ax
    mov ax, SEL_DATA0
    mov es, ax
    mov word [farp + 4], SEL_BUF2
    lfs edx, [farp]
    mov eax, [fs:edx]
    call putsp
    HEX32 eax
    lgs edx, [farp]
    mov ax, gs
    call putsp
    HEX16 ax
    mov [saved_esp], esp
    mov dword [farp], kstack_top - 64
    mov word [farp + 4], SEL_DATA0
    lss esp, [farp]
    mov eax, esp
    mov esp, [saved_esp]
    sub eax, kstack_top
    PRINT " lss esp-kstack_top="
    HEX32 eax
    mov ax, SEL_DATA0
    mov fs, ax
    mov gs, ax
    PRINTLN

    PRINT "mov sreg: "
    mov word [w], 0x1234
    mov ax, SEL_BUF
    mov word [w], ax
    mov es, [w]
    mov [w2], es
    HEX16 [w2]
    mov eax, 0xffffffff
    mov ax, es                          ; only the low 16 bits are written
    call putsp
    HEX32 eax
    mov ax, SEL_DATA0
    mov es, ax
    PRINTLN

    ; ---- accessed bit
    PRINT "accessed bit: before="
    HEX8 [gdt + SEL_NOACC + 5]
    mov ax, SEL_NOACC
    mov es, ax
    PRINT " after es load="
    HEX8 [gdt + SEL_NOACC + 5]
    mov ax, SEL_DATA0
    mov es, ax
    PRINTLN

    ; ---- LDT
    PRINT "ldt: "
    mov ax, SEL_LDT
    lldt ax
    sldt bx
    HEX16 bx
    mov ax, 0x04                        ; LDT entry 0, RPL 0
    mov ds, ax
    mov eax, [0]
    mov bx, ds
    mov cx, SEL_DATA0
    mov ds, cx
    PRINT " ds="
    HEX16 bx
    PRINT " [0]="
    HEX32 eax
    PRINTLN

    ; ---- ARPL
    PRINT "arpl:"
    mov ax, 0x0010
    mov bx, 0x0003
    arpl ax, bx
    call show_arpl
    mov ax, 0x0013
    mov bx, 0x0001
    arpl ax, bx
    call show_arpl
    mov word [w], 0x0021
    mov cx, 0x0002
    arpl [w], cx
    mov ax, [w]
    call show_arpl
    PRINTLN

    ; ---- LAR/LSL/VERR/VERW
    PRINTLN "ring 0: sel lar lsl verr verw"
    mov esi, sels
    call probe_all
    PRINTLN "ring 3: sel lar lsl verr verw"
    mov eax, user_probe
    call enter_user

    xor eax, eax
    lldt ax
    PRINTLN "segments done"
    mov eax, 0x20
    ret

user_probe:
    mov esi, sels3
    call probe_all
    USER_RETURN

show_arpl:                              ; ax = result, flags from ARPL
    pushfd
    call putsp
    HEX16 ax
    popfd
    FLAGS_OUT FL_ZF
    ret

; esi = list of selectors (words, 0xFFFF ends)
probe_all:
    pushad
.next:
    movzx ebx, word [esi]
    cmp ebx, 0xFFFF
    je .done
    PRINT " "
    HEX16 bx
    ; LAR
    mov eax, 0xeeeeeeee
    SETFLAGS 0x002
    lar eax, ebx
    jnz .lar_bad
    and eax, 0x00F0FF00
    PRINT " "
    HEX32 eax
    jmp .lsl
.lar_bad:
    PRINT " --------"
.lsl:
    mov eax, 0xeeeeeeee
    SETFLAGS 0x002
    lsl eax, ebx
    jnz .lsl_bad
    PRINT " "
    HEX32 eax
    jmp .verr
.lsl_bad:
    PRINT " --------"
.verr:
    SETFLAGS 0x002
    verr bx
    setz al
    PRINT " "
    HEX8 al
    SETFLAGS 0x042
    verw bx
    setz al
    PRINT " "
    HEX8 al
    PRINTLN
    add esi, 2
    jmp .next
.done:
    popad
    ret

setup:
    pushad
    mov edi, segbuf
    xor ecx, ecx
.fill:
    mov eax, ecx
    imul eax, eax, 0x01010101
    xor eax, 0x80402010
    mov [edi + ecx*4], eax
    inc ecx
    cmp ecx, 64
    jb .fill
    mov dword [ldtbuf], 0x1D71D700
    mov eax, SEL_BUF
    mov ebx, segbuf
    mov ecx, 0xFF
    mov dl, 0x93
    mov dh, 0x40
    call set_desc
    mov eax, SEL_BUF2
    mov ebx, segbuf + 0x80
    call set_desc
    mov eax, SEL_NOACC
    xor ebx, ebx
    mov ecx, 0xFFFFF
    mov dl, 0x92
    mov dh, 0xC0
    call set_desc
    mov eax, SEL_CONF
    mov dl, 0x9F
    call set_desc
    mov eax, SEL_RO3
    mov dl, 0xF1
    call set_desc
    mov eax, SEL_XONLY
    mov dl, 0x99
    call set_desc
    mov eax, SEL_GRAN
    mov ecx, 0xF
    mov dl, 0x93
    mov dh, 0x80
    call set_desc
    mov eax, SEL_TSS16
    mov ebx, tss
    mov ecx, 0x2B
    mov dl, 0x81
    mov dh, 0
    call set_desc
    mov eax, SEL_LDT
    mov ebx, ldt
    mov ecx, 3*8 - 1
    mov dl, 0x82
    call set_desc
    mov eax, SEL_GATE
    mov ebx, main
    mov cx, SEL_CODE0
    mov dl, 0xEC
    mov dh, 1
    call set_callgate
    mov eax, SEL_IGATE
    mov dl, 0x8E
    mov dh, 0
    call set_callgate
    ; LDT: 0x04 data DPL0 base ldtbuf, 0x0C data DPL3 flat, 0x14 not present
    mov dword [ldt + 0], 0x0000FFFF
    mov dword [ldt + 4], 0x00CF9300
    mov eax, ldtbuf
    mov [ldt + 2], ax
    shr eax, 16
    mov [ldt + 4], al
    mov [ldt + 7], ah
    mov dword [ldt + 8], 0x0000FFFF
    mov dword [ldt + 12], 0x00CFF300
    mov dword [ldt + 16], 0x0000FFFF
    mov dword [ldt + 20], 0x00CF1300
    popad
    ret

section .data
align 4
saved_esp: dd 0
farp:      dd 0
           dw 0
w:         dw 0
w2:        dw 0
sels:  dw 0x0000, 0x0008, 0x0010, 0x001B, 0x0023, 0x0028, 0x0030, 0x0038, SEL_BUF, SEL_NOACC
       dw SEL_CONF, SEL_GATE, SEL_LDT, SEL_RO3, SEL_IGATE, SEL_XONLY, SEL_TSS16, SEL_GRAN
       dw 0x0013, SEL_CONF | 3, SEL_RO3 | 3, 0x00C0, 0x0004, 0x000F, 0x0014, 0x001C, 0xFFFF
sels3: dw 0x0008, 0x0010, 0x001B, 0x0023, 0x0028, SEL_CONF | 3, SEL_GATE | 3, SEL_RO3 | 3
       dw SEL_XONLY | 3, 0x000F, 0x0007, 0xFFFF

section .bss
alignb 16
segbuf: resb 256
ldt:    resb 24
ldtbuf: resb 16

GUEST_END
