; exceptions — vectors and error codes, fault vs trap EIPs:
;   #UD (UD2, MOV CS), #BP (INT3 and INT 3: trap, EIP after), #OF (INTO with OF=1; none with
;   OF=0), #BR (BOUND 32/16-bit, signed bounds, fault);
;   #GP(selector) for data-segment loads: beyond the GDT limit, execute-only code, a TSS, RPL >
;   DPL, an LDT selector with a null LDTR; SS loads: null -> #GP(0), RPL != CPL, read-only data,
;   code; POP DS and LDS with bad selectors; a far JMP to a data segment, to an offset beyond the
;   code-segment limit (#GP(0)), a far CALL to the null selector; LTR of a data segment and of the
;   busy TSS, LLDT of a data segment;
;   #NP(selector) for a not-present data segment, code segment (far JMP) and TSS (LTR);
;   #SS(selector) for a not-present stack segment;
;   INT n: not-present gate -> #NP(n*8+2), beyond the IDT limit -> #GP(n*8+2), a descriptor that
;   is not a gate -> #GP(n*8+2);
;   #TS(SS) for INT from ring 3 through a gate into ring 1 whose TSS.SS1 is null or has RPL != 1;
;   ring 3 loading DS/SS with DPL-0 selectors;
;   #DF(0): a #GP whose own gate is not present (contributory + contributory).
; Where a selector is loaded successfully the value is printed (segment then restored).
%include "include/guest.inc"

SEL_XONLY  equ 0x40                     ; code32 execute-only
SEL_NPDATA equ 0x48                     ; data RW, not present
SEL_RODATA equ 0x50                     ; data read-only
SEL_NPCODE equ 0x58                     ; code, not present
SEL_CODE1  equ 0x61                     ; code32 DPL1 (slot 0x60)
SEL_NPTSS  equ 0x68                     ; TSS, not present

%macro TRY 2+                           ; text, instruction(s) on one line
    PRINT " ", %1, ":"
    EXPECT_FAULT %%after
%%at:
    %2
%%after:
    SHOW_FAULT %%at
    PRINTLN
%endmacro

; TRYSEG text, segreg, selector: load, print the result (or the fault), restore the segment
%macro TRYSEG 3
    PRINT " ", %1, ":"
    mov [seg_save], %2
    mov ax, %3
    EXPECT_FAULT %%after
%%at:
    mov %2, ax
%%after:
    mov bx, %2
    mov cx, [seg_save]
    mov %2, cx
    SHOW_FAULT %%at
    cmp dword [fault_vec], -1
    jne %%done
    PRINT " loaded "
    HEX16 bx
%%done:
    PRINTLN
%endmacro

main:
    mov eax, SEL_XONLY
    xor ebx, ebx
    mov ecx, 0xFFFFF
    mov dh, 0xC0
    mov dl, 0x99
    call set_desc
    mov eax, SEL_NPDATA
    mov dl, 0x13
    call set_desc
    mov eax, SEL_RODATA
    mov dl, 0x91
    call set_desc
    mov eax, SEL_NPCODE
    mov dl, 0x1B
    call set_desc
    mov eax, SEL_CODE1
    mov dl, 0xBB
    call set_desc
    mov eax, SEL_NPTSS
    mov ebx, tss
    mov ecx, TSS_LIMIT
    mov dl, 0x09
    mov dh, 0
    call set_desc

    PRINTLN "invalid opcode / breakpoint / overflow / bound:"
    TRY "ud2", ud2
    TRY "mov cs,ax", db 0x8E, 0xC8
    TRY "int3", int3
    TRY "int 3", int 3
    PRINT " into of=1:"
    EXPECT_FAULT .into1_after
    SETFLAGS 0x802
.into1:
    into
.into1_after:
    SHOW_FAULT .into1
    PRINTLN
    PRINT " into of=0:"
    EXPECT_FAULT .into0_after
    SETFLAGS 0x002
.into0:
    into
.into0_after:
    SHOW_FAULT .into0
    PRINTLN
    mov eax, 11
    TRY "bound 11 in [-5,10]", bound eax, [bounds32]
    mov eax, 10
    TRY "bound 10 in [-5,10]", bound eax, [bounds32]
    mov eax, -5
    TRY "bound -5 in [-5,10]", bound eax, [bounds32]
    mov eax, -6
    TRY "bound -6 in [-5,10]", bound eax, [bounds32]
    mov eax, 0x7fff0000
    TRY "bound ax=0 in [1,2] (16-bit)", bound ax, [bounds16]

    PRINTLN "data segment loads (cpl 0):"
    TRYSEG "ds <- 1000 (beyond gdt)", ds, 0x1000
    TRYSEG "ds <- execute-only code", ds, SEL_XONLY
    TRYSEG "ds <- readable code 08", ds, SEL_CODE0
    TRYSEG "ds <- tss", ds, SEL_TSS
    TRYSEG "ds <- 13 (rpl 3 > dpl 0)", ds, 0x13
    TRYSEG "es <- 23 (dpl 3)", es, SEL_DATA3
    TRYSEG "fs <- 000c (ldt, null ldtr)", fs, 0x000C
    TRYSEG "gs <- 0003 (null, rpl 3)", gs, 0x0003
    TRYSEG "ds <- not present", ds, SEL_NPDATA
    TRYSEG "es <- read-only data", es, SEL_RODATA
    PRINTLN "stack segment loads:"
    TRYSEG "ss <- 0", ss, 0
    TRYSEG "ss <- 13 (rpl != cpl)", ss, 0x13
    TRYSEG "ss <- read-only data", ss, SEL_RODATA
    TRYSEG "ss <- code 08", ss, SEL_CODE0
    TRYSEG "ss <- not present", ss, SEL_NPDATA
    TRYSEG "ss <- 23 (dpl 3)", ss, SEL_DATA3
    TRYSEG "ss <- 10", ss, SEL_DATA0

    PRINTLN "pop/lds/far transfers/ltr/lldt:"
    PRINT " pop ds <- 1008:"
    mov ebx, esp
    push dword 0x1008
    EXPECT_FAULT .popds_after
.popds:
    pop ds
.popds_after:
    mov ecx, esp
    mov esp, ebx
    SHOW_FAULT .popds
    PRINT " esp delta="
    sub ecx, ebx
    HEX32 ecx
    PRINTLN
    mov dword [farptr], 0x12345678
    mov word [farptr + 4], SEL_NPDATA
    TRY "lds <- not present", lds eax, [farptr]
    mov word [farptr + 4], SEL_XONLY
    TRY "les <- execute-only", les eax, [farptr]
    mov word [farptr + 4], SEL_DATA0
    TRY "lfs <- 10", lfs eax, [farptr]
    PRINT " eax="
    HEX32 eax
    PRINTLN
    TRY "jmp 10:0 (data segment)", jmp SEL_DATA0:0
    TRY "jmp not-present code", jmp SEL_NPCODE:0
    TRY "jmp 30:10000 (beyond 16-bit limit)", jmp SEL_CODE16:0x10000
    TRY "call 0:0 (null)", call 0:0
    mov ax, SEL_DATA0
    TRY "ltr data segment", ltr ax
    mov ax, SEL_TSS
    TRY "ltr busy tss", ltr ax
    mov ax, SEL_NPTSS
    TRY "ltr not-present tss", ltr ax
    mov ax, SEL_DATA0
    TRY "lldt data segment", lldt ax

    PRINTLN "int n through bad gates:"
    mov eax, 0x50
    mov ebx, main
    mov cx, SEL_CODE0
    mov dl, 0x0E                        ; interrupt gate, not present
    call set_gate
    TRY "int 50h (gate not present)", int 0x50
    mov eax, 0x51
    mov dl, 0x80                        ; present, type 0: not a gate
    call set_gate
    TRY "int 51h (not a gate)", int 0x51
    lidt [idt_small]
    TRY "int 50h (beyond idt limit 1ff)", int 0x50
    lidt [idt_desc]

    PRINTLN "#TS through a ring-1 gate from ring 3:"
    mov eax, 0x52
    mov ebx, ring1_handler
    mov cx, SEL_CODE1 & ~3
    mov dl, 0xEE                        ; DPL 3 interrupt gate to a DPL 1 code segment
    call set_gate
    mov dword [tss + 12], ustack_top    ; ESP1
    mov dword [tss + 16], 0             ; SS1 null
    mov eax, user_ts_null
    call enter_user
    mov dword [tss + 16], SEL_DATA0     ; SS1 with RPL 0
    mov eax, user_ts_rpl
    call enter_user
    mov eax, user_segs
    call enter_user

    PRINT "#DF: #GP with its gate not present:"
    mov eax, 13
    mov ebx, main
    mov cx, SEL_CODE0
    mov dl, 0x0E
    call set_gate
    EXPECT_FAULT .df_after
    mov ax, 0x1000
.df:
    mov ds, ax
.df_after:
    mov eax, 13
    mov dl, 0x8E
    call set_stub_gate
    PRINT " #"
    HEX8 [fault_vec]
    PRINT " err="
    HEX16 [fault_err]
    PRINTLN

    PRINT "faults: "
    DEC32 [fault_count]
    PRINTLN
    PRINTLN "exceptions done"
    mov eax, 0x1d
    ret

ring1_handler:                          ; never reached: the #TS comes first
    PRINT "!! ring 1 handler ran"
    EXIT 0x7E

user_ts_null:
    TRY "int 52h, ss1=0", int 0x52
    USER_RETURN
user_ts_rpl:
    TRY "int 52h, ss1=10", int 0x52
    USER_RETURN
user_segs:
    PRINTLN "ring 3 segment loads:"
    TRYSEG "ds <- 10 (dpl 0)", ds, SEL_DATA0
    TRYSEG "ss <- 10 (dpl 0)", ss, SEL_DATA0
    TRYSEG "ss <- 20 (rpl 0 != cpl 3)", ss, 0x20
    TRYSEG "fs <- 1b (code dpl 3, readable)", fs, SEL_CODE3
    USER_RETURN

section .data
align 4
bounds32: dd -5, 10
bounds16: dw 1, 2
seg_save: dw 0
align 4
farptr:   dd 0
          dw 0
align 4
          dw 0
idt_small:
          dw 0x1FF
          dd idt

GUEST_END
