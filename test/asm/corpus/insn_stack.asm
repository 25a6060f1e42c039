; insn_stack.asm - stack instruction sweep: push/pop of 32/16-bit registers,
; segment registers, memory operands with sizes; push imm8 vs imm32 vs
; explicit word/dword, push of a label address and of label differences,
; pusha/popa/pushad/popad/pushaw/popaw, pushf/popf variants, enter with
; various frame sizes and nesting levels, leave, ret/ret imm16, and cdecl
; call/cleanup sequences.

bits 32
org 0x7000

section .text
push_pop_regs:
    push eax
    push ecx
    push edx
    push ebx
    push esp
    push ebp
    push esi
    push edi
    pop edi
    pop esi
    pop ebp
    pop ebx
    pop edx
    pop ecx
    pop eax
    push ax
    push bx
    pop bx
    pop ax

push_pop_segments:
    push cs
    push ds
    push es
    push fs
    push gs
    push ss
    pop ss
    pop gs
    pop fs
    pop es
    pop ds

push_pop_memory:
    push dword [var]
    push word [var]
    push dword [ebx + 4]
    push dword [esp + 8]
    push dword [ebp - 4]
    pop dword [var]
    pop word [var]
    pop dword [ebx + ecx*4]
    pop dword [esp]

push_immediates:
    push 0
    push 4
    push byte 4
    push -1
    push 127
    push 128
    push 0x12345678
    push dword 4
    push word 4
    push word 0x1234
    push var
    push var + 8
    push end_label - start_label
    push strict dword 0

all_regs:
    pusha
    popa
    pushad
    popad
    pushaw
    popaw
    pushf
    popf
    pushfd
    popfd
    pushfw
    popfw

frames:
    enter 0, 0
    leave
    enter 16, 0
    leave
    enter 0x1000, 0
    leave
    enter 8, 1
    leave
    enter 4, 3
    leave

returns:
    ret
    ret 4
    ret 0x10
    retn
    retn 8

start_label:
caller:
    push dword 3
    push dword 2
    push dword 1
    call callee
    add esp, 12
    push eax
    call [fn_ptr]
    add esp, byte 4
    call eax
    call [ebx + 8]
    ret
end_label:

callee:
    push ebp
    mov ebp, esp
    mov eax, [ebp + 8]
    add eax, [ebp + 12]
    add eax, [ebp + 16]
    pop ebp
    ret

section .data
var:    dd 0, 0, 0
fn_ptr: dd callee
