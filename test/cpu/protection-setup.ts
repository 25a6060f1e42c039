// A small protected-mode machine for the protection tests: GDT, IDT and TSS built in memory,
// a generic exception handler in assembly that records what it was given, and the test's own
// code assembled after it. Memory map (physical = linear, no paging unless a test enables it):
//   0x0800 GDT (256 entries)    0x1000 IDT (256 gates)     0x3000 TSS (32-bit, I/O bitmap at +104)
//   0x7000 ring-3 stack top      0x8000 initial ring-0 stack top     0x9000 TSS ESP0
//   0x10000 code (org)
import { expect } from 'vitest';
import { assemble } from '../../debug-adapter/src/asm/index.js';
import { Cpu } from '../../debug-adapter/src/cpu/cpu.js';
import { memoryOnlyBus } from '../../debug-adapter/src/cpu/bus.js';
import { PhysicalMemory } from '../../debug-adapter/src/machine/memory.js';
import { CR0_ET, CR0_PE, CS, DS, ES, FS, GS, SS, FLAG_FIXED1 } from '../../debug-adapter/src/cpu/constants.js';

export const GDT = 0x800;
export const IDT = 0x1000;
export const TSS = 0x3000;
export const ORG = 0x10000;
export const USER_STACK = 0x7000;
export const KERNEL_STACK = 0x8000;
export const TSS_ESP0 = 0x9000;
export const IOMAP = 104;
export const IOMAP_BYTES = 128;

export const SEL_CODE0 = 0x08;
export const SEL_DATA0 = 0x10;
export const SEL_CODE3 = 0x1b;
export const SEL_DATA3 = 0x23;
export const SEL_TSS = 0x28;
/** First spare GDT slot (index 6); tests fill 0x30, 0x38, ... */
export const SEL_SPARE = 0x30;

/** Access bytes (P, DPL, S, type). */
export const CODE0 = 0x9a;
export const DATA0 = 0x92;
export const CODE3 = 0xfa;
export const DATA3 = 0xf2;

/** A code/data/system descriptor: base, byte limit (G is set for limits above 1 MiB), access byte, flags nibble. */
export function segDescriptor(base: number, limit: number, access: number, flags = 0x4): [number, number] {
  let raw = limit;
  let f = flags;
  if (limit > 0xfffff) {
    raw = limit >>> 12;
    f |= 0x8;
  }
  const lo = ((raw & 0xffff) | ((base & 0xffff) << 16)) >>> 0;
  const hi = (((base >>> 16) & 0xff) | (access << 8) | (raw & 0xf0000) | (f << 20) | (base & 0xff000000)) >>> 0;
  return [lo, hi];
}

/** A gate: type 0xE/0xF (32-bit interrupt/trap), 6/7 (16-bit), 0xC/4 (call gate), 5 (task gate). */
export function gateDescriptor(selector: number, offset: number, type: number, dpl: number, params = 0, present = true): [number, number] {
  const lo = ((offset & 0xffff) | (selector << 16)) >>> 0;
  const hi = ((offset & 0xffff0000) | (present ? 0x8000 : 0) | (dpl << 13) | (type << 8) | (params & 0x1f)) >>> 0;
  return [lo, hi];
}

const ERROR_CODE_VECTORS = new Set([8, 10, 11, 12, 13, 14, 17]);

function prologue(): string {
  const stubs: string[] = [];
  for (let v = 0; v < 32; v++) {
    stubs.push(`vec_${v}:`);
    if (!ERROR_CODE_VECTORS.has(v)) stubs.push('  push dword 0');
    stubs.push(`  push dword ${v}`, '  jmp fault_common');
  }
  return `bits 32
org ${ORG}
entry:
  lgdt [gdtr]
  lidt [idtr]
  jmp ${SEL_CODE0}:.reload
.reload:
  mov ax, ${SEL_DATA0}
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  mov ss, ax
  mov esp, ${KERNEL_STACK}
  mov ax, ${SEL_TSS}
  ltr ax
  jmp main

; Records vector, error code and the interrupted CS:EIP, EFLAGS (and SS:ESP when the frame
; has them), then halts with interrupts off.
fault_common:
  pop dword [ss:fault_vec]
  pop dword [ss:fault_err]
  pop dword [ss:fault_eip]
  pop dword [ss:fault_cs]
  pop dword [ss:fault_flags]
  mov [ss:fault_esp_after], esp
  cli
  hlt
${stubs.join('\n')}

align 4
gdtr: dw ${256 * 8 - 1}
      dd ${GDT}
idtr: dw ${256 * 8 - 1}
      dd ${IDT}
fault_vec: dd -1
fault_err: dd -1
fault_eip: dd -1
fault_cs: dd -1
fault_flags: dd -1
fault_esp_after: dd -1
`;
}

export interface Fault {
  vector: number;
  error: number;
  eip: number;
  cs: number;
  eflags: number;
}

export class Machine {
  readonly memory = new PhysicalMemory(1 << 22);
  readonly cpu: Cpu;
  readonly symbols = new Map<string, number>();

  constructor(source: string) {
    const r = assemble(prologue() + source, { fileName: 'protection.asm' });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    this.memory.writeBytes(ORG, r.bytes);
    for (const s of r.symbols) this.symbols.set(s.name, Number(s.value));
    this.cpu = new Cpu(memoryOnlyBus(this.memory));
    const cpu = this.cpu;
    // Flat 32-bit ring 0 with no tables: the prologue loads the real ones.
    cpu.cr0 = CR0_ET | CR0_PE;
    for (const seg of [ES, SS, DS, FS, GS]) cpu.setSegmentCache(seg, 0x10, 0, 0xffffffff, 0xcf93);
    cpu.setSegmentCache(CS, 0x08, 0, 0xffffffff, 0xcf9b);
    cpu.modeChanged();
    cpu.setEflags(FLAG_FIXED1);
    cpu.eip = ORG;
    cpu.r32[4] = KERNEL_STACK;

    this.setDescriptor(1, segDescriptor(0, 0xffffffff, CODE0));
    this.setDescriptor(2, segDescriptor(0, 0xffffffff, DATA0));
    this.setDescriptor(3, segDescriptor(0, 0xffffffff, CODE3));
    this.setDescriptor(4, segDescriptor(0, 0xffffffff, DATA3));
    this.setDescriptor(5, segDescriptor(TSS, IOMAP + IOMAP_BYTES, 0x89, 0));
    this.w32(TSS + 4, TSS_ESP0);
    this.w32(TSS + 8, SEL_DATA0);
    this.w16(TSS + 102, IOMAP);
    for (let i = 0; i < IOMAP_BYTES; i++) this.memory.write8(TSS + IOMAP + i, 0xff);
    this.memory.write8(TSS + IOMAP + IOMAP_BYTES, 0xff);
    for (let v = 0; v < 32; v++) {
      const stub = this.symbols.get(`vec_${v}`);
      if (stub !== undefined) this.setGate(v, gateDescriptor(SEL_CODE0, stub, 0xe, 0));
    }
  }

  sym(name: string): number {
    const v = this.symbols.get(name);
    if (v === undefined) throw new Error(`no symbol ${name}`);
    return v;
  }

  w8(addr: number, v: number): void {
    this.memory.write8(addr, v & 0xff);
  }

  w16(addr: number, v: number): void {
    this.memory.write16(addr, v & 0xffff);
  }

  w32(addr: number, v: number): void {
    this.memory.write32(addr, v >>> 0);
  }

  r32(addr: number): number {
    return this.memory.read32(addr) >>> 0;
  }

  r16(addr: number): number {
    return this.memory.read16(addr);
  }

  setDescriptor(index: number, [lo, hi]: [number, number]): void {
    this.w32(GDT + index * 8, lo);
    this.w32(GDT + index * 8 + 4, hi);
  }

  descriptorHigh(index: number): number {
    return this.r32(GDT + index * 8 + 4);
  }

  setGate(vector: number, [lo, hi]: [number, number]): void {
    this.w32(IDT + vector * 8, lo);
    this.w32(IDT + vector * 8 + 4, hi);
  }

  /** Allows (true) or forbids the ports in the TSS I/O bitmap. */
  allowPorts(first: number, count: number, allow = true): void {
    for (let p = first; p < first + count; p++) {
      const at = TSS + IOMAP + (p >>> 3);
      const byte = this.memory.read8(at);
      this.memory.write8(at, allow ? byte & ~(1 << (p & 7)) : byte | (1 << (p & 7)));
    }
  }

  /** The first exception delivered after this call, caught before the IDT is consulted. */
  caught: Fault | null = null;

  /**
   * Stops the run at the next exception instead of delivering it (for faults whose own delivery
   * would fault again, such as a bad ring-0 stack in the TSS).
   */
  catchExceptions(skip = 0): void {
    let seen = 0;
    this.cpu.intercepts = {
      event: (cpu, vector, error, kind) => {
        if (kind !== 'exception' || this.caught !== null || seen++ < skip) return 'native';
        this.caught = { vector, error, eip: cpu.eip, cs: cpu.segSel[CS], eflags: cpu.getEflags() };
        cpu.halted = true;
        cpu.setEflags(cpu.getEflags() & ~0x200);
        cpu.attention = true;
        return 'handled';
      },
    };
  }

  run(budget = 100_000): string {
    return this.cpu.run(this.cpu.retired + budget);
  }

  /** The exception the generic handler recorded, or null when none reached it. */
  get fault(): Fault | null {
    const vector = this.r32(this.sym('fault_vec'));
    if (vector === 0xffffffff) return null;
    return {
      vector,
      error: this.r32(this.sym('fault_err')),
      eip: this.r32(this.sym('fault_eip')),
      cs: this.r32(this.sym('fault_cs')) & 0xffff,
      eflags: this.r32(this.sym('fault_flags')),
    };
  }
}

/** Assembly that drops to ring 3 at `label` with the flat DPL-3 code and data segments. */
export function toRing3(label: string, eflags = 0x202): string {
  return `
  push dword ${SEL_DATA3}
  push dword ${USER_STACK}
  push dword ${eflags}
  push dword ${SEL_CODE3}
  push dword ${label}
  iretd`;
}
