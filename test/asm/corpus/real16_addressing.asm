; real16_addressing.asm - every 16-bit ModRM addressing shape: [bx+si],
; [bx+di], [bp+si], [bp+di], [si], [di], [bp] (forced disp8), [bx], each
; with no displacement, disp8 (positive, negative, 127/-128 limits) and
; disp16, direct [label]/[0x1234], segment overrides cs/ds/es/ss/fs/gs,
; operand orders reg,mem and mem,reg and mem,imm with byte/word sizes.

bits 16
org 0x100

table_size equ 0x40

start:
    ; no displacement
    mov ax, [bx+si]
    mov ax, [bx+di]
    mov ax, [bp+si]
    mov ax, [bp+di]
    mov ax, [si]
    mov ax, [di]
    mov ax, [bp]
    mov ax, [bx]
    ; operand order swapped and written with index first
    mov [si+bx], cx
    mov [di+bx], dx
    mov [si+bp], sp
    mov [di+bp], bp
    ; disp8
    mov al, [bx+si+4]
    mov al, [bx+di-4]
    mov al, [bp+si+127]
    mov al, [bp+di-128]
    mov al, [si+1]
    mov al, [di+0x7F]
    mov al, [bp+2]
    mov al, [bx-1]
    ; disp16 (just outside the disp8 range)
    mov bl, [bx+si+128]
    mov bl, [bx+di-129]
    mov bl, [bp+si+0x1234]
    mov bl, [bp+di+table]
    mov bl, [si+table]
    mov bl, [di+table+2]
    mov bl, [bp+0x200]
    mov bl, [bx+table_size*4]
    ; direct addresses
    mov cx, [0x1234]
    mov cx, [table]
    mov [table+6], cx
    mov ax, [table]             ; moffs form
    mov [table+2], al           ; moffs form
    ; memory/immediate with sizes
    mov byte [bx], 0x12
    mov word [bp+di+8], 0x1234
    add word [si], 5
    add word [si], 500
    sub byte [di+table], 1
    cmp word [bx+si+2], -1
    and byte [bp-2], 0xF0
    or word [table], 0x8000
    xor word [bx], 0xFF
    test byte [si], 0x80
    test word [di+4], 0x100
    inc byte [bx+si]
    dec word [bp]
    neg word [bx+2]
    not byte [di]
    ; segment overrides
    mov ax, [es:bx]
    mov ax, [cs:si+2]
    mov ax, [ss:bp]
    mov ax, [ds:bp+2]
    mov ax, [fs:di]
    mov ax, [gs:table]
    mov [es:di], al
    mov word [es:bx+si+0x10], 7
    push word [cs:table]
    pop word [es:table+2]
    ; lea with all shapes
    lea ax, [bx+si]
    lea bx, [bp+di+5]
    lea cx, [si-3]
    lea dx, [bp]
    lea si, [table]
    lea di, [bx+table]
    ; segment register moves
    mov ax, ds
    mov es, ax
    mov [table], ss
    mov ds, [table]
    mov bx, cs
    push es
    pop ds
    push cs
    push ss
    pop es
    push fs
    push gs
    pop fs
    pop gs
    ; indirect near jumps/calls through memory and register
    call [bx+si]
    call word [table]
    call bx
    jmp [bp+di+4]
    jmp word [table+2]
    jmp si
    ; les/lds
    les di, [table]
    lds si, [bx+4]
    ; xlat with override
    xlatb
    cs xlatb
    ret

table:
    dw 1, 2, 3, 4
    times table_size - ($ - table) db 0xFF
