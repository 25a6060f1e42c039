; %str(...) quotes its argument, at top level and when a macro passes its parameters on.
bits 32
%macro SHOW 1+
  db %1, 0
%endmacro
%macro PAIR 2
  SHOW {"x ", %str(%1), "*", %str(%2)}
%endmacro
PAIR 0x10, 0xff
PAIR eax, [ebx + 4]
db %str(abc def)
db %str(1, 2), 0
