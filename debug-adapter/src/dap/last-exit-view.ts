// The scope "Last exit" (every technique with a VMM): the most recent exit record with every
// field, its details and qualification decoded, and the most recent virtualization hole as one
// child. References below the scope's are given to the nested fields in a fixed walk order, so
// they stay valid while the guest is stopped (the log does not change then).
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Engine } from '../engine/engine.js';
import type { ExitRecord, HoleRecord } from '../hypervisor/types.js';
import { DapError, ErrorId } from './errors.js';
import { describeHole, exitRecordVariables, holeRecordVariables, type ExitField } from './exit-record.js';
import { variable, type Format, type SetVariableBody, type View } from './base-view.js';

const REF_LAST_EXIT = 30;
const REF_NESTED_END = 40; // nested fields use 31–39

export class LastExitView implements View {
  constructor(private readonly engine: Engine) {}

  scopes(): DebugProtocol.Scope[] {
    if (this.engine.hypervisor === null) return [];
    return [{ name: 'Last exit', variablesReference: REF_LAST_EXIT, expensive: false }];
  }

  private last(): { exit?: ExitRecord; hole?: HoleRecord } {
    const out: { exit?: ExitRecord; hole?: HoleRecord } = {};
    const recent = this.engine.log.recent();
    for (let i = recent.length - 1; i >= 0 && (out.exit === undefined || out.hole === undefined); i--) {
      const e = recent[i];
      if (e.kind === 'hole') out.hole ??= e;
      else out.exit ??= e;
    }
    return out;
  }

  /** The scope's fields, and the reference of every field with children. */
  private tree(format: Format): { top: ExitField[]; refs: Map<ExitField, number>; byRef: Map<number, ExitField[]> } {
    const { exit, hole } = this.last();
    const top: ExitField[] = exit === undefined ? [] : exitRecordVariables(exit, format);
    if (hole !== undefined) top.push({ name: 'last hole', value: describeHole(hole), children: holeRecordVariables(hole, format) });
    const refs = new Map<ExitField, number>();
    const byRef = new Map<number, ExitField[]>([[REF_LAST_EXIT, top]]);
    let next = REF_LAST_EXIT + 1;
    const walk = (fields: ExitField[]): void => {
      for (const f of fields) {
        if (f.children === undefined || next >= REF_NESTED_END) continue;
        refs.set(f, next);
        byRef.set(next++, f.children);
        walk(f.children);
      }
    };
    walk(top);
    return { top, refs, byRef };
  }

  variables(ref: number, format: Format): DebugProtocol.Variable[] | undefined {
    if (ref < REF_LAST_EXIT || ref >= REF_NESTED_END || this.engine.hypervisor === null) return undefined;
    const { refs, byRef } = this.tree(format);
    const fields = byRef.get(ref);
    if (fields === undefined) return [];
    return fields.map((f) => variable(f.name, f.value, { variablesReference: refs.get(f) ?? 0 }));
  }

  setVariable(ref: number, name: string): SetVariableBody | undefined {
    if (ref < REF_LAST_EXIT || ref >= REF_NESTED_END) return undefined;
    throw new DapError(ErrorId.BadArguments, `${name} is read-only: it records what happened at the exit`);
  }
}
