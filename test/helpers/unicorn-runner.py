#!/usr/bin/python3
"""Runs short IA-32 code snippets on unicorn (Debian python3-unicorn) for the differential tests.

Run with /usr/bin/python3 (the interpreter Debian's python3-unicorn is installed for).

stdin:  a JSON array of cases, or one JSON case per line. A case:
          {"code": hex, "regs": [eax, ecx, edx, ebx, esp, ebp, esi, edi], "eflags": n,
           "data": [[offset, hex], ...], "max": n}
        "data" patches the data window. The window starts as the previous case's initial
        window (all zeros for the first case) unless the case says "dataFrom": "zero"; the
        sender uses this to send only what changed from one case to the next.
stdout: a JSON array of outcomes, in case order:
          {"regs": [...], "eflags": n, "eip": n, "fault": n or null,
           "data": [[offset, hex], ...]}
        where "data" lists the ranges of the data window that differ from the case's initial
        window, or {"error": text} when unicorn could not run the case at all (e.g. an access
        outside the mapped memory, which means the case generator is wrong).

Memory mirrors debug-adapter/src/cpu/snippet-types.ts: one RAM region from 0 to SNIPPET_STACK_TOP
holding the code at CODE_BASE, the data window at DATA_BASE and the stack below STACK_TOP; 32-bit
flat protected mode, ring 0, paging off. Execution runs from CODE_BASE to the end of the code. A
CPU exception stops the run before delivery: the outcome has the vector and the state at the
faulting instruction (unicorn reports #UD as an error, not an interrupt; it becomes vector 6).
"""
import json
import sys

try:
    from unicorn import Uc, UcError, UC_ARCH_X86, UC_MODE_32, UC_HOOK_INTR, UC_ERR_INSN_INVALID
    from unicorn import x86_const as X
except ImportError as e:  # pragma: no cover - reported to the TypeScript side
    sys.stderr.write(
        "unicorn-runner: cannot import unicorn (%s). Install it with: sudo apt-get install -y python3-unicorn\n" % e
    )
    sys.exit(3)

CODE_BASE = 0x1000
DATA_BASE = 0x10000
DATA_SIZE = 0x10000
STACK_TOP = 0x40000
RAM_SIZE = STACK_TOP  # 0 .. STACK_TOP, one region
STACK_AREA = DATA_BASE + DATA_SIZE  # cleared before every case, up to STACK_TOP
DEFAULT_MAX = 10000
CHUNK = 256

REGS = [X.UC_X86_REG_EAX, X.UC_X86_REG_ECX, X.UC_X86_REG_EDX, X.UC_X86_REG_EBX,
        X.UC_X86_REG_ESP, X.UC_X86_REG_EBP, X.UC_X86_REG_ESI, X.UC_X86_REG_EDI]
VECTOR_UD = 6


class Runner:
    def __init__(self):
        self.uc = Uc(UC_ARCH_X86, UC_MODE_32)
        self.uc.mem_map(0, RAM_SIZE)
        # The pristine CPU state, restored before every case. Besides the registers this resets
        # QEMU's "exception in flight" record: unicorn never delivers exceptions, so without the
        # restore a second #DE in the same process would be promoted to a double fault.
        self.context = self.uc.context_save()
        self.fault = None
        self.uc.hook_add(UC_HOOK_INTR, self._on_interrupt)
        self.code_len = 0
        self.window = bytes(DATA_SIZE)
        self.zero_stack = bytes(STACK_TOP - STACK_AREA)

    def _on_interrupt(self, uc, intno, _user):
        # Called with the state restored to the faulting instruction; record it before unicorn
        # moves EIP on, and stop.
        self.fault = (intno, self._state())
        uc.emu_stop()

    def _state(self):
        uc = self.uc
        return ([uc.reg_read(r) & 0xFFFFFFFF for r in REGS],
                uc.reg_read(X.UC_X86_REG_EFLAGS) & 0xFFFFFFFF,
                uc.reg_read(X.UC_X86_REG_EIP) & 0xFFFFFFFF)

    def run(self, case):
        uc = self.uc
        code = bytes.fromhex(case["code"])
        window = bytearray(bytes(DATA_SIZE) if case.get("dataFrom") == "zero" else self.window)
        for offset, text in case.get("data", []):
            chunk = bytes.fromhex(text)
            if offset < 0 or offset + len(chunk) > DATA_SIZE:
                raise ValueError("data patch outside the data window")
            window[offset:offset + len(chunk)] = chunk
        initial = bytes(window)
        self.window = initial

        uc.context_restore(self.context)
        if self.code_len > len(code):
            uc.mem_write(CODE_BASE + len(code), bytes(self.code_len - len(code)))
        uc.mem_write(CODE_BASE, code)
        self.code_len = len(code)
        uc.mem_write(DATA_BASE, initial)
        uc.mem_write(STACK_AREA, self.zero_stack)
        for reg, value in zip(REGS, case["regs"]):
            uc.reg_write(reg, value & 0xFFFFFFFF)
        uc.reg_write(X.UC_X86_REG_EFLAGS, case["eflags"] & 0xFFFFFFFF)

        self.fault = None
        vector = None
        try:
            uc.emu_start(CODE_BASE, CODE_BASE + len(code), count=case.get("max", DEFAULT_MAX))
            state = self._state()
        except UcError as e:
            if e.errno != UC_ERR_INSN_INVALID:
                return {"error": "%s at EIP 0x%x" % (e, uc.reg_read(X.UC_X86_REG_EIP))}
            vector, state = VECTOR_UD, self._state()
        if self.fault is not None:
            vector, state = self.fault
        regs, eflags, eip = state

        final = bytes(uc.mem_read(DATA_BASE, DATA_SIZE))
        return {"regs": regs, "eflags": eflags, "eip": eip, "fault": vector, "data": diff(initial, final)}


def diff(before, after):
    """Ranges (offset, hex) where `after` differs from `before`, at CHUNK granularity."""
    if before == after:
        return []
    out = []
    start = None
    for off in range(0, DATA_SIZE, CHUNK):
        same = before[off:off + CHUNK] == after[off:off + CHUNK]
        if not same and start is None:
            start = off
        elif same and start is not None:
            out.append([start, after[start:off].hex()])
            start = None
    if start is not None:
        out.append([start, after[start:].hex()])
    return out


def read_cases(text):
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def main():
    cases = read_cases(sys.stdin.read())
    runner = Runner()
    out = []
    for i, case in enumerate(cases):
        try:
            out.append(runner.run(case))
        except (KeyError, TypeError, ValueError) as e:
            out.append({"error": "malformed case %d: %s" % (i, e)})
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
