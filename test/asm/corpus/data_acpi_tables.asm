; data_acpi_tables.asm - firmware-style ACPI tables assembled as data: RSDP,
; RSDT, MADT with variable-length subtables, HPET and a minimal FADT, each
; header built by a macro around istruc/at/iend, lengths from label
; differences (forward references inside the header), signatures as
; strings, OEM ids padded with times, and run-time checksum fix-up code.

bits 32
org 0x000E0000

struc acpi_header
    .signature      resb 4
    .length         resd 1
    .revision       resb 1
    .checksum       resb 1
    .oem_id         resb 6
    .oem_table_id   resb 8
    .oem_revision   resd 1
    .creator_id     resd 1
    .creator_rev    resd 1
endstruc

struc rsdp
    .signature      resb 8
    .checksum       resb 1
    .oem_id         resb 6
    .revision       resb 1
    .rsdt_address   resd 1
endstruc

struc madt_lapic
    .type           resb 1
    .length         resb 1
    .acpi_id        resb 1
    .apic_id        resb 1
    .flags          resd 1
endstruc

struc madt_ioapic
    .type           resb 1
    .length         resb 1
    .id             resb 1
    .reserved       resb 1
    .address        resd 1
    .gsi_base       resd 1
endstruc

%define OEM_ID       "HYPRST"
%define OEM_TABLE_ID "HSTEPVM "

; ACPI_HEADER signature, end_label, revision
%macro ACPI_HEADER 3
    istruc acpi_header
        at acpi_header.signature,    db %1
        at acpi_header.length,       dd %2 - ($ - acpi_header.length)
        at acpi_header.revision,     db %3
        at acpi_header.checksum,     db 0
        at acpi_header.oem_id,       db OEM_ID
        at acpi_header.oem_table_id, db OEM_TABLE_ID
        at acpi_header.oem_revision, dd 1
        at acpi_header.creator_id,   dd 'HSAS'
        at acpi_header.creator_rev,  dd 0x00010000
    iend
%endmacro

%macro LAPIC 2              ; acpi id, apic id
    istruc madt_lapic
        at madt_lapic.type,    db 0
        at madt_lapic.length,  db madt_lapic_size
        at madt_lapic.acpi_id, db %1
        at madt_lapic.apic_id, db %2
        at madt_lapic.flags,   dd 1
    iend
%endmacro

section .text
; recompute the checksum byte of the table at esi (header length at +4)
acpi_fix_checksum:
    mov byte [esi + acpi_header.checksum], 0
    mov ecx, [esi + acpi_header.length]
    xor eax, eax
    mov edx, esi
.sum:
    add al, [edx]
    inc edx
    loop .sum
    neg al
    mov [esi + acpi_header.checksum], al
    ret

acpi_fix_rsdp:
    mov esi, the_rsdp
    mov byte [esi + rsdp.checksum], 0
    mov ecx, rsdp_size
    xor eax, eax
.sum:
    add al, [esi + ecx - 1]
    loop .sum
    neg al
    mov [esi + rsdp.checksum], al
    ret

acpi_fix_all:
    call acpi_fix_rsdp
    mov esi, rsdt
    call acpi_fix_checksum
    mov esi, madt
    call acpi_fix_checksum
    mov esi, hpet
    call acpi_fix_checksum
    mov esi, fadt
    call acpi_fix_checksum
    ret

section .data
align 16
the_rsdp:
    istruc rsdp
        at rsdp.signature,    db "RSD PTR "
        at rsdp.checksum,     db 0
        at rsdp.oem_id,       db OEM_ID
        at rsdp.revision,     db 0
        at rsdp.rsdt_address, dd rsdt
    iend

align 4
rsdt:
    ACPI_HEADER 'RSDT', rsdt_end, 1
    dd madt, hpet, fadt
rsdt_end:

align 4
madt:
    ACPI_HEADER "APIC", madt_end, 3
    dd 0xFEE00000               ; local APIC address
    dd 1                        ; PCAT_COMPAT
%assign cpu 0
%rep 4
    LAPIC cpu, cpu
%assign cpu cpu + 1
%endrep
    istruc madt_ioapic
        at madt_ioapic.type,     db 1
        at madt_ioapic.length,   db madt_ioapic_size
        at madt_ioapic.id,       db 4
        at madt_ioapic.address,  dd 0xFEC00000
        at madt_ioapic.gsi_base, dd 0
    iend
    ; interrupt source override: ISA IRQ0 -> GSI 2
    db 2, 10, 0, 0
    dd 2
    dw 0
madt_end:

align 4
hpet:
    ACPI_HEADER `HPET`, hpet_end, 1
    dd 0x8086A201               ; event timer block id
    db 0, 64, 0, 0              ; generic address: memory, 64 bits
    dq 0xFED00000
    db 0                        ; hpet number
    dw 0x0080                   ; minimum tick
    db 0                        ; page protection
hpet_end:

align 4
fadt:
    ACPI_HEADER 'FACP', fadt_end, 1
    dd 0                        ; FACS
    dd 0                        ; DSDT
    db 0, 0                     ; reserved, preferred PM profile
    dw 9                        ; SCI interrupt
    dd 0xB2                     ; SMI command port
    db 0xF0, 0xF1               ; ACPI enable / disable
    times 116 - ($ - fadt) db 0 ; remaining fields zero
fadt_end:

table_lengths:
    dd rsdt_end - rsdt, madt_end - madt, hpet_end - hpet, fadt_end - fadt
    dd (madt_end - madt - acpi_header_size - 8)
