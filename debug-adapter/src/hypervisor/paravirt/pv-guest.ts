// Recognizing a PV guest. Old Xen PV kernels (before ELF notes) declared themselves with a
// `__xen_guest` section holding one string of comma-separated KEY=VALUE pairs, e.g.
// "GUEST_OS=linux,GUEST_VER=2.6,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000,HYPERCALL_PAGE=0x2,LOADER=generic".
// Hyperstep's guests are Multiboot images, so the string may be anywhere in the image (pvops.inc's
// XEN_GUEST_HEADER emits it); what makes the guest PV is GUEST_OS= and XEN_VER=xen-3.0.

export interface XenGuestInfo {
  /** Byte offset of the string in the searched bytes. */
  offset: number;
  text: string;
  fields: Record<string, string>;
}

const MARKER = 'GUEST_OS=';
const MAX_LENGTH = 1024;

/** Finds and parses the `__xen_guest` string in `bytes` (an image, or guest memory). */
export function findXenGuestString(bytes: Uint8Array, limit = bytes.length): XenGuestInfo | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(limit, bytes.length));
  let at = buf.indexOf(MARKER, 0, 'latin1');
  while (at >= 0) {
    let end = at;
    while (end < buf.length && end - at < MAX_LENGTH && buf[end] !== 0 && buf[end] >= 0x20 && buf[end] < 0x7f) end++;
    const text = buf.toString('latin1', at, end);
    const fields: Record<string, string> = {};
    for (const part of text.split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields[part.slice(0, eq).trim().toUpperCase()] = part.slice(eq + 1).trim();
    }
    if (fields.XEN_VER !== undefined) return { offset: at, text, fields };
    at = buf.indexOf(MARKER, at + 1, 'latin1');
  }
  return null;
}

/** Whether the paravirt technique can run this image, and why (for `compare` to say). */
export function isPvGuest(image: Uint8Array): { pv: boolean; why: string } {
  const info = findXenGuestString(image);
  if (info === null) {
    return { pv: false, why: 'not a Xen PV guest: the image has no __xen_guest string "GUEST_OS=...,XEN_VER=xen-3.0" (see samples/include/pvops.inc, XEN_GUEST_HEADER)' };
  }
  const ver = info.fields.XEN_VER;
  if (!/^xen-3\.0\b/.test(ver)) {
    return { pv: false, why: `the __xen_guest string asks for XEN_VER=${ver}; this hypervisor offers the xen-3.0 interface` };
  }
  return { pv: true, why: `Xen PV guest (__xen_guest: ${info.text})` };
}

/** HYPERCALL_PAGE=<pfn> of the __xen_guest string (hex with 0x, or decimal), or null. */
export function hypercallPagePfn(info: XenGuestInfo): number | null {
  const raw = info.fields.HYPERCALL_PAGE;
  if (raw === undefined) return null;
  const n = /^0x[0-9a-f]+$/i.test(raw) ? parseInt(raw.slice(2), 16) : /^[0-9]+$/.test(raw) ? parseInt(raw, 10) : NaN;
  return Number.isSafeInteger(n) ? n : null;
}
