; unknown_mnemonic.asm - lines that look like instructions but use
; mnemonics nasm does not know (typos and other assemblers' syntax).
bits 32

start:
    mov eax, 1
    foo eax, 1
    movl $1, %eax
    jmpp start
    xor eax, eax
    ldr r0, [r1]
    ret
