// The launch schema VS Code shows (package.json contributes.debuggers) is the one the adapter validates.
import { expect, test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { LAUNCH_SCHEMA } from '../../debug-adapter/src/dap/launch-config';
import { REPO_ROOT } from '../helpers/paths';

test('package.json declares the hyperstep debugger with the adapter\'s launch schema', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const debuggers = manifest.contributes.debuggers as { type: string; configurationAttributes: { launch: unknown } }[];
  const hyperstep = debuggers.find((d) => d.type === 'hyperstep');
  expect(hyperstep).toBeDefined();
  expect(hyperstep!.configurationAttributes.launch).toEqual(JSON.parse(JSON.stringify(LAUNCH_SCHEMA)));
});
