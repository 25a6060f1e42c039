; insn16_sweep.asm - the general-purpose instruction families assembled in
; bits 16: ALU accumulator forms (al/ax imm) versus group-1 with imm8
; sign extension, 32-bit operand variants that need 0x66, moffs with 16-bit
; addresses, mov to segment registers, shifts, mul/div, push imm8/imm16,
; inc/dec short forms, xchg ax short forms, test, setcc/cmovcc with 16-bit
; addressing, and near/short jumps and calls with rel16.

bits 16
org 0x0500

section .text
alu16:
    add al, 5
    add ax, 5
    add ax, 1000
    add bx, 5
    add bx, 1000
    add bx, -1
    add eax, 5
    add eax, 100000
    add ebx, -128
    sub cl, 1
    sub cx, 0x80
    sub word [bx], 1
    sub word [var16], 300
    sub dword [var32], 1
    and ax, 0xFF00
    and ah, 0x0F
    or al, 0x20
    or byte [si], 0x80
    xor ax, ax
    xor eax, eax
    cmp al, 'A'
    cmp ax, 0xAA55
    cmp byte [di + 1], 0
    cmp dword [bx], 0x12345678
    adc dx, 0
    sbb si, di

mov16:
    mov al, [var8]
    mov ax, [var16]
    mov eax, [var32]
    mov [var8], al
    mov [var16], ax
    mov [var32], eax
    mov bx, [var16]
    mov ax, [0x0410]
    mov [0x046C], ax
    mov ax, [es:0x046C]
    mov ds, ax
    mov es, [var16]
    mov ss, bx
    mov word [bx + si], 0x1234
    mov byte [bp + di + 2], 7
    mov dword [di], 0x11223344
    movzx ax, byte [si]
    movzx eax, word [si]
    movsx ecx, byte [bx]

shift16:
    shl ax, 1
    shl ax, cl
    shl ax, 4
    shr word [var16], 1
    sar byte [var8], 3
    rol eax, 8
    rcr dx, cl
    shld ax, dx, 4
    shrd eax, edx, cl

muldiv16:
    mul bl
    mul bx
    mul ebx
    imul cx
    imul ax, bx
    imul ax, bx, 10
    imul ax, [var16], 1000
    div byte [var8]
    div word [var16]
    idiv ecx
    cwd
    cdq
    cbw
    cwde

stack16:
    push ax
    push eax
    push 5
    push -5
    push 0x1234
    push byte 5
    push dword 5
    push word [var16]
    push dword [var32]
    push ds
    pop es
    pusha
    popa
    pushad
    popad
    pushf
    pushfd
    popfd
    popf
    enter 4, 0
    leave

incdec16:
    inc ax
    inc si
    inc eax
    dec cx
    dec edi
    inc byte [var8]
    dec word [var16]
    inc dword [var32]
    xchg ax, bx
    xchg bx, ax
    xchg eax, ecx
    xchg al, ah
    xchg [var16], dx
    test al, 1
    test ax, 0x100
    test bl, 4
    test word [var16], 3
    test eax, ebx

cc16:
    sete al
    setne byte [var8]
    setg [bx + si]
    cmovz ax, bx
    cmovnz eax, [var32]
    cmovb cx, [bp + 2]
    bt ax, 3
    bts word [var16], 2
    bsf ax, bx
    bsr eax, [var32]

flow16:
    call near_fn
    call [fn_ptr]
    jmp short .skip
    nop
.skip:
    jz near_fn
    jnz .fwd
    times 200 nop
.fwd:
    jmp near_fn
near_fn:
    ret
    ret 2
fn_ptr: dw near_fn

section .data
var8:  db 0
var16: dw 0
var32: dd 0
