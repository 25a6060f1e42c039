// Puts the CPU into the state a loader produced (Multiboot entry as QEMU leaves it, or a boot
// sector's real mode).
import type { Cpu } from '../cpu/cpu.js';
import { CS, DS, ES, FS, GS, SS } from '../cpu/constants.js';
import type { EntryState, SegmentRegister } from '../machine/entry-state.js';

/** Descriptor-cache attributes in the CPU's layout (descriptor bits 40–55). */
function attributes(seg: SegmentRegister): number {
  return (seg.access & 0xff) | ((seg.flags & 0xf) << 12);
}

export function applyEntryState(cpu: Cpu, entry: EntryState): void {
  cpu.reset();
  cpu.cr0 = entry.cr0 | 0;
  cpu.cr2 = entry.cr2 | 0;
  cpu.cr3 = entry.cr3 | 0;
  cpu.cr4 = entry.cr4 | 0;
  cpu.dr[6] = entry.dr6 | 0;
  cpu.dr[7] = entry.dr7 | 0;
  const regs = entry.regs;
  [regs.eax, regs.ecx, regs.edx, regs.ebx, regs.esp, regs.ebp, regs.esi, regs.edi].forEach((v, i) => {
    cpu.r32[i] = v;
  });
  const segments: [number, SegmentRegister][] = [
    [ES, entry.es], [CS, entry.cs], [SS, entry.ss], [DS, entry.ds], [FS, entry.fs], [GS, entry.gs],
  ];
  for (const [seg, s] of segments) cpu.setSegmentCache(seg, s.selector, s.base, s.limit, attributes(s));
  cpu.gdtrBase = entry.gdtr.base | 0;
  cpu.gdtrLimit = entry.gdtr.limit;
  cpu.idtrBase = entry.idtr.base | 0;
  cpu.idtrLimit = entry.idtr.limit;
  cpu.ldtrSel = entry.ldtr.selector;
  cpu.ldtrBase = entry.ldtr.base | 0;
  cpu.ldtrLimit = entry.ldtr.limit;
  cpu.ldtrAttr = attributes(entry.ldtr);
  cpu.trSel = entry.tr.selector;
  cpu.trBase = entry.tr.base | 0;
  cpu.trLimit = entry.tr.limit;
  cpu.trAttr = attributes(entry.tr);
  cpu.setEflags(entry.eflags);
  cpu.cpl = entry.mode === 'protected' ? entry.cs.selector & 3 : 0;
  cpu.eip = entry.eip >>> 0;
  cpu.modeChanged();
  for (const [seg] of segments) cpu.refreshSegmentAccess(seg);
  cpu.flushTlb();
  cpu.blocks.flushAll();
}
