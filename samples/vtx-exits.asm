; vtx-exits — what makes a VT-x guest exit, and how the controls change it. CPUID always exits;
; HLT exits with hlt-exiting; I/O exits unconditionally or by the I/O bitmaps; RDMSR/WRMSR by the
; MSR bitmaps (or always); MOV to CR0 only when it changes a bit in the CR0 guest/host mask;
; RDTSC with rdtsc-exiting; MOV to/from CR3 with the CR3 controls.
; What to look for: `hyperstep run samples/vtx-exits.asm --technique vt-x --json` counts 8 CPUID
; exits; add `--vmx rdtsc-exiting=on` and 4 RDTSC exits appear; `--vmx hlt-exiting=off` and the
; HLT exits vanish; `--vmx use-io-bitmaps=on,io-bitmap=0x80` and only port 0x80 exits.
; Run: npx hyperstep run samples/vtx-exits.asm --technique vt-x --trace exits

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

    mov esi, 8                          ; CPUID, always an exit
.cpuid:
    xor eax, eax
    cpuid
    dec esi
    jnz .cpuid

    mov esi, 4                          ; RDTSC: an exit only with rdtsc-exiting
.tsc:
    rdtsc
    dec esi
    jnz .tsc

    mov ecx, 0x10                       ; the TSC MSR: RDMSR exits (all MSRs exit by default)
    rdmsr

    mov eax, cr0                        ; toggle CR0.TS (exits only when TS is in the mask)
    or eax, 8
    mov cr0, eax
    clts

    mov eax, cr3                        ; CR3 store / load: exits with the CR3 controls
    mov cr3, eax

    mov al, 0x55                        ; I/O: the POST port
    out 0x80, al

    sti
    hlt                                 ; wait for the timer
    cli

    mov esi, msg
    call puts
    mov al, 0
    call exit

timer:
    call eoi
    iret

section .data
msg: db 'vtx-exits: cpuid x8, rdtsc x4, rdmsr, cr0, clts, cr3, out, hlt', 10, 0
mb_load_end:

section .bss
LIB_BSS
    resb 4096
stack_top:
mb_bss_end:
