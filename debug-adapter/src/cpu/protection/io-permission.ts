// I/O permission (SDM vol. 1 §19.5, vol. 3A §8.5.2): IN, OUT, INS and OUTS in protected mode
// at CPL > IOPL consult the I/O permission bitmap of the current 32-bit TSS.
import type { Cpu } from '../cpu.js';
import { CpuFault } from '../fault.js';
import { VEC_GP } from '../constants.js';

/** Offset of the 16-bit I/O map base field in a 32-bit TSS. */
const IOMAP_BASE_FIELD = 102;

/**
 * Raises #GP(0) unless the access of `size` bytes at `port` is allowed: always in real mode and
 * at CPL ≤ IOPL; otherwise the TR must hold a 32-bit TSS whose limit is at least 103, and every
 * bitmap bit of the accessed ports must be 0. The processor reads the two bitmap bytes holding
 * the first port's bit, so both must lie within the TSS limit (which is why a bitmap ends with an
 * extra 0xFF byte).
 */
export function checkIoPermission(cpu: Cpu, port: number, size: number): void {
  if (!cpu.protectedMode || cpu.cpl <= cpu.iopl) return;
  if (!ioBitmapAllows(cpu, port, size)) throw new CpuFault(VEC_GP, 0);
}

export function ioBitmapAllows(cpu: Cpu, port: number, size: number): boolean {
  const type = cpu.trAttr & 0xf;
  if ((type !== 9 && type !== 0xb) || (cpu.trAttr & 0x80) === 0 || cpu.trLimit < 103) return false;
  const base = cpu.readSystem16((cpu.trBase + IOMAP_BASE_FIELD) >>> 0);
  const at = base + ((port & 0xffff) >>> 3);
  if (at + 1 > cpu.trLimit) return false;
  const bits = cpu.readSystem16((cpu.trBase + at) >>> 0) >>> (port & 7);
  return (bits & ((1 << size) - 1)) === 0;
}
