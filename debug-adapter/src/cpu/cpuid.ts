// What CPUID reports on this bare-metal CPU (no hypervisor intercept installed).
//
// Vendor "GenuineIntel": the model follows the Intel SDM (EXT bits in error codes, SMSW, the MSR
// numbers below), and guest software picks Intel-defined leaves and MSRs by this string.
// Leaf 0: maximum basic leaf 1.
// Leaf 1: EAX = 0x00000543 — family 5 (Pentium class), model 4, stepping 3, the same signature
//   the CPU leaves in EDX at reset. EBX = 0 (no brand index, CLFLUSH, APIC ID), ECX = 0.
//   EDX lists only what the CPU implements:
//     DE   (bit 2)  CR4.DE: DR4/DR5 raise #UD when it is set
//     PSE  (bit 3)  4 MiB pages with CR4.PSE
//     TSC  (bit 4)  RDTSC from the virtual clock, CR4.TSD
//     MSR  (bit 5)  RDMSR/WRMSR on the set in msr.ts
//     CX8  (bit 8)  CMPXCHG8B
//     SEP  (bit 11) SYSENTER/SYSEXIT and their MSRs
//     PGE  (bit 13) CR4.PGE accepted (global pages are flushed like the others, which the
//                   architecture allows)
//     CMOV (bit 15) CMOVcc
//   Not reported: FPU (no x87), VME (no virtual-8086 mode), PAE, MCE, APIC, MTRR, MCA, PAT,
//   PSE-36, MMX, FXSR, SSE and later.
// 0x80000000: maximum extended leaf 0x80000004. 0x80000001: all zero (no NX, no long mode).
// 0x80000002–0x80000004: the brand string "Hyperstep IA-32 virtual CPU", NUL-padded.
// Any other leaf returns the data of the highest basic leaf (leaf 1), as Intel processors do.

export const CPUID_VENDOR = 'GenuineIntel';
export const CPUID_SIGNATURE = 0x543;
export const CPUID_BRAND = 'Hyperstep IA-32 virtual CPU';

export const FEATURE_DE = 1 << 2;
export const FEATURE_PSE = 1 << 3;
export const FEATURE_TSC = 1 << 4;
export const FEATURE_MSR = 1 << 5;
export const FEATURE_CX8 = 1 << 8;
export const FEATURE_SEP = 1 << 11;
export const FEATURE_PGE = 1 << 13;
export const FEATURE_CMOV = 1 << 15;
export const CPUID_FEATURES_EDX =
  FEATURE_DE | FEATURE_PSE | FEATURE_TSC | FEATURE_MSR | FEATURE_CX8 | FEATURE_SEP | FEATURE_PGE | FEATURE_CMOV;

const MAX_BASIC = 1;
const MAX_EXTENDED = 0x80000004;

/** Four ASCII characters as a little-endian dword. */
function dword(text: string, at: number): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v |= (text.charCodeAt(at + i) || 0) << (8 * i);
  return v >>> 0;
}

const BRAND = CPUID_BRAND.padEnd(48, '\0');

/** The four result registers [EAX, EBX, ECX, EDX] for a leaf (ECX subleaf unused). */
export function cpuidLeaf(leaf: number): [number, number, number, number] {
  leaf >>>= 0;
  if (leaf === 0) return [MAX_BASIC, dword(CPUID_VENDOR, 0), dword(CPUID_VENDOR, 8), dword(CPUID_VENDOR, 4)];
  if (leaf === 0x80000000) return [MAX_EXTENDED, 0, 0, 0];
  if (leaf === 0x80000001) return [0, 0, 0, 0];
  if (leaf >= 0x80000002 && leaf <= 0x80000004) {
    const at = (leaf - 0x80000002) * 16;
    return [dword(BRAND, at), dword(BRAND, at + 4), dword(BRAND, at + 8), dword(BRAND, at + 12)];
  }
  return [CPUID_SIGNATURE, 0, 0, CPUID_FEATURES_EDX];
}
