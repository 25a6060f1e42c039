// package.json's client contributions agree with the code that registers them: commands, views,
// settings, the technique list, the walkthrough's media, links and completion keys, the icon.
import { describe, expect, test } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, ContextKey, DEBUG_TYPE, LANGUAGE_ID, SECTION, Setting, View } from '../../extension/src/ids.js';
import { DEFAULT_TECHNIQUE, TECHNIQUES } from '../../extension/src/model/techniques.js';
import { ranContextKey } from '../../extension/src/model/walkthrough.js';
import { REPO_ROOT } from '../helpers/paths.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- a JSON manifest */
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as any;
const contributes = manifest.contributes;

describe('package.json (extension client)', () => {
  test('entry point, activation, engine', () => {
    expect(manifest.main).toBe('./dist/extension.js');
    expect(manifest.activationEvents).toEqual(expect.arrayContaining([`onLanguage:${LANGUAGE_ID}`, `onDebugResolve:${DEBUG_TYPE}`, `onDebugDynamicConfigurations:${DEBUG_TYPE}`]));
    // vsce refuses an engine older than the @types/vscode the code is checked against.
    const types = (manifest.devDependencies['@types/vscode'] as string).replace(/^[~^]/, '').split('.').map(Number);
    const engine = (manifest.engines.vscode as string).replace(/^[~^]/, '').split('.').map(Number);
    expect(engine[0] * 1000 + engine[1]).toBeGreaterThanOrEqual(types[0] * 1000 + types[1]);
  });

  test('every command the code registers is contributed, and only those', () => {
    const contributed = (contributes.commands as { command: string; title: string; category: string }[]).map((c) => c.command).sort();
    expect(contributed).toEqual(Object.values(Command).sort());
    for (const c of contributes.commands) expect(c.category).toBe('Hyperstep');
    const menuCommands = Object.values(contributes.menus as Record<string, { command: string }[]>).flat().map((m) => m.command);
    for (const c of menuCommands) expect(Object.values(Command)).toContain(c);
  });

  test('the VM Exits view sits in Run and Debug, with a welcome text', () => {
    expect(contributes.views.debug).toEqual([{ id: View.exits, name: 'VM Exits', when: ContextKey.active }]);
    expect(contributes.viewsWelcome[0].view).toBe(View.exits);
    expect(contributes.viewsWelcome[0].contents).toContain(`command:${Command.debugFile}`);
  });

  test('every setting the code reads is declared and documented; the technique setting lists every technique', () => {
    const props = contributes.configuration.properties as Record<string, { description?: string; markdownDescription?: string; default: unknown; enum?: unknown[] }>;
    expect(Object.keys(props).sort()).toEqual(Object.values(Setting).map((k) => `${SECTION}.${k}`).sort());
    for (const [k, p] of Object.entries(props)) expect((p.description ?? p.markdownDescription ?? "").length, k).toBeGreaterThan(10);
    expect(props['hyperstep.technique'].enum).toEqual([...TECHNIQUES]);
    expect(props['hyperstep.technique'].default).toBe(DEFAULT_TECHNIQUE);
  });

  test('the debugger: language, variables, snippets; the launch schema is left to the adapter (test/dap/manifest.test.ts)', () => {
    const dbg = contributes.debuggers.find((d: { type: string }) => d.type === DEBUG_TYPE);
    expect(dbg.languages).toEqual([LANGUAGE_ID]);
    expect(dbg.variables).toEqual({ pickTechnique: Command.pickTechnique });
    expect(dbg.initialConfigurations).toBeUndefined(); // the provider supplies it, following hyperstep.technique
    for (const s of dbg.configurationSnippets) expect(s.body).toMatchObject({ type: DEBUG_TYPE, request: 'launch' });
  });

  test('the walkthrough: media exist, sample links name shipped samples, completion keys match what Open Sample sets', () => {
    const [walkthrough] = contributes.walkthroughs;
    expect(walkthrough.id).toBe('hyperstep.story');
    for (const step of walkthrough.steps) {
      expect(fs.existsSync(path.join(REPO_ROOT, step.media.markdown)), step.media.markdown).toBe(true);
      for (const m of (step.description as string).matchAll(/command:hyperstep\.openSample\?([^)\s]+)/g)) {
        const [sample, technique] = JSON.parse(decodeURIComponent(m[1])) as [string, string?];
        expect(fs.existsSync(path.join(REPO_ROOT, 'samples', sample)), sample).toBe(true);
        if (technique !== undefined) expect(step.completionEvents).toContain(`onContext:${ranContextKey(sample, technique)}`);
      }
    }
    expect(walkthrough.steps.map((s: { id: string }) => s.id)).toEqual(['samples', 'hello', 'hole', 'vtx', 'bt', 'pv', 'compare']);
  });

  test('the icon is a 128×128 PNG', () => {
    const png = fs.readFileSync(path.join(REPO_ROOT, manifest.icon));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
  });
});
