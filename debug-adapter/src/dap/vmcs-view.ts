// The scope "VMCS" (technique vt-x): the fields in four groups (guest state, host state, controls,
// exit information) by name with their encodings; control fields with one child per bit, and the
// structured exit-information fields decoded. Control fields and bits can be set: the write goes
// through the VMM (VtxHypervisor.writeControl), which refuses read-only and unmodelled fields.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Engine } from '../engine/engine.js';
import { exceptionName } from '../cpu/constants.js';
import { VtxHypervisor } from '../hypervisor/vtx/vtx.js';
import { F, VMCS_FIELDS, type VmcsFieldInfo, type VmcsGroup } from '../hypervisor/vtx/vmcs.js';
import { ENTRY_DEFAULT1, EXIT_DEFAULT1, ON_OFF_CONTROLS, PIN_DEFAULT1, PRIMARY_DEFAULT1 } from '../hypervisor/vtx/controls.js';
import { EXIT_REASON_NAMES } from '../hypervisor/vtx/exits.js';
import { DapError, ErrorId } from './errors.js';
import { hex } from './format.js';
import { decodeQualification, type ExitField } from './exit-record.js';
import { CR0_BITS, CR4_BITS } from './registers-view.js';
import { num, variable, type BitName, type Format, type SetVariableBody, type View } from './base-view.js';

const REF_VMCS = 100;
const REF_GROUP = 101; // + group index
const REF_FIELD = 1000; // + index in VMCS_FIELDS

const GROUPS: readonly { group: VmcsGroup; name: string }[] = [
  { group: 'guest', name: 'Guest state' },
  { group: 'host', name: 'Host state' },
  { group: 'control', name: 'Controls' },
  { group: 'exit-info', name: 'Exit information' },
];

// Bit names as the SDM (and the reference, §1.4–1.6) gives them.
const PIN_BITS: Record<number, string> = {
  0: 'External-interrupt exiting', 3: 'NMI exiting', 5: 'Virtual NMIs', 6: 'Activate VMX-preemption timer', 7: 'Process posted interrupts',
};
const PRIMARY_BITS: Record<number, string> = {
  2: 'Interrupt-window exiting', 3: 'Use TSC offsetting', 7: 'HLT exiting', 9: 'INVLPG exiting', 10: 'MWAIT exiting',
  11: 'RDPMC exiting', 12: 'RDTSC exiting', 15: 'CR3-load exiting', 16: 'CR3-store exiting', 17: 'Activate tertiary controls',
  19: 'CR8-load exiting', 20: 'CR8-store exiting', 21: 'Use TPR shadow', 22: 'NMI-window exiting', 23: 'MOV-DR exiting',
  24: 'Unconditional I/O exiting', 25: 'Use I/O bitmaps', 27: 'Monitor trap flag', 28: 'Use MSR bitmaps', 29: 'MONITOR exiting',
  30: 'PAUSE exiting', 31: 'Activate secondary controls',
};
const SECONDARY_BITS: Record<number, string> = {
  0: 'Virtualize APIC accesses', 1: 'Enable EPT', 2: 'Descriptor-table exiting', 3: 'Enable RDTSCP', 4: 'Virtualize x2APIC mode',
  5: 'Enable VPID', 6: 'WBINVD exiting', 7: 'Unrestricted guest', 8: 'APIC-register virtualization', 9: 'Virtual-interrupt delivery',
  10: 'PAUSE-loop exiting', 11: 'RDRAND exiting', 12: 'Enable INVPCID', 13: 'Enable VM functions', 14: 'VMCS shadowing',
  15: 'ENCLS exiting', 16: 'RDSEED exiting', 17: 'Enable PML', 18: 'EPT-violation #VE', 19: 'Conceal VMX from PT',
  20: 'Enable XSAVES/XRSTORS', 22: 'Mode-based execute control for EPT', 24: 'Intel PT uses guest physical addresses',
  25: 'Use TSC scaling', 28: 'ENCLV exiting', 30: 'Bus-lock detection', 31: 'Notify VM exiting',
};
const EXIT_BITS: Record<number, string> = {
  2: 'Save debug controls', 9: 'Host address-space size', 12: 'Load IA32_PERF_GLOBAL_CTRL', 15: 'Acknowledge interrupt on exit',
  18: 'Save IA32_PAT', 19: 'Load IA32_PAT', 20: 'Save IA32_EFER', 21: 'Load IA32_EFER', 22: 'Save VMX-preemption timer value',
};
const ENTRY_BITS: Record<number, string> = {
  2: 'Load debug controls', 9: 'IA-32e mode guest', 10: 'Entry to SMM', 11: 'Deactivate dual-monitor treatment',
  13: 'Load IA32_PERF_GLOBAL_CTRL', 14: 'Load IA32_PAT', 15: 'Load IA32_EFER',
};
const PF_ERROR_BITS: Record<number, string> = { 0: 'P', 1: 'W/R', 2: 'U/S', 3: 'RSVD', 4: 'I/D', 5: 'PK' };
const EXCEPTION_BITS: Record<number, string> = Object.fromEntries(
  Array.from({ length: 32 }, (_, v) => [v, exceptionName(v)] as const).filter(([, name]) => !name.startsWith('vector')),
);
const fromTable = (table: readonly BitName[]): Record<number, string> => Object.fromEntries(table.map(([name, bit]) => [bit, name]));

/** The launch-configuration name of each on/off control, by control word and bit. */
const LAUNCH_NAMES = new Map<string, string>(Object.entries(ON_OFF_CONTROLS).map(([name, c]) => [`${c.word}:${c.bit}`, name]));

interface BitField {
  names: Record<number, string>;
  default1: number;
  /** The word of the on/off controls (for their launch-configuration names). */
  word?: 'pin' | 'primary';
}

const BIT_FIELDS = new Map<number, BitField>([
  [F.PIN_BASED_VM_EXEC_CONTROL, { names: PIN_BITS, default1: PIN_DEFAULT1, word: 'pin' }],
  [F.CPU_BASED_VM_EXEC_CONTROL, { names: PRIMARY_BITS, default1: PRIMARY_DEFAULT1, word: 'primary' }],
  [F.SECONDARY_VM_EXEC_CONTROL, { names: SECONDARY_BITS, default1: 0 }],
  [F.VM_EXIT_CONTROLS, { names: EXIT_BITS, default1: EXIT_DEFAULT1 }],
  [F.VM_ENTRY_CONTROLS, { names: ENTRY_BITS, default1: ENTRY_DEFAULT1 }],
  [F.EXCEPTION_BITMAP, { names: EXCEPTION_BITS, default1: 0 }],
  [F.PAGE_FAULT_ERROR_CODE_MASK, { names: PF_ERROR_BITS, default1: 0 }],
  [F.PAGE_FAULT_ERROR_CODE_MATCH, { names: PF_ERROR_BITS, default1: 0 }],
  [F.CR0_GUEST_HOST_MASK, { names: fromTable(CR0_BITS), default1: 0 }],
  [F.CR0_READ_SHADOW, { names: fromTable(CR0_BITS), default1: 0 }],
  [F.CR4_GUEST_HOST_MASK, { names: fromTable(CR4_BITS), default1: 0 }],
  [F.CR4_READ_SHADOW, { names: fromTable(CR4_BITS), default1: 0 }],
]);

const INTERRUPTION_INFO = new Set<number>([F.VM_EXIT_INTR_INFO, F.IDT_VECTORING_INFO_FIELD, F.VM_ENTRY_INTR_INFO_FIELD]);
const INTERRUPTION_TYPES = [
  'external interrupt', 'reserved', 'NMI', 'hardware exception', 'software interrupt', 'privileged software exception', 'software exception', 'other event',
];
const ACTIVITY_STATES = ['active', 'HLT', 'shutdown', 'wait-for-SIPI'];
const INTERRUPTIBILITY_BITS: Record<number, string> = { 0: 'blocking by STI', 1: 'blocking by MOV SS', 2: 'blocking by SMI', 3: 'blocking by NMI' };

function bitName(field: BitField, bit: number): string {
  return field.names[bit] ?? `bit ${bit}`;
}

function fieldValue(vmcs: VtxHypervisor['vmcs'], f: VmcsFieldInfo): string {
  if (f.width === 64) return '0x' + vmcs.read64(f.encoding).toString(16).padStart(16, '0');
  return hex(vmcs.read(f.encoding), f.width === 16 ? 4 : 8);
}

export class VmcsView implements View {
  constructor(private readonly engine: Engine) {}

  private get vtx(): VtxHypervisor | null {
    const hv = this.engine.hypervisor;
    return hv instanceof VtxHypervisor ? hv : null;
  }

  scopes(): DebugProtocol.Scope[] {
    if (this.vtx === null) return [];
    return [{ name: 'VMCS', variablesReference: REF_VMCS, namedVariables: GROUPS.length, expensive: false }];
  }

  variables(ref: number, format: Format): DebugProtocol.Variable[] | undefined {
    const vtx = this.vtx;
    if (vtx === null) return undefined;
    if (ref === REF_VMCS) {
      return GROUPS.map((g, i) => {
        const n = VMCS_FIELDS.filter((f) => f.group === g.group).length;
        return variable(g.name, `${num(n, format)} fields`, { variablesReference: REF_GROUP + i, namedVariables: n });
      });
    }
    if (ref >= REF_GROUP && ref < REF_GROUP + GROUPS.length) {
      const group = GROUPS[ref - REF_GROUP].group;
      return VMCS_FIELDS.flatMap((f, i) => (f.group === group ? [this.field(vtx, f, i, format)] : []));
    }
    if (ref >= REF_FIELD && ref < REF_FIELD + VMCS_FIELDS.length) {
      const f = VMCS_FIELDS[ref - REF_FIELD];
      return this.children(vtx, f, format).map((c) => variable(c.name, c.value, c.type === undefined ? {} : { type: c.type }));
    }
    return undefined;
  }

  private field(vtx: VtxHypervisor, f: VmcsFieldInfo, index: number, format: Format): DebugProtocol.Variable {
    let value = fieldValue(vtx.vmcs, f);
    const raw = vtx.vmcs.read(f.encoding);
    if (f.encoding === F.VM_EXIT_REASON) value += ` (${EXIT_REASON_NAMES[raw & 0xffff] ?? 'unknown'})`;
    if (f.encoding === F.GUEST_ACTIVITY_STATE) value += ` (${ACTIVITY_STATES[raw] ?? 'unknown'})`;
    const children = this.children(vtx, f, format).length;
    return variable(f.name, value, {
      type: `encoding ${hex(f.encoding, 4)}`,
      variablesReference: children > 0 ? REF_FIELD + index : 0,
      namedVariables: children > 0 ? children : undefined,
    });
  }

  /** The decoded parts of a field (none for plain values). */
  private children(vtx: VtxHypervisor, f: VmcsFieldInfo, format: Format): { name: string; value: string; type?: string }[] {
    const v = vtx.vmcs.read(f.encoding);
    const bits = BIT_FIELDS.get(f.encoding);
    if (bits !== undefined) {
      return Array.from({ length: 32 }, (_, bit) => {
        const control = bits.word === undefined ? undefined : LAUNCH_NAMES.get(`${bits.word}:${bit}`);
        const notes = [`bit ${bit} (${hex(1 << bit)})`];
        if (control !== undefined) notes.push(`control '${control}'`);
        if ((bits.default1 >>> bit) & 1) notes.push('default 1');
        return { name: bitName(bits, bit), value: num((v >>> bit) & 1, format), type: notes.join(', ') };
      });
    }
    if (INTERRUPTION_INFO.has(f.encoding)) {
      return [
        { name: 'vector', value: `${hex(v & 0xff, 2)}${(v >>> 31) & 1 && ((v >>> 8) & 7) === 3 ? ` (${exceptionName(v & 0xff)})` : ''}` },
        { name: 'type', value: `${num((v >>> 8) & 7, format)} (${INTERRUPTION_TYPES[(v >>> 8) & 7]})` },
        { name: 'error code valid', value: num((v >>> 11) & 1, format) },
        { name: 'NMI unblocking due to IRET', value: num((v >>> 12) & 1, format) },
        { name: 'valid', value: num(v >>> 31, format) },
      ];
    }
    if (f.encoding === F.GUEST_INTERRUPTIBILITY_INFO) {
      return Object.entries(INTERRUPTIBILITY_BITS).map(([bit, name]) => ({ name, value: num((v >>> Number(bit)) & 1, format), type: `bit ${bit}` }));
    }
    if (f.encoding === F.EXIT_QUALIFICATION) {
      const reason = vtx.vmcs.read(F.VM_EXIT_REASON) & 0xffff;
      const intr = vtx.vmcs.read(F.VM_EXIT_INTR_INFO);
      const vector = (intr >>> 31) & 1 ? intr & 0xff : undefined;
      return flatten(decodeQualification(reason, v, vector, format));
    }
    return [];
  }

  setVariable(ref: number, name: string, value: number, format: Format): SetVariableBody | undefined {
    const vtx = this.vtx;
    if (vtx === null) return undefined;
    if (ref === REF_VMCS) throw new DapError(ErrorId.BadArguments, `${name} is a group of fields: set a field inside it`);
    if (ref >= REF_GROUP && ref < REF_GROUP + GROUPS.length) {
      const index = VMCS_FIELDS.findIndex((f) => f.name === name.toUpperCase() && f.group === GROUPS[ref - REF_GROUP].group);
      if (index < 0) throw new DapError(ErrorId.BadArguments, `${GROUPS[ref - REF_GROUP].name} has no field named ${name}`);
      const f = VMCS_FIELDS[index];
      if (value > 0xffffffff || value < 0) throw new DapError(ErrorId.BadArguments, `${f.name}: only 32-bit values can be written here (got ${value})`);
      this.write(vtx, f, value);
      return { value: this.field(vtx, f, index, format).value, variablesReference: this.children(vtx, f, format).length > 0 ? REF_FIELD + index : 0 };
    }
    if (ref >= REF_FIELD && ref < REF_FIELD + VMCS_FIELDS.length) {
      const f = VMCS_FIELDS[ref - REF_FIELD];
      const bits = BIT_FIELDS.get(f.encoding);
      if (bits === undefined) throw new DapError(ErrorId.BadArguments, `${f.name}: ${name} is decoded from the field and cannot be set on its own`);
      const bit = Array.from({ length: 32 }, (_, b) => b).find((b) => bitName(bits, b).toLowerCase() === name.toLowerCase());
      if (bit === undefined) throw new DapError(ErrorId.BadArguments, `${f.name} has no bit named ${name}`);
      if (value !== 0 && value !== 1) throw new DapError(ErrorId.BadArguments, `${name} takes 0 or 1 (got ${value})`);
      const old = vtx.vmcs.read(f.encoding);
      this.write(vtx, f, value === 1 ? (old | (1 << bit)) >>> 0 : (old & ~(1 << bit)) >>> 0);
      return { value: num((vtx.vmcs.read(f.encoding) >>> bit) & 1, format) };
    }
    return undefined;
  }

  private write(vtx: VtxHypervisor, f: VmcsFieldInfo, value: number): void {
    const refused = vtx.writeControl(f.encoding, value);
    if (refused !== null) throw new DapError(ErrorId.BadArguments, refused);
  }
}

function flatten(fields: ExitField[]): { name: string; value: string }[] {
  return fields.map((f) => ({ name: f.name, value: f.value }));
}
