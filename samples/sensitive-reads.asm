; sensitive-reads — instructions that let a de-privileged kernel see through its VMM. None of
; them is privileged, so under trap-and-emulate they run natively at ring 1 and report the
; physical state: SGDT/SIDT return the VMM's tables, SMSW the real CR0, PUSH CS and MOV AX, CS
; show RPL 1, PUSHF shows the physical IF. Each is a `hole` event. Under vt-x the guest runs at
; its own ring 0 and reads its own values.
; What to look for: the printed values change under trap-and-emulate (compare shows DIFF) and the
; holes list names sgdt, sidt, smsw, push, mov, pushf.
; Run: npx hyperstep compare samples/sensitive-reads.asm

bits 32
org 0x100000
%include "multiboot.inc"

section .text
MULTIBOOT_HEADER
%include "lib.inc"

_start:
    mov esp, stack_top
    call lib_init

    sgdt [table]
    mov esi, msg_gdtr
    call puts
    mov eax, [table + 2]
    call puthex
    call newline

    sidt [table]
    mov esi, msg_idtr
    call puts
    mov eax, [table + 2]
    call puthex
    call newline

    smsw eax
    mov esi, msg_msw
    call puts
    and eax, 0xffff
    call puthex
    call newline

    push cs
    pop eax
    mov esi, msg_cs
    call puts
    and eax, 3
    call puthex
    call newline

    xor eax, eax
    mov ax, ss
    mov esi, msg_ss
    call puts
    and eax, 3
    call puthex
    call newline

    cli
    pushfd
    pop eax
    mov esi, msg_if
    call puts
    shr eax, 9
    and eax, 1
    call puthex
    call newline

    mov al, 0
    call exit

section .data
msg_gdtr: db 'GDTR base  ', 0
msg_idtr: db 'IDTR base  ', 0
msg_msw:  db 'MSW        ', 0
msg_cs:   db 'CS RPL     ', 0
msg_ss:   db 'SS RPL     ', 0
msg_if:   db 'IF after cli ', 0
table: times 6 db 0
mb_load_end:

section .bss
LIB_BSS
    resb 4096
stack_top:
mb_bss_end:
