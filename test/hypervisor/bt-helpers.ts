// Runs guests natively and under binary translation (the technique is registered here until
// hypervisor/techniques.ts does it).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine, type StopInfo } from '../../debug-adapter/src/engine/engine.js';
import { registerTechnique, type VmmEvent, type VmmStatistics } from '../../debug-adapter/src/hypervisor/index.js';
import { btFactory, BinaryTranslationVmm, X86TranslationVmm } from '../../debug-adapter/src/hypervisor/binary-translation/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

registerTechnique('binary-translation', btFactory);

export const INCLUDE = path.join(REPO_ROOT, 'samples', 'include');

export interface BtRun {
  serial: string;
  stop: StopInfo;
  stats: VmmStatistics;
  events: VmmEvent[];
  retired: number;
  engine: Engine;
  /** The Op-form VMM ('ops' mode), or null. */
  bt: BinaryTranslationVmm | null;
  /** Whichever binary-translation VMM ran (either mode), or null. */
  vmm: BinaryTranslationVmm | X86TranslationVmm | null;
}

/** undefined: the default mode. */
export type BtMode = 'ops' | 'x86' | undefined;

export function runFile(file: string, technique: 'native' | 'binary-translation', limit = 20_000_000, btMode?: BtMode): BtRun {
  const engine = Engine.fromFile(file, { technique, includePaths: [INCLUDE], hypervisor: { btMode } });
  let serial = '';
  engine.onSerial((b) => {
    serial += Buffer.from(b).toString('latin1');
  });
  const events: VmmEvent[] = [];
  engine.log.onEvent((e) => events.push(e));
  const stop = engine.run(limit);
  const h = engine.hypervisor;
  const bt = h instanceof BinaryTranslationVmm ? h : null;
  const vmm = h instanceof BinaryTranslationVmm || h instanceof X86TranslationVmm ? h : null;
  return { serial, stop, stats: engine.statistics(), events, retired: engine.cpu.retired, engine, bt, vmm };
}

export function runSource(source: string, technique: 'native' | 'binary-translation', limit = 5_000_000, btMode?: BtMode): BtRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperstep-bt-'));
  const file = path.join(dir, 'guest.asm');
  fs.writeFileSync(file, source);
  return runFile(file, technique, limit, btMode);
}
