; insn_mov.asm - mov family sweep: reg,reg for 8/16/32 bits (incl. high
; byte registers), reg,imm (B0+r/B8+r), mem,imm (C6/C7) with sizes, moffs
; accumulator forms (A0-A3) for absolute addresses and labels with and
; without segment overrides, non-accumulator absolute addressing (ModRM
; disp32), movzx/movsx from byte and word, segment register moves
; (reg/mem, 16 and 32-bit register forms), control and debug registers.

bits 32
org 0x00500000

section .text
reg_reg:
    mov al, bl
    mov ah, bh
    mov cl, dh
    mov dl, ah
    mov ax, bx
    mov sp, bp
    mov si, di
    mov eax, ebx
    mov ecx, edx
    mov esp, ebp
    mov edi, esi
    mov ebp, esp

reg_imm:
    mov al, 0
    mov cl, 0x7F
    mov dh, 0xFF
    mov bh, -1
    mov ax, 0
    mov bx, 0x1234
    mov di, -2
    mov eax, 0
    mov ecx, 1
    mov edx, 0x12345678
    mov ebp, -1
    mov esi, label_data
    mov edi, label_data + 16

mem_imm:
    mov byte [m8], 0x12
    mov word [m16], 0x1234
    mov dword [m32], 0x12345678
    mov dword [m32], label_data
    mov byte [ebx], 1
    mov word [ebx + esi], 2
    mov dword [esp], 3
    mov dword [ebp - 8], -1
    mov dword [eax*4 + label_data], 5

moffs:
    mov eax, [0x1000]
    mov ax, [0x1000]
    mov al, [0x1000]
    mov [0x2000], eax
    mov [0x2000], ax
    mov [0x2000], al
    mov al, [m8]
    mov ax, [m16]
    mov eax, [m32]
    mov [m8], al
    mov [m16], ax
    mov [m32], eax
    mov [label_data], al
    mov eax, [fs:0x10]
    mov [gs:0x20], eax
    mov al, [es:m8]
    mov [ss:m32], eax
    mov eax, [label_data + 4]

non_accumulator_absolute:
    mov ebx, [0x1000]
    mov ecx, [m32]
    mov [m32], edx
    mov bl, [m8]
    mov [m16], si
    mov esi, [fs:0x30]

reg_mem:
    mov eax, [ebx]
    mov eax, [ebx + 4]
    mov eax, [ebx + 0x400]
    mov [esi + edi], cl
    mov [esi + edi*2 + 6], dx
    mov edx, [esp + 8]
    mov edx, [ebp - 4]
    mov edx, [eax*2]
    mov edx, [ebx + ecx*4 + label_data]

extend:
    movzx eax, al
    movzx eax, bl
    movzx eax, ax
    movzx ecx, byte [m8]
    movzx ecx, word [m16]
    movzx ax, bl
    movzx dx, byte [esi]
    movsx eax, al
    movsx eax, dx
    movsx ebx, byte [m8]
    movsx ebx, word [m16]
    movsx cx, dl
    movsx cx, byte [edi + 1]

segments:
    mov ax, ds
    mov eax, ds
    mov es, ax
    mov es, eax
    mov fs, bx
    mov gs, cx
    mov ss, dx
    mov ds, [sel_store]
    mov [sel_store], es
    mov word [sel_store], cs
    mov bx, ss
    mov cx, fs
    mov dx, gs
    mov esi, cs

control_debug:
    mov eax, cr0
    mov ebx, cr2
    mov ecx, cr3
    mov edx, cr4
    mov cr0, eax
    mov cr2, ebx
    mov cr3, ecx
    mov cr4, edx
    mov eax, dr0
    mov eax, dr1
    mov eax, dr2
    mov eax, dr3
    mov eax, dr6
    mov eax, dr7
    mov dr0, ebx
    mov dr1, ebx
    mov dr2, ebx
    mov dr3, ebx
    mov dr6, ecx
    mov dr7, edx
    ret

section .data
m8:         db 0
m16:        dw 0
m32:        dd 0
sel_store:  dw 0
label_data: times 8 dd 0
