; macro_define.asm - single-line macros: object-like %define of numbers,
; registers, memory operands and whole instructions; function-like %define
; with one to four parameters; nested expansion (defines that use other
; defines, expanded lazily at the point of use); redefinition with a new
; value; overloading by parameter count; defines inside %if conditions.

bits 32
org 0x00060000

%define PAGE_SIZE       4096
%define PAGE_SHIFT      12
%define PAGE_MASK       (~(PAGE_SIZE - 1))
%define ACC             eax
%define COUNTER         ecx
%define FRAME_ARG(n)    [ebp + 8 + (n) * 4]
%define FRAME_LOCAL(n)  [ebp - 4 - (n) * 4]
%define PAGES(bytes)    (((bytes) + PAGE_SIZE - 1) >> PAGE_SHIFT)
%define PAGE_ALIGN(x)   (((x) + PAGE_SIZE - 1) & PAGE_MASK)
%define LOW_BYTE(x)     ((x) & 0xFF)
%define MAKE_WORD(h, l) ((LOW_BYTE(h) << 8) | LOW_BYTE(l))
%define BITS_(hi, lo)   (((1 << ((hi) - (lo) + 1)) - 1) << (lo))
%define FIELD(v, hi, lo) (((v) & BITS_(hi, lo)) >> (lo))
%define RGB565(r, g, b, unused) ((((r) >> 3) << 11) | (((g) >> 2) << 5) | ((b) >> 3))
%define RETURN_ZERO     xor eax, eax
%define VERSION_MAJOR   2
%define VERSION_MINOR   7
%define VERSION         ((VERSION_MAJOR << 8) | VERSION_MINOR)

; overloaded by parameter count
%define SCALE(x)        ((x) * 2)
%define SCALE(x, f)     ((x) * (f))

; nested use: a define that calls a function-like define
%define KERNEL_PAGES    PAGES(KERNEL_BYTES)
KERNEL_BYTES equ 0x12345

section .text
func:
    push ebp
    mov ebp, esp
    sub esp, 8
    mov ACC, FRAME_ARG(0)
    mov COUNTER, FRAME_ARG(1)
    mov FRAME_LOCAL(0), ACC
    mov FRAME_LOCAL(1), COUNTER
    add ACC, FRAME_ARG(2)
    and ACC, PAGE_MASK
    shr ACC, PAGE_SHIFT
    mov edx, PAGES(0x3001)
    mov edx, PAGE_ALIGN(0x3001)
    mov edx, KERNEL_PAGES
    mov esi, SCALE(5)
    mov edi, SCALE(5, 7)
    mov eax, FIELD(0xABCD1234, 15, 8)
    mov ax, RGB565(0xFF, 0x80, 0x40, 0)
    RETURN_ZERO
    leave
    ret

; redefinition: later uses see the new value
%define LIMIT 10
limit_a: mov eax, LIMIT
%define LIMIT 20
limit_b: mov eax, LIMIT
%define LIMIT LIMIT_BASE + 5
LIMIT_BASE equ 100
limit_c: mov eax, LIMIT

; defines in %if conditions
%define FEATURE_SERIAL 1
%define FEATURE_VGA    0
%if FEATURE_SERIAL && !FEATURE_VGA
serial_only:
    mov dx, 0x3F8
    out dx, al
%elif FEATURE_VGA
vga_only:
    mov [0xB8000], al
%else
no_output:
    nop
%endif

%if VERSION >= 0x0205
    mov eax, VERSION
%else
    mov eax, 0                  ; not assembled
%endif

section .data
sizes:
    dd PAGE_SIZE, PAGE_MASK, PAGES(1), PAGES(4096), PAGES(4097)
    dd PAGE_ALIGN(1), PAGE_ALIGN(0x1000), PAGE_ALIGN(0x1001)
    dd BITS_(7, 4), BITS_(31, 31), FIELD(0x12345678, 23, 16)
    dd SCALE(PAGES(8192)), SCALE(PAGES(1), 3), SCALE(3, PAGE_SHIFT)
    dw VERSION, RGB565(255, 255, 255, 0), RGB565(0, 0, 0, 0)
    dw MAKE_WORD(0x1234, 0x5678), MAKE_WORD('H', 'S')
    dd KERNEL_PAGES, LIMIT
