; insn_string.asm - string instruction sweep: movs/cmps/scas/lods/stos/
; ins/outs in b/w/d sizes, with rep, repe/repz, repne/repnz prefixes,
; source segment overrides as prefixes (fs movsb, rep fs movsd and
; fs rep movsd which encode identically), address-size (a16/a32)
; variants, and 16-bit code using si/di.

bits 32
org 0xB000

section .text
plain:
    movsb
    movsw
    movsd
    cmpsb
    cmpsw
    cmpsd
    scasb
    scasw
    scasd
    lodsb
    lodsw
    lodsd
    stosb
    stosw
    stosd
    insb
    insw
    insd
    outsb
    outsw
    outsd

prefixed:
    rep movsb
    rep movsw
    rep movsd
    rep stosb
    rep stosw
    rep stosd
    rep lodsb
    rep insb
    rep insw
    rep insd
    rep outsb
    rep outsw
    rep outsd
    repe cmpsb
    repz cmpsw
    repe cmpsd
    repne scasb
    repnz scasw
    repne scasd
    repz scasb
    repnz cmpsd

segment_overrides:
    ; NASM has no explicit-operand string forms; a source segment override
    ; is written as a prefix (the destination es:edi cannot be overridden)
    fs movsb
    gs movsd
    cs lodsb
    ss lodsd
    es cmpsb
    fs outsb
    rep fs movsd
    fs rep movsd
    rep gs outsw
    repe ss cmpsd

address_size:
    a16 movsb
    a16 rep stosd
    a32 lodsb
    a16 repne scasb

bits 16
string16:
    cld
    mov si, src
    mov di, dst
    mov cx, 8
    rep movsb
    rep movsw
    rep movsd
    lodsw
    stosw
    repe cmpsb
    repne scasw
    cs movsw
    ss lodsb
    a32 rep movsd
    a32 lodsd
    std
    rep stosb
    cld
    ret

src: db "source string..."
dst: times 16 db 0
