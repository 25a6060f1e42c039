; expr_bitfields.asm - bit-field arithmetic as used for hardware registers:
; building values from (field << shift) & mask, extracting with >> and &,
; ~mask clearing, equ constants combined across several levels, %assign
; accumulations checked with %if, 64-bit values split into dd halves, and
; the same expressions used as instruction immediates and memory offsets.

bits 32
org 0

; 8254 control word
PIT_SEL_SHIFT   equ 6
PIT_RW_SHIFT    equ 4
PIT_MODE_SHIFT  equ 1
%define PIT_CTRL(sel, rw, mode, bcd) (((sel) << PIT_SEL_SHIFT) | ((rw) << PIT_RW_SHIFT) | ((mode) << PIT_MODE_SHIFT) | (bcd))

; x86 page-table entry fields
PTE_ADDR_MASK   equ 0xFFFFF000
PTE_FLAGS_MASK  equ ~PTE_ADDR_MASK & 0xFFFFFFFF
%define PTE(addr, flags) (((addr) & PTE_ADDR_MASK) | ((flags) & PTE_FLAGS_MASK))
%define PDE_INDEX(va) (((va) >> 22) & 0x3FF)
%define PTE_INDEX(va) (((va) >> 12) & 0x3FF)
%define PAGE_OFF(va)  ((va) & 0xFFF)

; APIC ICR
ICR_VECTOR_MASK equ 0xFF
ICR_DM_INIT     equ 5 << 8
ICR_DM_STARTUP  equ 6 << 8
ICR_LEVEL       equ 1 << 14
ICR_TRIG_LEVEL  equ 1 << 15
ICR_ALL_BUT_SELF equ 3 << 18

; EFLAGS
EF_CF equ 1 << 0
EF_PF equ 1 << 2
EF_AF equ 1 << 4
EF_ZF equ 1 << 6
EF_SF equ 1 << 7
EF_TF equ 1 << 8
EF_IF equ 1 << 9
EF_DF equ 1 << 10
EF_OF equ 1 << 11
EF_IOPL equ 3 << 12
EF_ARITH equ EF_CF | EF_PF | EF_AF | EF_ZF | EF_SF | EF_OF
EF_USER_MASK equ EF_ARITH | EF_DF | EF_TF

VA equ 0xC0123456

section .text
    mov al, PIT_CTRL(0, 3, 3, 0)
    out 0x43, al
    mov al, PIT_CTRL(2, 3, 3, 0)
    out 0x43, al
    mov eax, PTE(0x00123456, 0x1FF)
    mov ebx, PDE_INDEX(VA)
    mov ecx, PTE_INDEX(VA)
    mov edx, PAGE_OFF(VA)
    mov esi, [page_dir + PDE_INDEX(VA) * 4]
    mov edi, [page_tab + PTE_INDEX(VA) * 4]
    mov dword [0xFEE00300], ICR_ALL_BUT_SELF | ICR_LEVEL | ICR_DM_INIT
    mov dword [0xFEE00300], ICR_ALL_BUT_SELF | ICR_DM_STARTUP | (0x8000 >> 12)
    and dword [saved_flags], ~EF_USER_MASK
    or dword [saved_flags], EF_IF | (0 << 12)
    test dword [saved_flags], EF_IOPL
    and eax, ~(EF_TF | EF_DF) & 0xFFFF
    mov ax, (EF_IF >> 8) | (EF_IOPL >> 4)
    ret

section .data
pit_words:
    db PIT_CTRL(0, 3, 2, 0), PIT_CTRL(0, 3, 3, 0), PIT_CTRL(2, 3, 3, 0), PIT_CTRL(1, 1, 0, 1)
ptes:
    dd PTE(0x00000000, 0x003), PTE(0x00001000, 0x003), PTE(0xFFFFF000, 0x1E7)
    dd PTE(0x12345FFF, 0xFFF), PTE_FLAGS_MASK, PTE_ADDR_MASK
indices:
    dw PDE_INDEX(VA), PTE_INDEX(VA), PAGE_OFF(VA)
    dw PDE_INDEX(0xFFFFFFFF), PTE_INDEX(0xFFFFFFFF), PAGE_OFF(0xFFFFFFFF)
icr:
    dd ICR_DM_INIT | ICR_LEVEL | ICR_ALL_BUT_SELF
    dd ICR_DM_STARTUP | (0x9F000 >> 12) & ICR_VECTOR_MASK
eflags:
    dd EF_ARITH, EF_USER_MASK, ~EF_USER_MASK & 0x3FFFFF, EF_IOPL >> 12
; 64-bit values split into dwords
%define QWORD_LO(v) ((v) & 0xFFFFFFFF)
%define QWORD_HI(v) (((v) >> 32) & 0xFFFFFFFF)
BIG equ 0x0123456789ABCDEF
split64:
    dd QWORD_LO(BIG), QWORD_HI(BIG)
    dq BIG, BIG >> 4, BIG & 0xFF00FF00FF00FF00, ~BIG
    dd QWORD_LO(BIG << 4), QWORD_HI(BIG << 4)

; accumulate a mask with %assign and verify it with %if
%assign mask 0
%assign bit 0
%rep 32
  %if (bit % 3) == 0
    %assign mask mask | (1 << bit)
  %endif
  %assign bit bit + 1
%endrep
every_third: dd mask
%if mask == 0x49249249
checked: db 1
%else
checked: db 0
%endif

; popcount at assembly time
%assign pc 0
%assign v mask
%rep 32
  %assign pc pc + (v & 1)
  %assign v v >> 1
%endrep
popcount: db pc

align 4
saved_flags: dd 0x202
page_dir:    times 1024 dd 0
page_tab:    times 1024 dd 0
