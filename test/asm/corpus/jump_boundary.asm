; jump_boundary.asm - jump-size optimisation right at the rel8 limits:
; forward jmp/jcc with exactly 127 and 128 bytes between the end of the jump
; and the target, backward jumps with displacement -128 and -129, loop/jecxz
; (rel8 only) at -128, jumps whose size depends on other jumps inside the
; span (the span shrinks when the inner jumps become short), explicit
; short/near overrides, and the same tests in bits 16.

bits 32
org 0x1000

%define PAD(n) times (n) nop

section .text
fwd_tests:
    ; forward, gap 127 -> short (EB 7F)
    jmp fwd_127
    PAD(127)
fwd_127:
    ; forward, gap 128 -> near (E9 rel32)
    jmp fwd_128
    PAD(128)
fwd_128:
    ; conditional forward, gap 127 -> short (7x 7F)
    jz jcc_127
    PAD(127)
jcc_127:
    ; conditional forward, gap 128 -> near (0F 8x rel32)
    jnz jcc_128
    PAD(128)
jcc_128:

bwd_tests:
    ; backward, displacement -128 -> short: 126 bytes + the 2-byte jmp
bwd_128:
    PAD(126)
    jmp bwd_128
    ; backward, displacement -129 -> near
bwd_129:
    PAD(127)
    jmp bwd_129
    ; conditional backward -128 / -129
jbwd_128:
    PAD(126)
    jc jbwd_128
jbwd_129:
    PAD(127)
    jnc jbwd_129

loop_tests:
    ; loop / jecxz / jcxz only have rel8 forms: -128 is the farthest
    mov ecx, 10
loop_top:
    PAD(126)
    loop loop_top
    mov ecx, 3
lz_top:
    PAD(126)
    loopz lz_top
lnz_top:
    PAD(126)
    loopnz lnz_top
    jecxz jecxz_fwd
    PAD(127)
jecxz_fwd:

nested_tests:
    ; outer forward jump spans two inner jumps; only when both inner jumps
    ; are optimised to short does the outer one fit in rel8
    jmp outer_target
    jmp inner_a                 ; 2 bytes (short)
    PAD(50)
inner_a:
    jmp inner_b                 ; 2 bytes (short)
    PAD(71)
inner_b:
outer_target:                   ; gap = 2 + 50 + 2 + 71 = 125 -> short

    ; same shape but the gap is 128 when all inner jumps are short
    jmp outer2
    jz inner_c
    PAD(60)
inner_c:
    jnz inner_d
    PAD(64)
inner_d:
outer2:                         ; gap = 2 + 60 + 2 + 64 = 128 -> near
    ; outer3 hits 127 exactly
    jmp outer3
    ja inner_e
    PAD(60)
inner_e:
    jbe inner_f
    PAD(63)
inner_f:
outer3:                         ; gap = 2 + 60 + 2 + 63 = 127 -> short

    ; backward jump over a forward jump: inner jump short keeps outer short
back_top:
    jmp back_inner
    PAD(100)
back_inner:
    PAD(22)
    jmp back_top                ; disp = -(2 + 100 + 22 + 2) = -126

    ; a forward jump to a later equ-defined distance check
    jmp far_away
    PAD(300)
far_away:

overrides:
    jmp short ov1
ov1:
    jmp near ov2
ov2:
    je near ov3
ov3:
    jne short ov4
ov4:
    jmp dword ov5
ov5:
    call ov6
ov6:
    nop

span_check: dd fwd_128 - fwd_127, jcc_128 - jcc_127, outer_target - nested_tests

; the same boundaries in 16-bit code: near forms are E9 rel16 / 0F 8x rel16
bits 16
r16_fwd:
    jmp r16_127
    PAD(127)
r16_127:
    jmp r16_128
    PAD(128)
r16_128:
    jl r16_j127
    PAD(127)
r16_j127:
    jge r16_j128
    PAD(128)
r16_j128:
r16_back:
    PAD(126)
    jmp r16_back
r16_back2:
    PAD(127)
    jg r16_back2
    mov cx, 5
r16_loop:
    PAD(126)
    loop r16_loop
    jcxz r16_end
    PAD(127)
r16_end:
    ret
