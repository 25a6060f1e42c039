; unterminated_string.asm - string constants missing their closing quote in
; each of the three quote styles.
bits 32

section .data
ok_msg:   db "this one is fine", 0
bad1:     db "missing the closing double quote, 0
bad2:     db 'missing the closing single quote, 0
bad3:     db `missing the closing backquote\n, 0
after:    db 'fine again', 0
