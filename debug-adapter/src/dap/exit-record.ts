// Exit records and holes in words: one-line descriptions (stopped events, exception info) and
// every field as a name/value tree, with the VT-x exit qualification decoded by its SDM layout.
import * as path from 'node:path';
import type { ExitRecord, HoleRecord } from '../hypervisor/types.js';
import { EXIT, GPR_NAMES } from '../hypervisor/vtx/exits.js';

export interface ExitField {
  name: string;
  value: string;
  children?: ExitField[];
}

export interface ExitFieldOptions {
  /** Counts and other decimal values in hex. */
  hex?: boolean;
}

const hex = (v: number, digits = 0): string => '0x' + (v >>> 0).toString(16).padStart(digits, '0');

/** `VM exit: CPUID (reason 10)`, `Trap: #GP (vector 13)`, `Hypercall: sched_op (29)`, `Translation callout: cli`. */
export function describeExit(record: ExitRecord): string {
  const n = record.reasonNumber;
  switch (record.kind) {
    case 'vmexit':
      return `VM exit: ${record.reason}${n === undefined ? '' : ` (reason ${n})`}`;
    case 'trap':
      return `Trap: ${record.reason}${n === undefined ? '' : ` (vector ${n})`}`;
    case 'hypercall':
      return `Hypercall: ${record.reason}${n === undefined ? '' : ` (${n})`}`;
    case 'callout': {
      const text = record.instruction.trim();
      return `Translation callout: ${record.reason}${text !== '' && text !== record.reason ? ` (${text})` : ''}`;
    }
    case 'interrupt': {
      const vector = record.details.vector;
      return `Interrupt: ${record.reason}${typeof vector === 'number' ? ` (vector ${hex(vector)})` : typeof vector === 'string' ? ` (vector ${vector})` : ''}`;
    }
  }
}

/** `Virtualization hole: POPF — guest asked IF=0; IF stays 1`. */
export function describeHole(hole: HoleRecord): string {
  const mnemonic = hole.mnemonic.toUpperCase();
  // Messages usually start with the instruction's name already ("POPF: ...", "CALL FAR: ...").
  const message = hole.message.replace(new RegExp(`^${mnemonic}[A-Z ]*: `), '');
  return `Virtualization hole: ${mnemonic} — ${message}`;
}

/** Details that are addresses, ports or bit patterns rather than counts (always shown in hex). */
const HEX_DETAIL = /addr|linear|eip|esp|base|limit|port|error|value|mask|selector|msr|^cr\d/i;

function detailValue(key: string, v: number | string | boolean, options: ExitFieldOptions): string {
  if (typeof v !== 'number') return String(v);
  return options.hex || HEX_DETAIL.test(key) || v >= 0x10000 || v < 0 ? hex(v) : String(v);
}

function count(v: number, options: ExitFieldOptions): string {
  return options.hex ? hex(v) : String(v);
}

function sourceText(record: { source?: { file: string; line: number } }): string | undefined {
  return record.source === undefined ? undefined : `${path.basename(record.source.file)}:${record.source.line}`;
}

/** Every field of an exit record; `details` and the qualification have one child per part. */
export function exitRecordVariables(record: ExitRecord, options: ExitFieldOptions = {}): ExitField[] {
  const out: ExitField[] = [
    { name: 'description', value: describeExit(record) },
    { name: 'seq', value: count(record.seq, options) },
    { name: 'vcpu', value: count(record.vcpu, options) },
    { name: 'technique', value: record.technique },
    { name: 'kind', value: record.kind },
    { name: 'reason', value: record.reason },
  ];
  if (record.reasonNumber !== undefined) out.push({ name: 'reason number', value: count(record.reasonNumber, options) });
  out.push({ name: 'eip', value: hex(record.eip, 8) });
  const source = sourceText(record);
  if (source !== undefined) out.push({ name: 'source', value: source });
  out.push({ name: 'instruction', value: record.instruction === '' ? '(between instructions)' : record.instruction });
  if (record.qualification !== undefined) {
    const q: ExitField = { name: 'qualification', value: hex(record.qualification, 8) };
    if (record.kind === 'vmexit' && record.reasonNumber !== undefined) {
      const vector = typeof record.details.vector === 'number' ? record.details.vector : undefined;
      const parts = decodeQualification(record.reasonNumber, record.qualification, vector, options);
      if (parts.length > 0) q.children = parts;
    }
    out.push(q);
  }
  const details = Object.entries(record.details);
  out.push({
    name: 'details',
    value: details.length === 0 ? '{}' : `{${details.map(([k, v]) => `${k}: ${detailValue(k, v, options)}`).join(', ')}}`,
    children: details.length === 0 ? undefined : details.map(([k, v]) => ({ name: k, value: detailValue(k, v, options) })),
  });
  out.push({ name: 'cost', value: `${count(record.cost, options)} cycles` });
  out.push({ name: 'action', value: record.action });
  return out;
}

/** Every field of a hole record. */
export function holeRecordVariables(hole: HoleRecord, options: ExitFieldOptions = {}): ExitField[] {
  const out: ExitField[] = [
    { name: 'description', value: describeHole(hole) },
    { name: 'seq', value: count(hole.seq, options) },
    { name: 'technique', value: hole.technique },
    { name: 'mnemonic', value: hole.mnemonic },
    { name: 'eip', value: hex(hole.eip, 8) },
  ];
  const source = sourceText(hole);
  if (source !== undefined) out.push({ name: 'source', value: source });
  out.push({ name: 'instruction', value: hole.instruction });
  out.push({ name: 'expected', value: hole.expected });
  out.push({ name: 'observed', value: hole.observed });
  out.push({ name: 'message', value: hole.message });
  return out;
}

const CR_ACCESS_TYPES = ['MOV to CR', 'MOV from CR', 'CLTS', 'LMSW'];
const VMX_INSTRUCTION_EXITS = new Set<number>([
  EXIT.VMCLEAR, EXIT.VMLAUNCH, EXIT.VMPTRLD, EXIT.VMPTRST, EXIT.VMREAD, EXIT.VMRESUME, EXIT.VMWRITE, EXIT.VMXOFF, EXIT.VMXON, EXIT.INVEPT, EXIT.INVVPID,
]);

/**
 * A VT-x exit qualification decoded by the layout of its basic exit reason (SDM vol. 3C tables
 * 28-1 ... 28-5); `vector` is the exception's for EXCEPTION_NMI. Empty when the reason defines none.
 */
export function decodeQualification(reason: number, q: number, vector?: number, options: ExitFieldOptions = {}): ExitField[] {
  const gpr = (n: number): string => GPR_NAMES[n] ?? `r${n}`;
  switch (reason) {
    case EXIT.CR_ACCESS: {
      const access = (q >>> 4) & 3;
      const out: ExitField[] = [
        { name: 'CR number', value: count(q & 0xf, options) },
        { name: 'access type', value: `${count(access, options)} (${CR_ACCESS_TYPES[access]})` },
      ];
      if (access <= 1) out.push({ name: 'register', value: gpr((q >>> 8) & 0xf) });
      if (access === 3) {
        out.push({ name: 'LMSW operand', value: (q & 0x40) !== 0 ? 'memory' : 'register' });
        out.push({ name: 'LMSW source data', value: hex(q >>> 16, 4) });
      }
      return out;
    }
    case EXIT.DR_ACCESS:
      return [
        { name: 'DR number', value: count(q & 7, options) },
        { name: 'direction', value: (q & 0x10) !== 0 ? 'MOV from DR' : 'MOV to DR' },
        { name: 'register', value: gpr((q >>> 8) & 0xf) },
      ];
    case EXIT.IO_INSTRUCTION:
      return [
        { name: 'size', value: `${count((q & 7) + 1, options)} byte${(q & 7) === 0 ? '' : 's'}` },
        { name: 'direction', value: (q & 8) !== 0 ? 'IN' : 'OUT' },
        { name: 'string', value: String((q & 0x10) !== 0) },
        { name: 'REP', value: String((q & 0x20) !== 0) },
        { name: 'operand', value: (q & 0x40) !== 0 ? 'immediate' : 'DX' },
        { name: 'port', value: hex(q >>> 16, 4) },
      ];
    case EXIT.EXCEPTION_NMI:
      if (vector === 14) return [{ name: 'faulting address', value: hex(q, 8) }];
      if (vector === 1) {
        const hits = [0, 1, 2, 3].filter((b) => (q >>> b) & 1).map((b) => `B${b}`);
        if ((q & 0x2000) !== 0) hits.push('BD');
        if ((q & 0x4000) !== 0) hits.push('BS');
        return [{ name: 'debug conditions', value: hits.length === 0 ? 'none' : hits.join(', ') }];
      }
      return [];
    case EXIT.INVLPG:
      return [{ name: 'linear address', value: hex(q, 8) }];
    default:
      if (VMX_INSTRUCTION_EXITS.has(reason)) return [{ name: 'displacement', value: hex(q, 8) }];
      return [];
  }
}
