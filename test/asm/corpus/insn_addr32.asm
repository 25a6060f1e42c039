; insn_addr32.asm - exhaustive 32-bit ModRM/SIB addressing: [reg] for all
; eight base registers (esp needs a SIB byte, ebp needs a zero disp8),
; disp8 at the -128/127 edges and disp32 just beyond, base+index with all
; scales, index-only with scale (disp32 forced), [eax*2] which nasm splits
; into [eax+eax], [reg*1], reversed operand order ([ecx*4+ebx], [disp+reg]),
; esp/ebp as base with index, absolute [disp32], label+reg forms, explicit
; byte/dword displacement sizes, and segment overrides on each shape.

bits 32
org 0x00150000

DISP equ 0x40

section .text
base_only:
    mov eax, [eax]
    mov eax, [ecx]
    mov eax, [edx]
    mov eax, [ebx]
    mov eax, [esp]
    mov eax, [ebp]
    mov eax, [esi]
    mov eax, [edi]

base_disp8:
    mov ebx, [eax + 1]
    mov ebx, [ecx - 1]
    mov ebx, [edx + 127]
    mov ebx, [ebx - 128]
    mov ebx, [esp + 4]
    mov ebx, [ebp - 4]
    mov ebx, [esi + DISP]
    mov ebx, [edi + 0]

base_disp32:
    mov ecx, [eax + 128]
    mov ecx, [ecx - 129]
    mov ecx, [edx + 0x1000]
    mov ecx, [ebx + data_block]
    mov ecx, [esp + 0x200]
    mov ecx, [ebp - 0x200]
    mov ecx, [esi + 0x7FFFFFFF]
    mov ecx, [edi - 0x80000000]

base_index:
    mov edx, [eax + ebx]
    mov edx, [eax + ebx*1]
    mov edx, [eax + ebx*2]
    mov edx, [eax + ebx*4]
    mov edx, [eax + ebx*8]
    mov edx, [esp + eax]
    mov edx, [esp + ebp*2]
    mov edx, [ebp + eax]
    mov edx, [ebp + esi*4]
    mov edx, [ecx + edi*8 + 8]
    mov edx, [ebx + esi*2 - 2]
    mov edx, [edx + ecx*4 + 0x100]
    mov edx, [ebx + ecx*4 + data_block]
    mov edx, [esp + ecx*4 + 8]
    mov edx, [ebp + ecx*4 - 8]

index_only:
    mov esi, [eax*2]
    mov esi, [eax*4]
    mov esi, [eax*8]
    mov esi, [ebx*4 + 0x1000]
    mov esi, [ecx*8 + data_block]
    mov esi, [edx*2 + 4]
    mov esi, [ebp*4]
    mov esi, [eax*1]
    mov esi, [eax*3]
    mov esi, [eax*5 + 2]
    mov esi, [eax*9]

reordered:
    mov edi, [ecx*4 + ebx]
    mov edi, [8 + ebx]
    mov edi, [data_block + ebx]
    mov edi, [data_block + ecx*4 + ebx]
    mov edi, [ebx + 4 + ecx*2]
    mov edi, [4 + ecx*2 + ebx + 4]
    mov edi, [ebx + ebx]
    mov edi, [esi + esi*2]

absolute_addr:
    mov eax, [0]
    mov ebx, [0x12345678]
    mov ecx, [data_block]
    mov edx, [data_block + 8]
    mov esi, [data_end - 4]

explicit_disp_size:
    mov eax, [byte ebx + 4]
    mov eax, [dword ebx + 4]
    mov eax, [dword ebp]
    mov eax, [dword esp + 8]
    mov eax, [byte esi + ecx*2 + 1]

overrides:
    mov eax, [es:ebx]
    mov eax, [cs:ebx + 4]
    mov eax, [ss:ebp - 4]
    mov eax, [ds:esp + 8]
    mov eax, [fs:ebx + ecx*4]
    mov eax, [gs:eax*4 + 0x100]
    mov eax, [fs:0]
    mov eax, [gs:data_block]
    mov [fs:edi], eax
    mov dword [gs:esi + 4], 1

other_insns:
    add [esp + 4], eax
    sub eax, [ebp + ecx*2 - 6]
    cmp byte [eax*2 + data_block], 0
    inc dword [ebx + ebx*4]
    push dword [esi + edi*8 + DISP]
    lea eax, [eax*2]
    lea eax, [ecx*4 + ecx]
    ret

section .data
data_block: times 16 dd 0
data_end:
