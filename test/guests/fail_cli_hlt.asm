; fail_cli_hlt — failure mode: HLT with interrupts disabled, a guest that can never resume.
; QEMU waits forever (the test kills it: 'timeout'); `hyperstep run` exits with status 2 and a
; one-line reason on stderr.
; expect-qemu: timeout
; expect-status: 2
%include "include/guest.inc"

main:
    PRINTLN "halting with interrupts off"
    cli
    hlt
    PRINTLN "!! resumed after hlt"
    mov eax, 0x7D
    ret

GUEST_END
