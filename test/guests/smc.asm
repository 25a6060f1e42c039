; smc — self-modifying code: an immediate patched then executed, an opcode patched (ADD -> SUB),
; an imm8 patched on every iteration of a loop, the very next instruction patched, a jump
; displacement patched, UD2 overwritten by STOSW just before it runs, code copied into a buffer
; with REP MOVSB, run, overwritten and run again, and (with paging on) code patched through a
; second virtual mapping of the same physical page, then run at its original address.
%include "include/guest.inc"

main:
    ; ---- immediate
    mov dword [p1 + 1], 0x600DF00D
p1: mov eax, 0x0BADF00D
    PRINT "patched imm: "
    HEX32 eax
    PRINTLN

    ; ---- opcode
    mov eax, 100
    mov ebx, 30
    mov byte [p2], 0x29                 ; 01 D8 add eax,ebx -> 29 D8 sub eax,ebx
p2: add eax, ebx
    PRINT "patched opcode: "
    HEX32 eax
    PRINTLN

    ; ---- loop patching its own imm8
    xor eax, eax
    mov ecx, 10
    mov byte [p3 + 2], 0
p3_loop:
    inc byte [p3 + 2]
p3: add eax, strict byte 0x7f
    loop p3_loop
    PRINT "loop sum 1..10: "
    DEC32 eax
    PRINTLN

    ; ---- the next instruction
    mov byte [p4 + 1], 0x42
p4: mov al, 0x00
    PRINT "next instruction: "
    HEX8 al
    PRINTLN

    ; ---- jump displacement
    mov byte [p5 + 1], p5_b - p5_a       ; retarget: skip the first block
p5: jmp short p5_a
p5_a:
    PRINT "jump not patched"
    jmp p5_done
p5_b:
    PRINT "jump patched"
p5_done:
    PRINTLN

    ; ---- UD2 replaced by two NOPs right before it executes
    mov edi, p6
    mov ax, 0x9090
    stosw
p6: ud2
    PRINTLN "ud2 overwritten: ran"

    ; ---- copied code
    mov esi, tmpl_a
    mov edi, codebuf
    mov ecx, tmpl_a_end - tmpl_a
    rep movsb
    call codebuf
    PRINT "copied code A: "
    HEX32 eax
    mov esi, tmpl_b
    mov edi, codebuf
    mov ecx, tmpl_b_end - tmpl_b
    rep movsb
    call codebuf
    PRINT " then B: "
    HEX32 eax
    mov byte [codebuf + 1], 0x77        ; B starts with B0 ib (mov al, imm8): patch the imm8
    call codebuf
    PRINT " B patched: "
    HEX32 eax
    PRINTLN

    ; ---- patch through a paging alias
    mov dword [pd + 0], 0x00000083      ; 0..4 MiB identity (4 MiB page)
    mov dword [pd + 0x100*4], 0x00000083 ; 0x40000000.. -> the same physical 0..4 MiB
    mov eax, pd
    mov cr3, eax
    mov eax, cr4
    or eax, 0x10
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    call p7_fn                          ; decode it once through the identity mapping
    mov [first], eax
    mov dword [p7 + 1 + 0x40000000], 0xA11A5ED ; write the imm through the alias
    call p7_fn
    PRINT "alias patch: before="
    HEX32 [first]
    PRINT " after="
    HEX32 eax
    PRINTLN
    mov eax, cr0
    and eax, 0x7FFFFFFF
    mov cr0, eax

    PRINTLN "smc done"
    mov eax, 0x1e
    ret

p7_fn:
p7: mov eax, 0x11111111
    ret

tmpl_a:
    mov eax, 0xAAAA0001
    ret
tmpl_a_end:
tmpl_b:
    mov al, 0x33
    movzx eax, al
    add eax, 0xB0000000
    ret
tmpl_b_end:

section .data
align 4
first: dd 0

section .bss
alignb 4096
pd:      resb 4096
codebuf: resb 64

GUEST_END
