; util_string.asm - 32-bit C-ABI string routines as found in a small kernel
; libc: strlen (repne scasb), strnlen, strcpy, strncpy, strcmp (repe cmpsb
; and byte loop), strchr, strrchr, memchr, toupper/tolower over a buffer,
; atoi with sign handling; cdecl stack frames with [ebp+8]/[esp+4] args.

bits 32
org 0x00200000

section .text

; size_t strlen(const char *s)
strlen:
    push edi
    mov edi, [esp + 8]
    xor eax, eax
    mov ecx, -1
    cld
    repne scasb
    not ecx
    dec ecx
    mov eax, ecx
    pop edi
    ret

; size_t strnlen(const char *s, size_t max)
strnlen:
    mov edx, [esp + 4]
    mov ecx, [esp + 8]
    xor eax, eax
.loop:
    cmp eax, ecx
    jae .done
    cmp byte [edx + eax], 0
    je .done
    inc eax
    jmp .loop
.done:
    ret

; char *strcpy(char *dst, const char *src)
strcpy:
    push esi
    push edi
    mov edi, [esp + 12]
    mov esi, [esp + 16]
    mov edx, edi
.copy:
    lodsb
    stosb
    test al, al
    jnz .copy
    mov eax, edx
    pop edi
    pop esi
    ret

; char *strncpy(char *dst, const char *src, size_t n)
strncpy:
    push ebp
    mov ebp, esp
    push esi
    push edi
    mov edi, [ebp + 8]
    mov esi, [ebp + 12]
    mov ecx, [ebp + 16]
    jecxz .out
.copy:
    lodsb
    stosb
    dec ecx
    jz .out
    test al, al
    jnz .copy
    rep stosb                   ; pad remainder with zeros (al == 0)
.out:
    mov eax, [ebp + 8]
    pop edi
    pop esi
    pop ebp
    ret

; int strcmp(const char *a, const char *b)
strcmp:
    push esi
    push edi
    mov esi, [esp + 12]
    mov edi, [esp + 16]
.next:
    mov al, [esi]
    mov dl, [edi]
    cmp al, dl
    jne .differ
    test al, al
    jz .equal
    inc esi
    inc edi
    jmp short .next
.differ:
    movzx eax, al
    movzx edx, dl
    sub eax, edx
    jmp short .ret
.equal:
    xor eax, eax
.ret:
    pop edi
    pop esi
    ret

; int memcmp(const void *a, const void *b, size_t n)
memcmp:
    push esi
    push edi
    mov esi, [esp + 12]
    mov edi, [esp + 16]
    mov ecx, [esp + 20]
    xor eax, eax
    repe cmpsb
    je .same
    movzx eax, byte [esi - 1]
    movzx ecx, byte [edi - 1]
    sub eax, ecx
.same:
    pop edi
    pop esi
    ret

; char *strchr(const char *s, int c)
strchr:
    mov eax, [esp + 4]
    mov cl, [esp + 8]
.scan:
    mov dl, [eax]
    cmp dl, cl
    je .hit
    test dl, dl
    jz .miss
    inc eax
    jmp .scan
.miss:
    xor eax, eax
.hit:
    ret

; char *strrchr(const char *s, int c)
strrchr:
    push ebx
    mov edx, [esp + 8]
    mov cl, [esp + 12]
    xor eax, eax
.scan:
    mov bl, [edx]
    cmp bl, cl
    jne .no
    mov eax, edx
.no:
    inc edx
    test bl, bl
    jnz .scan
    pop ebx
    ret

; void *memchr(const void *s, int c, size_t n)
memchr:
    push edi
    mov edi, [esp + 8]
    mov eax, [esp + 12]
    mov ecx, [esp + 16]
    test ecx, ecx
    jz .none
    repne scasb
    jne .none
    lea eax, [edi - 1]
    pop edi
    ret
.none:
    xor eax, eax
    pop edi
    ret

; void str_toupper(char *s)
str_toupper:
    mov edx, [esp + 4]
.loop:
    mov al, [edx]
    test al, al
    jz .end
    cmp al, 'a'
    jb .keep
    cmp al, 'z'
    ja .keep
    sub al, 'a' - 'A'
    mov [edx], al
.keep:
    inc edx
    jmp .loop
.end:
    ret

; void str_tolower(char *s)  -- branch-free variant with setcc
str_tolower:
    push ebx
    mov edx, [esp + 8]
.loop:
    movzx eax, byte [edx]
    test eax, eax
    jz .end
    lea ecx, [eax - 'A']
    cmp ecx, 'Z' - 'A' + 1
    setb bl
    shl bl, 5
    or al, bl
    mov [edx], al
    inc edx
    jmp .loop
.end:
    pop ebx
    ret

; int atoi(const char *s)
atoi:
    push esi
    push ebx
    mov esi, [esp + 12]
    xor eax, eax
    xor ebx, ebx                ; sign flag
.skip_ws:
    cmp byte [esi], ' '
    je .ws
    cmp byte [esi], `\t`
    jne .sign
.ws:
    inc esi
    jmp .skip_ws
.sign:
    cmp byte [esi], '-'
    jne .plus
    inc ebx
    inc esi
    jmp short .digits
.plus:
    cmp byte [esi], '+'
    jne .digits
    inc esi
.digits:
    movzx ecx, byte [esi]
    sub ecx, '0'
    cmp ecx, 9
    ja .finish
    imul eax, eax, 10
    add eax, ecx
    inc esi
    jmp .digits
.finish:
    test ebx, ebx
    jz .positive
    neg eax
.positive:
    pop ebx
    pop esi
    ret

section .data
export_table:
    dd strlen, strnlen, strcpy, strncpy, strcmp, memcmp
    dd strchr, strrchr, memchr, str_toupper, str_tolower, atoi
EXPORT_COUNT equ ($ - export_table) / 4
export_count: dd EXPORT_COUNT
