// isPvGuest: the __xen_guest string decides whether paravirt can run an image.
import { describe, expect, test } from 'vitest';
import { isPvGuest } from '../../debug-adapter/src/hypervisor/paravirt/index.js';
import { Engine } from '../../debug-adapter/src/engine/engine.js';
import { build } from './pv-helpers.js';

const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

describe('isPvGuest', () => {
  test('recognizes the __xen_guest string', () => {
    expect(isPvGuest(bytes('\x00\x01GUEST_OS=linux,XEN_VER=xen-3.0,LOADER=generic\x00tail'))).toMatchObject({ pv: true });
  });
  test('refuses images without it, and other interface versions, saying why', () => {
    const none = isPvGuest(bytes('plain multiboot kernel'));
    expect(none.pv).toBe(false);
    expect(none.why).toMatch(/__xen_guest/);
    const v2 = isPvGuest(bytes('GUEST_OS=linux,XEN_VER=2.0\x00'));
    expect(v2.pv).toBe(false);
    expect(v2.why).toMatch(/XEN_VER=2\.0/);
  });
  test('paravirt refuses to start a non-PV guest', () => {
    const image = build('bits 32\norg 0x100000\n%include "multiboot.inc"\nsection .text\nMULTIBOOT_HEADER\n_start: hlt\nsection .data\ndd 0\nmb_load_end:\nsection .bss\nmb_bss_end:\n', false);
    const engine = new Engine({ technique: 'paravirt' });
    expect(() => engine.loadImage(image)).toThrow(/not a Xen PV guest/);
  });
});
