; insn_io.asm - port I/O sweep: in/out with imm8 ports and dx for al/ax/eax
; (E4/E5/E6/E7 and EC/ED/EE/EF), ins/outs b/w/d with rep, 16-bit operand
; prefixes, and real drivers: 16550 UART init and polled transmit, 8259 PIC
; remap/mask/EOI, 8254 PIT channel 0 and 2 (PC speaker), CMOS/RTC, PCI
; config mechanism #1 (0xCF8/0xCFC) and ATA PIO sector read with rep insw.

bits 32
org 0x00130000

%include "uart.inc"
%include "pic.inc"

PCI_ADDR    equ 0xCF8
PCI_DATA    equ 0xCFC
ATA_DATA    equ 0x1F0
ATA_SECCNT  equ 0x1F2
ATA_LBA0    equ 0x1F3
ATA_LBA1    equ 0x1F4
ATA_LBA2    equ 0x1F5
ATA_DRIVE   equ 0x1F6
ATA_CMD     equ 0x1F7
ATA_STATUS  equ 0x1F7
ATA_BSY     equ 0x80
ATA_DRQ     equ 0x08
CMD_READ    equ 0x20

section .text
forms:
    in al, 0x60
    in ax, 0x60
    in eax, 0x60
    in al, dx
    in ax, dx
    in eax, dx
    out 0x80, al
    out 0x80, ax
    out 0x80, eax
    out dx, al
    out dx, ax
    out dx, eax
    in al, 0
    in al, 255
    out 0xFF, al
    insb
    insw
    insd
    outsb
    outsw
    outsd
    rep insw
    rep outsd

uart_init:
    UART_INIT COM1, 12          ; 9600 baud
    UART_INIT COM2, 1
    ret

; send al on COM1
uart_putc:
    push edx
    mov ah, al
    UART_WAIT_TX COM1
    mov al, ah
    mov dx, COM1 + UART_THR
    out dx, al
    pop edx
    ret

; receive into al, CF=1 if nothing available
uart_getc:
    mov dx, COM1 + UART_LSR
    in al, dx
    test al, LSR_DR
    jz .empty
    mov dx, COM1 + UART_RBR
    in al, dx
    clc
    ret
.empty:
    stc
    ret

pic_setup:
    PIC_REMAP 0x20, 0x28
    PIC_MASK 0xFB, 0xFF
    ret

; eoi for irq in al
pic_eoi:
    cmp al, 8
    jb .master
    mov al, PIC_EOI
    out PIC2_CMD, al
.master:
    mov al, PIC_EOI
    out PIC1_CMD, al
    ret

pit_setup:
    PIT_SET_HZ 1000
    ret

; beep at frequency ebx (Hz) on the PC speaker
speaker_on:
    mov eax, PIT_HZ
    xor edx, edx
    div ebx
    mov ecx, eax
    mov al, 0xB6
    out PIT_CMD, al
    mov al, cl
    out PIT_CH2, al
    mov al, ch
    out PIT_CH2, al
    in al, 0x61
    or al, 3
    out 0x61, al
    ret
speaker_off:
    in al, 0x61
    and al, 0xFC
    out 0x61, al
    ret

; uint32 pci_read(bus bl, dev bh, func cl, offset ch)
pci_read:
    movzx eax, bl
    shl eax, 16
    movzx edx, bh
    shl edx, 11
    or eax, edx
    movzx edx, cl
    shl edx, 8
    or eax, edx
    movzx edx, ch
    and edx, 0xFC
    or eax, edx
    or eax, 0x80000000
    mov dx, PCI_ADDR
    out dx, eax
    mov dx, PCI_DATA
    in eax, dx
    ret

; read one sector at LBA eax into edi (ATA PIO, master)
ata_read_sector:
    push eax
    mov ecx, eax
    mov dx, ATA_DRIVE
    shr eax, 24
    and al, 0x0F
    or al, 0xE0
    out dx, al
    mov dx, ATA_SECCNT
    mov al, 1
    out dx, al
    mov eax, ecx
    mov dx, ATA_LBA0
    out dx, al
    shr eax, 8
    inc dx
    out dx, al
    shr eax, 8
    inc dx
    out dx, al
    mov dx, ATA_CMD
    mov al, CMD_READ
    out dx, al
.busy:
    in al, dx
    test al, ATA_BSY
    jnz .busy
    test al, ATA_DRQ
    jz .busy
    mov dx, ATA_DATA
    mov ecx, 256
    rep insw
    pop eax
    ret

bits 16
io16:
    in al, 0x21
    out 0x21, al
    in ax, dx
    in eax, dx
    out dx, eax
    rep insw
    rep outsb
    ret
