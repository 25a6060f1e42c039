// The Variables view: the scopes of every view in display order, and each request routed to the
// view that owns its reference. References are fixed per view and all below 10000 (the session
// reserves 10000 and up); values are read from the engine at each request, so references stay
// valid for as long as the guest is stopped.
//   1–15     Registers, Segments, System          registers-view.ts
//   20       Virtual CPU                           virtual-cpu-view.ts
//   30–39    Last exit                             last-exit-view.ts
//   50–52    Hypervisor                            hypervisor-view.ts
//   100–104, 1000–1199  VMCS                       vmcs-view.ts
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Engine } from '../engine/engine.js';
import { DapError, ErrorId } from './errors.js';
import { DECIMAL, type Format, type SetVariableBody, type View } from './base-view.js';
import { RegistersView } from './registers-view.js';
import { VirtualCpuView } from './virtual-cpu-view.js';
import { VmcsView } from './vmcs-view.js';
import { LastExitView } from './last-exit-view.js';
import { HypervisorView } from './hypervisor-view.js';

export type { Format } from './base-view.js';

export class VariablesView {
  private readonly views: readonly View[];

  constructor(engine: Engine) {
    this.views = [new RegistersView(engine), new VirtualCpuView(engine), new VmcsView(engine), new LastExitView(engine), new HypervisorView(engine)];
  }

  scopes(): DebugProtocol.Scope[] {
    return this.views.flatMap((v) => v.scopes());
  }

  /** The children of a reference, or undefined for an unknown reference. */
  variables(ref: number, format: Format = DECIMAL): DebugProtocol.Variable[] | undefined {
    for (const view of this.views) {
      const list = view.variables(ref, format);
      if (list !== undefined) return list;
    }
    return undefined;
  }

  /** Sets a child of a reference; refusals are DapErrors that say why. */
  setVariable(ref: number, name: string, value: number, format: Format = DECIMAL): SetVariableBody {
    for (const view of this.views) {
      const body = view.setVariable(ref, name, value, format);
      if (body !== undefined) return body;
    }
    throw new DapError(ErrorId.BadArguments, `unknown variables reference ${ref}`);
  }
}
