// Builds dist/ (what bin/hyperstep.js runs) once, before any test file starts, so the command-line
// tests all run the current sources and no test rebuilds the bundle while another one runs it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  const root = path.resolve(__dirname, '..');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`node scripts/build.mjs failed (status ${String(r.status)}):\n${r.stderr}${r.stdout}`);
}
