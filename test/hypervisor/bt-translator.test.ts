// The translator and the VMM's bookkeeping: IDENT copies, callout stubs, cache statistics,
// side-by-side view, invalidation on self-modifying code, guest user code run directly.
import { describe, expect, test } from 'vitest';
import { Decoder, DecoderOptions, Instruction } from 'iced-x86';
import { buildOp } from '../../debug-adapter/src/cpu/decode.js';
import type { Op } from '../../debug-adapter/src/cpu/op.js';
import { CALLOUT_STUB_BYTES, TC_BASE, calloutName, translateBlock } from '../../debug-adapter/src/hypervisor/binary-translation/index.js';
import { guest } from './trap-emulate-helpers.js';
import { runSource } from './bt-helpers.js';
import { X86TranslationVmm } from '../../debug-adapter/src/hypervisor/binary-translation/index.js';

function ops(bytes: number[], at = 0x100000): Op[] {
  const buf = new Uint8Array(bytes);
  const decoder = new Decoder(32, buf, DecoderOptions.None);
  const instr = new Instruction();
  const out: Op[] = [];
  let offset = 0;
  while (offset < buf.length) {
    decoder.position = offset;
    decoder.decodeOut(instr);
    out.push(buildOp(instr, buf.slice(offset, offset + instr.length), 32, at + offset));
    offset += instr.length;
  }
  instr.free();
  decoder.free();
  return out;
}

describe('translateBlock', () => {
  // nop; cli; mov eax,1; pushfd; popfd; ret
  const block = ops([0x90, 0xfa, 0xb8, 1, 0, 0, 0, 0x9c, 0x9d, 0xc3]);
  const names: string[] = [];
  const t = translateBlock(block, true, TC_BASE, (op) => ['nop', 'cli', 'mov eax,1', 'pushfd', 'popfd', 'ret'][block.indexOf(op)], (_op, name) => {
    names.push(name);
    return () => undefined;
  });

  test('innocuous instructions are IDENT (the same Op), sensitive ones callouts', () => {
    expect(t.entries.map((e) => e.kind)).toEqual(['ident', 'callout', 'ident', 'callout', 'callout', 'ident']);
    expect(t.ops[0]).toBe(block[0]);
    expect(t.ops[2]).toBe(block[2]);
    expect(t.ops[1]).not.toBe(block[1]);
    expect(t.ops[1].len).toBe(1); // guest EIP still advances by the guest length
    expect(t.ops[1].linear).toBe(0x100001);
    expect(names).toEqual(['cli', 'pushfd', 'popfd']);
    expect(t.callouts).toBe(3);
  });

  test('TC layout: original bytes for IDENT, 5-byte call stubs for callouts', () => {
    expect(t.tc).toBe(TC_BASE);
    expect(t.guestLength).toBe(10);
    expect(t.tcLength).toBe(1 + CALLOUT_STUB_BYTES + 5 + 2 * CALLOUT_STUB_BYTES + 1);
    const stub = t.entries[1];
    expect(stub.tc).toBe(TC_BASE + 1);
    expect(stub.bytes[0]).toBe(0xe8);
    expect(t.entries[2].tc).toBe(TC_BASE + 1 + CALLOUT_STUB_BYTES);
  });

  test('callout names skip prefixes', () => {
    expect(calloutName('rep outsb', block[0])).toBe('outsb');
    expect(calloutName('popf', block[0])).toBe('popf');
  });
});

describe('the binary-translation VMM', () => {
  const source = guest(`
    pushfd
    pop eax
    and eax, 0x200
    shr eax, 9
    add al, '0'
    call putc
    cli
    pushfd
    pop eax
    and eax, 0x200
    shr eax, 9
    add al, '0'
    call putc
    ; self-modifying: patch the immediate of the mov below, twice
    mov ecx, 2
.again:
    call patched
    call putc
    mov byte [patched + 1], 'B'
    dec ecx
    jnz .again
    mov al, 0
    jmp exit
patched:
    mov al, 'A'
    ret
`);

  test('equals native, callouts for kernel-mode sensitive instructions, SMC invalidates', () => {
    const native = runSource(source, 'native');
    const bt = runSource(source, 'binary-translation', undefined, 'ops');
    expect(bt.serial).toBe(native.serial);
    expect(bt.serial).toBe('00AB'); // Multiboot enters with IF=0
    expect(bt.stats.holes.total).toBe(0);
    expect(bt.stats.exits.byReason.pushfd ?? bt.stats.exits.byReason.pushf).toBe(2);
    expect(bt.stats.exits.byReason.cli).toBeGreaterThanOrEqual(1);
    const s = bt.bt?.statistics();
    expect(s?.invalidations).toBeGreaterThan(0);
    expect(s?.blocksTranslated).toBeGreaterThan(3);
    expect(s?.translationCycles).toBe((s?.instructionsTranslated ?? 0) * 300);
    // Translation and callouts are in the modelled cycles.
    const callout = bt.events.find((e) => e.kind === 'callout' && e.reason === 'cli');
    expect(callout && 'cost' in callout ? callout.cost : 0).toBe(240);
    expect(bt.stats.cycles).toBe(bt.retired + (s?.translationCycles ?? 0) + 240 * bt.stats.exits.total);
  });

  test('x86 mode (the default): equals native incl. the retired count, same callouts and cycles model', () => {
    const native = runSource(source, 'native');
    const bt = runSource(source, 'binary-translation');
    expect(bt.vmm).toBeInstanceOf(X86TranslationVmm);
    expect(bt.serial).toBe(native.serial);
    expect(bt.retired).toBe(native.retired);
    expect(bt.stats.holes.total).toBe(0);
    expect(bt.stats.exits.byReason.pushfd ?? bt.stats.exits.byReason.pushf).toBe(2);
    const s = bt.vmm?.statistics();
    expect(s?.invalidations).toBeGreaterThan(0);
    expect(s?.translationCycles).toBe((s?.instructionsTranslated ?? 0) * 300);
    expect(bt.stats.cycles).toBe(bt.retired + (s?.translationCycles ?? 0) + 240 * bt.stats.exits.total);
  });

  test('side by side: guest block and translation, with the callout stub', () => {
    const bt = runSource(source, 'binary-translation', undefined, 'ops');
    const cli = bt.events.find((e) => e.kind === 'callout' && e.reason === 'cli');
    expect(cli).toBeDefined();
    const view = bt.bt?.sideBySide(cli?.eip ?? 0);
    expect(view).not.toBeNull();
    if (!view) return;
    const i = view.guest.findIndex((l) => l.address === cli?.eip);
    expect(view.guest[i].text).toBe('cli');
    expect(view.guest[i].bytes).toBe('fa');
    expect(view.translation[i].kind).toBe('callout');
    expect(view.translation[i].text).toContain('bt_callout_cli');
    expect(view.translation[i].bytes.startsWith('e8')).toBe(true);
    expect(view.translation[i].address).toBeGreaterThanOrEqual(TC_BASE);
    expect(bt.bt?.sideBySide(0x12345678)).toBeNull();
  });
});
