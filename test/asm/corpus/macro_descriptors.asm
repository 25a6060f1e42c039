; macro_descriptors.asm - macro-built descriptor tables: a GDT where each
; SEGMENT invocation defines a selector equ from an %assign counter and
; emits the 8-byte descriptor, call gates and task gates built by macros,
; an LDT, an E820-style memory map built with a macro taking 64-bit values
; split with dd, and a PCI device ID table terminated by a sentinel macro.

bits 32
org 0x00090000

%include "gdt.inc"

%assign next_sel 0

; SEGMENT name, base, limit, access, flags
%macro SEGMENT 5
%1 equ next_sel
    GDT_DESC %2, %3, %4, %5
%assign next_sel next_sel + 8
%endmacro

; CALL_GATE name, selector, offset(constant), dpl, param_count
%macro CALL_GATE 5
%1 equ next_sel
    dw (%3) & 0xFFFF
    dw %2
    db (%5) & 0x1F
    db 0x8C | ((%4) << 5)
    dw ((%3) >> 16) & 0xFFFF
%assign next_sel next_sel + 8
%endmacro

; TASK_GATE name, tss selector, dpl
%macro TASK_GATE 3
%1 equ next_sel
    dw 0
    dw %2
    db 0
    db 0x85 | ((%3) << 5)
    dw 0
%assign next_sel next_sel + 8
%endmacro

; E820 entry: base_hi, base_lo, len_hi, len_lo, type
%macro E820 5
    dd %2, %1
    dd %4, %3
    dd %5
%endmacro

E820_RAM      equ 1
E820_RESERVED equ 2
E820_ACPI     equ 3
E820_NVS      equ 4

%macro PCI_ID 3             ; vendor, device, driver index
    dw %1, %2
    db %3
%endmacro
%macro PCI_END 0
    dw 0xFFFF, 0xFFFF
    db 0
%endmacro

GATE_OFFSET equ 0x00091234

section .data
align 8
gdt:
    SEGMENT SEL_NULL,   0, 0, 0, 0
    SEGMENT SEL_KCODE,  0, 0xFFFFF, ACC_CODE0, GRAN_4K | GRAN_32
    SEGMENT SEL_KDATA,  0, 0xFFFFF, ACC_DATA0, GRAN_4K | GRAN_32
    SEGMENT SEL_UCODE,  0, 0xBFFFF, ACC_CODE3, GRAN_4K | GRAN_32
    SEGMENT SEL_UDATA,  0, 0xBFFFF, ACC_DATA3, GRAN_4K | GRAN_32
    SEGMENT SEL_CODE16, 0x90000, 0xFFFF, ACC_CODE0, 0
    SEGMENT SEL_DATA16, 0x90000, 0xFFFF, ACC_DATA0, 0
    SEGMENT SEL_TSS0,   0x00098000, 103, ACC_PRESENT | ACC_TSS32, 0
    SEGMENT SEL_TSS1,   0x00098068, 103, ACC_PRESENT | ACC_TSS32, 0
    SEGMENT SEL_LDT,    0x00097000, LDT_LIMIT, ACC_PRESENT | 0x02, 0
    CALL_GATE SEL_CGATE, SEL_KCODE, GATE_OFFSET, 3, 2
    TASK_GATE SEL_TGATE, SEL_TSS1, 0
gdt_end:
GDT_COUNT equ next_sel / 8

gdtr:
    dw gdt_end - gdt - 1
    dd gdt

; the LDT reuses the same macros with the counter reset
%assign next_sel 4          ; TI bit set, index 0
ldt:
    SEGMENT LSEL_CODE, 0x400000, 0x3FF, ACC_CODE3, GRAN_4K | GRAN_32
    SEGMENT LSEL_DATA, 0x400000, 0x3FF, ACC_DATA3, GRAN_4K | GRAN_32
ldt_end:
LDT_LIMIT equ ldt_end - ldt - 1

memory_map:
    E820 0, 0x00000000, 0, 0x0009FC00, E820_RAM
    E820 0, 0x0009FC00, 0, 0x00000400, E820_RESERVED
    E820 0, 0x000F0000, 0, 0x00010000, E820_RESERVED
    E820 0, 0x00100000, 0, 0x7FEE0000, E820_RAM
    E820 0, 0x7FFE0000, 0, 0x00020000, E820_ACPI
    E820 0, 0xFEC00000, 0, 0x01400000, E820_RESERVED
    E820 1, 0x00000000, 0, 0x80000000, E820_RAM
    E820 0, 0xFFFC0000, 0, 0x00040000, E820_NVS
memory_map_end:
E820_COUNT equ (memory_map_end - memory_map) / 20

pci_table:
    PCI_ID 0x8086, 0x100E, 0    ; e1000
    PCI_ID 0x8086, 0x7010, 1    ; PIIX3 IDE
    PCI_ID 0x1AF4, 0x1000, 2    ; virtio-net
    PCI_ID 0x1AF4, 0x1001, 3    ; virtio-blk
    PCI_ID 0x1234, 0x1111, 4    ; bochs vga
    PCI_END
pci_table_end:

counts: dd GDT_COUNT, E820_COUNT, (pci_table_end - pci_table) / 5 - 1

section .text
load_tables:
    lgdt [gdtr]
    mov ax, SEL_LDT
    lldt ax
    mov ax, SEL_TSS0
    ltr ax
    mov ax, SEL_KDATA
    mov ds, ax
    mov ax, LSEL_DATA | 3
    mov es, ax
    call SEL_CGATE:0            ; through the call gate
    jmp SEL_TGATE:0             ; task switch through the task gate
    jmp SEL_CODE16:0
    ret
