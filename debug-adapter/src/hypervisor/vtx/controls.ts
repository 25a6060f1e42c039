// The VT-x control vocabulary shared by the launch configuration (`"vmx": { NAME: VALUE }`) and
// the command line (`--vmx NAME=VALUE,NAME=VALUE`), its parser, and the VM-execution, exit and
// entry control words built from it with the SDM's default-1 bits.
//
// Defaults — what a realistic VMM of the first VT-x generation sets (no EPT, devices emulated
// by the VMM):
//   hlt-exiting                 on   an idle guest gives its CPU back to the VMM
//   unconditional-io-exiting    on   every port belongs to an emulated device
//   use-io-bitmaps              off  (on: only the ports of io-bitmap exit; overrides the above)
//   use-msr-bitmaps             off  every RDMSR/WRMSR exits (on: only the MSRs of msr-bitmap;
//                                    MSRs outside 0–0x1FFF and 0xC0000000–0xC0001FFF always exit)
//   external-interrupt-exiting  on   the host owns interrupts; the VMM injects them on VM entry
//   monitor-exiting, mwait-exiting on  (the guest must not sleep the physical CPU)
//   invlpg-exiting, rdtsc-exiting, rdpmc-exiting, cr3-load-exiting, cr3-store-exiting,
//   mov-dr-exiting, interrupt-window-exiting, pause-exiting   off
//   exception-bitmap            0    every exception goes straight to the guest's IDT
//   pf-error-code-mask/match    0/0  (with bit 14: every #PF exits)
//   cr0-guest-host-mask         0xE0000001  PE, NW, CD, PG belong to the VMM
//   cr4-guest-host-mask         0x000020B0  PSE, PAE, PGE, VMXE belong to the VMM
//   cr0-read-shadow, cr4-read-shadow  the guest's CR0/CR4 at the first VM entry (so the guest
//                                    reads what it would read natively)
//
// Control words. The modelled processor reports the "true" VMX capability MSRs (IA32_VMX_BASIC
// bit 55), so the default-1 bits are those of the reference §1.4–1.6 except the ones the true
// MSRs allow to be 0: CR3-load/CR3-store exiting (primary bits 15, 16), save debug controls
// (exit bit 2) and load debug controls (entry bit 2) — the latter two we keep at 1 anyway.
//   pin-based      0x00000016 | external-interrupt exiting (bit 0)
//   primary        0x04006172 | the on/off controls below; bit 31 (secondary controls) = 0
//   secondary      0 (no EPT, VPID, unrestricted guest, descriptor-table exiting ...)
//   exit           0x00036DFF | acknowledge interrupt on exit (bit 15); host address-space
//                  size (bit 9) = 0: a 32-bit host
//   entry          0x000011FF; IA-32e mode guest (bit 9) = 0

export const PIN_DEFAULT1 = 0x00000016;
export const PRIMARY_DEFAULT1 = 0x04006172;
export const EXIT_DEFAULT1 = 0x00036dff;
export const ENTRY_DEFAULT1 = 0x000011ff;
export const EXIT_ACK_INTERRUPT_ON_EXIT = 1 << 15;

/** The on/off controls: name → (control word, bit). */
export const ON_OFF_CONTROLS = {
  'external-interrupt-exiting': { word: 'pin', bit: 0 },
  'interrupt-window-exiting': { word: 'primary', bit: 2 },
  'hlt-exiting': { word: 'primary', bit: 7 },
  'invlpg-exiting': { word: 'primary', bit: 9 },
  'mwait-exiting': { word: 'primary', bit: 10 },
  'rdpmc-exiting': { word: 'primary', bit: 11 },
  'rdtsc-exiting': { word: 'primary', bit: 12 },
  'cr3-load-exiting': { word: 'primary', bit: 15 },
  'cr3-store-exiting': { word: 'primary', bit: 16 },
  'mov-dr-exiting': { word: 'primary', bit: 23 },
  'unconditional-io-exiting': { word: 'primary', bit: 24 },
  'use-io-bitmaps': { word: 'primary', bit: 25 },
  'use-msr-bitmaps': { word: 'primary', bit: 28 },
  'monitor-exiting': { word: 'primary', bit: 29 },
  'pause-exiting': { word: 'primary', bit: 30 },
} as const satisfies Record<string, { word: 'pin' | 'primary'; bit: number }>;

export type OnOffControl = keyof typeof ON_OFF_CONTROLS;

export const DEFAULT_ON_OFF: Readonly<Record<OnOffControl, boolean>> = {
  'external-interrupt-exiting': true,
  'interrupt-window-exiting': false,
  'hlt-exiting': true,
  'invlpg-exiting': false,
  'mwait-exiting': true,
  'rdpmc-exiting': false,
  'rdtsc-exiting': false,
  'cr3-load-exiting': false,
  'cr3-store-exiting': false,
  'mov-dr-exiting': false,
  'unconditional-io-exiting': true,
  'use-io-bitmaps': false,
  'use-msr-bitmaps': false,
  'monitor-exiting': true,
  'pause-exiting': false,
};

/** The valued controls (HEX numbers, or port/MSR lists). */
export const VALUE_CONTROLS = [
  'io-bitmap',
  'msr-bitmap',
  'exception-bitmap',
  'pf-error-code-mask',
  'pf-error-code-match',
  'cr0-guest-host-mask',
  'cr0-read-shadow',
  'cr4-guest-host-mask',
  'cr4-read-shadow',
] as const;

export type ValueControl = (typeof VALUE_CONTROLS)[number];

export const CONTROL_NAMES: readonly string[] = [...Object.keys(ON_OFF_CONTROLS), ...VALUE_CONTROLS];

export const CR0_PE = 1 << 0;
export const CR0_NW = 1 << 29;
export const CR0_CD = 1 << 30;
export const CR0_PG = 1 << 31;
export const DEFAULT_CR0_MASK = (CR0_PE | CR0_NW | CR0_CD | CR0_PG) >>> 0; // 0xE0000001
export const DEFAULT_CR4_MASK = 0x000020b0; // PSE (4), PAE (5), PGE (7), VMXE (13)

export interface VmxConfig {
  controls: Record<OnOffControl, boolean>;
  /** One bit per port 0–0xFFFF: bitmap A (ports 0–0x7FFF) is bytes 0–4095, bitmap B the rest. */
  ioBitmap: Uint8Array;
  /** The SDM's 4-KiB MSR bitmap: read low, read high, write low, write high (1 KiB each). */
  msrBitmap: Uint8Array;
  /** The io-bitmap and msr-bitmap as given (for display), '' when unset. */
  ioBitmapText: string;
  msrBitmapText: string;
  exceptionBitmap: number;
  pfErrorCodeMask: number;
  pfErrorCodeMatch: number;
  cr0Mask: number;
  cr4Mask: number;
  /** null: the guest's CR0/CR4 at the first VM entry. */
  cr0Shadow: number | null;
  cr4Shadow: number | null;
}

export interface ControlWords {
  pin: number;
  primary: number;
  secondary: number;
  exit: number;
  entry: number;
}

function validNames(): string {
  return CONTROL_NAMES.join(', ');
}

function bad(name: string, value: unknown, what: string): Error {
  return new Error(`vmx control '${name}': invalid value '${String(value)}' (${what}); valid controls: ${validNames()}`);
}

function parseBool(name: string, value: string | number | boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (value === 1) return true;
    if (value === 0) return false;
    throw bad(name, value, 'expected on/off, true/false, 1/0');
  }
  switch (value.trim().toLowerCase()) {
    case 'on':
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'off':
    case 'false':
    case '0':
    case 'no':
      return false;
  }
  throw bad(name, value, 'expected on/off, true/false, 1/0');
}

/** A 32-bit HEX value: "0x4000", "4000" (hex), or a number from a launch configuration. */
function parseHex(name: string, value: string | number | boolean): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value >>> 0;
    throw bad(name, value, 'expected a 32-bit unsigned number');
  }
  if (typeof value === 'boolean') throw bad(name, value, 'expected a hexadecimal number');
  const t = value.trim().replace(/_/g, '');
  const m = /^(?:0x)?([0-9a-f]{1,8})$/i.exec(t);
  if (m === null) throw bad(name, value, 'expected a hexadecimal number such as 0x4000');
  return parseInt(m[1], 16) >>> 0;
}

function parseNumber(text: string): number {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t.slice(2), 16);
  if (/^[0-9]+$/.test(t)) return parseInt(t, 10);
  return NaN;
}

/** `A-B+C+...` (hex with 0x, or decimal) → inclusive ranges; numbers from a launch configuration too. */
export function parseRanges(name: string, value: string | number | boolean, max: number): [number, number][] {
  if (typeof value === 'boolean') throw bad(name, value, 'expected a list like 0x60-0x64+0x3f8');
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > max) throw bad(name, value, `expected 0–0x${max.toString(16)}`);
    return [[value, value]];
  }
  const out: [number, number][] = [];
  const text = value.trim();
  if (text === '' || text.toLowerCase() === 'none') return out;
  for (const part of text.split('+')) {
    const dash = part.indexOf('-');
    const lo = parseNumber(dash < 0 ? part : part.slice(0, dash));
    const hi = dash < 0 ? lo : parseNumber(part.slice(dash + 1));
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi || lo < 0 || hi > max) {
      throw bad(name, value, `expected ranges A-B+C+... of numbers 0–0x${max.toString(16)} (hex with 0x, or decimal)`);
    }
    out.push([lo, hi]);
  }
  return out;
}

/** Sets the read and write bits of one MSR in the SDM-layout bitmap (false: outside both ranges). */
export function msrBitmapSet(bitmap: Uint8Array, msr: number): boolean {
  let offset: number;
  if (msr <= 0x1fff) offset = 0;
  else if (msr >= 0xc0000000 && msr <= 0xc0001fff) offset = 1024;
  else return false;
  const bit = msr & 0x1fff;
  bitmap[offset + (bit >>> 3)] |= 1 << (bit & 7);
  bitmap[offset + 2048 + (bit >>> 3)] |= 1 << (bit & 7);
  return true;
}

/** Whether an RDMSR (write=false) or WRMSR of `msr` exits under the MSR bitmap. */
export function msrBitmapExits(bitmap: Uint8Array, msr: number, write: boolean): boolean {
  msr >>>= 0;
  let offset: number;
  if (msr <= 0x1fff) offset = 0;
  else if (msr >= 0xc0000000 && msr <= 0xc0001fff) offset = 1024;
  else return true; // outside both ranges: always an exit
  if (write) offset += 2048;
  const bit = msr & 0x1fff;
  return (bitmap[offset + (bit >>> 3)] & (1 << (bit & 7))) !== 0;
}

/** Whether an access of `size` bytes at `port` touches a port whose I/O-bitmap bit is set (wrap-around exits). */
export function ioBitmapExits(bitmap: Uint8Array, port: number, size: number): boolean {
  if (port + size - 1 > 0xffff) return true;
  for (let p = port; p < port + size; p++) if ((bitmap[p >>> 3] & (1 << (p & 7))) !== 0) return true;
  return false;
}

export function defaultVmxConfig(): VmxConfig {
  return {
    controls: { ...DEFAULT_ON_OFF },
    ioBitmap: new Uint8Array(8192),
    msrBitmap: new Uint8Array(4096),
    ioBitmapText: '',
    msrBitmapText: '',
    exceptionBitmap: 0,
    pfErrorCodeMask: 0,
    pfErrorCodeMatch: 0,
    cr0Mask: DEFAULT_CR0_MASK,
    cr4Mask: DEFAULT_CR4_MASK,
    cr0Shadow: null,
    cr4Shadow: null,
  };
}

/**
 * Validates NAME → VALUE (strings from the command line; booleans and numbers from a launch
 * configuration) over the defaults. Unknown names or bad values throw an Error listing the valid
 * names.
 */
export function parseVmxControls(spec: Readonly<Record<string, string | number | boolean>> = {}): VmxConfig {
  const config = defaultVmxConfig();
  for (const [rawName, value] of Object.entries(spec)) {
    const name = rawName.trim().toLowerCase();
    if (Object.prototype.hasOwnProperty.call(ON_OFF_CONTROLS, name)) {
      config.controls[name as OnOffControl] = parseBool(name, value);
      continue;
    }
    switch (name as ValueControl) {
      case 'io-bitmap':
        config.ioBitmap.fill(0);
        for (const [lo, hi] of parseRanges(name, value, 0xffff)) {
          for (let p = lo; p <= hi; p++) config.ioBitmap[p >>> 3] |= 1 << (p & 7);
        }
        config.ioBitmapText = String(value);
        break;
      case 'msr-bitmap':
        config.msrBitmap.fill(0);
        for (const [lo, hi] of parseRanges(name, value, 0xffffffff)) {
          for (let m = lo; m <= hi; m++) {
            if (!msrBitmapSet(config.msrBitmap, m)) {
              throw bad(name, value, `MSR 0x${m.toString(16)} is outside the bitmap's ranges 0–0x1FFF and 0xC0000000–0xC0001FFF (such MSRs always exit)`);
            }
          }
        }
        config.msrBitmapText = String(value);
        break;
      case 'exception-bitmap':
        config.exceptionBitmap = parseHex(name, value);
        break;
      case 'pf-error-code-mask':
        config.pfErrorCodeMask = parseHex(name, value);
        break;
      case 'pf-error-code-match':
        config.pfErrorCodeMatch = parseHex(name, value);
        break;
      case 'cr0-guest-host-mask':
        config.cr0Mask = parseHex(name, value);
        break;
      case 'cr0-read-shadow':
        config.cr0Shadow = parseHex(name, value);
        break;
      case 'cr4-guest-host-mask':
        config.cr4Mask = parseHex(name, value);
        break;
      case 'cr4-read-shadow':
        config.cr4Shadow = parseHex(name, value);
        break;
      default:
        throw new Error(`unknown vmx control '${rawName}'; valid controls: ${validNames()}`);
    }
  }
  return config;
}

/** The pin-based, processor-based, exit and entry control words of a configuration. */
export function controlWords(config: VmxConfig): ControlWords {
  let pin = PIN_DEFAULT1;
  let primary = PRIMARY_DEFAULT1;
  for (const [name, { word, bit }] of Object.entries(ON_OFF_CONTROLS)) {
    if (!config.controls[name as OnOffControl]) continue;
    if (word === 'pin') pin |= 1 << bit;
    else primary |= 1 << bit;
  }
  return {
    pin: pin >>> 0,
    primary: primary >>> 0,
    secondary: 0,
    exit: (EXIT_DEFAULT1 | EXIT_ACK_INTERRUPT_ON_EXIT) >>> 0,
    entry: ENTRY_DEFAULT1,
  };
}

/**
 * The command line's `--vmx NAME=VALUE,NAME=VALUE` as NAME → VALUE strings (a bare NAME means
 * NAME=on). Values are checked by parseVmxControls.
 */
export function parseVmxSpec(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text.split(',')) {
    const t = item.trim();
    if (t === '') continue;
    const eq = t.indexOf('=');
    const name = (eq < 0 ? t : t.slice(0, eq)).trim();
    const value = eq < 0 ? 'on' : t.slice(eq + 1).trim();
    if (name === '') throw new Error(`--vmx: '${t}' has no control name; valid controls: ${validNames()}`);
    out[name] = value;
  }
  return out;
}
