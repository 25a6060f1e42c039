// The scopes "Registers" (general registers, EIP, EFLAGS with one child per flag), "Segments"
// (selector and hidden descriptor cache) and "System" (control registers with their bits,
// descriptor-table registers, CPL, mode). Values are read from the CPU at each request.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Engine } from '../engine/engine.js';
import { readRegister, writeRegister } from '../engine/registers.js';
import { CR0_PE, CS } from '../cpu/constants.js';
import { DapError, ErrorId } from './errors.js';
import { hex } from './format.js';
import { EFLAGS_BITS } from './guest-context.js';
import { bitChildren, num, variable, type BitName, type Format, type SetVariableBody, type View } from './base-view.js';

const REF_REGISTERS = 1;
const REF_SEGMENTS = 2;
const REF_SYSTEM = 3;
const REF_EFLAGS = 4;
const REF_CR0 = 5;
const REF_CR4 = 6;
const REF_SEGMENT = 10; // + segment index (ES CS SS DS FS GS)

const GPRS = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI'] as const;
const SEGMENTS = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'] as const;

export const CR0_BITS: readonly BitName[] = [
  ['PE', 0, 'protection enable'],
  ['MP', 1, 'monitor coprocessor'],
  ['EM', 2, 'x87 emulation'],
  ['TS', 3, 'task switched'],
  ['ET', 4, 'extension type'],
  ['NE', 5, 'numeric error'],
  ['WP', 16, 'write protect'],
  ['AM', 18, 'alignment mask'],
  ['NW', 29, 'not write-through'],
  ['CD', 30, 'cache disable'],
  ['PG', 31, 'paging'],
];
export const CR4_BITS: readonly BitName[] = [
  ['VME', 0, 'virtual-8086 mode extensions'],
  ['PVI', 1, 'protected-mode virtual interrupts'],
  ['TSD', 2, 'time stamp disable'],
  ['DE', 3, 'debugging extensions'],
  ['PSE', 4, 'page size extensions'],
  ['PAE', 5, 'physical address extension'],
  ['MCE', 6, 'machine check enable'],
  ['PGE', 7, 'page global enable'],
  ['PCE', 8, 'performance counter enable'],
  ['VMXE', 13, 'VMX enable'],
];

export class RegistersView implements View {
  constructor(private readonly engine: Engine) {}

  scopes(): DebugProtocol.Scope[] {
    return [
      { name: 'Registers', variablesReference: REF_REGISTERS, presentationHint: 'registers', namedVariables: GPRS.length + 2, expensive: false },
      { name: 'Segments', variablesReference: REF_SEGMENTS, namedVariables: SEGMENTS.length, expensive: false },
      { name: 'System', variablesReference: REF_SYSTEM, expensive: false },
    ];
  }

  variables(ref: number, format: Format): DebugProtocol.Variable[] | undefined {
    const cpu = this.engine.cpu;
    switch (ref) {
      case REF_REGISTERS: {
        const out: DebugProtocol.Variable[] = GPRS.map((name, i) => {
          const v = cpu.r32[i] >>> 0;
          return variable(name, hex(v), { evaluateName: name.toLowerCase(), memoryReference: hex(v), type: 'dword' });
        });
        const eip = cpu.eip >>> 0;
        out.push(variable('EIP', hex(eip), { evaluateName: 'eip', memoryReference: hex((cpu.segBase[CS] + eip) >>> 0), type: 'dword' }));
        out.push(variable('EFLAGS', hex(cpu.getEflags()), { evaluateName: 'eflags', variablesReference: REF_EFLAGS, namedVariables: EFLAGS_BITS.length, type: 'dword' }));
        return out;
      }
      case REF_EFLAGS: {
        const flags = cpu.getEflags();
        return EFLAGS_BITS.map((f) =>
          variable(f.name, num((flags >>> f.shift) & ((1 << f.width) - 1), format), {
            evaluateName: f.name.toLowerCase(),
            type: `${f.meaning} (bit ${f.shift}${f.width > 1 ? `–${f.shift + f.width - 1}` : ''})`,
          }),
        );
      }
      case REF_SEGMENTS:
        return SEGMENTS.map((name, i) =>
          variable(name, `${hex(cpu.segSel[i] & 0xffff, 4)} base=${hex(cpu.segBase[i])} limit=${hex(cpu.segLimit[i])}`, {
            evaluateName: name.toLowerCase(),
            variablesReference: REF_SEGMENT + i,
          }),
        );
      case REF_SYSTEM: {
        const protectedMode = (cpu.cr0 & CR0_PE) !== 0;
        return [
          variable('CR0', hex(cpu.cr0), { evaluateName: 'cr0', variablesReference: REF_CR0 }),
          variable('CR2', hex(cpu.cr2), { evaluateName: 'cr2', memoryReference: hex(cpu.cr2) }),
          variable('CR3', hex(cpu.cr3), { evaluateName: 'cr3', memoryReference: `phys:${hex(cpu.cr3 & ~0xfff)}` }),
          variable('CR4', hex(cpu.cr4), { evaluateName: 'cr4', variablesReference: REF_CR4 }),
          variable('GDTR', `base=${hex(cpu.gdtrBase)} limit=${hex(cpu.gdtrLimit, 4)}`, { memoryReference: hex(cpu.gdtrBase) }),
          variable('IDTR', `base=${hex(cpu.idtrBase)} limit=${hex(cpu.idtrLimit, 4)}`, { memoryReference: hex(cpu.idtrBase) }),
          variable('LDTR', `${hex(cpu.ldtrSel & 0xffff, 4)} base=${hex(cpu.ldtrBase)} limit=${hex(cpu.ldtrLimit)}`),
          variable('TR', `${hex(cpu.trSel & 0xffff, 4)} base=${hex(cpu.trBase)} limit=${hex(cpu.trLimit)}`),
          variable('CPL', num(cpu.cpl, format)),
          variable('Mode', !protectedMode ? 'real' : cpu.code32 ? 'protected, 32-bit code' : 'protected, 16-bit code'),
        ];
      }
      case REF_CR0:
        return bitChildren(cpu.cr0, CR0_BITS, format);
      case REF_CR4:
        return bitChildren(cpu.cr4, CR4_BITS, format);
    }
    if (ref >= REF_SEGMENT && ref < REF_SEGMENT + SEGMENTS.length) return this.segment(ref - REF_SEGMENT, format);
    return undefined;
  }

  private segment(i: number, format: Format): DebugProtocol.Variable[] {
    const cpu = this.engine.cpu;
    const attr = cpu.segAttr[i];
    const sel = cpu.segSel[i] & 0xffff;
    return [
      variable('Selector', hex(sel, 4), { type: `index ${sel >> 3}, ${(sel & 4) !== 0 ? 'LDT' : 'GDT'}, RPL ${sel & 3}` }),
      variable('Base', hex(cpu.segBase[i]), { memoryReference: hex(cpu.segBase[i]) }),
      variable('Limit', hex(cpu.segLimit[i])),
      variable('Attributes', hex(attr & 0xffff, 4)),
      variable('Type', hex(attr & 0xf, 1), { type: (attr & 0x10) === 0 ? 'system' : (attr & 8) !== 0 ? 'code' : 'data' }),
      variable('DPL', num((attr >> 5) & 3, format)),
      variable('Present', num((attr >> 7) & 1, format)),
      variable('D/B', num((attr >> 14) & 1, format)),
      variable('Granularity', num((attr >> 15) & 1, format)),
    ];
  }

  /** Sets a register or an EFLAGS bit; everything else is read-only with a reason. */
  setVariable(ref: number, name: string, value: number, format: Format): SetVariableBody | undefined {
    const cpu = this.engine.cpu;
    if (ref === REF_REGISTERS) {
      const reg = name.toLowerCase();
      if (readRegister(cpu, reg) === undefined || !writeRegister(cpu, reg, value >>> 0)) throw new DapError(ErrorId.BadArguments, `${name} cannot be changed here`);
      const now = readRegister(cpu, reg) as number;
      return { value: hex(now), memoryReference: hex(now), variablesReference: reg === 'eflags' ? REF_EFLAGS : 0 };
    }
    if (ref === REF_EFLAGS) {
      const f = EFLAGS_BITS.find((b) => b.name === name.toUpperCase());
      if (f === undefined) throw new DapError(ErrorId.BadArguments, `EFLAGS has no bit named ${name}`);
      const max = (1 << f.width) - 1;
      if (value > max) throw new DapError(ErrorId.BadArguments, `${f.name} takes 0${max > 1 ? `–${max}` : ' or 1'} (got ${value})`);
      const mask = max << f.shift;
      cpu.setEflags((cpu.getEflags() & ~mask) | (value << f.shift));
      return { value: num((cpu.getEflags() >>> f.shift) & max, format) };
    }
    if (ref === REF_SEGMENTS || (ref >= REF_SEGMENT && ref < REF_SEGMENT + SEGMENTS.length)) {
      throw new DapError(ErrorId.BadArguments, `${name} is read-only: a selector loaded without its descriptor would leave the hidden cache inconsistent`);
    }
    if (ref === REF_SYSTEM || ref === REF_CR0 || ref === REF_CR4) throw new DapError(ErrorId.BadArguments, `${name} is read-only in the debugger (the guest changes it with MOV CRn / LGDT ...)`);
    return undefined;
  }
}
