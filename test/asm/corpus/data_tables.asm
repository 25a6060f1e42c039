; data_tables.asm - data-heavy tables: dd/dw of label differences (offset
; tables relative to a base, lengths of strings), absolute pointer tables
; with forward references, a sorted keyword table with parallel length
; bytes, a sparse table filled with times, nested label differences across
; sections, and a dispatcher that indexes the relative offset table.

bits 32
org 0x00600000

section .text
dispatch:
    ; eax = command index
    cmp eax, CMD_COUNT
    jae .bad
    movzx edx, word [cmd_offsets + eax*2]
    add edx, cmd_base
    jmp edx
.bad:
    mov eax, -1
    ret

cmd_base:
cmd_help:
    mov eax, help_text
    ret
cmd_version:
    mov eax, VERSION
    ret
cmd_reset:
    xor eax, eax
    out 0x64, al
    ret
cmd_step:
    mov eax, [step_count]
    inc eax
    mov [step_count], eax
    ret
cmd_regs:
    pushad
    mov [reg_dump], esp
    popad
    ret
cmd_end:

; look up a keyword (esi -> string, ecx = length); returns index or -1
lookup:
    push ebx
    push edi
    xor ebx, ebx
.next:
    cmp ebx, KEYWORD_COUNT
    jae .none
    movzx edx, byte [kw_lengths + ebx]
    cmp edx, ecx
    jne .skip
    mov edi, [kw_pointers + ebx*4]
    push esi
    push ecx
    repe cmpsb
    pop ecx
    pop esi
    je .found
.skip:
    inc ebx
    jmp .next
.none:
    or ebx, -1
.found:
    mov eax, ebx
    pop edi
    pop ebx
    ret

section .data
VERSION equ (1 << 16) | (4 << 8) | 2

; relative 16-bit offsets from cmd_base
cmd_offsets:
    dw cmd_help - cmd_base
    dw cmd_version - cmd_base
    dw cmd_reset - cmd_base
    dw cmd_step - cmd_base
    dw cmd_regs - cmd_base
CMD_COUNT equ ($ - cmd_offsets) / 2

; sizes of each handler, computed from label differences
cmd_sizes:
    db cmd_version - cmd_help
    db cmd_reset - cmd_version
    db cmd_step - cmd_reset
    db cmd_regs - cmd_step
    db cmd_end - cmd_regs
code_bytes: dd cmd_end - cmd_base

; keyword table: pointers, lengths, strings (pointers are forward refs)
align 4
kw_pointers:
    dd kw_break, kw_continue, kw_help, kw_regs, kw_step
KEYWORD_COUNT equ ($ - kw_pointers) / 4
kw_lengths:
    db kw_break_end - kw_break
    db kw_continue_end - kw_continue
    db kw_help_end - kw_help
    db kw_regs_end - kw_regs
    db kw_step_end - kw_step

kw_break:       db "break"
kw_break_end:
kw_continue:    db "continue"
kw_continue_end:
kw_help:        db "help"
kw_help_end:
kw_regs:        db "regs"
kw_regs_end:
kw_step:        db "step"
kw_step_end:

; string table with (offset, length) pairs relative to the pool start
align 4
str_index:
    dw s_err0 - str_pool, s_err1 - s_err0 - 1
    dw s_err1 - str_pool, s_err2 - s_err1 - 1
    dw s_err2 - str_pool, s_err3 - s_err2 - 1
    dw s_err3 - str_pool, str_pool_end - s_err3 - 1
str_pool:
s_err0: db "ok", 0
s_err1: db "invalid argument", 0
s_err2: db "no such breakpoint", 0
s_err3: db "guest not running", 0
str_pool_end:
POOL_SIZE equ str_pool_end - str_pool

help_text:
    db "commands: break continue help regs step", 10
    db "version ", '0' + (VERSION >> 16), '.', '0' + ((VERSION >> 8) & 0xFF)
    db '.', '0' + (VERSION & 0xFF), 0

; sparse interrupt-name table: 32 pointers, default for unknowns
align 4
exc_names:
    dd e_de, e_db, e_nmi, e_bp, e_of, e_br, e_ud, e_nm
    dd e_df, e_unk, e_ts, e_np, e_ss, e_gp, e_pf, e_unk
    dd e_mf, e_ac, e_mc, e_xm, e_ve
    times 32 - ($ - exc_names) / 4 dd e_unk
exc_names_end:

e_de:  db "#DE", 0
e_db:  db "#DB", 0
e_nmi: db "NMI", 0
e_bp:  db "#BP", 0
e_of:  db "#OF", 0
e_br:  db "#BR", 0
e_ud:  db "#UD", 0
e_nm:  db "#NM", 0
e_df:  db "#DF", 0
e_ts:  db "#TS", 0
e_np:  db "#NP", 0
e_ss:  db "#SS", 0
e_gp:  db "#GP", 0
e_pf:  db "#PF", 0
e_mf:  db "#MF", 0
e_ac:  db "#AC", 0
e_mc:  db "#MC", 0
e_xm:  db "#XM", 0
e_ve:  db "#VE", 0
e_unk: db "???", 0

; bit-reverse table built with a nested %rep
align 16
bitrev:
%assign i 0
%rep 256
  %assign r 0
  %assign b 0
  %rep 8
    %assign r r | (((i >> b) & 1) << (7 - b))
    %assign b b + 1
  %endrep
    db r
  %assign i i + 1
%endrep

table_summary:
    dd CMD_COUNT, KEYWORD_COUNT, POOL_SIZE
    dd (exc_names_end - exc_names) / 4
    dd bitrev - cmd_offsets

section .bss
step_count: resd 1
reg_dump:   resd 1
