; fail_infinite_loop — failure mode: prints a line, then spins forever with interrupts off.
; QEMU never exits (the test kills it: 'timeout'); `hyperstep run --max-instructions 100000`
; stops with status 4 after printing the same line.
; expect-qemu: timeout
; expect-status: 4
; hyperstep-args: --max-instructions 100000
%include "include/guest.inc"

main:
    PRINTLN "spinning forever"
    cli
    xor ecx, ecx
.spin:
    inc ecx
    jmp .spin

GUEST_END
