// Launch configurations before the adapter sees them: F5 without launch.json, filling gaps,
// refusing what cannot work (with the way forward), the Xen build of pv-* guests.
import { describe, expect, test } from 'vitest';
import * as path from 'node:path';
import {
  declaresXenBuild, defaultLaunch, dynamicLaunches, isGuestFile, resolveLaunch, resolveSubstituted, type FileAccess,
} from '../../extension/src/model/debug-config.js';
import { TECHNIQUES } from '../../extension/src/model/techniques.js';
import { REPO_ROOT } from '../helpers/paths.js';
import * as fs from 'node:fs';

const SAMPLES = path.join(REPO_ROOT, 'samples');
const guest = { path: path.join(SAMPLES, 'hello.asm'), languageId: 'guest-asm' };
const realFiles: FileAccess = {
  isFile: (f) => fs.existsSync(f) && fs.statSync(f).isFile(),
  readText: (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined),
};

describe('resolveLaunch (before variables are substituted)', () => {
  test('F5 on an open guest file without launch.json: the open file under the setting\'s technique, stopping on entry', () => {
    expect(resolveLaunch({ type: '', request: '', name: '' }, guest, 'vt-x')).toEqual(resolveLaunch({}, guest, 'vt-x'));
    const r = resolveLaunch({}, guest, 'vt-x');
    expect(r).toEqual({ ok: true, config: { type: 'hyperstep', request: 'launch', name: 'Debug hello.asm (vt-x)', program: '${file}', technique: 'vt-x', stopOnEntry: true } });
  });

  test("a file's `; hyperstep: technique=NAME` directive wins over the setting, as in the language server's lints", () => {
    const pv = { ...guest, text: 'bits 32\n; hyperstep: technique=paravirt\nnop\n' };
    expect(resolveLaunch({}, pv, 'vt-x')).toMatchObject({ ok: true, config: { technique: 'paravirt', name: 'Debug hello.asm (paravirt)' } });
    expect(resolveLaunch({ type: 'hyperstep', request: 'launch', name: 'x' }, pv, 'vt-x')).toMatchObject({ ok: true, config: { technique: 'paravirt' } });
    // An explicit technique, an unknown name and no directive leave the setting in charge.
    expect(resolveLaunch({ type: 'hyperstep', request: 'launch', name: 'x', technique: 'native' }, pv, 'vt-x')).toMatchObject({ ok: true, config: { technique: 'native' } });
    expect(resolveLaunch({}, { ...guest, text: '; hyperstep: technique=warp\n' }, 'vt-x')).toMatchObject({ ok: true, config: { technique: 'vt-x' } });
    expect(resolveLaunch({}, { ...guest, text: 'nop ; technique=paravirt\n' }, 'vt-x')).toMatchObject({ ok: true, config: { technique: 'vt-x' } });
  });

  test('F5 with no guest file open: refused, pointing at a sample and the walkthrough', () => {
    for (const active of [undefined, { path: '/x/readme.md', languageId: 'markdown' }]) {
      const r = resolveLaunch({}, active, 'native');
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.message).toMatch(/open a \.asm guest file/);
        expect(r.actions).toEqual(['openSample', 'openWalkthrough']);
      }
    }
  });

  test('a .asm file counts as a guest even before the language is known', () => {
    expect(isGuestFile({ path: '/x/boot.asm', languageId: 'plaintext' })).toBe(true);
    expect(isGuestFile({ path: '/x/boot.c', languageId: 'c' })).toBe(false);
  });

  test('a launch.json configuration keeps what it says and gets a technique and request when it has none', () => {
    const r = resolveLaunch({ type: 'hyperstep', name: 'mine', program: '${workspaceFolder}/a.asm', vmx: { 'hlt-exiting': true } }, undefined, 'paravirt');
    expect(r).toEqual({ ok: true, config: { type: 'hyperstep', request: 'launch', name: 'mine', program: '${workspaceFolder}/a.asm', technique: 'paravirt', vmx: { 'hlt-exiting': true } } });
    const kept = resolveLaunch({ type: 'hyperstep', request: 'launch', name: 'n', program: 'p.asm', technique: 'native' }, guest, 'vt-x');
    expect(kept.ok && kept.config.technique).toBe('native');
  });

  test('no program: the open guest, or a refusal that opens launch.json', () => {
    const withGuest = resolveLaunch({ type: 'hyperstep', request: 'launch', name: 'n' }, guest, 'native');
    expect(withGuest.ok && withGuest.config.program).toBe('${file}');
    const without = resolveLaunch({ type: 'hyperstep', request: 'launch', name: 'n' }, undefined, 'native');
    expect(without).toMatchObject({ ok: false, actions: ['openLaunchJson'] });
  });

  test('attach is refused with the reason', () => {
    expect(resolveLaunch({ type: 'hyperstep', request: 'attach', name: 'a' }, guest, 'native')).toMatchObject({ ok: false, message: expect.stringMatching(/launch/) });
  });

  test('dynamic configurations: one per technique, for the open file', () => {
    const list = dynamicLaunches();
    expect(list.map((c) => c.technique)).toEqual([...TECHNIQUES]);
    for (const c of list) expect(c).toMatchObject({ type: 'hyperstep', request: 'launch', program: '${file}' });
    expect(defaultLaunch('native').name).toBe('Debug guest (native)');
  });
});

describe('resolveSubstituted (after variables are substituted)', () => {
  test('a missing program is refused before the adapter starts, with launch.json to fix it', () => {
    const r = resolveSubstituted({ type: 'hyperstep', program: '/nowhere/x.asm', technique: 'native' }, realFiles);
    expect(r).toMatchObject({ ok: false, actions: ['openLaunchJson'], message: expect.stringContaining('/nowhere/x.asm') });
  });

  test('an unknown technique is refused with the known ones (a picker that returned nonsense, a typo)', () => {
    const r = resolveSubstituted({ program: guest.path, technique: 'vmware' }, realFiles);
    expect(r).toMatchObject({ ok: false, message: expect.stringContaining('trap-and-emulate') });
  });

  test('relative programs and includePaths resolve against the workspace folder, passed to the adapter as cwd', () => {
    const r = resolveSubstituted({ program: 'hello.asm', technique: 'native' }, realFiles, SAMPLES);
    expect(r).toEqual({ ok: true, config: { program: guest.path, technique: 'native', cwd: SAMPLES } });
    const own = resolveSubstituted({ program: 'hello.asm', cwd: SAMPLES, technique: 'native' }, realFiles, '/elsewhere');
    expect(own.ok && own.config.cwd).toBe(SAMPLES);
  });

  test('paravirt on a pv_ops sample adds -D XEN; other guests, other techniques and explicit defines are left alone', () => {
    const pv = path.join(SAMPLES, 'pv-popf.asm');
    expect(resolveSubstituted({ program: pv, technique: 'paravirt' }, realFiles)).toMatchObject({ ok: true, config: { defines: { XEN: '' } } });
    const native = resolveSubstituted({ program: pv, technique: 'native' }, realFiles);
    expect(native.ok && native.config.defines).toBeUndefined();
    const explicit = resolveSubstituted({ program: pv, technique: 'paravirt', defines: { OTHER: '1' } }, realFiles);
    expect(explicit.ok && explicit.config.defines).toEqual({ OTHER: '1' });
    const hello = resolveSubstituted({ program: guest.path, technique: 'paravirt' }, realFiles);
    expect(hello.ok && hello.config.defines).toBeUndefined();
  });

  test('every pv-* sample declares its Xen build, no other sample does', () => {
    for (const f of fs.readdirSync(SAMPLES).filter((n) => n.endsWith('.asm'))) {
      expect(declaresXenBuild(fs.readFileSync(path.join(SAMPLES, f), 'utf8')), f).toBe(f.startsWith('pv-'));
    }
  });
});
