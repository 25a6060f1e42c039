; code16 — 16-bit protected-mode code (a code segment with D=0, entered by a far CALL from
; 32-bit code, left by O32 RETF) using a 16-bit data segment: 16-bit addressing forms including
; wrap-around at 64 KiB, 16-bit PUSH/POP/CALL/RET/PUSHA sizes, O32 (0x66) and A32 (0x67) prefixes,
; LOOP/JCXZ/REP on CX with ECX's upper half kept, an INT through a 32-bit gate (32-bit frame with
; the 16-bit offset as EIP) and a #GP raised in 16-bit code and resumed there.
; Then the prefixes in 32-bit code: A16 addressing ([bx+si], [bp+di] on SS, [disp16], wrap),
; A16 string ops/LOOP/JCXZ/XLAT on SI/DI/CX/BX, O16 arithmetic, PUSH/POP and MOVS, and LEA with
; either size override.
; Results from 16-bit code are stored in the 16-bit data segment and printed afterwards.
%include "include/guest.inc"

SEL_C16 equ 0x40                        ; code16, base code16_base, limit 0xFFFF
SEL_D16 equ 0x48                        ; data16, base d16, limit 0xFFFF
LOW     equ 0x6000                      ; scratch in low memory for the A16 tests in 32-bit code

; offsets of results in d16
R_BXSI   equ 0x40
R_WRAP   equ 0x42
R_BPDI   equ 0x44
R_ESP0   equ 0x48
R_PUSH16 equ 0x4C
R_PUSH32 equ 0x50
R_CALL   equ 0x54
R_PUSHA  equ 0x58
R_LOOPCX equ 0x5C
R_LOOPAX equ 0x60
R_A32    equ 0x64
R_REPCX  equ 0x68
R_REPDI  equ 0x6C
R_INTAX  equ 0x70
R_JCXZ   equ 0x74
R_O32    equ 0x78
R_AFTERGP equ 0x7C
R_MOVS   equ 0x80                       ; 4 bytes copied by rep movsb

main:
    mov eax, SEL_C16
    mov ebx, code16_base
    mov ecx, 0xFFFF
    mov dl, 0x9B
    mov dh, 0x00                        ; 16-bit, byte granular
    call set_desc
    mov eax, SEL_D16
    mov ebx, d16
    mov dl, 0x93
    call set_desc
    mov dword [vec_hook + 0x60*4], int60_hook

    ; low-memory scratch for the [bp+di] (SS) and A16 tests
    mov edi, LOW
    mov ecx, 0x40
    xor eax, eax
    rep stosd
    mov word [LOW + 0x42], 0xB0D1

    ; ---- 16-bit code
    mov dword [resume_eip], gp_resume16 - code16_base
    mov dword [fault_vec], -1
    mov [esp_before], esp
    call SEL_C16:(entry16 - code16_base)
    mov eax, esp
    sub eax, [esp_before]
    PRINT "back from 16-bit code, esp delta="
    HEX32 eax
    PRINT " cs="
    mov ax, cs
    HEX16 ax
    PRINTLN
    PRINT "16-bit: [bx+si]="
    HEX16 [d16 + R_BXSI]
    PRINT " wrap [bx+si]="
    HEX16 [d16 + R_WRAP]
    PRINT " [bp+di](ss)="
    HEX16 [d16 + R_BPDI]
    PRINTLN
    PRINT "16-bit: push ax esp delta="
    mov eax, [d16 + R_PUSH16]
    sub eax, [d16 + R_ESP0]
    HEX32 eax
    PRINT " push dword delta="
    mov eax, [d16 + R_PUSH32]
    sub eax, [d16 + R_ESP0]
    HEX32 eax
    PRINT " call delta="
    mov eax, [d16 + R_CALL]
    sub eax, [d16 + R_ESP0]
    HEX32 eax
    PRINT " pusha delta="
    mov eax, [d16 + R_PUSHA]
    sub eax, [d16 + R_ESP0]
    HEX32 eax
    PRINTLN
    PRINT "16-bit: loop ecx="
    HEX32 [d16 + R_LOOPCX]
    PRINT " count="
    HEX16 [d16 + R_LOOPAX]
    PRINT " jcxz="
    HEX16 [d16 + R_JCXZ]
    PRINT " a32 load="
    HEX32 [d16 + R_A32]
    PRINT " o32 add="
    HEX32 [d16 + R_O32]
    PRINTLN
    PRINT "16-bit: rep movsb ecx="
    HEX32 [d16 + R_REPCX]
    PRINT " edi="
    HEX32 [d16 + R_REPDI]
    PRINT " copied="
    mov esi, d16 + R_MOVS
    mov ecx, 4
    call hexdump
    PRINTLN
    PRINT "16-bit: int 60h frame eip="
    HEX32 [int_eip]
    PRINT " cs="
    HEX16 [int_cs]
    PRINT " returned ax="
    HEX16 [d16 + R_INTAX]
    PRINTLN
    PRINT "16-bit: #GP"
    SHOW_FAULT gp_here16 - code16_base
    PRINT " cs="
    HEX16 [fault_cs]
    PRINT " after="
    HEX16 [d16 + R_AFTERGP]
    PRINTLN

    ; ---- prefixes in 32-bit code
    mov dword [LOW], 0x44332211         ; (LOW was zeroed above)
    mov dword [LOW + 4], 0x88776655
    mov dword [LOW + 8], 0xccbbaa99
    PRINT "a16: "
    mov ebx, 0xffff0002
    mov esi, 0xffff0001
    a16 mov ax, [bx + si + LOW - 3]
    HEX16 ax
    call putsp
    mov ebx, 0xfff0
    mov esi, LOW + 0x12                 ; (0xfff0 + 0x6012) wraps to 0x6002
    a16 mov eax, [bx + si]
    HEX32 eax
    call putsp
    mov ebp, LOW + 4
    mov edi, 2
    a16 mov al, [bp + di]               ; SS: flat
    HEX8 al
    call putsp
    a16 mov ax, [LOW + 9]
    HEX16 ax
    call putsp
    mov ebx, 0x12340000 + LOW + 1
    a16 mov dx, [bx]
    HEX16 dx
    PRINTLN

    PRINT "a16 strings: "
    mov esi, 0xabcd0000 + LOW
    mov edi, 0x12340000 + LOW + 0x20
    mov ecx, 0x77770003
    a16 rep movsb
    HEX32 ecx
    call putsp
    HEX32 esi
    call putsp
    HEX32 edi
    call putsp
    HEX32 [LOW + 0x20]
    call putsp
    mov esi, 0x55550000 + LOW + 2
    mov eax, 0xeeeeeeee
    a16 lodsw
    HEX32 eax
    call putsp
    HEX32 esi
    PRINTLN

    PRINT "a16 loop/jcxz/xlat: "
    mov ecx, 0x00050002
    xor eax, eax
.l16:
    inc eax
    a16 loop .l16
    HEX32 ecx
    call putsp
    HEX32 eax
    call putsp
    mov ecx, 0x00010000                 ; CX = 0 although ECX is not
    mov eax, 0
    a16 jcxz .cxz
    mov eax, 0xbad
.cxz:
    HEX32 eax
    call putsp
    mov ebx, 0x99990000 + LOW
    mov eax, 0xffffff05
    a16 xlatb
    HEX32 eax
    PRINTLN

    PRINT "o16: "
    mov eax, 0x1234ffff
    mov ebx, 0x56780001
    add ax, bx                          ; 66 01 D8
    pushfd
    HEX32 eax
    popfd
    FLAGS_OUT FL_ARITH
    mov edx, esp
    push word 0x1234
    push ax
    mov ecx, edx
    sub ecx, esp
    PRINT " pushes="
    HEX32 ecx
    pop bx
    pop cx
    PRINT " popped="
    HEX16 bx
    call putsp
    HEX16 cx
    mov esi, LOW
    mov edi, LOW + 0x30
    movsw
    PRINT " movsw="
    HEX32 [LOW + 0x30]
    mov eax, 0xffffffff
    movsx ax, bl                        ; 66 0F BE
    call putsp
    HEX32 eax
    mov eax, 0x11118000
    mov edx, 0x22220000
    cwd
    call putsp
    HEX32 edx
    PRINTLN

    PRINT "lea: "
    mov ebx, 0xfff0
    mov esi, 0x20
    lea eax, [bx + si + 4]              ; 67: 16-bit address, zero-extended
    HEX32 eax
    call putsp
    mov eax, 0xffffffff
    mov ebx, 0x12345678
    mov ecx, 0x11111111
    lea ax, [ebx + ecx]                 ; 66: low 16 bits only
    HEX32 eax
    PRINTLN

    PRINTLN "code16 done"
    mov eax, 0x1f
    ret

int60_hook:
    mov eax, [ebp + F_EIP]
    mov [int_eip], eax
    mov eax, [ebp + F_CS]
    mov [int_cs], eax
    mov dword [ebp + F_EAX], 0x6060
    ret

; ---------------------------------------------------------------------------------------------
bits 16
align 16
code16_base:
entry16:
    mov ax, SEL_D16
    mov ds, ax
    mov es, ax
    ; addressing
    mov word [0x14], 0x1414
    mov bx, 0x10
    mov si, 0x04
    mov ax, [bx + si]
    mov [R_BXSI], ax
    mov bx, 0xFFF0
    mov si, 0x24                        ; 0x10014 wraps to 0x0014
    mov ax, [bx + si]
    mov [R_WRAP], ax
    push bp
    mov bp, LOW + 0x40
    mov di, 2
    mov ax, [bp + di]                   ; SS (flat): LOW + 0x42
    mov [R_BPDI], ax
    pop bp
    ; stack sizes
    mov [R_ESP0], esp
    push ax
    mov [R_PUSH16], esp
    pop ax
    push dword 0x12345678
    mov [R_PUSH32], esp
    pop eax
    call sub16
    pusha
    mov [R_PUSHA], esp
    popa
    ; loop on CX
    mov ecx, 0xABCD0003
    xor ax, ax
.l:
    inc ax
    loop .l
    mov [R_LOOPCX], ecx
    mov [R_LOOPAX], ax
    mov ecx, 0x00010000
    mov ax, 0x0bad
    jcxz .z
    mov ax, 0xdead
.z:
    mov [R_JCXZ], ax
    ; a32 and o32
    push fs
    push word SEL_DATA0
    pop fs
    mov esi, a32_value
    mov eax, [fs:esi]
    pop fs
    mov [R_A32], eax
    mov eax, 0x7fffffff
    mov ebx, 0x00000002
    add eax, ebx
    mov [R_O32], eax
    ; rep movsb with CX, SI, DI
    mov ecx, 0x55550004
    mov esi, 0x66660000 + R_BXSI
    mov edi, 0x77770000 + R_MOVS
    cld
    rep movsb
    mov [R_REPCX], ecx
    mov [R_REPDI], edi
    ; int through a 32-bit gate
    mov ax, 0
    int 0x60
.after_int:
    mov [R_INTAX], ax
    ; #GP in 16-bit code, resumed at gp_resume16 (offset set by the 32-bit caller)
    mov ax, 0x1000
gp_here16:
    mov ds, ax
gp_resume16:
    mov ax, SEL_D16
    mov ds, ax
    mov word [R_AFTERGP], 0xAF7E
    mov ax, SEL_DATA0
    mov ds, ax
    mov es, ax
    o32 retf

sub16:
    mov [R_CALL], esp
    ret

align 4
a32_value: dd 0xA32A32A3
bits 32

section .data
align 4
esp_before: dd 0
int_eip:    dd 0
int_cs:     dd 0

section .bss
alignb 16
d16:        resb 256

GUEST_END
