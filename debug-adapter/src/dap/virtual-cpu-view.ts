// The scope "Virtual CPU" (every technique with a VMM): each item side by side as the guest
// expects it (the bare-metal outcome of what it executed), as the VMM's virtual state holds it,
// and as the hardware (the CPU model) holds it: `guest 0 / VMM 1 / hardware 1`.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Engine } from '../engine/engine.js';
import type { Hypervisor } from '../hypervisor/hypervisor.js';
import { virtualStateOf, type VirtualCpuState } from '../hypervisor/virtual-state.js';
import type { Pic8259 } from '../machine/pic.js';
import { DapError, ErrorId } from './errors.js';
import { hex } from './format.js';
import { CR0_BITS, CR4_BITS } from './registers-view.js';
import { num, variable, type BitName, type Format, type SetVariableBody, type View } from './base-view.js';

const REF_VIRTUAL_CPU = 20;

type Column = 'guest' | 'vmm' | 'hardware';

interface Item {
  name: string;
  show(s: VirtualCpuState, format: Format): string;
  /** Why the columns differ: [guest vs VMM, VMM vs hardware]. */
  why(states: Record<Column, VirtualCpuState>, technique: string): [string, string];
}

const table = (t: { base: number; limit: number }): string => `base=${hex(t.base)} limit=${hex(t.limit, 4)}`;
const segment = (s: { selector: number; base: number; limit: number }): string => `${hex(s.selector & 0xffff, 4)} base=${hex(s.base)} limit=${hex(s.limit)}`;
const vectors = (list: number[]): string => (list.length === 0 ? 'none' : list.map((v) => hex(v, 2)).join(','));

function bitsDiffering(a: number, b: number, names: readonly BitName[]): string {
  const diff = (a ^ b) >>> 0;
  const named = names.filter(([, bit]) => (diff >>> bit) & 1).map(([name]) => name);
  const known = names.reduce((m, [, bit]) => m | (1 << bit), 0);
  if ((diff & ~known) !== 0) named.push(hex(diff & ~known));
  return named.join(' ');
}

const HOLE = 'a sensitive instruction ran without reaching the VMM';

const ITEMS: readonly Item[] = [
  {
    name: 'IF',
    show: (s, f) => num(s.interruptFlag ? 1 : 0, f),
    why: (s) => [
      `POPF at ring ${s.hardware.cpl} ignored IF`,
      s.hardware.interruptFlag ? 'hardware IF stays 1: the VMM takes every interrupt and holds it for the guest' : 'the VMM keeps the guest\'s IF apart from the hardware\'s',
    ],
  },
  {
    name: 'IOPL',
    show: (s, f) => num(s.iopl, f),
    why: (s) => [`POPF at ring ${s.hardware.cpl} ignored IOPL`, 'the hardware runs the guest at IOPL 0 so that port I/O and CLI/STI trap'],
  },
  {
    name: 'CPL',
    show: (s, f) => num(s.cpl, f),
    why: (s) => [HOLE, `de-privileged: the guest's ring ${s.vmm.cpl} runs at ring ${s.hardware.cpl}`],
  },
  {
    name: 'CR0',
    show: (s) => hex(s.cr0),
    why: (s, t) => [HOLE, `${t === 'vt-x' ? 'read shadow' : 'hardware differs'} in ${bitsDiffering(s.vmm.cr0, s.hardware.cr0, CR0_BITS)}`],
  },
  { name: 'CR2', show: (s) => hex(s.cr2), why: () => [HOLE, 'the VMM keeps the guest\'s CR2 apart'] },
  { name: 'CR3', show: (s) => hex(s.cr3), why: () => [HOLE, 'the hardware runs the VMM\'s page tables'] },
  {
    name: 'CR4',
    show: (s) => hex(s.cr4),
    why: (s, t) => [HOLE, `${t === 'vt-x' ? 'read shadow' : 'hardware differs'} in ${bitsDiffering(s.vmm.cr4, s.hardware.cr4, CR4_BITS)}`],
  },
  { name: 'GDTR', show: (s) => table(s.gdtr), why: () => [HOLE, 'the hardware uses the VMM\'s shadow GDT'] },
  { name: 'IDTR', show: (s) => table(s.idtr), why: () => [HOLE, 'the hardware uses the VMM\'s IDT: every event enters the VMM'] },
  { name: 'LDTR', show: (s) => segment(s.ldtr), why: () => [HOLE, 'the hardware uses the VMM\'s shadow LDT'] },
  { name: 'TR', show: (s) => segment(s.tr), why: () => [HOLE, 'the hardware uses the VMM\'s TSS'] },
  {
    name: 'Pending interrupts',
    show: (s) => vectors(s.pendingInterrupts),
    why: () => [HOLE, 'the VMM holds vectors until the guest can take them; the hardware column is the interrupt controller\'s requests'],
  },
];

/** Vectors the interrupt controller requests (IRR not masked), what the hardware has pending. */
function requestedVectors(engine: Engine): number[] {
  const out: number[] = [];
  const add = (pic: Pic8259, skipCascade: boolean): void => {
    const requests = pic.irr & ~pic.imr;
    for (let irq = 0; irq < 8; irq++) if ((requests >>> irq) & 1 && !(skipCascade && irq === 2)) out.push((pic.irqBase + irq) & 0xff);
  };
  add(engine.machine.pic.master, true);
  add(engine.machine.pic.slave, false);
  return out;
}

export class VirtualCpuView implements View {
  constructor(private readonly engine: Engine) {}

  scopes(): DebugProtocol.Scope[] {
    if (this.engine.hypervisor === null) return [];
    return [{ name: 'Virtual CPU', variablesReference: REF_VIRTUAL_CPU, namedVariables: ITEMS.length, expensive: false }];
  }

  private states(hv: Hypervisor): Record<Column, VirtualCpuState> | null {
    const vmm = hv.virtualState();
    if (vmm === null) return null;
    // Techniques without bareMetalState have no holes in these items: the guest expects what the VMM keeps.
    const guest = hv.bareMetalState?.() ?? vmm;
    const hardware = { ...virtualStateOf(this.engine.cpu), pendingInterrupts: requestedVectors(this.engine) };
    return { guest, vmm, hardware };
  }

  variables(ref: number, format: Format): DebugProtocol.Variable[] | undefined {
    const hv = this.engine.hypervisor;
    if (ref !== REF_VIRTUAL_CPU || hv === null) return undefined;
    const states = this.states(hv);
    if (states === null) return [];
    return ITEMS.map((item) => {
      const g = item.show(states.guest, format);
      const v = item.show(states.vmm, format);
      const h = item.show(states.hardware, format);
      const [guestWhy, hardwareWhy] = item.why(states, hv.technique);
      const reasons = [g !== v ? guestWhy : '', v !== h ? hardwareWhy : ''].filter((r) => r !== '');
      return variable(item.name, `guest ${g} / VMM ${v} / hardware ${h}`, {
        type: reasons.length === 0 ? 'guest, VMM and hardware agree' : reasons.join('; '),
      });
    });
  }

  setVariable(ref: number, name: string): SetVariableBody | undefined {
    if (ref !== REF_VIRTUAL_CPU) return undefined;
    throw new DapError(ErrorId.BadArguments, `${name} is read-only: the virtual CPU changes only through what the guest executes`);
  }
}
