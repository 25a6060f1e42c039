// The status bar's words and CPL parsing, the custom requests' text and answers, and when the
// language server is restarted.
import { describe, expect, test } from 'vitest';
import { parseCpl, readCpl, statusText, statusTooltip } from '../../extension/src/model/status.js';
import { asTranslation, isUnknownRequest, serialRequestText } from '../../extension/src/model/requests.js';
import { MAX_RESTARTS, RESTART_WINDOW_MS, RestartPolicy } from '../../extension/src/model/restart-policy.js';

describe('status', () => {
  test('CPL from the Virtual CPU scope (VMM vs hardware column) or the System scope', () => {
    expect(parseCpl('guest 0 / VMM 0 / hardware 1')).toEqual({ virtual: 0, physical: 1 });
    expect(parseCpl('guest 0x0 / VMM 0x3 / hardware 0x3')).toEqual({ virtual: 3, physical: 3 });
    expect(parseCpl('0')).toEqual({ virtual: 0, physical: 0 });
    expect(parseCpl('unavailable')).toBeUndefined();
  });

  test('text: technique; while stopped, virtual vs physical CPL', () => {
    expect(statusText({ technique: 'vt-x', inSession: false, stopped: false })).toBe('$(circuit-board) vt-x');
    expect(statusText({ technique: 'vt-x', inSession: true, stopped: false })).toBe('$(debug-alt) vt-x');
    expect(statusText({ technique: 'trap-and-emulate', inSession: true, stopped: true, cpl: { virtual: 0, physical: 1 } })).toBe('$(debug-pause) trap-and-emulate · CPL virtual 0 / physical 1');
    expect(statusText({ technique: 'native', inSession: true, stopped: true, cpl: { virtual: 0, physical: 0 } })).toBe('$(debug-pause) native · CPL 0');
    expect(statusTooltip({ technique: 'trap-and-emulate', inSession: true, stopped: true, cpl: { virtual: 0, physical: 1 } })).toMatch(/believes it runs at ring 0.*ring 1/);
  });

  test('readCpl follows stackTrace → scopes → variables and prefers the Virtual CPU scope', async () => {
    const calls: string[] = [];
    const answers: Record<string, unknown> = {
      stackTrace: { stackFrames: [{ id: 7 }] },
      scopes: { scopes: [{ name: 'System', variablesReference: 3 }, { name: 'Virtual CPU', variablesReference: 20 }] },
      variables: { variables: [{ name: 'IF', value: 'guest 0 / VMM 0 / hardware 1' }, { name: 'CPL', value: 'guest 0 / VMM 0 / hardware 1' }] },
    };
    const cpl = await readCpl(async (command, args) => {
      calls.push(`${command} ${JSON.stringify(args)}`);
      return answers[command];
    }, 1);
    expect(cpl).toEqual({ virtual: 0, physical: 1 });
    expect(calls).toEqual(['stackTrace {"threadId":1,"startFrame":0,"levels":1}', 'scopes {"frameId":7}', 'variables {"variablesReference":20}']);
  });
});

describe('requests', () => {
  test('serial input: escapes, UTF-8 as bytes, the newline', () => {
    expect(serialRequestText('ls', true)).toBe('ls\n');
    expect(serialRequestText('a\\tb\\r\\x41\\\\', false)).toBe('a\tb\rA\\');
    expect(serialRequestText('é', false)).toBe('\xc3\xa9');
    expect(() => serialRequestText('bad\\q', false)).toThrow(/unknown escape \\q/);
    expect(() => serialRequestText('end\\', false)).toThrow(/lone backslash/);
  });

  test('an adapter without the request is told apart from other failures', () => {
    expect(isUnknownRequest(new Error("unknown request 'hyperstep.translation'"), 'hyperstep.translation')).toBe(true);
    expect(isUnknownRequest(new Error('the guest has ended'), 'hyperstep.translation')).toBe(false);
  });

  test('translation answers', () => {
    expect(asTranslation({ content: 'cli -> call vmm_cli', title: 'block 0x100020' })).toEqual({ title: 'block 0x100020', content: 'cli -> call vmm_cli' });
    expect(asTranslation({ listing: 'x' })).toEqual({ title: 'translation', content: 'x' });
    expect(asTranslation({})).toBeUndefined();
    expect(asTranslation(undefined)).toBeUndefined();
  });
});

describe('language server restarts', () => {
  test('a server that never started is not restarted; a running one a few times per window', () => {
    let now = 0;
    const p = new RestartPolicy(() => now);
    expect(p.shouldRestart()).toBe(false);
    for (let i = 0; i < MAX_RESTARTS; i++) {
      p.started();
      expect(p.shouldRestart()).toBe(true);
    }
    p.started();
    expect(p.shouldRestart()).toBe(false);
    now += RESTART_WINDOW_MS + 1;
    p.started();
    expect(p.shouldRestart()).toBe(true);
  });
});
