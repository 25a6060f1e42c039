// Model-specific registers of this CPU (RDMSR/WRMSR at CPL 0). The documented set:
//
//   0x10   IA32_TIME_STAMP_COUNTER  reads the TSC (virtual time + cpu.tscOffset); a write sets
//                                   the offset so the TSC continues from the value written.
//   0x174  IA32_SYSENTER_CS         bits 15:0 kept (SYSENTER/SYSEXIT derive CS and SS from it)
//   0x175  IA32_SYSENTER_ESP        bits 31:0 kept
//   0x176  IA32_SYSENTER_EIP        bits 31:0 kept
//
// Any other index raises #GP(0), for reads and writes alike (no APIC, MTRRs, machine check or
// performance-monitoring MSRs exist on this CPU model). The three SYSENTER MSRs are 0 at reset.
// Bits above those kept are dropped on write and read back as 0.
import type { Cpu } from './cpu.js';
import { CpuFault } from './fault.js';
import { VEC_GP } from './constants.js';

export const MSR_TSC = 0x10;
export const MSR_SYSENTER_CS = 0x174;
export const MSR_SYSENTER_ESP = 0x175;
export const MSR_SYSENTER_EIP = 0x176;

const KEPT: ReadonlyMap<number, bigint> = new Map([
  [MSR_SYSENTER_CS, 0xffffn],
  [MSR_SYSENTER_ESP, 0xffffffffn],
  [MSR_SYSENTER_EIP, 0xffffffffn],
]);

/** The time-stamp counter: virtual time plus the offset WRMSR to 0x10 installed, modulo 2^64. */
export function readTsc(cpu: Cpu): bigint {
  return BigInt.asUintN(64, BigInt(cpu.time) + BigInt(Math.trunc(cpu.tscOffset)));
}

/** True when `index` is an MSR of the documented set. */
export function msrExists(index: number): boolean {
  return index >>> 0 === MSR_TSC || KEPT.has(index >>> 0);
}

export function readMsr(cpu: Cpu, index: number): bigint {
  index >>>= 0;
  if (index === MSR_TSC) return readTsc(cpu);
  if (!KEPT.has(index)) throw new CpuFault(VEC_GP, 0);
  return cpu.msrs.get(index) ?? 0n;
}

export function writeMsr(cpu: Cpu, index: number, value: bigint): void {
  index >>>= 0;
  if (index === MSR_TSC) {
    // The offset is kept as a double: exact while |value − time| < 2^53.
    cpu.tscOffset = Number(BigInt.asIntN(64, BigInt.asUintN(64, value) - BigInt(cpu.time)));
    return;
  }
  const kept = KEPT.get(index);
  if (kept === undefined) throw new CpuFault(VEC_GP, 0);
  cpu.msrs.set(index, value & kept);
}

/** A 32-bit MSR value (SYSENTER_CS/ESP/EIP) as a number. */
export function msr32(cpu: Cpu, index: number): number {
  return Number((cpu.msrs.get(index) ?? 0n) & 0xffffffffn) >>> 0;
}
