; jmp_short_range.asm - explicit "short" jumps whose targets lie outside the
; signed 8-bit displacement range, forward and backward, plus loop and
; jecxz (rel8-only instructions) too far from their targets.
bits 32

top:
    mov ecx, 10
    jmp short far_forward
    times 200 nop
far_forward:
    jz short top
    times 130 nop
    loop top
    jecxz far_away
    times 300 nop
far_away:
    ret
