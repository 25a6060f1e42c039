// The scope "Hypervisor" (every technique with a VMM): technique, exits in total and by reason,
// holes by instruction, modelled cycles and guest instructions.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Engine } from '../engine/engine.js';
import { DapError, ErrorId } from './errors.js';
import { num, variable, type Format, type SetVariableBody, type View } from './base-view.js';

const REF_HYPERVISOR = 50;
const REF_EXITS = 51;
const REF_HOLES = 52;

export class HypervisorView implements View {
  constructor(private readonly engine: Engine) {}

  scopes(): DebugProtocol.Scope[] {
    if (this.engine.hypervisor === null) return [];
    return [{ name: 'Hypervisor', variablesReference: REF_HYPERVISOR, expensive: false }];
  }

  variables(ref: number, format: Format): DebugProtocol.Variable[] | undefined {
    if (this.engine.hypervisor === null) return undefined;
    const stats = this.engine.statistics();
    const counts = (by: Record<string, number>): DebugProtocol.Variable[] => Object.entries(by).map(([name, n]) => variable(name, num(n, format)));
    switch (ref) {
      case REF_HYPERVISOR: {
        const instructions = this.engine.instructions;
        return [
          variable('technique', this.engine.technique),
          variable('exits', num(stats.exits.total, format), { variablesReference: REF_EXITS, namedVariables: Object.keys(stats.exits.byReason).length, type: 'total; one child per reason' }),
          variable('holes', num(stats.holes.total, format), { variablesReference: REF_HOLES, namedVariables: Object.keys(stats.holes.byInstruction).length, type: 'total; one child per instruction' }),
          variable('modelled cycles', num(stats.cycles, format), { type: 'guest instructions plus the cost of every exit' }),
          variable('VMM cycles', num(this.engine.log.vmmCycles, format), { type: 'exits and their handling' }),
          variable('guest instructions', num(instructions, format)),
        ];
      }
      case REF_EXITS:
        return counts(stats.exits.byReason);
      case REF_HOLES:
        return counts(stats.holes.byInstruction);
    }
    return undefined;
  }

  setVariable(ref: number, name: string): SetVariableBody | undefined {
    if (ref !== REF_HYPERVISOR && ref !== REF_EXITS && ref !== REF_HOLES) return undefined;
    throw new DapError(ErrorId.BadArguments, `${name} is read-only: a counter of the run`);
  }
}
