; paging — 32-bit two-level paging: a page directory with a 4 KiB page table identity-mapping the
; first 4 MiB, 4 MiB PSE pages (identity and aliases, supervisor and user read-only), test pages
; with every P/RW/US combination, PDE-level RW=0 and US=0 over permissive PTEs.
; #PF error codes (P, W/R, U/S) and CR2 for: not-present PTE and PDE (read, write, instruction
; fetch), write to read-only with CR0.WP=0 (allowed at CPL 0) and WP=1, user access to
; supervisor pages, user writes to read-only pages, a user PUSH into an unmapped page, and a
; REP MOVSB that runs into an unmapped page (ECX/ESI/EDI show how far it got).
; Accessed and dirty bits read back from PTEs, a PDE and a 4 MiB PDE; INVLPG and a CR3 reload
; making a changed mapping visible.
%include "include/guest.inc"

V2 equ 0x00800000                       ; PDE 2: page table pt2 (US, RW)
V3 equ 0x00C00000                       ; PDE 3: table pt3, PDE read-only
V4 equ 0x01000000                       ; PDE 4: table pt4, PDE supervisor
V5 equ 0x01400000                       ; PDE 5: 4 MiB page -> 0x00400000, supervisor RW
V6 equ 0x01800000                       ; PDE 6: 4 MiB page -> 0x00400000, user read-only
V7 equ 0x01C00000                       ; PDE 7: not present
MARK_A equ 0xAAAA0000
MARK_B equ 0xBBBB0000
MARK_C equ 0xCCCC0000

%macro PF 2+                            ; text, instruction
    PRINT " ", %1, ":"
    EXPECT_FAULT %%after
%%at:
    %2
%%after:
    SHOW_FAULT %%at
    call show_cr2
    PRINTLN
%endmacro

; PTE index in pt2 for virtual V2 + n*0x1000
%define PT2(n) (pt2 + (n)*4)

main:
    call build_tables
    mov eax, pd
    mov cr3, eax
    mov eax, cr4
    or eax, 0x10                        ; PSE
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80000000                  ; PG (WP still 0)
    mov cr0, eax
    jmp .pg_on                          ; (identity mapped: nothing changes)
.pg_on:
    PRINTLN "paging on"

    PRINT "read V2+0="
    HEX32 [V2]
    PRINT " V2+1000="
    HEX32 [V2 + 0x1000]
    PRINT " V2+4000="
    HEX32 [V2 + 0x4000]
    PRINTLN
    PRINT "4M alias: write V5+1234, read 400000+1234 ="
    mov dword [V5 + 0x1234], 0x12345678
    HEX32 [0x00400000 + 0x1234]
    PRINT " read V6+1234="
    HEX32 [V6 + 0x1234]
    PRINTLN

    PRINTLN "ring 0, cr0.wp=0:"
    PF "write ro user page", mov dword [V2 + 0x1004], 0x11111111
    PRINT "  now V2+1004="
    HEX32 [V2 + 0x1004]
    PRINTLN
    PF "write ro supervisor page", mov dword [V2 + 0x4008], 0x22222222
    PF "read not-present pte", mov eax, [V2 + 0x3008]
    PF "write not-present pte", mov dword [V2 + 0x3ffc], 0
    PF "read not-present pde", mov eax, [V7 + 0x10]
    PF "write ro 4M page", mov dword [V6 + 0x20], 0

    PRINTLN "ring 0, cr0.wp=1:"
    mov eax, cr0
    or eax, 0x10000                     ; WP
    mov cr0, eax
    PF "write ro user page", mov dword [V2 + 0x1004], 0x33333333
    PF "write ro supervisor page", mov byte [V2 + 0x4fff], 0
    PF "write ro 4M page", mov dword [V6 + 0x24], 0
    PF "write pde-ro table", mov dword [V3 + 0x8], 0
    PF "read pde-supervisor table", mov eax, [V4]
    PRINT "  V2+1004 still "
    HEX32 [V2 + 0x1004]
    PRINTLN

    PRINTLN "rep movsb into a not-present page:"
    mov esi, src_data
    mov edi, V2 + 0x2ffc                ; frame C (supervisor RW), then V2+3000 (not present)
    mov ecx, 16
    EXPECT_FAULT .movs_after
.movs:
    rep movsb
.movs_after:
    SHOW_FAULT .movs
    call show_cr2
    PRINT " ecx="
    HEX32 ecx
    PRINT " esi-src="
    mov eax, esi
    sub eax, src_data
    HEX32 eax
    PRINT " edi-V2="
    mov eax, edi
    sub eax, V2
    HEX32 eax
    PRINT " copied="
    HEX32 [V2 + 0x2ffc]
    PRINTLN

    PRINTLN "ring 3:"
    mov eax, user_tests
    call enter_user

    ; ---- accessed / dirty
    PRINTLN "accessed/dirty:"
    mov dword [PT2(6)], frame_b + 0x007  ; A=0 D=0
    invlpg [V2 + 0x6000]
    PRINT " pte after set="
    mov eax, [PT2(6)]
    and eax, 0x67
    HEX8 al
    mov eax, [V2 + 0x6000]
    PRINT " after read="
    mov eax, [PT2(6)]
    and eax, 0x67
    HEX8 al
    mov dword [V2 + 0x6004], 5
    PRINT " after write="
    mov eax, [PT2(6)]
    and eax, 0x67
    HEX8 al
    PRINTLN
    PRINT " pde2 A: cleared+cr3 reload="
    and dword [pd + 2*4], ~0x20
    mov eax, cr3
    mov cr3, eax
    mov eax, [pd + 2*4]
    and eax, 0x20
    HEX8 al
    mov eax, [V2]
    PRINT " after access="
    mov eax, [pd + 2*4]
    and eax, 0x20
    HEX8 al
    PRINTLN
    PRINT " 4M pde5 A/D: cleared="
    and dword [pd + 5*4], ~0x60
    invlpg [V5]
    invlpg [V5 + 0x1000]
    mov eax, [pd + 5*4]
    and eax, 0x60
    HEX8 al
    mov eax, [V5 + 0x1000]
    PRINT " after read="
    mov eax, [pd + 5*4]
    and eax, 0x60
    HEX8 al
    mov dword [V5 + 0x1000], 7
    PRINT " after write="
    mov eax, [pd + 5*4]
    and eax, 0x60
    HEX8 al
    PRINTLN

    ; ---- remapping
    PRINT "remap V2+5000: frame A="
    mov dword [PT2(5)], frame_a + 0x003
    invlpg [V2 + 0x5000]
    HEX32 [V2 + 0x5000]
    mov dword [PT2(5)], frame_b + 0x003
    invlpg [V2 + 0x5000]
    PRINT " after invlpg (B)="
    HEX32 [V2 + 0x5000]
    mov dword [PT2(5)], frame_c + 0x003
    mov eax, cr3
    mov cr3, eax
    PRINT " after cr3 reload (C)="
    HEX32 [V2 + 0x5000]
    PRINTLN

    PRINTLN "paging done"
    mov eax, 0x1a
    ret

show_cr2:
    cmp dword [fault_vec], 14
    jne .no
    PRINT " cr2="
    HEX32 [fault_cr2]
.no:
    ret

user_tests:
    PRINT " read user rw="
    HEX32 [V2]
    PRINTLN
    PF "write user ro", mov dword [V2 + 0x1000], 0
    PF "read supervisor", mov eax, [V2 + 0x2000]
    PF "write supervisor", mov dword [V2 + 0x2000], 0
    PF "read not-present", mov eax, [V2 + 0x3000]
    PF "write not-present", mov byte [V2 + 0x3abc], 0
    PF "write pde-ro table", mov dword [V3], 0
    PF "read pde-supervisor table", mov eax, [V4 + 0x10]
    PF "read 4M supervisor", mov eax, [V5]
    PRINT " read 4M user ro="
    HEX32 [V6 + 0x1234]
    PRINTLN
    PF "write 4M user ro", mov dword [V6], 0
    PF "fetch not-present", call V2 + 0x3000
    PF "fetch supervisor", call V2 + 0x2000
    PF "fetch not-present pde", jmp V7 + 0x100
    PRINT " push to not-present:"
    mov [user_esp], esp
    EXPECT_FAULT .push_after
    mov esp, V2 + 0x3004
.push:
    push dword 0x1234
.push_after:
    mov [fault_esp], esp                ; ESP is as before the PUSH
    mov esp, [user_esp]
    SHOW_FAULT .push
    call show_cr2
    PRINT " esp-V2="
    mov eax, [fault_esp]
    sub eax, V2
    HEX32 eax
    PRINTLN
    USER_RETURN

build_tables:
    pushad
    ; PT0: identity 0..4 MiB, user RW
    xor ecx, ecx
.pt0:
    mov eax, ecx
    shl eax, 12
    or eax, 0x007
    mov [pt0 + ecx*4], eax
    inc ecx
    cmp ecx, 1024
    jb .pt0
    mov dword [pd + 0*4], pt0 + 0x007
    mov dword [pd + 1*4], 0x00400000 + 0x087   ; 4 MiB identity (PS, US, RW)
    mov dword [pd + 2*4], pt2 + 0x007
    mov dword [pd + 3*4], pt3 + 0x005          ; PDE read-only
    mov dword [pd + 4*4], pt4 + 0x003          ; PDE supervisor
    mov dword [pd + 5*4], 0x00400000 + 0x083   ; 4 MiB supervisor RW
    mov dword [pd + 6*4], 0x00400000 + 0x085   ; 4 MiB user read-only
    mov dword [PT2(0)], frame_a + 0x007        ; user RW
    mov dword [PT2(1)], frame_b + 0x005        ; user RO
    mov dword [PT2(2)], frame_c + 0x003        ; supervisor RW
    mov dword [PT2(3)], 0                      ; not present
    mov dword [PT2(4)], frame_a + 0x001        ; supervisor RO
    mov dword [pt3], frame_a + 0x007
    mov dword [pt4], frame_a + 0x007
    mov dword [frame_a], MARK_A
    mov dword [frame_b], MARK_B
    mov dword [frame_c], MARK_C
    popad
    ret

section .data
align 4
user_esp: dd 0
fault_esp: dd 0
src_data: db "0123456789abcdef"

section .bss
alignb 4096
pd:      resb 4096
pt0:     resb 4096
pt2:     resb 4096
pt3:     resb 4096
pt4:     resb 4096
frame_a: resb 4096
frame_b: resb 4096
frame_c: resb 4096

GUEST_END
