; insn_incdec_lea.asm - inc/dec on 32-bit registers (short 40+r/48+r
; forms), 16-bit registers (66 + short form), 8-bit registers (FE /0 /1),
; and byte/word/dword memory; not/neg on every size; lea with every
; addressing shape used for arithmetic (base+index*scale+disp, index only,
; disp only, 16-bit destination, lea with address-size prefix), in both
; 32-bit and 16-bit code.

bits 32
org 0x8000

section .text
incdec32:
    inc eax
    inc ecx
    inc edx
    inc ebx
    inc esp
    inc ebp
    inc esi
    inc edi
    dec eax
    dec ecx
    dec edx
    dec ebx
    dec esp
    dec ebp
    dec esi
    dec edi
incdec16:
    inc ax
    inc bx
    inc sp
    inc di
    dec cx
    dec dx
    dec bp
    dec si
incdec8:
    inc al
    inc ah
    inc bl
    inc dh
    dec cl
    dec ch
    dec dl
    dec bh
incdec_mem:
    inc byte [v8]
    inc word [v16]
    inc dword [v32]
    dec byte [esi]
    dec word [esi + 2]
    dec dword [esi + ecx*4 + 8]
    inc dword [esp + 4]
    dec dword [ebp - 4]

not_neg:
    not al
    not bx
    not ecx
    not byte [v8]
    not word [v16]
    not dword [v32]
    neg dl
    neg si
    neg ebp
    neg byte [edi]
    neg word [edi]
    neg dword [edi]

lea_forms:
    lea eax, [ebx + ecx]
    lea eax, [ebx + ecx*2]
    lea eax, [ebx + ecx*4 + 8]
    lea eax, [ebx + ecx*8 - 8]
    lea eax, [eax + eax*2]
    lea eax, [eax + eax*4]
    lea eax, [eax*8 + eax]
    lea eax, [ecx*2]
    lea eax, [ecx*4 + 0x1000]
    lea eax, [ecx*8 + v32]
    lea eax, [v32]
    lea eax, [v32 + 4]
    lea eax, [0x12345678]
    lea esp, [esp + 16]
    lea esp, [esp - 4]
    lea ebp, [ebp + 0]
    lea esi, [esi + 1]
    lea edi, [edi + edi]
    lea ecx, [ebp + esi]
    lea ecx, [esi + ebp]
    lea edx, [esp + esi*1]
    lea ax, [ebx + ecx]
    lea bx, [esi + 2]
    lea eax, [bx + si]
    lea eax, [bp + di + 4]

bits 16
lea16:
    lea ax, [bx + si]
    lea ax, [bx + di + 2]
    lea ax, [bp + 8]
    lea ax, [si]
    lea ax, [0x1234]
    lea eax, [ebx + ecx*4]
    lea ax, [eax + 2]
    inc ax
    inc eax
    dec bx
    dec ebx
    inc byte [bx]
    dec word [bp + 2]
    inc dword [si]
    not word [di]
    neg dword [bx + si]
    ret

section .data
v8:  db 0
v16: dw 0
v32: dd 0
