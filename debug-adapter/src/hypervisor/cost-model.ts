// Modelled costs in CPU cycles. These are teaching figures, not measurements of this machine:
// each default says where its order of magnitude comes from, or that it is an assumption.
// Every value can be overridden per run.

export interface CostModel {
  /** One guest instruction executed directly (native, or guest code under any technique). */
  instruction: number;
  /** VT-x VM exit plus VM entry round trip (hardware only, no handling). */
  vmexitRoundTrip: number;
  /** A fault taken to a trap-and-emulate VMM and the IRET back (ring transitions only). */
  trapRoundTrip: number;
  /** Decoding and emulating one instruction in the VMM. */
  emulateInstruction: number;
  /** Emulating a port access to a device model. */
  deviceAccess: number;
  /** Reflecting an exception or interrupt into the guest (building its frame, virtual IDT lookup). */
  reflectEvent: number;
  /** A paravirtual hypercall round trip (int 0x82 and the return). */
  hypercallRoundTrip: number;
  /** A binary-translation callout (no ring change: a call into VMM code). */
  calloutRoundTrip: number;
  /** Translating one guest instruction into the translation cache. */
  translateInstruction: number;
}

export const DEFAULT_COSTS: Readonly<CostModel> = {
  instruction: 1, // assumption: one cycle per instruction, the same clock as the virtual TSC
  // Adams & Agesen, "A Comparison of Software and Hardware Techniques for x86 Virtualization"
  // (ASPLOS 2006) measured ~1,500 cycles for a VM exit/entry round trip on first-generation VT-x
  // (Pentium 4); later generations are in the hundreds. We take the order of magnitude.
  vmexitRoundTrip: 1500,
  // Assumption: an exception through a gate plus IRET on a Pentium-class CPU, a few hundred cycles.
  trapRoundTrip: 400,
  // Assumption: decode + emulate in a software VMM.
  emulateInstruction: 200,
  // Assumption: a simple device model (UART, PIC, PIT register).
  deviceAccess: 300,
  // Assumption: building the guest's exception frame in software.
  reflectEvent: 300,
  // Assumption: int 0x82 + iret through the hypervisor, like a trap round trip.
  hypercallRoundTrip: 400,
  // Adams & Agesen report binary-translated privileged instructions costing tens of cycles.
  calloutRoundTrip: 40,
  // Assumption: a translator spends a few hundred cycles per guest instruction.
  translateInstruction: 300,
};

export type CostOverrides = Partial<CostModel>;

export function costModel(overrides: CostOverrides = {}): CostModel {
  const model = { ...DEFAULT_COSTS };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in model)) {
      throw new Error(`unknown cost '${key}' (known: ${Object.keys(DEFAULT_COSTS).join(', ')})`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`cost '${key}' must be a non-negative number`);
    }
    model[key as keyof CostModel] = value;
  }
  return model;
}
