; uart — the 16550A at COM1 beyond plain output: scratch register, LCR and the divisor latch
; (DLAB), IER read back, FCR/IIR (FIFO off: IIR=01; FIFO on: C1), idle LSR; loopback mode (MCR
; bit 4): bytes written come back in RBR (LSR.DR), MSR mirrors MCR, a second byte before the
; first is read sets OE; IRQ4 through the PIC for "THR empty" (IIR=02, cleared by reading IIR),
; waited for in a bounded spin with IF=1.
; Not covered: interrupts in loopback mode. A real PC gates IRQ4 with MCR.OUT2, which loopback
; forces inactive; QEMU ignores OUT2, so the two differ and neither is wrong for this test.
; Values observed in loopback mode are stored and printed after loopback is switched off.
%include "include/guest.inc"

UART_IER equ COM1 + 1
UART_IIR equ COM1 + 2
UART_FCR equ COM1 + 2
UART_LCR equ COM1 + 3
UART_MCR equ COM1 + 4
UART_LSR equ COM1 + 5
UART_MSR equ COM1 + 6
UART_SCR equ COM1 + 7

%macro OUTB 2
    mov dx, %1
    mov al, %2
    out dx, al
%endmacro
%macro INB 1
    mov dx, %1
    in al, dx
%endmacro

main:
    OUTB UART_IER, 0
    OUTB UART_FCR, 0
    OUTB UART_MCR, 0x03
    OUTB UART_LCR, 0x03

    PRINT "scr: "
    OUTB UART_SCR, 0x5A
    INB UART_SCR
    HEX8 al
    OUTB UART_SCR, 0xA5
    INB UART_SCR
    call putsp
    HEX8 al
    PRINTLN

    PRINT "lcr="
    INB UART_LCR
    HEX8 al
    OUTB UART_LCR, 0x83                 ; DLAB
    OUTB COM1, 0x0C
    OUTB COM1 + 1, 0x00
    INB COM1
    mov bl, al
    INB COM1 + 1
    mov bh, al
    INB UART_LCR
    mov cl, al
    OUTB COM1, 0x01                     ; back to divisor 1
    OUTB UART_LCR, 0x03
    PRINT " dll="
    HEX8 bl
    PRINT " dlm="
    HEX8 bh
    PRINT " lcr(dlab)="
    HEX8 cl
    PRINTLN

    PRINT "ier: "
    OUTB UART_IER, 0x05
    INB UART_IER
    HEX8 al
    OUTB UART_IER, 0x00
    call putsp
    INB UART_IER
    HEX8 al
    PRINT " iir (fifo off)="
    INB UART_IIR
    HEX8 al
    OUTB UART_FCR, 0x07                 ; FIFO on, clear both
    INB UART_IIR
    mov bl, al
    OUTB UART_FCR, 0x00
    INB UART_IIR
    mov bh, al
    PRINT " (fifo on)="
    HEX8 bl
    PRINT " (off again)="
    HEX8 bh
    PRINT " lsr="
    INB UART_LSR
    HEX8 al
    PRINTLN

    ; ---- loopback
    OUTB UART_MCR, 0x1F                 ; LOOP OUT2 OUT1 RTS DTR
    INB UART_MSR
    and al, 0xF0
    mov [lb_msr], al
    mov esi, lb_text
    mov edi, lb_got
.lb:
    lodsb
    test al, al
    jz .lb_done
    call lb_send
    call lb_wait_dr
    INB COM1
    stosb
    jmp .lb
.lb_done:
    INB UART_LSR
    mov [lb_lsr_empty], al
    ; overrun: two bytes without reading RBR. Reading LSR clears OE, so every LSR value read
    ; while the second byte goes out is ORed together.
    mov al, 'x'
    call lb_send
    mov byte [lsr_acc], 0
    mov al, 'y'
    call lb_send
    call lb_wait_dr
    mov al, [lsr_acc]
    and al, 0x1E                        ; OE PE FE BI
    mov [lb_lsr_oe], al
    INB UART_LSR
    mov [lb_lsr_oe2], al
    INB COM1
    mov [lb_oe_byte], al
    OUTB UART_MCR, 0x0B                 ; loopback off (DTR RTS OUT2)
    PRINT "loopback: msr="
    HEX8 [lb_msr]
    PRINT " echoed '"
    mov esi, lb_got
    call puts
    PRINT "' lsr after="
    HEX8 [lb_lsr_empty]
    PRINT " overrun: lsr error bits seen="
    HEX8 [lb_lsr_oe]
    PRINT " lsr then="
    HEX8 [lb_lsr_oe2]
    PRINT " rbr="
    HEX8 [lb_oe_byte]
    PRINTLN

    ; ---- IRQ4: THR empty
    mov dword [vec_hook + 0x24*4], irq4_hook
    mov al, 0xEF                        ; unmask IRQ4
    out 0x21, al
    mov dword [irqs], 0
    OUTB UART_IER, 0x02                 ; THRE interrupt: THR is empty, so it is pending now
    call wait_irq
    OUTB UART_IER, 0x00
    INB UART_IIR
    mov [iir_after], al
    PRINT "thre: "
    call show_irq
    PRINT ", iir in handler="
    HEX8 [iir_seen]
    PRINT " iir after="
    HEX8 [iir_after]
    PRINTLN

    mov al, 0xFF
    out 0x21, al
    OUTB UART_MCR, 0x03
    PRINTLN "uart done"
    mov eax, 0x1c
    ret

lb_send:                                ; al = byte; waits for THRE first
    push eax
    push edx
    mov ah, al
    mov dx, UART_LSR
.w:
    in al, dx
    test al, 0x20
    jz .w
    mov al, ah
    mov dx, COM1
    out dx, al
    mov dx, UART_LSR                    ; and until it has left THR
.w2:
    in al, dx
    or [lsr_acc], al
    test al, 0x20
    jz .w2
    pop edx
    pop eax
    ret

lb_wait_dr:
    push eax
    push edx
    mov dx, UART_LSR
.w:
    in al, dx
    test al, 0x01
    jz .w
    pop edx
    pop eax
    ret

; waits for IRQ4 with IF=1 in a bounded spin (not HLT: a UART that never raises the interrupt
; must not hang the guest); prints nothing, the callers print [irqs] > 0 as "irq" / "no irq"
wait_irq:
    push ecx
    mov ecx, 2000000
    sti
.loop:
    cmp dword [irqs], 0
    jne .done
    dec ecx
    jnz .loop
.done:
    cli
    pop ecx
    ret

show_irq:
    cmp dword [irqs], 0
    jne .yes
    PRINT "no irq"
    ret
.yes:
    PRINT "irq"
    ret

irq4_hook:
    inc dword [irqs]
    mov dx, UART_IIR
    in al, dx
    mov [iir_seen], al
    mov al, 0x20
    out 0x20, al
    ret

section .data
lb_text:      db "hi!", 0
lb_got:       times 8 db 0
lb_msr:       db 0
lb_lsr_empty: db 0
lb_lsr_oe:    db 0
lb_lsr_oe2:   db 0
lb_oe_byte:   db 0
lsr_acc:      db 0
iir_seen:     db 0xEE
iir_after:    db 0xEE
align 4
irqs:         dd 0

GUEST_END
