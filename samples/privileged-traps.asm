; privileged-traps — the instructions a classic VMM can catch. CLI, STI, HLT, IN and OUT are
; privileged or IOPL-sensitive: de-privileged to ring 1 with IOPL 0 they fault (#GP), and the
; trap-and-emulate VMM emulates each one on the guest's virtual CPU. Under vt-x the guest runs
; at ring 0: CLI and STI do not exit at all, while HLT and I/O exit only when the controls
; (hlt-exiting, I/O bitmaps) ask for it.
; What to look for: `hyperstep compare` counts #GP traps under trap-and-emulate (every CLI, STI,
; HLT, IN, OUT) and HLT / IO_INSTRUCTION exits under vt-x, with the same serial output.
; Run: npx hyperstep compare samples/privileged-traps.asm

bits 32
org 0x100000
%include "multiboot.inc"

section .text
MULTIBOOT_HEADER
%include "lib.inc"

_start:
    mov esp, stack_top
    call lib_init
    mov eax, timer
    mov dx, 1000
    call start_timer

    mov ecx, 10                         ; CLI/STI pairs
.flags:
    cli
    sti
    loop .flags

    mov ecx, 10                         ; port writes to the POST port and reads of the UART
.ports:
    mov al, cl
    out 0x80, al
    mov dx, COM1 + 7                    ; scratch register
    in al, dx
    loop .ports

    mov ecx, 5                          ; sleep until the next timer tick, five times
.sleep:
    hlt
    loop .sleep

    cli
    mov esi, msg
    call puts
    mov al, 0
    call exit

timer:
    call eoi
    iret

section .data
msg: db 'privileged-traps: 10 cli/sti pairs, 20 port accesses, 5 halts', 10, 0
mb_load_end:

section .bss
LIB_BSS
    resb 4096
stack_top:
mb_bss_end:
