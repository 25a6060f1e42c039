// Runs guests natively and under binary translation's x86 translation-cache mode (registered
// under the technique name here until HypervisorOptions selects the mode).
import { Engine, type StopInfo } from '../../debug-adapter/src/engine/engine.js';
import { registerTechnique, type VmmEvent, type VmmStatistics } from '../../debug-adapter/src/hypervisor/index.js';
import { btX86Factory, X86TranslationVmm } from '../../debug-adapter/src/hypervisor/binary-translation/tc-vmm.js';
import { INCLUDE } from './bt-helpers.js';

registerTechnique('binary-translation', btX86Factory);

export interface X86Run {
  serial: string;
  stop: StopInfo;
  stats: VmmStatistics;
  events: VmmEvent[];
  retired: number;
  engine: Engine;
  vmm: X86TranslationVmm | null;
}

export function runX86(file: string, technique: 'native' | 'binary-translation', limit = 20_000_000): X86Run {
  const engine = Engine.fromFile(file, { technique, includePaths: [INCLUDE] });
  let serial = '';
  engine.onSerial((b) => {
    serial += Buffer.from(b).toString('latin1');
  });
  const events: VmmEvent[] = [];
  engine.log.onEvent((e) => events.push(e));
  const stop = engine.run(limit);
  const vmm = engine.hypervisor instanceof X86TranslationVmm ? engine.hypervisor : null;
  return { serial, stop, stats: engine.statistics(), events, retired: engine.cpu.retired, engine, vmm };
}
