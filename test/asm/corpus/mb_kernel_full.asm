; mb_kernel_full.asm - larger Multiboot a.out-kludge kernel pulling in every
; include file: GDT via macros, ISR stubs named with macro-parameter label
; concatenation (ISR_NOERR/ISR_ERR invoked from %rep with %assign), an IDT
; table built at run time, PIC/PIT init, timer and keyboard IRQ handlers,
; VGA text output with scrolling, UART mirror, and PROLOGUE/EPILOGUE macros.

bits 32
org 0x100000

%include "multiboot.inc"
%include "gdt.inc"
%include "idt.inc"
%include "pic.inc"
%include "uart.inc"
%include "macros.inc"

MB_FLAGS    equ MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_AOUT_KLUDGE
VGA_BASE    equ 0xB8000
VGA_COLS    equ 80
VGA_ROWS    equ 25
VGA_ATTR    equ 0x1F
KBD_DATA    equ 0x60
KBD_STATUS  equ 0x64

%macro ISR_NOERR 1
isr%1:
    push byte 0
    push byte %1
    jmp isr_common
%endmacro

%macro ISR_ERR 1
isr%1:
    push byte %1
    jmp isr_common
%endmacro

%macro IRQ 2
irq%1:
    push byte 0
    push byte %2
    jmp irq_common
%endmacro

section .text
kernel_image:
    MULTIBOOT_HEADER multiboot_header, MB_FLAGS, kernel_image, kernel_data_end, kernel_bss_end, kernel_entry

kernel_entry:
    mov esp, stack_top
    push ebx
    push eax
    lgdt [gdt_descriptor]
    jmp 0x08:reload_segments
reload_segments:
    mov cx, 0x10
    mov ds, cx
    mov es, cx
    mov fs, cx
    mov gs, cx
    mov ss, cx
    call vga_clear
    call com_init
    call idt_init
    PIC_REMAP 0x20, 0x28
    PIC_MASK 0xFC, 0xFF
    PIT_SET_HZ 1000
    push dword banner
    call print
    add esp, 4
    sti
idle:
    hlt
    cmp dword [tick_count], 5000
    jb idle
    cli
    push dword bye
    call print
    add esp, 4
.forever:
    hlt
    jmp .forever

; ---------------------------------------------------------------------------
com_init:
    UART_INIT COM1, 3           ; 38400 baud
    ret

vga_clear:
    push edi
    mov edi, VGA_BASE
    mov ecx, VGA_COLS * VGA_ROWS
    mov ax, (VGA_ATTR << 8) | ' '
    rep stosw
    mov dword [cursor], 0
    pop edi
    ret

; void print(const char *s)
print:
    PROLOGUE 4
    push esi
    mov esi, [ebp + 8]
.next:
    lodsb
    test al, al
    jz .done
    push eax
    call putc
    add esp, 4
    jmp .next
.done:
    pop esi
    EPILOGUE

; void putc(char c)
putc:
    PROLOGUE
    SAVE3 eax, edx, edi
    movzx eax, byte [ebp + 8]
    ; mirror to serial
    push eax
    UART_WAIT_TX COM1
    pop eax
    mov dx, COM1
    out dx, al
    cmp al, 10
    je .newline
    mov edi, [cursor]
    mov ah, VGA_ATTR
    mov [VGA_BASE + edi*2], ax
    inc edi
    jmp short .check
.newline:
    mov eax, [cursor]
    xor edx, edx
    mov edi, VGA_COLS
    div edi
    inc eax
    imul edi, eax, VGA_COLS
.check:
    cmp edi, VGA_COLS * VGA_ROWS
    jb .store
    call scroll
    mov edi, VGA_COLS * (VGA_ROWS - 1)
.store:
    mov [cursor], edi
    RESTORE3 eax, edx, edi
    EPILOGUE

scroll:
    SAVE3 esi, edi, ecx
    mov esi, VGA_BASE + VGA_COLS * 2
    mov edi, VGA_BASE
    mov ecx, VGA_COLS * (VGA_ROWS - 1) / 2
    rep movsd
    mov ecx, VGA_COLS / 2
    mov eax, ((VGA_ATTR << 8) | ' ') * 0x10001
    rep stosd
    RESTORE3 esi, edi, ecx
    ret

idt_init:
    push esi
    push edi
    mov edi, idt_table
    mov esi, isr_table
    xor ecx, ecx
.loop:
    mov eax, [esi + ecx*4]
    mov [edi + ecx*8], ax
    mov word [edi + ecx*8 + 2], 0x08
    mov word [edi + ecx*8 + 4], GATE_INT32 << 8
    shr eax, 16
    mov [edi + ecx*8 + 6], ax
    inc ecx
    cmp ecx, ISR_TABLE_LEN
    jne .loop
    lidt [idt_descriptor]
    pop edi
    pop esi
    ret

; ---------------------------------------------------------------------------
%assign n 0
%rep 32
  %if n == 8 || n == 10 || n == 11 || n == 12 || n == 13 || n == 14 || n == 17
    ISR_ERR n
  %else
    ISR_NOERR n
  %endif
  %assign n n + 1
%endrep

%assign n 0
%rep 16
    IRQ n, n + 32
  %assign n n + 1
%endrep

isr_common:
    pushad
    mov eax, [esp + 32]
    mov [last_exception], eax
    popad
    add esp, 8
    iretd

irq_common:
    pushad
    mov eax, [esp + 32]
    cmp eax, 32
    jne .not_timer
    inc dword [tick_count]
    jmp short .eoi
.not_timer:
    cmp eax, 33
    jne .eoi
    in al, KBD_DATA
    mov [last_scancode], al
.eoi:
    mov eax, [esp + 32]
    cmp eax, 40
    jb .master
    mov al, PIC_EOI
    out PIC2_CMD, al
.master:
    mov al, PIC_EOI
    out PIC1_CMD, al
    popad
    add esp, 8
    iretd

; ---------------------------------------------------------------------------
section .data
align 8
gdt:
    GDT_NULL
    GDT_FLAT ACC_CODE0
    GDT_FLAT ACC_DATA0
gdt_end:
gdt_descriptor:
    dw gdt_end - gdt - 1
    dd gdt
idt_descriptor:
    dw ISR_TABLE_LEN * 8 - 1
    dd idt_table

isr_table:
    dd isr0, isr1, isr2, isr3, isr4, isr5, isr6, isr7
    dd isr8, isr9, isr10, isr11, isr12, isr13, isr14, isr15
    dd isr16, isr17, isr18, isr19, isr20, isr21, isr22, isr23
    dd isr24, isr25, isr26, isr27, isr28, isr29, isr30, isr31
    dd irq0, irq1, irq2, irq3, irq4, irq5, irq6, irq7
    dd irq8, irq9, irq10, irq11, irq12, irq13, irq14, irq15
ISR_TABLE_LEN equ ($ - isr_table) / 4

    STRING banner, "Hyperstep full kernel", 10
    STRING bye, `timer reached 5000 ticks\n`
banner_size: dd banner_len
kernel_data_end:

section .bss
alignb 8
idt_table:      resq 48
cursor:         resd 1
tick_count:     resd 1
last_exception: resd 1
last_scancode:  resb 1
alignb 16
stack_base:     resb 16384
stack_top:
kernel_bss_end:
