// The VT-x control vocabulary: parsing, validation, control words, VMCS encodings.
import { describe, expect, test } from 'vitest';
import {
  CONTROL_NAMES, controlWords, msrBitmapExits, parseVmxControls, parseVmxSpec,
} from '../../debug-adapter/src/hypervisor/vtx/controls.js';
import { Vmcs, vmcsField } from '../../debug-adapter/src/hypervisor/vtx/vmcs.js';
import { crQualification, drQualification, interruptionInfo, ioQualification } from '../../debug-adapter/src/hypervisor/vtx/exits.js';
import { Engine, EngineInputError } from '../../debug-adapter/src/engine/engine.js';
import './vtx-helpers.js';

describe('controls', () => {
  test('defaults and their control words (SDM default-1 bits)', () => {
    const c = parseVmxControls();
    expect(c.controls['hlt-exiting']).toBe(true);
    expect(c.controls['unconditional-io-exiting']).toBe(true);
    expect(c.controls['use-msr-bitmaps']).toBe(false);
    expect(c.exceptionBitmap).toBe(0);
    expect(c.cr0Mask).toBe(0xe0000001);
    const w = controlWords(c);
    expect(w.pin).toBe(0x16 | 1);
    // default-1 0x04006172 | HLT (7) | unconditional I/O (24) | MWAIT (10) | MONITOR (29)
    expect(w.primary).toBe((0x04006172 | (1 << 7) | (1 << 24) | (1 << 10) | (1 << 29)) >>> 0);
    expect(w.exit).toBe(0x00036dff | 0x8000);
    expect(w.entry).toBe(0x000011ff);
    expect(controlWords(parseVmxControls({ 'cr3-load-exiting': 'on', 'hlt-exiting': 'off' })).primary & 0x8080).toBe(0x8000);
  });

  test('values from the command line and from a launch configuration', () => {
    const c = parseVmxControls(parseVmxSpec('hlt-exiting=off, use-io-bitmaps=on,io-bitmap=0x60-0x64+0x3f8+128,exception-bitmap=4000,rdtsc-exiting'));
    expect(c.controls['hlt-exiting']).toBe(false);
    expect(c.controls['rdtsc-exiting']).toBe(true);
    expect(c.exceptionBitmap).toBe(0x4000);
    const ports = [...Array(0x10000).keys()].filter((p) => (c.ioBitmap[p >>> 3] & (1 << (p & 7))) !== 0);
    expect(ports).toEqual([0x60, 0x61, 0x62, 0x63, 0x64, 0x80, 0x3f8]);
    const j = parseVmxControls({ 'hlt-exiting': false, 'mov-dr-exiting': 1, 'cr0-read-shadow': 0x11, 'msr-bitmap': '0x174+0xc0000080' });
    expect(j.controls['mov-dr-exiting']).toBe(true);
    expect(j.cr0Shadow).toBe(0x11);
    expect(msrBitmapExits(j.msrBitmap, 0x174, false)).toBe(true);
    expect(msrBitmapExits(j.msrBitmap, 0xc0000080, true)).toBe(true);
    expect(msrBitmapExits(j.msrBitmap, 0x175, true)).toBe(false);
    expect(msrBitmapExits(j.msrBitmap, 0x40000000, false)).toBe(true); // outside the bitmap: always
  });

  test('unknown names and bad values are refused with the list of valid names', () => {
    const list = new RegExp(CONTROL_NAMES.map((n) => n.replace(/-/g, '\\-')).join('.*'));
    expect(() => parseVmxControls({ 'hlt-exit': 'on' })).toThrow(/unknown vmx control 'hlt-exit'/);
    expect(() => parseVmxControls({ 'hlt-exit': 'on' })).toThrow(list);
    expect(() => parseVmxControls({ 'hlt-exiting': 'maybe' })).toThrow(list);
    expect(() => parseVmxControls({ 'hlt-exiting': 2 })).toThrow(/invalid value/);
    expect(() => parseVmxControls({ 'exception-bitmap': 'xyz' })).toThrow(/hexadecimal/);
    expect(() => parseVmxControls({ 'exception-bitmap': true })).toThrow(/invalid value/);
    expect(() => parseVmxControls({ 'io-bitmap': '0x10-0x5' })).toThrow(/ranges/);
    expect(() => parseVmxControls({ 'io-bitmap': '0x10000' })).toThrow(/ranges/);
    expect(() => parseVmxControls({ 'msr-bitmap': '0x40000000' })).toThrow(/outside/);
    expect(() => parseVmxSpec('=on')).toThrow(/no control name/);
    expect(() => new Engine({ technique: 'vt-x', hypervisor: { vmx: { nope: 1 } } })).toThrow(EngineInputError);
  });
});

describe('VMCS and exit-information layouts', () => {
  test('fields by name and encoding', () => {
    expect(vmcsField('VM_EXIT_REASON').encoding).toBe(0x4402);
    expect(vmcsField(0x6400).name).toBe('EXIT_QUALIFICATION');
    expect(vmcsField(0x681e)).toMatchObject({ name: 'GUEST_RIP', width: 'natural', group: 'guest' });
    expect(vmcsField(0x2806)).toMatchObject({ name: 'GUEST_IA32_EFER', width: 64 });
    const v = new Vmcs();
    v.write('GUEST_CS_SELECTOR', 0x12345);
    expect(v.read(0x0802)).toBe(0x2345);
    v.write64('VMCS_LINK_POINTER', 0xffffffffffffffffn);
    expect(v.read(0x2801)).toBe(0xffffffff);
    expect(v.read64(0x2800)).toBe(0xffffffffffffffffn);
    expect(() => v.read('NOPE')).toThrow(/unknown VMCS field/);
  });

  test('qualification encoders', () => {
    expect(crQualification(4, 0, 3)).toBe(0x304);
    expect(crQualification(0, 3, 0, true, 0xabcd)).toBe(0xabcd0070);
    expect(drQualification(7, true, 2)).toBe(0x217);
    expect(ioQualification(4, true, true, true, false, 0x1f0)).toBe(0x01f0003b);
    expect(interruptionInfo(14, 3, true)).toBe(0x80000b0e);
  });
});
