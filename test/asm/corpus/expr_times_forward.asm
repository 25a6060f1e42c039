; expr_times_forward.asm - times counts and data that depend on labels
; defined later (nasm 2.16 resolves a forward label difference in a TIMES
; count over its optimisation passes): padding in front of a body so that
; the body ends at a fixed offset, forward-referenced sizes and offsets in
; a header, and the usual backward-referencing padding forms.

bits 16
org 0x7c00

TABLE_OFFSET equ 0x60

header_start:
    db 'HDR'
    db body_end - body_start        ; forward-referenced size byte
    dw body_start - $$              ; forward-referenced offset
header_end:
    times 16 - (header_end - header_start) db 0

    ; right-align the body so that it ends exactly at offset 0x50
    times 0x50 - (body_end - body_start) - ($ - $$) db 0x90
body_start:
    mov ax, 1
    mov bx, body_end - body_start
    jmp short body_end
    nop
body_end:

    ; fill up to a fixed offset
    times TABLE_OFFSET - ($ - $$) db 0xCC
table:
    dw 1, 2, 3, 4
table_end:

    ; total size recorded before the end is known
total_size: dw image_end - $$
    dw table_end - table
    times 0x80 - ($ - $$) db 0

; right-aligned 16-byte stubs: the padding in front of each stub is
; computed from the (forward) size of the stub itself
%macro RIGHT_ALIGNED_STUB 1+
    times 16 - (%%end - %%start) db 0x90
%%start:
    %1
    ret
%%end:
%endmacro

bits 32
stubs:
    RIGHT_ALIGNED_STUB mov eax, 1
    RIGHT_ALIGNED_STUB add dword [ebx + ecx*4 + 0x100], 0x12345
    RIGHT_ALIGNED_STUB jmp short stubs
    RIGHT_ALIGNED_STUB xor eax, eax
stubs_end:
stub_area_size: dd stubs_end - stubs

; a length-prefixed record whose length byte comes first
record:
    db record_end - record_body
record_body:
    db "variable length payload"
    dw record_end - record
record_end:
    times 64 - (record_end - record) db 0
image_end:
