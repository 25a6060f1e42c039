; shift — SHL SHR SAR ROL ROR RCL RCR (8/16/32 bits, by CL, by 1, by imm8, memory operands) and
; SHLD/SHRD (16/32) with counts 0, 1, 2, 7, 8, 9, 16, 17, 31, 32, 33 (the CPU masks to 5 bits;
; RCL/RCR on 8/16 bits then rotate mod 9/17). Flags printed masked to what the SDM defines:
;   masked count 0: nothing changes (all flags kept; input flags are all set)
;   shifts: AF undefined for a nonzero count, OF undefined unless the count is 1,
;           CF undefined for SHL/SHR when the count >= the operand width
;   rotates: only CF and OF change, OF undefined unless the masked count is 1
;   SHLD/SHRD: as shifts; 16-bit counts above 16 leave result and flags undefined (skipped)
; Line: "<bits> <op> VALUE [SRC] by COUNT -> RESULT fl=FLAGS"
%include "include/guest.inc"

CL_SHIFT  equ 0                         ; SHL, SHR
CL_SAR    equ 1
CL_ROT    equ 2                         ; ROL ROR RCL RCR
CL_DOUBLE equ 3                         ; SHLD SHRD
VARIABLE  equ -1                        ; count comes from the counts list (in CL)

; entry: name, stub, width, class, flags in, fixed count (or VARIABLE)
%macro OP 6
    dd %%name, %2, %3, %4, %5, %6
[section .text]
%%name: db %1, 0
__SECT__
%endmacro

main:
    mov esi, optable
.op:
    cmp dword [esi], 0
    je .done
    call run_op
    add esi, 24
    jmp .op
.done:
    PRINTLN "shift done"
    mov eax, 0x12
    ret

run_op:
    pushad
    mov eax, [esi + 8]
    mov ebx, vals32
    cmp eax, 4
    je .have
    mov ebx, vals16
    cmp eax, 2
    je .have
    mov ebx, vals8
.have:
    mov [cur_vals], ebx                 ; NVALS pairs (value, src)
    mov dword [vi], 0
.value:
    cmp dword [vi], NVALS
    jae .ret
    mov ebx, [cur_vals]
    mov ecx, [vi]
    mov eax, [ebx + ecx*8]
    mov [val_a], eax
    mov eax, [ebx + ecx*8 + 4]
    mov [val_b], eax
    mov eax, [esi + 20]
    cmp eax, VARIABLE
    je .counts
    mov [count], eax
    call one_case
    jmp .next_value
.counts:
    mov dword [ci], 0
.count:
    mov ecx, [ci]
    cmp ecx, NCOUNTS
    jae .next_value
    mov eax, [counts + ecx*4]
    mov [count], eax
    call one_case
    inc dword [ci]
    jmp .count
.next_value:
    inc dword [vi]
    jmp .value
.ret:
    popad
    ret

; defined-flags mask for the current op/count → eax (0 = skip the case)
flag_mask:
    push ecx
    push edx
    mov ecx, [count]
    and ecx, 31
    mov eax, FL_ARITH
    jecxz .ret                          ; masked count 0: every flag kept
    mov edx, [esi + 12]
    cmp edx, CL_ROT
    jne .not_rot
    cmp ecx, 1
    je .ret
    and eax, ~FL_OF
    jmp .ret
.not_rot:
    and eax, ~FL_AF
    cmp ecx, 1
    je .chk_cf
    and eax, ~FL_OF
.chk_cf:
    mov edx, [esi + 8]
    shl edx, 3                          ; width in bits
    cmp dword [esi + 12], CL_DOUBLE
    jne .not_double
    cmp ecx, edx
    jbe .ret
    xor eax, eax                        ; 16-bit SHLD/SHRD with count > 16: undefined
    jmp .ret
.not_double:
    cmp dword [esi + 12], CL_SHIFT
    jne .ret
    cmp ecx, edx
    jb .ret
    and eax, ~FL_CF
.ret:
    pop edx
    pop ecx
    ret

one_case:
    pushad
    call flag_mask
    test eax, eax
    jz .skip
    mov [mask], eax
    mov eax, [val_a]
    mov ebx, [val_b]
    mov ecx, [count]
    mov edi, [esi + 4]
    push dword [esi + 16]
    popfd
    call edi
    pushfd
    pop edx
    mov [res], eax
    mov [resfl], edx
    mov eax, [esi + 8]
    shl eax, 3
    call putdec
    call putsp
    push esi
    mov esi, [esi]
    call puts
    pop esi
    call putsp
    mov ecx, [esi + 8]
    shl ecx, 1
    mov eax, [val_a]
    call puthex_n
    cmp dword [esi + 12], CL_DOUBLE
    jne .no_src
    PRINT ","
    mov eax, [val_b]
    call puthex_n
.no_src:
    PRINT " by "
    HEX8 [count]
    PRINT " -> "
    mov eax, [res]
    call puthex_n
    PRINT " fl="
    mov eax, [resfl]
    and eax, [mask]
    HEX16 ax
    PRINTLN
.skip:
    popad
    ret

; ----- stubs: eax = value, ebx = second source (SHLD/SHRD), cl = count -----
s_shl32: shl eax, cl
         ret
s_shr32: shr eax, cl
         ret
s_sar32: sar eax, cl
         ret
s_rol32: rol eax, cl
         ret
s_ror32: ror eax, cl
         ret
s_rcl32: rcl eax, cl
         ret
s_rcr32: rcr eax, cl
         ret
s_shl16: shl ax, cl
         ret
s_shr16: shr ax, cl
         ret
s_sar16: sar ax, cl
         ret
s_rol16: rol ax, cl
         ret
s_ror16: ror ax, cl
         ret
s_rcl16: rcl ax, cl
         ret
s_rcr16: rcr ax, cl
         ret
s_shl8:  shl al, cl
         ret
s_shr8:  shr al, cl
         ret
s_sar8:  sar al, cl
         ret
s_rol8:  rol al, cl
         ret
s_ror8:  ror al, cl
         ret
s_rcl8:  rcl al, cl
         ret
s_rcr8:  rcr al, cl
         ret
s_shld32: shld eax, ebx, cl
         ret
s_shrd32: shrd eax, ebx, cl
         ret
s_shld16: shld ax, bx, cl
         ret
s_shrd16: shrd ax, bx, cl
         ret
s_rolm32: mov [scratch], eax
         rol dword [scratch], cl
         mov eax, [scratch]
         ret
s_sarm16: mov [scratch], ax
         sar word [scratch], cl
         mov ax, [scratch]
         ret
s_rcrm8: mov [scratch], al
         rcr byte [scratch], cl
         mov al, [scratch]
         ret
s_shrdm32: mov [scratch], eax
         shrd [scratch], ebx, cl
         mov eax, [scratch]
         ret
; fixed counts (D0/D1 "by 1" forms and C0/C1 imm8 forms)
s_shl32_1:  shl eax, 1
            ret
s_sar32_1:  sar eax, 1
            ret
s_rcl32_1:  rcl eax, 1
            ret
s_rcr16_1:  rcr ax, 1
            ret
s_ror8_1:   ror al, 1
            ret
s_shr32_31: shr eax, 31
            ret
s_sar16_15: sar ax, 15
            ret
s_rol16_17: rol ax, 17
            ret
s_rcl8_9:   rcl al, 9
            ret
s_rcl8_10:  rcl al, 10
            ret
s_rcr16_18: rcr ax, 18
            ret
s_shl8_8:   shl al, 8
            ret
s_shld32_4: shld eax, ebx, 4
            ret
s_shrd16_12: shrd ax, bx, 12
            ret
s_shlm_1:   mov [scratch], eax
            shl dword [scratch], 1
            mov eax, [scratch]
            ret

section .data
align 4
counts: dd 0, 1, 2, 7, 8, 9, 16, 17, 31, 32, 33
NCOUNTS equ ($ - counts) / 4
NVALS equ 3
vals32: dd 0x80000001, 0x0f0f0f0f,  0x12345678, 0x9abcdef0,  0x40000000, 0xffffffff
vals16: dd 0x8001, 0x00ff,  0x4321, 0xfedc,  0x0040, 0x8000
vals8:  dd 0x81, 0x0f,  0x5a, 0xc3,  0x40, 0x00

FIN_ALL equ 0x8D7                       ; every arithmetic flag set on input
FIN_C0  equ 0x8D6                       ; all but CF
FIN_C1  equ 0x003                       ; only CF

optable:
    OP "shl",    s_shl32, 4, CL_SHIFT, FIN_ALL, VARIABLE
    OP "shr",    s_shr32, 4, CL_SHIFT, FIN_ALL, VARIABLE
    OP "sar",    s_sar32, 4, CL_SAR,   FIN_ALL, VARIABLE
    OP "rol",    s_rol32, 4, CL_ROT,   FIN_ALL, VARIABLE
    OP "ror",    s_ror32, 4, CL_ROT,   FIN_C0,  VARIABLE
    OP "rcl c0", s_rcl32, 4, CL_ROT,   FIN_C0,  VARIABLE
    OP "rcl c1", s_rcl32, 4, CL_ROT,   FIN_C1,  VARIABLE
    OP "rcr c0", s_rcr32, 4, CL_ROT,   FIN_C0,  VARIABLE
    OP "rcr c1", s_rcr32, 4, CL_ROT,   FIN_C1,  VARIABLE
    OP "shl",    s_shl16, 2, CL_SHIFT, FIN_ALL, VARIABLE
    OP "shr",    s_shr16, 2, CL_SHIFT, FIN_C1,  VARIABLE
    OP "sar",    s_sar16, 2, CL_SAR,   FIN_ALL, VARIABLE
    OP "rol",    s_rol16, 2, CL_ROT,   FIN_C0,  VARIABLE
    OP "ror",    s_ror16, 2, CL_ROT,   FIN_ALL, VARIABLE
    OP "rcl c0", s_rcl16, 2, CL_ROT,   FIN_C0,  VARIABLE
    OP "rcl c1", s_rcl16, 2, CL_ROT,   FIN_C1,  VARIABLE
    OP "rcr c0", s_rcr16, 2, CL_ROT,   FIN_C0,  VARIABLE
    OP "rcr c1", s_rcr16, 2, CL_ROT,   FIN_C1,  VARIABLE
    OP "shl",    s_shl8,  1, CL_SHIFT, FIN_C0,  VARIABLE
    OP "shr",    s_shr8,  1, CL_SHIFT, FIN_ALL, VARIABLE
    OP "sar",    s_sar8,  1, CL_SAR,   FIN_C0,  VARIABLE
    OP "rol",    s_rol8,  1, CL_ROT,   FIN_C0,  VARIABLE
    OP "ror",    s_ror8,  1, CL_ROT,   FIN_ALL, VARIABLE
    OP "rcl c0", s_rcl8,  1, CL_ROT,   FIN_C0,  VARIABLE
    OP "rcl c1", s_rcl8,  1, CL_ROT,   FIN_C1,  VARIABLE
    OP "rcr c0", s_rcr8,  1, CL_ROT,   FIN_C0,  VARIABLE
    OP "rcr c1", s_rcr8,  1, CL_ROT,   FIN_C1,  VARIABLE
    OP "shld",   s_shld32, 4, CL_DOUBLE, FIN_ALL, VARIABLE
    OP "shrd",   s_shrd32, 4, CL_DOUBLE, FIN_C0,  VARIABLE
    OP "shld",   s_shld16, 2, CL_DOUBLE, FIN_C0,  VARIABLE
    OP "shrd",   s_shrd16, 2, CL_DOUBLE, FIN_ALL, VARIABLE
    OP "rol mem",  s_rolm32, 4, CL_ROT,   FIN_C1, VARIABLE
    OP "sar mem",  s_sarm16, 2, CL_SAR,   FIN_C0, VARIABLE
    OP "rcr mem c1", s_rcrm8, 1, CL_ROT,  FIN_C1, VARIABLE
    OP "shrd mem", s_shrdm32, 4, CL_DOUBLE, FIN_C1, VARIABLE
    OP "shl imm", s_shl32_1, 4, CL_SHIFT, FIN_C0, 1
    OP "sar imm", s_sar32_1, 4, CL_SAR,   FIN_ALL, 1
    OP "rcl imm c1", s_rcl32_1, 4, CL_ROT, FIN_C1, 1
    OP "rcr imm c0", s_rcr16_1, 2, CL_ROT, FIN_C0, 1
    OP "ror imm", s_ror8_1, 1, CL_ROT, FIN_C0, 1
    OP "shr imm", s_shr32_31, 4, CL_SHIFT, FIN_ALL, 31
    OP "sar imm", s_sar16_15, 2, CL_SAR, FIN_C0, 15
    OP "rol imm", s_rol16_17, 2, CL_ROT, FIN_ALL, 17
    OP "rcl imm c1", s_rcl8_9, 1, CL_ROT, FIN_C1, 9
    OP "rcl imm c0", s_rcl8_10, 1, CL_ROT, FIN_C0, 10
    OP "rcr imm c1", s_rcr16_18, 2, CL_ROT, FIN_C1, 18
    OP "shl imm", s_shl8_8, 1, CL_SHIFT, FIN_ALL, 8
    OP "shld imm", s_shld32_4, 4, CL_DOUBLE, FIN_C1, 4
    OP "shrd imm", s_shrd16_12, 2, CL_DOUBLE, FIN_ALL, 12
    OP "shl mem imm", s_shlm_1, 4, CL_SHIFT, FIN_C0, 1
    dd 0

align 4
scratch:  dd 0
cur_vals: dd 0
vi:       dd 0
ci:       dd 0
val_a:    dd 0
val_b:    dd 0
count:    dd 0
mask:     dd 0
res:      dd 0
resfl:    dd 0

GUEST_END
