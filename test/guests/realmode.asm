; realmode — leaving protected mode and coming back, without any BIOS: a trampoline copied to
; 0x8000 runs in 16-bit protected mode (CS=0x30, data 0x38, 64 KiB limits), loads a real-mode
; IDTR (IVT at 0), clears CR0.PE and far-jumps to 0800:xxxx. In real mode: segment arithmetic
; (two seg:off pairs for one physical address), offset wrap at 64 KiB, a far call through an
; aliasing segment (CS=07F0), INT 30h through the IVT (FLAGS/CS/IP frame), #DE through IVT
; vector 0 (IP of the DIV itself), 32-bit registers with the 0x66 prefix, SMSW; output straight
; to COM1. Then CR0.PE=1 and a far jump with a 32-bit offset back to the 32-bit kernel.
%include "include/guest.inc"

TRAMP equ 0x8000
RSEG  equ TRAMP >> 4                    ; 0x0800
%define TOFF(x) ((x) - tramp_start)
%define TLIN(x) ((x) - tramp_start + TRAMP)

main:
    ; copy the trampoline
    mov esi, tramp_start
    mov edi, TRAMP
    mov ecx, tramp_end - tramp_start
    rep movsb
    ; IVT entries 0 (#DE) and 0x30
    mov dword [0 * 4], (RSEG << 16) | TOFF(rm_de)
    mov dword [0x30 * 4], (RSEG << 16) | TOFF(rm_int30)
    PRINTLN "leaving protected mode"
    mov [saved_esp], esp
    jmp SEL_CODE16:TLIN(pm16_entry)

pm_back:                                ; 32-bit, CS = 0x08
    mov ax, SEL_DATA0
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, [saved_esp]
    lidt [idt_desc]
    PRINT "back in protected mode: cs="
    mov ax, cs
    HEX16 ax
    PRINT " cr0.pe="
    mov eax, cr0
    and eax, 1
    HEX8 al
    PRINT " eax from real mode="
    HEX32 [rm_result]
    PRINTLN
    ; an exception after the round trip still goes through the protected-mode IDT
    PRINT "ud2 after return:"
    EXPECT_FAULT .r
.u:
    ud2
.r:
    SHOW_FAULT .u
    PRINTLN
    PRINTLN "realmode done"
    mov eax, 0x22
    ret

section .data
align 4
saved_esp: dd 0
rm_result: dd 0

section .text
; ---------------------------------------------------------------------------------------------
bits 16
align 16
tramp_start:
pm16_entry:                             ; 16-bit protected mode, CS base 0, IP = linear address
    mov ax, SEL_DATA16
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, 0x7F00
    lidt [TLIN(rm_idtr)]
    mov eax, cr0
    and al, 0xFE
    mov cr0, eax
    jmp RSEG:TOFF(rm_entry)

rm_entry:                               ; real mode, CS = 0x0800
    mov ax, RSEG
    mov ds, ax
    mov es, ax
    xor ax, ax
    mov ss, ax
    mov sp, 0x7F00

    mov si, TOFF(s_hello)
    call rm_puts
    smsw ax
    and ax, 1
    call rm_hex16
    mov si, TOFF(s_cs)
    call rm_puts
    mov ax, cs
    call rm_hex16
    call rm_nl

    ; segment arithmetic and wrap
    mov ax, 0x0900
    mov es, ax
    mov word [es:0x0010], 0xBEEF
    mov ax, 0x0901
    mov fs, ax
    mov si, TOFF(s_alias)
    call rm_puts
    mov ax, [fs:0x0000]
    call rm_hex16
    mov bx, 0xFFF0
    mov di, 0x0020                      ; 0x10010 wraps to 0x0010 in the segment
    mov si, TOFF(s_wrap)
    call rm_puts
    mov ax, [es:bx + di]
    call rm_hex16
    call rm_nl

    ; far call through an aliasing segment: 07F0:(off + 0x100) is the same physical code
    call (RSEG - 0x10):(TOFF(rm_far) + 0x100)
    mov si, TOFF(s_farcs)
    call rm_puts
    mov ax, [TOFF(far_cs)]
    call rm_hex16
    call rm_nl

    ; INT 30h through the IVT
    push word 0x0002
    popf
    mov ax, 0
    int 0x30
rm_after_int:
    mov [TOFF(int_ax)], ax
    mov si, TOFF(s_int)
    call rm_puts
    mov ax, [TOFF(int_ip)]
    sub ax, TOFF(rm_after_int)
    call rm_hex16
    call rm_sp
    mov ax, [TOFF(int_cs)]
    call rm_hex16
    call rm_sp
    mov ax, [TOFF(int_fl)]
    call rm_hex16
    call rm_sp
    mov ax, [TOFF(int_ax)]
    call rm_hex16
    call rm_nl

    ; #DE through IVT vector 0
    xor dx, dx
    mov ax, 5
    xor cx, cx
rm_div:
    div cx
    mov si, TOFF(s_de)
    call rm_puts
    mov ax, [TOFF(de_ip)]
    sub ax, TOFF(rm_div)
    call rm_hex16
    call rm_nl

    ; 32-bit registers in real mode
    mov eax, 0x7fffffff
    add eax, 0x12345679
    pushf
    mov [TOFF(r32)], eax
    mov si, TOFF(s_r32)
    call rm_puts
    mov ax, [TOFF(r32) + 2]
    call rm_hex16
    mov ax, [TOFF(r32)]
    call rm_hex16
    call rm_sp
    pop ax
    and ax, 0x08D5
    call rm_hex16
    call rm_nl

    ; back to protected mode
    mov eax, [TOFF(r32)]
    mov [TOFF(r32_copy)], eax
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword SEL_CODE0:pm_back32

rm_far:
    mov [TOFF(far_cs)], cs
    retf

rm_int30:
    push bp
    mov bp, sp
    mov ax, [bp + 2]
    mov [TOFF(int_ip)], ax
    mov ax, [bp + 4]
    mov [TOFF(int_cs)], ax
    mov ax, [bp + 6]
    mov [TOFF(int_fl)], ax
    mov ax, 0x3030
    pop bp
    iret

rm_de:
    push bp
    mov bp, sp
    mov ax, [bp + 2]
    mov [TOFF(de_ip)], ax
    add word [bp + 2], 2                ; skip the 2-byte DIV
    pop bp
    iret

rm_putc:                                ; al
    push dx
    push ax
    mov dx, COM1 + 5
.w:
    in al, dx
    test al, 0x20
    jz .w
    pop ax
    mov dx, COM1
    out dx, al
    pop dx
    ret
rm_puts:                                ; ds:si
    push ax
.n:
    lodsb
    test al, al
    jz .d
    call rm_putc
    jmp .n
.d:
    pop ax
    ret
rm_nl:
    push ax
    mov al, 10
    call rm_putc
    pop ax
    ret
rm_sp:
    push ax
    mov al, ' '
    call rm_putc
    pop ax
    ret
rm_hex16:                               ; ax
    push ax
    push bx
    push cx
    mov bx, ax
    mov cx, 4
.d:
    rol bx, 4
    mov al, bl
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .o
    add al, 'a' - '0' - 10
.o:
    call rm_putc
    loop .d
    pop cx
    pop bx
    pop ax
    ret

align 4
rm_idtr:  dw 0x3FF
          dd 0
far_cs:   dw 0
int_ip:   dw 0
int_cs:   dw 0
int_fl:   dw 0
int_ax:   dw 0
de_ip:    dw 0
align 4
r32:      dd 0
r32_copy: dd 0
s_hello:  db "real mode: cr0.pe=", 0
s_cs:     db " cs=", 0
s_alias:  db "0900:0010 as 0901:0000=", 0
s_wrap:   db " es:[fff0+0020]=", 0
s_farcs:  db "far call via alias: cs=", 0
s_int:    db "int 30h: ip-after cs flags ax=", 0
s_de:     db "#DE: ip-div=", 0
s_r32:    db "32-bit add: ", 0
tramp_end:
bits 32

pm_back32:
    mov ax, SEL_DATA0
    mov ds, ax
    mov eax, [TLIN(r32_copy)]
    mov [rm_result], eax
    jmp pm_back

GUEST_END
