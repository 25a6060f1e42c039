; invalid_address.asm - effective addresses with no encoding: esp as an
; index, scale factors other than 1/2/4/8 with a base, two index registers,
; 16-bit register pairs that do not exist, mixing 16- and 32-bit registers.
bits 32

    mov eax, [ebx + ecx*4]
    mov eax, [ebx + esp*2]
    mov eax, [ebx + ecx*16]
    mov eax, [eax*2 + ebx*2]
    mov ax, [bx + cx]
    mov ax, [si + di]
    mov eax, [ebx + si]
    mov eax, [eax*3 + ebx]
    ret
