; SYNTAX TEST "source.guest-asm" "numbers in every NASM form"

    dd 0x1F, 0X1f, 0h1F, $1F, 1Fh, 0A0h, 0x_dead_beef
;      ^^^^ constant.numeric.hex.guest-asm
;            ^^^^ constant.numeric.hex.guest-asm
;                  ^^^^ constant.numeric.hex.guest-asm
;                        ^^^ constant.numeric.hex.guest-asm
;                             ^^^ constant.numeric.hex.guest-asm
;                                  ^^^^ constant.numeric.hex.guest-asm
;                                        ^^^^^^^^^^^^ constant.numeric.hex.guest-asm
    dd 42, 1_000_000, 0d42, 0t42, 42d, 42t
;      ^^ constant.numeric.decimal.guest-asm
;          ^^^^^^^^^ constant.numeric.decimal.guest-asm
;                     ^^^^ constant.numeric.decimal.guest-asm
;                           ^^^^ constant.numeric.decimal.guest-asm
;                                 ^^^ constant.numeric.decimal.guest-asm
;                                      ^^^ constant.numeric.decimal.guest-asm
    dd 0o17, 0q17, 17o, 17q
;      ^^^^ constant.numeric.octal.guest-asm
;            ^^^^ constant.numeric.octal.guest-asm
;                  ^^^ constant.numeric.octal.guest-asm
;                       ^^^ constant.numeric.octal.guest-asm
    dd 0b1010, 0y1010, 1010b, 1010y, 0b1010_0101
;      ^^^^^^ constant.numeric.binary.guest-asm
;              ^^^^^^ constant.numeric.binary.guest-asm
;                      ^^^^^ constant.numeric.binary.guest-asm
;                             ^^^^^ constant.numeric.binary.guest-asm
;                                    ^^^^^^^^^^^ constant.numeric.binary.guest-asm
    dq 1.5, 1.e10, 3.14e-2, 0x1.8p+1
;      ^^^ constant.numeric.float.guest-asm
;           ^^^^^ constant.numeric.float.guest-asm
;                  ^^^^^^^ constant.numeric.float.guest-asm
;                           ^^^^^^^^ constant.numeric.float.guest-asm
    dd 0b1h, 1bh
;      ^^^^ constant.numeric.hex.guest-asm
;            ^^^ constant.numeric.hex.guest-asm
    mov eax, label1 + 2
;            ^^^^^^ - constant.numeric.decimal.guest-asm
;                     ^ constant.numeric.decimal.guest-asm
    dd $, $$, $1
;      ^ variable.language.here.guest-asm
;         ^^ variable.language.section-start.guest-asm
;             ^^ constant.numeric.hex.guest-asm
