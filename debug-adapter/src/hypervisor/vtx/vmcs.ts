// The virtual-machine control structure of the vt-x technique: every field of the reference §1.3
// with its SDM encoding and the name Linux's vmx.h gives it, stored by encoding.
//
// Encoding layout (SDM appendix B): bit 0 = access to the high half of a 64-bit field, bits 9:1 =
// index, bits 11:10 = type (0 control, 1 read-only exit information, 2 guest state, 3 host
// state), bits 14:13 = width (0 16-bit, 1 64-bit, 2 32-bit, 3 natural width).
//
// Storage: one 32-bit slot per encoding (a 32-bit guest has no use for the upper half of natural-
// width fields); a 64-bit field has two slots, its full encoding (low half) and encoding|1 (high
// half), exactly as VMREAD of the "high" encoding sees it in 32-bit mode. Slots are dense so the
// exit path writes a typed array, not a map.

export type VmcsWidth = 16 | 32 | 64 | 'natural';
export type VmcsGroup = 'control' | 'exit-info' | 'guest' | 'host';

export interface VmcsFieldInfo {
  name: string;
  encoding: number;
  width: VmcsWidth;
  group: VmcsGroup;
}

const SEGMENTS = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'LDTR', 'TR'] as const;

function widthOf(encoding: number): VmcsWidth {
  switch ((encoding >>> 13) & 3) {
    case 0:
      return 16;
    case 1:
      return 64;
    case 2:
      return 32;
    default:
      return 'natural';
  }
}

function groupOf(encoding: number): VmcsGroup {
  return (['control', 'exit-info', 'guest', 'host'] as const)[(encoding >>> 10) & 3];
}

const RAW: [string, number][] = [
  // 16-bit control, guest, host
  ['VIRTUAL_PROCESSOR_ID', 0x0000],
  ...SEGMENTS.map((s, i): [string, number] => [`GUEST_${s}_SELECTOR`, 0x0800 + 2 * i]),
  ['HOST_ES_SELECTOR', 0x0c00], ['HOST_CS_SELECTOR', 0x0c02], ['HOST_SS_SELECTOR', 0x0c04],
  ['HOST_DS_SELECTOR', 0x0c06], ['HOST_FS_SELECTOR', 0x0c08], ['HOST_GS_SELECTOR', 0x0c0a],
  ['HOST_TR_SELECTOR', 0x0c0c],
  // 64-bit control
  ['IO_BITMAP_A', 0x2000], ['IO_BITMAP_B', 0x2002], ['MSR_BITMAP', 0x2004],
  ['VM_EXIT_MSR_STORE_ADDR', 0x2006], ['VM_EXIT_MSR_LOAD_ADDR', 0x2008], ['VM_ENTRY_MSR_LOAD_ADDR', 0x200a],
  ['TSC_OFFSET', 0x2010], ['VIRTUAL_APIC_PAGE_ADDR', 0x2012], ['APIC_ACCESS_ADDR', 0x2014],
  ['EPT_POINTER', 0x201a], ['TERTIARY_VM_EXEC_CONTROL', 0x2034],
  // 64-bit exit information, guest
  ['GUEST_PHYSICAL_ADDRESS', 0x2400],
  ['VMCS_LINK_POINTER', 0x2800], ['GUEST_IA32_DEBUGCTL', 0x2802], ['GUEST_IA32_PAT', 0x2804],
  ['GUEST_IA32_EFER', 0x2806], ['GUEST_PDPTR0', 0x280a], ['GUEST_PDPTR1', 0x280c],
  ['GUEST_PDPTR2', 0x280e], ['GUEST_PDPTR3', 0x2810],
  // 32-bit control
  ['PIN_BASED_VM_EXEC_CONTROL', 0x4000], ['CPU_BASED_VM_EXEC_CONTROL', 0x4002],
  ['EXCEPTION_BITMAP', 0x4004], ['PAGE_FAULT_ERROR_CODE_MASK', 0x4006],
  ['PAGE_FAULT_ERROR_CODE_MATCH', 0x4008], ['CR3_TARGET_COUNT', 0x400a],
  ['VM_EXIT_CONTROLS', 0x400c], ['VM_EXIT_MSR_STORE_COUNT', 0x400e], ['VM_EXIT_MSR_LOAD_COUNT', 0x4010],
  ['VM_ENTRY_CONTROLS', 0x4012], ['VM_ENTRY_MSR_LOAD_COUNT', 0x4014],
  ['VM_ENTRY_INTR_INFO_FIELD', 0x4016], ['VM_ENTRY_EXCEPTION_ERROR_CODE', 0x4018],
  ['VM_ENTRY_INSTRUCTION_LEN', 0x401a], ['TPR_THRESHOLD', 0x401c],
  ['SECONDARY_VM_EXEC_CONTROL', 0x401e], ['PLE_GAP', 0x4020], ['PLE_WINDOW', 0x4022],
  // 32-bit exit information
  ['VM_INSTRUCTION_ERROR', 0x4400], ['VM_EXIT_REASON', 0x4402], ['VM_EXIT_INTR_INFO', 0x4404],
  ['VM_EXIT_INTR_ERROR_CODE', 0x4406], ['IDT_VECTORING_INFO_FIELD', 0x4408],
  ['IDT_VECTORING_ERROR_CODE', 0x440a], ['VM_EXIT_INSTRUCTION_LEN', 0x440c],
  ['VMX_INSTRUCTION_INFO', 0x440e],
  // 32-bit guest
  ...SEGMENTS.map((s, i): [string, number] => [`GUEST_${s}_LIMIT`, 0x4800 + 2 * i]),
  ['GUEST_GDTR_LIMIT', 0x4810], ['GUEST_IDTR_LIMIT', 0x4812],
  ...SEGMENTS.map((s, i): [string, number] => [`GUEST_${s}_AR_BYTES`, 0x4814 + 2 * i]),
  ['GUEST_INTERRUPTIBILITY_INFO', 0x4824], ['GUEST_ACTIVITY_STATE', 0x4826], ['GUEST_SMBASE', 0x4828],
  ['GUEST_SYSENTER_CS', 0x482a], ['VMX_PREEMPTION_TIMER_VALUE', 0x482e],
  ['HOST_IA32_SYSENTER_CS', 0x4c00],
  // natural-width control
  ['CR0_GUEST_HOST_MASK', 0x6000], ['CR4_GUEST_HOST_MASK', 0x6002], ['CR0_READ_SHADOW', 0x6004],
  ['CR4_READ_SHADOW', 0x6006], ['CR3_TARGET_VALUE0', 0x6008], ['CR3_TARGET_VALUE1', 0x600a],
  ['CR3_TARGET_VALUE2', 0x600c], ['CR3_TARGET_VALUE3', 0x600e],
  // natural-width exit information
  ['EXIT_QUALIFICATION', 0x6400], ['EXIT_IO_RCX', 0x6402], ['EXIT_IO_RSI', 0x6404],
  ['EXIT_IO_RDI', 0x6406], ['EXIT_IO_RIP', 0x6408], ['GUEST_LINEAR_ADDRESS', 0x640a],
  // natural-width guest
  ['GUEST_CR0', 0x6800], ['GUEST_CR3', 0x6802], ['GUEST_CR4', 0x6804],
  ...SEGMENTS.map((s, i): [string, number] => [`GUEST_${s}_BASE`, 0x6806 + 2 * i]),
  ['GUEST_GDTR_BASE', 0x6816], ['GUEST_IDTR_BASE', 0x6818], ['GUEST_DR7', 0x681a],
  ['GUEST_RSP', 0x681c], ['GUEST_RIP', 0x681e], ['GUEST_RFLAGS', 0x6820],
  ['GUEST_PENDING_DBG_EXCEPTIONS', 0x6822], ['GUEST_SYSENTER_ESP', 0x6824], ['GUEST_SYSENTER_EIP', 0x6826],
  // natural-width host
  ['HOST_CR0', 0x6c00], ['HOST_CR3', 0x6c02], ['HOST_CR4', 0x6c04], ['HOST_FS_BASE', 0x6c06],
  ['HOST_GS_BASE', 0x6c08], ['HOST_TR_BASE', 0x6c0a], ['HOST_GDTR_BASE', 0x6c0c],
  ['HOST_IDTR_BASE', 0x6c0e], ['HOST_IA32_SYSENTER_ESP', 0x6c10], ['HOST_IA32_SYSENTER_EIP', 0x6c12],
  ['HOST_RSP', 0x6c14], ['HOST_RIP', 0x6c16],
];

/** Every field, in encoding order. */
export const VMCS_FIELDS: readonly VmcsFieldInfo[] = RAW.map(([name, encoding]) => ({
  name,
  encoding,
  width: widthOf(encoding),
  group: groupOf(encoding),
})).sort((a, b) => a.encoding - b.encoding);

const BY_NAME = new Map<string, VmcsFieldInfo>(VMCS_FIELDS.map((f) => [f.name, f]));
const BY_ENCODING = new Map<number, VmcsFieldInfo>(VMCS_FIELDS.map((f) => [f.encoding, f]));

/** Dense slot of each accessible encoding (64-bit fields have a second slot at encoding|1). */
const SLOTS = new Map<number, number>();
for (const f of VMCS_FIELDS) {
  SLOTS.set(f.encoding, SLOTS.size);
  if (f.width === 64) SLOTS.set(f.encoding | 1, SLOTS.size);
}
const SLOT_COUNT = SLOTS.size;

export function vmcsField(nameOrEncoding: string | number): VmcsFieldInfo {
  const f = typeof nameOrEncoding === 'number' ? BY_ENCODING.get(nameOrEncoding) : BY_NAME.get(nameOrEncoding.toUpperCase());
  if (f === undefined) {
    const what = typeof nameOrEncoding === 'number' ? `0x${nameOrEncoding.toString(16)}` : `'${nameOrEncoding}'`;
    throw new Error(`unknown VMCS field ${what}`);
  }
  return f;
}

/** The slot of an encoding, for the exit path's direct stores. */
export function vmcsSlot(encoding: number): number {
  const s = SLOTS.get(encoding);
  if (s === undefined) throw new Error(`unknown VMCS field encoding 0x${encoding.toString(16)}`);
  return s;
}

/** Field encodings by Linux name, for readable code (F.VM_EXIT_REASON = 0x4402 ...). */
export const F = Object.fromEntries(VMCS_FIELDS.map((f) => [f.name, f.encoding])) as Record<string, number>;

function mask(width: VmcsWidth): number {
  return width === 16 ? 0xffff : 0xffffffff;
}

export class Vmcs {
  /** Field values by slot (32 bits each; see the storage note above). */
  readonly slots = new Uint32Array(SLOT_COUNT);

  /** Reads a field by name or encoding (the low 32 bits of a 64-bit field; encoding|1 reads its high half). */
  read(field: string | number): number {
    const enc = typeof field === 'number' ? field : vmcsField(field).encoding;
    return this.slots[vmcsSlot(enc)];
  }

  write(field: string | number, value: number): void {
    const enc = typeof field === 'number' ? field : vmcsField(field).encoding;
    const info = BY_ENCODING.get(enc & ~1);
    this.slots[vmcsSlot(enc)] = (value & (info === undefined || (enc & 1) !== 0 ? 0xffffffff : mask(info.width))) >>> 0;
  }

  read64(field: string | number): bigint {
    const enc = typeof field === 'number' ? field : vmcsField(field).encoding;
    const info = vmcsField(enc);
    const lo = BigInt(this.slots[vmcsSlot(enc)]);
    return info.width === 64 ? (BigInt(this.slots[vmcsSlot(enc | 1)]) << 32n) | lo : lo;
  }

  write64(field: string | number, value: bigint): void {
    const enc = typeof field === 'number' ? field : vmcsField(field).encoding;
    const info = vmcsField(enc);
    this.slots[vmcsSlot(enc)] = Number(value & 0xffffffffn) & mask(info.width);
    if (info.width === 64) this.slots[vmcsSlot(enc | 1)] = Number((value >> 32n) & 0xffffffffn);
  }

  /** Every field with its value (64-bit fields as one bigint), for the debugger's VMCS view. */
  dump(): { name: string; encoding: number; group: VmcsGroup; width: VmcsWidth; value: number | bigint }[] {
    return VMCS_FIELDS.map((f) => ({
      name: f.name,
      encoding: f.encoding,
      group: f.group,
      width: f.width,
      value: f.width === 64 ? this.read64(f.encoding) : this.read(f.encoding),
    }));
  }
}
