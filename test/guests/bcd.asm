; bcd — DAA, DAS (AL over a value grid x {CF, AF} inputs; OF undefined), AAA, AAS (AX result, only
; AF and CF defined; AL values above 0xF9 show the carry into AH), AAM with bases 10, 16, 7 and
; 255 (SF, ZF, PF defined), AAD with bases 10, 16, 0, and AAM 0 -> #DE (a fault: EIP at AAM,
; AX unchanged).
; Line: "<op> ax=INPUT c<CF>a<AF> -> ax=RESULT fl=FLAGS"
%include "include/guest.inc"

; run_grid: edi = stub, ebp = flags mask, esi = name
main:
    mov esi, n_daa
    mov edi, s_daa
    mov ebp, FL_CF | FL_AF | FL_ZF | FL_SF | FL_PF
    call run_grid
    mov esi, n_das
    mov edi, s_das
    call run_grid
    mov esi, n_aaa
    mov edi, s_aaa
    mov ebp, FL_CF | FL_AF
    call run_grid
    mov esi, n_aas
    mov edi, s_aas
    call run_grid

    ; AAM / AAD
%macro AAX 3                            ; instruction, base, ax
    mov eax, 0x5555_0000 | %3
    SETFLAGS 0x8D7
    %1 %2
    pushfd
    PRINT %str(%1), " ", %str(%2), " ax=", %str(%3), " -> ax="
    HEX16 ax
    popfd
    FLAGS_OUT FL_SF | FL_ZF | FL_PF
    PRINT " high="
    push eax
    shr eax, 16
    HEX16 ax
    pop eax
    PRINTLN
%endmacro
    AAX aam, 10, 0x0063
    AAX aam, 10, 0x1200
    AAX aam, 10, 0x00ff
    AAX aam, 16, 0x00ff
    AAX aam, 16, 0x0080
    AAX aam, 7, 0x0064
    AAX aam, 255, 0x00fe
    AAX aam, 255, 0x00ff
    AAX aad, 10, 0x0909
    AAX aad, 10, 0x1905
    AAX aad, 16, 0x0f0f
    AAX aad, 16, 0x1080
    AAX aad, 0, 0x7f01
    AAX aad, 7, 0xffff

    PRINT "aam 0 ax=0x1234:"
    mov eax, 0x1234
    EXPECT_FAULT .after
.at:
    aam 0
.after:
    SHOW_FAULT .at
    PRINT " ax="
    HEX16 ax
    PRINTLN
    PRINTLN "bcd done"
    mov eax, 0x16
    ret

run_grid:
    pushad
    mov dword [vi], 0
.v:
    mov ecx, [vi]
    cmp ecx, NVALS
    jae .done
    mov dword [fi], 0
.f:
    mov ecx, [fi]
    cmp ecx, 4
    jae .next_v
    ; flags in: CF = bit 0 of fi, AF = bit 1; the other arithmetic flags set
    mov eax, 0x8C6
    test ecx, 1
    jz .no_cf
    or eax, FL_CF
.no_cf:
    test ecx, 2
    jz .no_af
    or eax, FL_AF
.no_af:
    mov [fin], eax
    mov ecx, [vi]
    movzx eax, word [vals + ecx*2]
    or eax, 0x77770000
    mov [ain], eax
    push dword [fin]
    popfd
    call edi
    pushfd
    pop dword [fout]
    mov [aout], eax
    call puts
    PRINT " ax="
    HEX16 [ain]
    PRINT " c"
    mov eax, [fin]
    and eax, 1
    DEC32 eax
    PRINT "a"
    mov eax, [fin]
    shr eax, 4
    and eax, 1
    DEC32 eax
    PRINT " -> ax="
    HEX16 [aout]
    PRINT " fl="
    mov eax, [fout]
    and eax, ebp
    HEX16 ax
    mov eax, [aout]
    shr eax, 16
    cmp ax, 0x7777
    je .hi_ok
    PRINT " HIGH CHANGED"
.hi_ok:
    PRINTLN
    inc dword [fi]
    jmp .f
.next_v:
    inc dword [vi]
    jmp .v
.done:
    popad
    ret

s_daa: daa
       ret
s_das: das
       ret
s_aaa: aaa
       ret
s_aas: aas
       ret

section .data
n_daa: db "daa", 0
n_das: db "das", 0
n_aaa: db "aaa", 0
n_aas: db "aas", 0
align 2
vals:  dw 0x1200, 0x1209, 0x120a, 0x120f, 0x1219, 0x121a, 0x123f, 0x1299, 0x129a, 0x12a0
       dw 0x12f9, 0x12fa, 0x12ff, 0xff05, 0x00fb
NVALS equ ($ - vals) / 2
align 4
vi:    dd 0
fi:    dd 0
fin:   dd 0
fout:  dd 0
ain:   dd 0
aout:  dd 0

GUEST_END
