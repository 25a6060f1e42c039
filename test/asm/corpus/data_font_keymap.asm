; data_font_keymap.asm - data-heavy file typical of a text-mode console
; driver: an 8x8 bitmap font written with binary literals in several forms
; (0b..., ...b, ...y, 0y..., with _ separators), a scancode-set-1 keymap with
; character constants and escapes, a shifted keymap built with times for
; gaps, a VGA DAC palette with expressions, and a code that indexes it all.

bits 32
org 0x00020000

GLYPH_H     equ 8
FIRST_GLYPH equ ' '

section .text
; draw glyph al at edi (1 byte per pixel, 320-wide framebuffer), colour bl
draw_glyph:
    push esi
    push ecx
    movzx esi, al
    sub esi, FIRST_GLYPH
    lea esi, [font + esi*GLYPH_H]
    mov ecx, GLYPH_H
.row:
    lodsb
    mov ah, al
    push ecx
    mov ecx, 8
.col:
    shl ah, 1
    jnc .skip
    mov [edi], bl
.skip:
    inc edi
    loop .col
    pop ecx
    add edi, 320 - 8
    loop .row
    pop ecx
    pop esi
    ret

; translate scancode al -> ascii al (0 when unmapped)
translate:
    movzx eax, al
    cmp eax, KEYMAP_LEN
    jae .none
    test byte [shift_state], 1
    jnz .shifted
    mov al, [keymap + eax]
    ret
.shifted:
    mov al, [keymap_shift + eax]
    ret
.none:
    xor eax, eax
    ret

; program the VGA DAC from the palette table
load_palette:
    mov dx, 0x3C8
    xor al, al
    out dx, al
    inc dx
    mov esi, palette
    mov ecx, PALETTE_BYTES
    rep outsb
    ret

section .data
font:
    ; ' '
    db 0, 0, 0, 0, 0, 0, 0, 0
    ; '!'
    db 0b00011000, 0b00111100, 0b00111100, 0b00011000
    db 0b00011000, 0b00000000, 0b00011000, 0b00000000
    ; '"'
    db 01101100b, 01101100b, 01001000b, 0, 0, 0, 0, 0
    ; '#'
    db 0y01101100, 0y01101100, 0y11111110, 0y01101100
    db 0y11111110, 0y01101100, 0y01101100, 0y00000000
    ; '$'
    db 00110000y, 01111100y, 11000000y, 01111000y
    db 00001100y, 11111000y, 00110000y, 00000000y
    ; '%'
    db 0b1100_0110, 0b1100_1100, 0b0001_1000, 0b0011_0000
    db 0b0110_0110, 0b1100_0110, 0b0000_0000, 0b0000_0000
    ; '&'
    db 0011_1000b, 0110_1100b, 0011_1000b, 0111_0110b
    db 1101_1100b, 1100_1100b, 0111_0110b, 0000_0000b
    ; '''
    db 0x30, 0x30, 0x60, 0, 0, 0, 0, 0
    ; '(' and ')' as hex in mixed forms
    db 0Ch, 18h, 30h, 30h, 30h, 18h, 0Ch, 00h
    db $30, $18, $0C, $0C, $0C, $18, $30, $00
    ; '*' '+' as octal just for variety
    db 0o0, 0o146, 0o74, 0o377, 0o74, 0o146, 0o0, 0o0
    db 0q0, 60q, 60q, 374q, 60q, 60q, 0q0, 0
    ; ',' '-' '.' '/'
    db 0, 0, 0, 0, 0, 0x30, 0x30, 0x60
    db 0, 0, 0, 0xFC, 0, 0, 0, 0
    db 0, 0, 0, 0, 0, 0x30, 0x30, 0
    db 0x06, 0x0C, 0x18, 0x30, 0x60, 0xC0, 0x80, 0
    ; '0'..'9' generated: a box with the digit's low bits in the middle
%assign d 0
%rep 10
    db 0x7C, 0xC6, 0xC6, 0xC0 | d, 0xC6 | (d << 3) & 0x38, 0xC6, 0x7C, 0
%assign d d + 1
%endrep
font_end:
GLYPH_COUNT equ (font_end - font) / GLYPH_H

; scancode set 1 -> ASCII
keymap:
    db 0, 27, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', `\b`
    db `\t`, 'qwertyuiop', '[', ']', `\n`
    db 0                        ; left ctrl
    db "asdfghjkl;'", '`'
    db 0                        ; left shift
    db '\zxcvbnm,./'
    db 0, '*', 0, ' '
KEYMAP_LEN equ $ - keymap

keymap_shift:
    db 0, 27, '!@#$%^&*()_+', `\b`
    db `\t`, "QWERTYUIOP{}", 10
    db 0, 'ASDFGHJKL:"~'
    db 0, '|ZXCVBNM<>?'
    db 0, '*', 0, ' '
    times KEYMAP_LEN - ($ - keymap_shift) db 0

shift_state: db 0

; 16-colour palette, 6-bit DAC components
%define RGB(r, g, b) db (r) >> 2, (g) >> 2, (b) >> 2
palette:
    RGB(0x00, 0x00, 0x00)
    RGB(0x00, 0x00, 0xAA)
    RGB(0x00, 0xAA, 0x00)
    RGB(0x00, 0xAA, 0xAA)
    RGB(0xAA, 0x00, 0x00)
    RGB(0xAA, 0x00, 0xAA)
    RGB(0xAA, 0x55, 0x00)
    RGB(0xAA, 0xAA, 0xAA)
    RGB(0x55, 0x55, 0x55)
    RGB(0x55, 0x55, 0xFF)
    RGB(0x55, 0xFF, 0x55)
    RGB(0x55, 0xFF, 0xFF)
    RGB(0xFF, 0x55, 0x55)
    RGB(0xFF, 0x55, 0xFF)
    RGB(0xFF, 0xFF, 0x55)
    RGB(0xFF, 0xFF, 0xFF)
PALETTE_BYTES equ $ - palette

counts: dw GLYPH_COUNT, KEYMAP_LEN, PALETTE_BYTES / 3
