// Step into a VM exit: the engine handles an exit inside one instruction, so the debugger records
// the state before and after it and walks the VMM's handling as a generated, read-only listing —
// exit, exit information read, emulation, each state change, event injection, VM entry — one step
// per line, with the state as it stands at each step.
import type { Engine } from '../engine/engine.js';
import type { ExitRecord } from '../hypervisor/types.js';
import { describeExit } from './exit-record.js';
import { hex } from './format.js';

const GPRS = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI'] as const;
const SEGMENTS = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'] as const;

/** Everything a handler can change, flattened to name → value (guest EIP, not the CPU's). */
export type FlatState = Map<string, number>;

export function flatState(engine: Engine): FlatState {
  const cpu = engine.cpu;
  const s: FlatState = new Map();
  GPRS.forEach((name, i) => s.set(name, cpu.r32[i] >>> 0));
  s.set('EIP', engine.guestEip);
  s.set('EFLAGS', cpu.getEflags() >>> 0);
  SEGMENTS.forEach((name, i) => s.set(name, cpu.segSel[i] & 0xffff));
  s.set('CR0', cpu.cr0 >>> 0);
  s.set('CR2', cpu.cr2 >>> 0);
  s.set('CR3', cpu.cr3 >>> 0);
  s.set('CR4', cpu.cr4 >>> 0);
  const v = engine.hypervisor?.virtualState() ?? null;
  if (v !== null) {
    s.set('virtual IF', v.interruptFlag ? 1 : 0);
    s.set('virtual IOPL', v.iopl);
    s.set('virtual CPL', v.cpl);
    s.set('virtual CR0', v.cr0 >>> 0);
    s.set('virtual CR3', v.cr3 >>> 0);
    s.set('virtual CR4', v.cr4 >>> 0);
    s.set('virtual GDTR base', v.gdtr.base >>> 0);
    s.set('virtual IDTR base', v.idtr.base >>> 0);
  }
  return s;
}

export interface StateChange {
  name: string;
  before: number;
  after: number;
}

export interface HandlingStep {
  text: string;
  /** The state change this step makes, if it is one. */
  change?: StateChange;
}

function formatValue(name: string, v: number): string {
  return /IF$|IOPL$|CPL$/.test(name) ? String(v) : hex(v, /^[ECDFGS]S$/.test(name) ? 4 : 8);
}

function detailText(record: ExitRecord): string {
  const parts: string[] = [];
  if (record.qualification !== undefined) parts.push(`qualification ${hex(record.qualification)}`);
  for (const [k, v] of Object.entries(record.details)) parts.push(`${k} ${typeof v === 'number' ? (Number.isInteger(v) && v > 9 ? hex(v, 0) : String(v)) : String(v)}`);
  return parts.length === 0 ? '' : `: ${parts.join(', ')}`;
}

function entryText(record: ExitRecord, resumeAt: number): string {
  const at = hex(resumeAt);
  switch (record.technique) {
    case 'vt-x':
      return `VM entry: resume the guest at ${at}`;
    case 'paravirt':
      return `Return to the guest kernel at ${at}`;
    case 'binary-translation':
      return `Return to the translated code for guest ${at}`;
    default:
      return `IRET to the de-privileged guest at ${at}`;
  }
}

function exitText(record: ExitRecord): string {
  const where = `at guest ${hex(record.eip)}${record.instruction === '' ? '' : ` (${record.instruction})`}`;
  switch (record.technique) {
    case 'vt-x':
      return `${describeExit(record)} ${where}: the CPU saves the guest state in the VMCS and loads the host state`;
    case 'paravirt':
      return `${describeExit(record)} ${where}: the guest kernel enters the hypervisor`;
    case 'binary-translation':
      return `${describeExit(record)} ${where}: translated code calls into the VMM`;
    default:
      return `${describeExit(record)} ${where}: the CPU faults into the VMM through its IDT`;
  }
}

/** The handling of one exit, step by step, from the record and the state around it. */
export function handlingSteps(record: ExitRecord, before: FlatState, after: FlatState): HandlingStep[] {
  const steps: HandlingStep[] = [{ text: exitText(record) }];
  steps.push({ text: `Read the exit information: reason ${record.reason}${record.reasonNumber === undefined ? '' : ` (${record.reasonNumber})`}${detailText(record)}` });
  steps.push({ text: `Handle${record.instruction === '' ? '' : ` ${record.instruction}`}: ${record.action} (about ${record.cost} cycles)` });
  const eipBefore = before.get('EIP') ?? 0;
  const eipAfter = after.get('EIP') ?? 0;
  for (const [name, b] of before) {
    const a = after.get(name);
    if (a === undefined || a === b || name === 'EIP') continue;
    const change = { name, before: b, after: a };
    steps.push({ text: `${name.startsWith('virtual') ? 'Update the VMM\'s' : 'Write guest'} ${name.replace(/^virtual /, 'virtual ')}: ${formatValue(name, b)} → ${formatValue(name, a)}`, change });
  }
  if (/inject|reflect|bounce|deliver/i.test(record.action)) {
    steps.push({ text: `Event injection: ${record.action}`, change: { name: 'EIP', before: eipBefore, after: eipAfter } });
  } else if (eipAfter !== eipBefore) {
    steps.push({ text: `Advance EIP past the instruction: ${hex(eipBefore)} → ${hex(eipAfter)}`, change: { name: 'EIP', before: eipBefore, after: eipAfter } });
  }
  steps.push({ text: entryText(record, eipAfter) });
  return steps;
}

/** A walk in progress: the VMM frame the user is stepping through. */
export class VmmWalk {
  /** Index of the current step (the frame's line is index + 1). */
  index = 0;

  constructor(
    readonly record: ExitRecord,
    readonly steps: HandlingStep[],
    readonly sourceReference: number,
  ) {}

  get frameName(): string {
    return `[VMM] ${this.record.reason} exit`;
  }

  get sourceName(): string {
    return `VMM ${this.record.reason} exit #${this.record.seq}`;
  }

  get listing(): string {
    return this.steps.map((s) => s.text).join('\n') + '\n';
  }

  /** Moves to the next step; false when the walk is over (VM entry was the current step). */
  advance(): boolean {
    if (this.index + 1 >= this.steps.length) return false;
    this.index++;
    return true;
  }

  /** The changes made so far and still to come, as they stand at the current step. */
  stateAtStep(): { name: string; value: string; note: string }[] {
    const out: { name: string; value: string; note: string }[] = [];
    this.steps.forEach((s, i) => {
      const c = s.change;
      if (c === undefined) return;
      const done = i <= this.index;
      out.push({
        name: c.name,
        value: formatValue(c.name, done ? c.after : c.before),
        note: done ? `was ${formatValue(c.name, c.before)} (step ${i + 1})` : `becomes ${formatValue(c.name, c.after)} at step ${i + 1}`,
      });
    });
    return out;
  }
}
