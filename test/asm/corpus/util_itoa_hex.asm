; util_itoa_hex.asm - number formatting routines: unsigned/signed itoa for
; any radix via div, hex dump of a buffer (16 bytes per line with ASCII
; column), byte/word/dword hex printers using a digit table and xlatb,
; BCD conversion with aam, and a printf-style %d/%x/%s/%c formatter using a
; jump table of label addresses.

bits 32
org 0x00300000

NEWLINE equ 10

section .text

; char *utoa(uint32 value [eax], char *buf_end [edi], radix [ebx])
; returns pointer to first digit in edi
utoa:
    push edx
    mov byte [edi], 0
.div:
    xor edx, edx
    div ebx
    mov dl, [digits + edx]
    dec edi
    mov [edi], dl
    test eax, eax
    jnz .div
    pop edx
    ret

; signed decimal: eax value, edi buf_end
itoa:
    push ebx
    test eax, eax
    jns .pos
    neg eax
    mov ebx, 10
    call utoa
    dec edi
    mov byte [edi], '-'
    pop ebx
    ret
.pos:
    mov ebx, 10
    call utoa
    pop ebx
    ret

; hex8: al -> two chars at [edi], edi += 2
hex8:
    push ebx
    push eax
    mov ebx, digits
    mov ah, al
    shr al, 4
    xlatb
    mov [edi], al
    mov al, ah
    and al, 0x0F
    xlat
    mov [edi + 1], al
    add edi, 2
    pop eax
    pop ebx
    ret

hex16:
    xchg al, ah
    call hex8
    xchg al, ah
    jmp hex8

hex32:
    rol eax, 16
    call hex16
    rol eax, 16
    jmp hex16

; hexdump(esi = src, ecx = length, edi = out)
hexdump:
    push ebp
    mov ebp, esp
    push ebx
.line:
    test ecx, ecx
    jz near .done
    mov eax, esi
    call hex32
    mov word [edi], ': '
    add edi, 2
    mov ebx, 16
    cmp ecx, ebx
    jae .full
    mov ebx, ecx
.full:
    push ecx
    push esi
    mov ecx, ebx
.bytes:
    lodsb
    call hex8
    mov byte [edi], ' '
    inc edi
    loop .bytes
    pop esi
    mov ecx, ebx
.ascii:
    lodsb
    cmp al, 0x20
    jb .dot
    cmp al, 0x7E
    jbe .printable
.dot:
    mov al, '.'
.printable:
    stosb
    loop .ascii
    mov byte [edi], NEWLINE
    inc edi
    pop ecx
    sub ecx, ebx
    jmp .line
.done:
    mov byte [edi], 0
    pop ebx
    pop ebp
    ret

; two-digit decimal via aam (al < 100) -> ax = ascii pair
bcd2:
    aam
    add ax, '00'
    xchg al, ah
    ret

; byte to packed BCD via aam 16 form
to_packed_bcd:
    aam 10
    shl ah, 4
    or al, ah
    ret

; fmt(esi = format, edi = out, ebp -> args)
format:
    push ebx
.next:
    lodsb
    test al, al
    jz .end
    cmp al, '%'
    je .spec
    stosb
    jmp .next
.spec:
    lodsb
    movzx ebx, al
    sub ebx, 'c'
    cmp ebx, 'x' - 'c'
    ja .literal
    jmp [fmt_jump + ebx*4]
.literal:
    stosb
    jmp .next
.fmt_c:
    mov eax, [ebp]
    add ebp, 4
    stosb
    jmp .next
.fmt_d:
    mov eax, [ebp]
    add ebp, 4
    push esi
    push edi
    mov edi, numbuf_end
    call itoa
    mov esi, edi
    pop edi
    jmp short .copy_num
.fmt_x:
    mov eax, [ebp]
    add ebp, 4
    call hex32
    jmp .next
.fmt_s:
    mov eax, [ebp]
    add ebp, 4
    push esi
    mov esi, eax
.copy_num:
    lodsb
    test al, al
    jz .copied
    stosb
    jmp .copy_num
.copied:
    pop esi
    jmp .next
.end:
    stosb
    pop ebx
    ret

section .data
digits:     db "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
align 4
; jump table indexed by (spec - 'c'), 'c'..'x'
fmt_jump:
    dd format.fmt_c              ; c
    dd format.fmt_d              ; d
    times 's' - 'e' dd format.literal
    dd format.fmt_s              ; s
    times 'x' - 't' dd format.literal
    dd format.fmt_x              ; x
FMT_JUMP_ENTRIES equ ($ - fmt_jump) / 4
fmt_entries: dd FMT_JUMP_ENTRIES

section .bss
numbuf:     resb 16
numbuf_end: resb 1
