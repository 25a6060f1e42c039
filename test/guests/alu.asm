; alu — ADD ADC SUB SBB CMP AND OR XOR TEST INC DEC NEG NOT at 8/16/32 bits, register, memory
; and immediate forms, over a grid of operand values; prints every result and EFLAGS masked to
; the flags the SDM defines for the instruction (AF is undefined after the logic ops).
; Input flags are set explicitly: all arithmetic flags set (so "unaffected" and "cleared" show),
; or CF=0 / CF=1 for ADC and SBB (suffix c0/c1), both states for INC/DEC (CF is kept).
; Line: "<bits> <op> A [B] -> RESULT fl=FLAGS"
%include "include/guest.inc"

KIND_BIN equ 0                          ; stub computes op(a, b)
KIND_UN  equ 1                          ; stub computes op(a) (unary or fixed immediate)
MASK_ARITH equ FL_ARITH
MASK_LOGIC equ FL_ARITH & ~FL_AF

; op entry: name, stub, width in bytes, kind, flags mask, flags in
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
    PRINTLN "alu done"
    mov eax, 0x11
    ret

; esi = op entry
run_op:
    pushad
    mov eax, [esi + 8]                  ; width
    mov ebx, vals32
    mov ecx, NVALS32
    cmp eax, 4
    je .have
    mov ebx, vals16
    mov ecx, NVALS16
    cmp eax, 2
    je .have
    mov ebx, vals8
    mov ecx, NVALS8
.have:
    mov [cur_vals], ebx
    mov [cur_n], ecx
    mov dword [ii], 0
.outer:
    mov eax, [ii]
    cmp eax, [cur_n]
    jae .ret
    mov dword [jj], 0
.inner:
    mov eax, [jj]
    cmp eax, [cur_n]
    jae .next_outer
    mov ebx, [cur_vals]
    mov ecx, [ii]
    mov eax, [ebx + ecx*4]
    mov [val_a], eax
    mov ecx, [jj]
    mov eax, [ebx + ecx*4]
    mov [val_b], eax
    call one_case
    cmp dword [esi + 12], KIND_UN
    je .next_outer                      ; unary: one case per value
    inc dword [jj]
    jmp .inner
.next_outer:
    inc dword [ii]
    jmp .outer
.ret:
    popad
    ret

; one_case: esi = op entry, [val_a], [val_b]
one_case:
    pushad
    mov eax, [val_a]
    mov ebx, [val_b]
    mov ecx, [esi + 20]                 ; flags in
    mov edi, [esi + 4]                  ; stub
    push ecx
    popfd
    call edi
    pushfd
    pop ecx
    mov [res], eax
    mov [resfl], ecx
    ; print "<bits> <name> A [B] -> R fl=F"
    mov eax, [esi + 8]
    shl eax, 3
    call putdec
    call putsp
    push esi
    mov esi, [esi]
    call puts
    pop esi
    mov ecx, [esi + 8]
    shl ecx, 1                          ; hex digits
    call putsp
    mov eax, [val_a]
    call puthex_n
    cmp dword [esi + 12], KIND_UN
    je .no_b
    call putsp
    mov eax, [val_b]
    call puthex_n
.no_b:
    PRINT " -> "
    mov eax, [res]
    call puthex_n
    mov eax, [resfl]
    and eax, [esi + 16]
    PRINT " fl="
    HEX16 ax
    PRINTLN
    popad
    ret

; ----- stubs: in eax = a, ebx = b; out eax (al/ax) = result; flags from the operation -----
s_add32:  add eax, ebx
          ret
s_adc32:  adc eax, ebx
          ret
s_sub32:  sub eax, ebx
          ret
s_sbb32:  sbb eax, ebx
          ret
s_cmp32:  cmp eax, ebx
          ret
s_and32:  and eax, ebx
          ret
s_or32:   or eax, ebx
          ret
s_xor32:  xor eax, ebx
          ret
s_test32: test eax, ebx
          ret
s_addm32: mov [scratch], eax
          add [scratch], ebx
          mov eax, [scratch]
          ret
s_subm32: mov [scratch], ebx
          mov ecx, eax
          sub ecx, [scratch]            ; reg - mem
          mov eax, ecx
          ret
s_sbbm32: mov [scratch], eax
          sbb [scratch], ebx
          mov eax, [scratch]
          ret
s_orm32:  mov [scratch], eax
          or [scratch], ebx
          mov eax, [scratch]
          ret
s_cmpm32: mov [scratch], eax
          cmp [scratch], ebx
          ret
s_add16:  add ax, bx
          ret
s_adc16:  adc ax, bx
          ret
s_sub16:  sub ax, bx
          ret
s_sbb16:  sbb ax, bx
          ret
s_cmp16:  cmp ax, bx
          ret
s_and16:  and ax, bx
          ret
s_or16:   or ax, bx
          ret
s_xor16:  xor ax, bx
          ret
s_test16: test ax, bx
          ret
s_addm16: mov [scratch], ax
          add [scratch], bx
          mov ax, [scratch]
          ret
s_add8:   add al, bl
          ret
s_adc8:   adc al, bl
          ret
s_sub8:   sub al, bl
          ret
s_sbb8:   sbb al, bl
          ret
s_cmp8:   cmp al, bl
          ret
s_and8:   and al, bl
          ret
s_or8:    or al, bl
          ret
s_xor8:   xor al, bl
          ret
s_test8:  test al, bl
          ret
s_subh8:  mov ah, al                    ; high-byte registers
          mov bh, bl
          sub ah, bh
          mov al, ah
          ret
s_xorm8:  mov [scratch], bl
          xor al, [scratch]
          ret
; unary
s_inc32:  inc eax
          ret
s_dec32:  dec eax
          ret
s_neg32:  neg eax
          ret
s_not32:  not eax
          ret
s_incm32: mov [scratch], eax
          inc dword [scratch]
          mov eax, [scratch]
          ret
s_negm32: mov [scratch], eax
          neg dword [scratch]
          mov eax, [scratch]
          ret
s_inc16:  inc ax
          ret
s_dec16:  dec ax
          ret
s_neg16:  neg ax
          ret
s_not16:  not ax
          ret
s_inc8:   inc al
          ret
s_dec8:   dec al
          ret
s_neg8:   neg al
          ret
s_not8:   not al
          ret
s_decm8:  mov [scratch], al
          dec byte [scratch]
          mov al, [scratch]
          ret
; immediates
s_addi8s: add eax, -1                   ; imm8 sign-extended
          ret
s_addi32: add eax, 0x80000000
          ret
s_addib:  mov ebx, eax                  ; 81 /0 on a non-accumulator register
          add ebx, 0x12345678
          mov eax, ebx
          ret
s_subi:   sub eax, 1
          ret
s_adci:   adc eax, 0
          ret
s_sbbi:   sbb eax, 0
          ret
s_cmpi:   cmp eax, 0x7f
          ret
s_andi:   and eax, 0xffff0000
          ret
s_ori:    or eax, 0x81
          ret
s_xori:   xor eax, -1
          ret
s_testi:  test eax, 0x80000000
          ret
s_addmi:  mov [scratch], eax
          add dword [scratch], 0x7f
          mov eax, [scratch]
          ret
s_addi16: add ax, 0x8000
          ret
s_subi16: sub ax, -1
          ret
s_cmpi16: mov bx, ax
          cmp bx, 0x7fff
          ret
s_addi8:  add al, 0x80
          ret
s_cmpi8:  cmp al, 0x80
          ret
s_sbbi8:  sbb al, 0x7f
          ret
s_andi8h: mov ah, al
          and ah, 0xf0
          mov al, ah
          ret

section .data
align 4
vals32: dd 0, 1, 0x7f, 0x80, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x12345678
NVALS32 equ ($ - vals32) / 4
vals16: dd 0, 1, 0x7f, 0x80, 0x7fff, 0x8000, 0xffff, 0x1234
NVALS16 equ ($ - vals16) / 4
vals8:  dd 0, 1, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x5a
NVALS8 equ ($ - vals8) / 4

optable:
    OP "add",    s_add32,  4, KIND_BIN, MASK_ARITH, 0x8D7
    OP "adc c0",s_adc32,  4, KIND_BIN, MASK_ARITH, 0x002
    OP "adc c1",s_adc32,  4, KIND_BIN, MASK_ARITH, 0x003
    OP "sub",    s_sub32,  4, KIND_BIN, MASK_ARITH, 0x8D7
    OP "sbb c0",s_sbb32,  4, KIND_BIN, MASK_ARITH, 0x8D6
    OP "sbb c1",s_sbb32,  4, KIND_BIN, MASK_ARITH, 0x003
    OP "cmp",    s_cmp32,  4, KIND_BIN, MASK_ARITH, 0x002
    OP "and",    s_and32,  4, KIND_BIN, MASK_LOGIC, 0x8D7
    OP "or",     s_or32,   4, KIND_BIN, MASK_LOGIC, 0x8D7
    OP "xor",    s_xor32,  4, KIND_BIN, MASK_LOGIC, 0x8D7
    OP "test",   s_test32, 4, KIND_BIN, MASK_LOGIC, 0x8D7
    OP "add mem",s_addm32, 4, KIND_BIN, MASK_ARITH, 0x002
    OP "sub mem",s_subm32, 4, KIND_BIN, MASK_ARITH, 0x002
    OP "sbb mem c1", s_sbbm32, 4, KIND_BIN, MASK_ARITH, 0x003
    OP "or mem", s_orm32,  4, KIND_BIN, MASK_LOGIC, 0x8D7
    OP "cmp mem",s_cmpm32, 4, KIND_BIN, MASK_ARITH, 0x8D7
    OP "add",    s_add16,  2, KIND_BIN, MASK_ARITH, 0x8D7
    OP "adc c0",s_adc16,  2, KIND_BIN, MASK_ARITH, 0x002
    OP "adc c1",s_adc16,  2, KIND_BIN, MASK_ARITH, 0x003
    OP "sub",    s_sub16,  2, KIND_BIN, MASK_ARITH, 0x8D7
    OP "sbb c0",s_sbb16,  2, KIND_BIN, MASK_ARITH, 0x8D6
    OP "sbb c1",s_sbb16,  2, KIND_BIN, MASK_ARITH, 0x003
    OP "cmp",    s_cmp16,  2, KIND_BIN, MASK_ARITH, 0x002
    OP "and",    s_and16,  2, KIND_BIN, MASK_LOGIC, 0x8D7
    OP "or",     s_or16,   2, KIND_BIN, MASK_LOGIC, 0x002
    OP "xor",    s_xor16,  2, KIND_BIN, MASK_LOGIC, 0x8D7
    OP "test",   s_test16, 2, KIND_BIN, MASK_LOGIC, 0x8D7
    OP "add mem",s_addm16, 2, KIND_BIN, MASK_ARITH, 0x8D7
    OP "add",    s_add8,   1, KIND_BIN, MASK_ARITH, 0x8D7
    OP "adc c0",s_adc8,   1, KIND_BIN, MASK_ARITH, 0x002
    OP "adc c1",s_adc8,   1, KIND_BIN, MASK_ARITH, 0x003
    OP "sub",    s_sub8,   1, KIND_BIN, MASK_ARITH, 0x8D7
    OP "sbb c0",s_sbb8,   1, KIND_BIN, MASK_ARITH, 0x8D6
    OP "sbb c1",s_sbb8,   1, KIND_BIN, MASK_ARITH, 0x003
    OP "cmp",    s_cmp8,   1, KIND_BIN, MASK_ARITH, 0x8D7
    OP "and",    s_and8,   1, KIND_BIN, MASK_LOGIC, 0x002
    OP "or",     s_or8,    1, KIND_BIN, MASK_LOGIC, 0x8D7
    OP "xor",    s_xor8,   1, KIND_BIN, MASK_LOGIC, 0x8D7
    OP "test",   s_test8,  1, KIND_BIN, MASK_LOGIC, 0x8D7
    OP "sub ah,bh", s_subh8, 1, KIND_BIN, MASK_ARITH, 0x002
    OP "xor mem", s_xorm8, 1, KIND_BIN, MASK_LOGIC, 0x8D7
    OP "inc f0", s_inc32, 4, KIND_UN, MASK_ARITH, 0x002
    OP "inc f1", s_inc32, 4, KIND_UN, MASK_ARITH, 0x8D7
    OP "dec f0", s_dec32, 4, KIND_UN, MASK_ARITH, 0x002
    OP "dec f1", s_dec32, 4, KIND_UN, MASK_ARITH, 0x8D7
    OP "neg",    s_neg32,  4, KIND_UN, MASK_ARITH, 0x002
    OP "not",    s_not32,  4, KIND_UN, MASK_ARITH, 0x8D7
    OP "inc mem",s_incm32, 4, KIND_UN, MASK_ARITH, 0x003
    OP "neg mem",s_negm32, 4, KIND_UN, MASK_ARITH, 0x8D7
    OP "inc f0", s_inc16, 2, KIND_UN, MASK_ARITH, 0x002
    OP "inc f1", s_inc16, 2, KIND_UN, MASK_ARITH, 0x8D7
    OP "dec f1", s_dec16, 2, KIND_UN, MASK_ARITH, 0x8D7
    OP "neg",    s_neg16,  2, KIND_UN, MASK_ARITH, 0x8D7
    OP "not",    s_not16,  2, KIND_UN, MASK_ARITH, 0x002
    OP "inc f1", s_inc8,  1, KIND_UN, MASK_ARITH, 0x8D7
    OP "dec f0", s_dec8,  1, KIND_UN, MASK_ARITH, 0x002
    OP "neg",    s_neg8,   1, KIND_UN, MASK_ARITH, 0x002
    OP "not",    s_not8,   1, KIND_UN, MASK_ARITH, 0x8D7
    OP "dec mem f1", s_decm8, 1, KIND_UN, MASK_ARITH, 0x8D7
    OP "add -1",       s_addi8s, 4, KIND_UN, MASK_ARITH, 0x8D7
    OP "add 80000000", s_addi32, 4, KIND_UN, MASK_ARITH, 0x002
    OP "add ebx,12345678", s_addib, 4, KIND_UN, MASK_ARITH, 0x002
    OP "sub 1",        s_subi,   4, KIND_UN, MASK_ARITH, 0x8D7
    OP "adc 0 c1",     s_adci,   4, KIND_UN, MASK_ARITH, 0x003
    OP "sbb 0 c1",     s_sbbi,   4, KIND_UN, MASK_ARITH, 0x003
    OP "cmp 7f",       s_cmpi,   4, KIND_UN, MASK_ARITH, 0x002
    OP "and ffff0000", s_andi,   4, KIND_UN, MASK_LOGIC, 0x8D7
    OP "or 81",        s_ori,    4, KIND_UN, MASK_LOGIC, 0x8D7
    OP "xor -1",       s_xori,   4, KIND_UN, MASK_LOGIC, 0x002
    OP "test 80000000",s_testi,  4, KIND_UN, MASK_LOGIC, 0x8D7
    OP "add mem 7f",   s_addmi,  4, KIND_UN, MASK_ARITH, 0x002
    OP "add 8000",     s_addi16, 2, KIND_UN, MASK_ARITH, 0x002
    OP "sub -1",       s_subi16, 2, KIND_UN, MASK_ARITH, 0x002
    OP "cmp bx,7fff",  s_cmpi16, 2, KIND_UN, MASK_ARITH, 0x8D7
    OP "add 80",       s_addi8,  1, KIND_UN, MASK_ARITH, 0x002
    OP "cmp 80",       s_cmpi8,  1, KIND_UN, MASK_ARITH, 0x8D7
    OP "sbb 7f c1",    s_sbbi8,  1, KIND_UN, MASK_ARITH, 0x003
    OP "and ah,f0",    s_andi8h, 1, KIND_UN, MASK_LOGIC, 0x8D7
    dd 0

align 4
scratch:  dd 0
cur_vals: dd 0
cur_n:    dd 0
ii:       dd 0
jj:       dd 0
val_a:    dd 0
val_b:    dd 0
res:      dd 0
resfl:    dd 0

GUEST_END
