// The expression language's view of the guest: registers (32/16/8-bit, EIP, EFLAGS, CRn, DRn,
// segment selectors), EFLAGS bits by name, `$` for EIP, labels, and guest memory.
import type { Engine } from '../engine/engine.js';
import { readRegister } from '../engine/registers.js';
import type { EvalContext, Value } from './expression.js';
import type { ProgramIndex } from './program-index.js';

/** EFLAGS bits by name, in display order, with their meaning. */
export const EFLAGS_BITS: readonly { name: string; shift: number; width: number; meaning: string }[] = [
  { name: 'CF', shift: 0, width: 1, meaning: 'carry flag' },
  { name: 'PF', shift: 2, width: 1, meaning: 'parity flag' },
  { name: 'AF', shift: 4, width: 1, meaning: 'auxiliary carry flag' },
  { name: 'ZF', shift: 6, width: 1, meaning: 'zero flag' },
  { name: 'SF', shift: 7, width: 1, meaning: 'sign flag' },
  { name: 'TF', shift: 8, width: 1, meaning: 'trap flag (single step)' },
  { name: 'IF', shift: 9, width: 1, meaning: 'interrupt enable flag' },
  { name: 'DF', shift: 10, width: 1, meaning: 'direction flag' },
  { name: 'OF', shift: 11, width: 1, meaning: 'overflow flag' },
  { name: 'IOPL', shift: 12, width: 2, meaning: 'I/O privilege level' },
  { name: 'NT', shift: 14, width: 1, meaning: 'nested task' },
  { name: 'RF', shift: 16, width: 1, meaning: 'resume flag' },
  { name: 'VM', shift: 17, width: 1, meaning: 'virtual-8086 mode' },
  { name: 'AC', shift: 18, width: 1, meaning: 'alignment check' },
  { name: 'VIF', shift: 19, width: 1, meaning: 'virtual interrupt flag' },
  { name: 'VIP', shift: 20, width: 1, meaning: 'virtual interrupt pending' },
  { name: 'ID', shift: 21, width: 1, meaning: 'CPUID available' },
];

const FLAG_BY_NAME = new Map(EFLAGS_BITS.map((f) => [f.name.toLowerCase(), f]));

export function flagBit(name: string): (typeof EFLAGS_BITS)[number] | undefined {
  return FLAG_BY_NAME.get(name.toLowerCase());
}

export class GuestContext implements EvalContext {
  /** Extra names (e.g. the fields of an exit record for exception filter conditions). */
  extra: Record<string, Value> | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly index: ProgramIndex,
  ) {}

  lookup(name: string): Value | undefined {
    if (this.extra !== undefined && Object.hasOwn(this.extra, name)) return this.extra[name];
    if (name === '$') return this.engine.guestEip;
    const reg = readRegister(this.engine.cpu, name);
    if (reg !== undefined) return reg;
    const flag = FLAG_BY_NAME.get(name.toLowerCase());
    if (flag !== undefined) return (this.engine.cpu.getEflags() >>> flag.shift) & ((1 << flag.width) - 1);
    const symbol = this.index.symbol(name);
    if (symbol !== undefined) return symbol.value;
    return undefined;
  }

  readMemory(address: number, size: 1 | 2 | 4, physical: boolean): number | undefined {
    let bytes: Uint8Array | null;
    if (physical) {
      if (address + size > this.engine.machine.memory.size) return undefined;
      bytes = this.engine.readPhysical(address, size);
    } else {
      bytes = this.engine.readLinear(address, size);
    }
    if (bytes === null) return undefined;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + bytes[i];
    return v;
  }
}
