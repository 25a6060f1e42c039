// binary-translation: a VMware-style VMM that never lets guest supervisor code run untranslated.
//
// What was built, and why (a documented simplification of VMware's design). The CPU model only
// executes from its own decoded-op cache (cpu/block-cache.ts), so the translation cache (TC) here
// is a cache of translated blocks in the engine's compact code form (arrays of Ops, see
// translator.ts), not x86 bytes placed in VMM-private RAM. Every block the guest executes at
// CPL 0–2 (its kernel: virtual CPL 0; real mode counts as CPL 0) is translated on first
// execution: innocuous instructions copied unchanged (IDENT), every instruction whose knowledge
// base class is privileged, IOPL-sensitive or sensitive-unprivileged (Op.virtClass !== 0)
// replaced by a callout into this VMM. Guest user code (CPL 3, and virtual-8086 mode) runs
// directly from the CPU's cache, as VMware's did.
//
// Physical ring. The translated kernel runs at the CPU's ring 0, and the callouts emulate each
// sensitive instruction with the engine's own semantics applied to the CPU state — which, with
// the kernel not de-privileged, *is* the virtual CPU state: POPF/PUSHF/SGDT/SMSW/PUSH CS/LAR/...
// behave exactly as on bare metal (no holes), and nothing sensitive executes in kernel mode
// without passing through the VMM. VMware ran translated code at ring 1 with segment-truncated
// VMM memory; that needs a TC in memory the CPU can execute (PcMachine memory beyond what the
// guest is told it has) and a de-privileged state like trap-and-emulate's — not done here.
//
// Dispatch and chaining. The VMM answers the CPU's translateBlock intercept, which the run loop
// consults for every block it is about to run at CPL < 3: the block found for CS:EIP is mapped to its translation (WeakMap by block), translating on a miss.
// That lookup is both the chaining of direct jumps/calls (targets are guest addresses; the next
// fetch finds the target's translation) and the indirect-branch lookup. EIP is a guest address
// throughout, so a CALL pushes the guest return address, a fault reports the guest EIP, and the
// debugger's EIP/source line are the guest's while "inside" translated code.
//
// Coherence. A guest write to bytes of a translated block makes the CPU's cache drop that page's
// blocks (PhysicalMemory code-page tracking + per-page coverage); the translations hang off those
// blocks, so they die with them and are never executed again. When the guest next runs code at
// that address, the VMM finds its earlier translation for the same physical address: if the
// bytes changed it counts an invalidation and translates afresh (translation cost charged
// again); if they did not (another write in the page, breakpoints changed, a block that crosses a
// page and is never cached) it rebuilds the op array without charging a translation.
//
// Costs. Each callout is an ExitRecord {kind:'callout', reason: mnemonic} costing
// calloutRoundTrip + emulateInstruction; translating costs translateInstruction per guest
// instruction, added to the log's VMM cycles (a one-time cost per block).
import type { Cpu } from '../../cpu/cpu.js';
import type { Block } from '../../cpu/block-cache.js';
import type { Exec, Op } from '../../cpu/op.js';
import type { Hypervisor, HypervisorContext, HypervisorOptions } from '../hypervisor.js';
import { recordExit } from '../hypervisor.js';
import { emptyVirtualState, virtualStateOf, type VirtualCpuState } from '../virtual-state.js';
import { TC_BASE, sameBytes, translateBlock, type Translation } from './translator.js';

const TECHNIQUE = 'binary-translation' as const;

export interface TranslationStatistics {
  blocksTranslated: number;
  instructionsTranslated: number;
  /** Bytes of TC in use by live translations (IDENT bytes + callout stubs). */
  cacheBytes: number;
  /** Bytes ever emitted into the TC. */
  cacheBytesEmitted: number;
  callouts: number;
  calloutsByMnemonic: Record<string, number>;
  invalidations: number;
  /** Modelled cycles spent translating. */
  translationCycles: number;
}

export interface SideBySideLine {
  address: number;
  bytes: string;
  text: string;
}

export interface SideBySide {
  /** The guest block: guest linear addresses, its bytes, NASM text. */
  guest: SideBySideLine[];
  /** Its translation: TC addresses, TC bytes, text (IDENT copies, or the callout stub). */
  translation: (SideBySideLine & { kind: string; guest: number })[];
  tc: number;
  tcLength: number;
}

interface Live {
  translation: Translation;
  /** The CPU block it was made from (replaced when the CPU re-decodes the address). */
  block: Block;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export class BinaryTranslationVmm implements Hypervisor {
  readonly technique = TECHNIQUE;
  private ctx: HypervisorContext | null = null;
  /** CPU block → its translated block (what the run loop executes). */
  private byBlock = new WeakMap<Block, Block>();
  /** Physical address (+ 2^32 for 16-bit code) → the live translation there. */
  private readonly byPhys = new Map<number, Live>();
  private nextTc = TC_BASE;
  private blocksTranslated = 0;
  private instructionsTranslated = 0;
  private cacheBytesEmitted = 0;
  private invalidations = 0;
  private translationCycles = 0;
  private calloutsTotal = 0;
  private readonly calloutsByMnemonic = new Map<string, number>();

  constructor(_options: HypervisorOptions) {}

  private get c(): HypervisorContext {
    if (this.ctx === null) throw new Error('binary-translation: not started');
    return this.ctx;
  }

  start(context: HypervisorContext): void {
    this.ctx = context;
    const byBlock = this.byBlock;
    // Kernel blocks run from their translation; guest user code (CPL 3) runs directly (the CPU
    // does not ask for those).
    context.cpu.intercepts = {
      ...context.cpu.intercepts,
      translateBlock: (cpu, block) => byBlock.get(block) ?? this.translate(cpu, block),
    };
  }

  /** Translates the block at CS:EIP (the CPU just fetched it). */
  private translate(cpu: Cpu, block: Block): Block {
    const lin = (cpu.segBase[1] + cpu.eip) >>> 0;
    const key = cpu.phys(lin, false) + (block.code32 ? 0 : 2 ** 32);
    const prior = this.byPhys.get(key);
    const unchanged = prior !== undefined && sameBytes(prior.translation.entries.map((e) => e.op), block.ops);
    const tc = unchanged ? prior.translation.tc : this.nextTc;
    const t = translateBlock(block.ops, block.code32, tc, (op) => op.text, (op, name) => this.callout(op, name));
    if (!unchanged) {
      if (prior !== undefined) this.invalidations++;
      this.nextTc += t.tcLength;
      this.blocksTranslated++;
      this.instructionsTranslated += block.ops.length;
      this.cacheBytesEmitted += t.tcLength;
      const cost = block.ops.length * this.c.costs.translateInstruction;
      this.translationCycles += cost;
      this.c.log.vmmCycles += cost;
    }
    this.byPhys.set(key, { translation: t, block });
    const out: Block = { ops: t.ops, code32: block.code32, byteLength: block.byteLength };
    this.byBlock.set(block, out);
    return out;
  }

  /** The exec of a callout Op: record the exit, then emulate the instruction. */
  private callout(original: Op, name: string): Exec {
    return (cpu) => {
      const ctx = this.c;
      const eip = cpu.opEip >>> 0;
      this.calloutsTotal++;
      this.calloutsByMnemonic.set(name, (this.calloutsByMnemonic.get(name) ?? 0) + 1);
      recordExit(ctx, TECHNIQUE, {
        kind: 'callout',
        reason: name,
        eip,
        instruction: original.text,
        details: { guestLinear: original.linear >>> 0, cpl: cpu.cpl },
        cost: ctx.costs.calloutRoundTrip + ctx.costs.emulateInstruction,
        action: 'emulated',
      });
      original.exec(cpu, original);
    };
  }

  virtualState(): VirtualCpuState {
    // The translated kernel runs with its real privileges: the CPU's state is the guest's.
    return this.ctx === null ? emptyVirtualState() : virtualStateOf(this.ctx.cpu);
  }


  statistics(): TranslationStatistics {
    let cacheBytes = 0;
    for (const live of this.byPhys.values()) cacheBytes += live.translation.tcLength;
    return {
      blocksTranslated: this.blocksTranslated,
      instructionsTranslated: this.instructionsTranslated,
      cacheBytes,
      cacheBytesEmitted: this.cacheBytesEmitted,
      callouts: this.calloutsTotal,
      calloutsByMnemonic: Object.fromEntries([...this.calloutsByMnemonic].sort()),
      invalidations: this.invalidations,
      translationCycles: this.translationCycles,
    };
  }

  /**
   * For the debugger: the translated block containing guest linear address `guest` (the most
   * recent one starting closest before it), side by side with the original. Null when no
   * translation covers the address.
   */
  translation(guest: number): SideBySide | null {
    return this.sideBySide(guest);
  }

  sideBySide(guest: number): SideBySide | null {
    const addr = guest >>> 0;
    let best: Translation | null = null;
    for (const live of this.byPhys.values()) {
      const t = live.translation;
      if (addr >= t.guest && addr < t.guest + t.guestLength && (best === null || t.guest > best.guest)) best = t;
    }
    if (best === null) return null;
    return {
      tc: best.tc,
      tcLength: best.tcLength,
      guest: best.entries.map((e) => ({ address: e.guest, bytes: hex(e.op.bytes), text: e.op.text })),
      translation: best.entries.map((e) => ({
        kind: e.kind,
        guest: e.guest,
        address: e.tc,
        bytes: hex(e.bytes),
        text: e.kind === 'ident' ? e.op.text : `call bt_callout_${e.callout ?? '?'}  ; emulates ${e.op.text}`,
      })),
    };
  }
}
