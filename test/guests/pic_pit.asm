; pic_pit — 8259A PIC pair (remapped to 0x20/0x28 by guest.inc, IMR read back) and 8254 PIT
; channel 0 in mode 2 and mode 3 (read-back status byte, output bit masked off). IRQ0 is counted
; with `sti; hlt` in a loop until a fixed number of ticks arrived; the ISR is read inside the
; handler (IRQ0 in service) and after the EOI; without an EOI no further IRQ0 is delivered
; (count stays at 1 over a busy loop with IF=1), a specific EOI (0x60) releases it; while IRQ0
; is masked in the IMR no tick arrives; with IRQ0 already requested (IRR) and IF=0, STI lets one
; more instruction run before the interrupt; an IRQ taken at CPL 3 switches to the TSS stack and
; pushes SS3:ESP3 (the interrupted EIP is not printed: it depends on timing). Only facts that do not depend on speed are printed: the
; tick counts printed are thresholds reached, not measurements.
%include "include/guest.inc"

N_TICKS equ 10

main:
    PRINT "imr master="
    in al, 0x21
    HEX8 al
    PRINT " slave="
    in al, 0xA1
    HEX8 al
    PRINTLN

    mov dword [vec_hook + 0x20*4], irq0_hook

    ; ---- PIT channel 0, mode 2 (rate generator), lobyte/hibyte, divisor 1193 (~1 kHz)
    mov al, 0x34
    out 0x43, al
    mov ax, 1193
    out 0x40, al
    mov al, ah
    out 0x40, al
    call pit_status
    PRINT "pit ch0 status (mode 2)="
    HEX8 al
    PRINTLN

    mov al, 0xFE                        ; unmask IRQ0
    out 0x21, al
    PRINT "imr now="
    in al, 0x21
    HEX8 al
    PRINTLN

    mov dword [ticks], 0
    mov dword [eoi_mode], 1
    mov ecx, N_TICKS
    call wait_ticks
    PRINT "mode 2: got "
    DEC32 N_TICKS
    PRINT " ticks; isr in handler="
    HEX8 [isr_in]
    PRINT " after eoi="
    HEX8 [isr_after]
    PRINTLN

    ; ---- no EOI: the first tick stays in service, nothing else arrives
    mov dword [ticks], 0
    mov dword [eoi_mode], 0
    mov ecx, 1
    call wait_ticks
    sti
    mov ecx, 300000
.spin1:
    dec ecx
    jnz .spin1
    cli
    PRINT "without eoi: ticks="
    DEC32 [ticks]
    PRINT " isr="
    mov al, 0x0B
    out 0x20, al
    in al, 0x20
    HEX8 al
    mov al, 0x60                        ; specific EOI, IRQ0
    out 0x20, al
    PRINT " after specific eoi isr="
    in al, 0x20
    HEX8 al
    mov dword [eoi_mode], 1
    mov ecx, 3
    call wait_ticks
    PRINT " then reached 3 ticks"
    PRINTLN

    ; ---- masked: no tick arrives
    mov al, 0xFF
    out 0x21, al
    mov dword [ticks], 0
    sti
    mov ecx, 300000
.spin2:
    dec ecx
    jnz .spin2
    cli
    PRINT "masked: ticks="
    DEC32 [ticks]
    mov al, 0xFE
    out 0x21, al
    mov ecx, 2
    call wait_ticks
    PRINT ", unmasked: reached 2 ticks"
    PRINTLN

    ; ---- PIT mode 3 (square wave), divisor 2386
    mov al, 0x36
    out 0x43, al
    mov ax, 2386
    out 0x40, al
    mov al, ah
    out 0x40, al
    call pit_status
    PRINT "pit ch0 status (mode 3)="
    HEX8 al
    mov dword [ticks], 0
    mov ecx, N_TICKS
    call wait_ticks
    PRINT "; mode 3: got "
    DEC32 N_TICKS
    PRINT " ticks"
    PRINTLN

    ; ---- STI shadow: IRQ0 pending in the IRR while IF=0; after STI one more instruction runs
    call wait_irr
    mov dword [vec_hook + 0x20*4], shadow_hook
    mov byte [shadow_flag], 0
    mov byte [shadow_seen], 0xEE
    sti
    mov byte [shadow_flag], 1           ; runs before the interrupt
    nop
    nop
    cli
    PRINT "sti shadow: handler saw flag="
    HEX8 [shadow_seen]
    PRINTLN

    ; ---- an IRQ taken at CPL 3: stack switch through the TSS, frame with SS3:ESP3
    mov dword [vec_hook + 0x20*4], ring3_hook
    mov dword [r3_flag], 0
    mov dword [user_eflags], 0x202
    mov eax, user_wait
    call enter_user
    mov dword [user_eflags], 0x002
    PRINT "irq at cpl 3: frame cs="
    HEX16 [r3_cs]
    PRINT " ss3="
    HEX16 [r3_ss]
    PRINT " esp3-top="
    HEX32 [r3_esp]
    PRINT " fl="
    HEX16 [r3_fl]
    PRINT " handler cs="
    HEX16 [r3_hcs]
    PRINT " frame-esp0="
    HEX32 [r3_frame]
    PRINTLN
    mov dword [vec_hook + 0x20*4], irq0_hook

    ; ---- channel 2 programmed and read back (no interrupt)
    mov al, 0xB6                        ; ch2, lo/hi, mode 3
    out 0x43, al
    mov al, 0x34
    out 0x42, al
    mov al, 0x12
    out 0x42, al
    mov al, 0xE8                        ; read-back: status only, channel 2
    out 0x43, al
    in al, 0x42
    and al, 0x3F
    PRINT "pit ch2 status="
    HEX8 al
    PRINTLN

    mov al, 0xFF
    out 0x21, al
    PRINTLN "pic_pit done"
    mov eax, 0x1b
    ret

; ecx = tick count to reach ([ticks] >= ecx), sleeping in HLT with interrupts on
wait_ticks:
.loop:
    cmp [ticks], ecx
    jae .done
    sti
    hlt
    cli
    jmp .loop
.done:
    ret

; waits with IF=0 until IRQ0 is requested (IRR bit 0, read through OCW3)
wait_irr:
    mov al, 0x0A                        ; OCW3: read IRR
    out 0x20, al
.w:
    in al, 0x20
    test al, 1
    jz .w
    mov al, 0x0B                        ; back to reading the ISR
    out 0x20, al
    ret

shadow_hook:
    mov al, [shadow_flag]
    cmp byte [shadow_seen], 0xEE
    jne .eoi
    mov [shadow_seen], al
.eoi:
    mov al, 0x20
    out 0x20, al
    ret

ring3_hook:
    cmp dword [r3_flag], 0
    jne .eoi
    mov eax, [ebp + F_CS]
    mov [r3_cs], eax
    mov eax, [ebp + F_SS3]
    mov [r3_ss], eax
    mov eax, [ebp + F_ESP3]
    sub eax, ustack_top
    mov [r3_esp], eax
    mov eax, [ebp + F_EFLAGS]
    and eax, 0x3200
    mov [r3_fl], eax
    mov ax, cs
    mov [r3_hcs], ax
    lea eax, [ebp + F_EIP]
    sub eax, [tss + 4]
    mov [r3_frame], eax
    mov dword [r3_flag], 1
.eoi:
    mov al, 0x20
    out 0x20, al
    ret

user_wait:                              ; ring 3, IF=1: spin until the IRQ0 hook has run
    cmp dword [r3_flag], 0
    je user_wait
    USER_RETURN

; read-back status of channel 0, output and null-count bits masked off → al
pit_status:
    mov al, 0xE2                        ; read-back: latch status (not count), channel 0
    out 0x43, al
    in al, 0x40
    and al, 0x3F
    ret

irq0_hook:
    inc dword [ticks]
    cmp dword [ticks], 1
    jne .not_first
    mov al, 0x0B                        ; OCW3: read ISR
    out 0x20, al
    in al, 0x20
    mov [isr_in], al
.not_first:
    cmp dword [eoi_mode], 0
    je .no_eoi
    mov al, 0x20                        ; non-specific EOI
    out 0x20, al
    cmp dword [ticks], 1
    jne .no_eoi
    in al, 0x20                         ; ISR again (OCW3 still selects it)
    mov [isr_after], al
.no_eoi:
    ret

section .data
align 4
ticks:     dd 0
eoi_mode:  dd 1
isr_in:    db 0xEE
isr_after: db 0xEE
shadow_flag: db 0
shadow_seen: db 0xEE
align 4
r3_flag:   dd 0
r3_cs:     dd 0
r3_ss:     dd 0
r3_esp:    dd 0
r3_fl:     dd 0
r3_hcs:    dd 0
r3_frame:  dd 0

GUEST_END
