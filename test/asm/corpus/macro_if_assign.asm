; macro_if_assign.asm - preprocessor arithmetic and conditionals: %assign
; counters in %rep loops (single and nested), tables computed at assembly
; time (powers of two, Fibonacci, primes by trial division, squares, a
; log2 table), %if/%elif/%else chains over counters using every comparison
; and logical operator (== != < <= > >= <> && || ^^ !), %ifdef/%ifndef on
; defines made earlier in the file, and configuration-driven code paths.

bits 32
org 0x00070000

%define CONFIG_SMP
%define CONFIG_MAX_CPUS 8
%define CONFIG_DEBUG 1

section .data
pow2:
%assign p 1
%rep 16
    dd p
%assign p p * 2
%endrep

fib:
%assign a 0
%assign b 1
%rep 20
    dd a
  %assign t a + b
  %assign a b
  %assign b t
%endrep

primes:
%assign n 2
%assign found 0
%rep 60
  %assign is_prime 1
  %assign d 2
  %rep 8
    %if d * d <= n && n % d == 0
      %assign is_prime 0
    %endif
    %assign d d + 1
  %endrep
  %if is_prime
    dw n
    %assign found found + 1
  %endif
  %assign n n + 1
%endrep
PRIME_COUNT equ found

squares:
%assign i 0
%rep 12
    dw i * i
%assign i i + 1
%endrep

; floor(log2(i)) for i = 1..32, 0xFF for i = 0
log2_table:
    db 0xFF
%assign i 1
%rep 32
  %assign l 0
  %assign v i
  %rep 6
    %if v > 1
      %assign v v / 2
      %assign l l + 1
    %endif
  %endrep
    db l
%assign i i + 1
%endrep

; classification using every comparison operator
classify:
%assign i 0
%rep 10
  %if i == 0
    db 'z'
  %elif i < 2
    db 'o'
  %elif i <= 3
    db 's'
  %elif i >= 8 && i != 9
    db 'e'
  %elif i > 8
    db 'n'
  %elif i <> 5 && i <> 6
    db 'm'
  %else
    db 'f'
  %endif
%assign i i + 1
%endrep

; logical operators
logic:
%assign x 5
%assign y 0
%if x || y
    db 1
%endif
%if x && y
    db 2
%else
    db 3
%endif
%if x ^^ y
    db 4
%endif
%if (x ^^ 1)
    db 5
%else
    db 6
%endif
%if !y
    db 7
%endif
%if !(x > 3 && x < 10)
    db 8
%else
    db 9
%endif
%if (x & 1) == 1 || (x % 2) == 1
    db 10
%endif
%if x - 5
    db 11
%elif y
    db 12
%else
    db 13
%endif

section .text
%ifdef CONFIG_SMP
  %if CONFIG_MAX_CPUS > 1
start_aps:
    %assign cpu 1
    %rep CONFIG_MAX_CPUS - 1
    mov eax, cpu
    call start_ap
    %assign cpu cpu + 1
    %endrep
    ret
  %endif
%else
start_aps:
    ret
%endif

start_ap:
%ifndef CONFIG_NO_APIC
    mov edx, 0xFEE00300
    mov [edx], eax
%endif
%ifdef CONFIG_UNDEFINED_OPTION
    ud2
%endif
%if CONFIG_DEBUG
    out 0xE9, al
%endif
    ret

counts:
    dd PRIME_COUNT
%if PRIME_COUNT <> 18
    dd -1
%endif
