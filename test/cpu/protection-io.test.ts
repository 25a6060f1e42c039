// I/O permission: IOPL, and the TSS I/O bitmap at CPL > IOPL.
import { describe, expect, test } from 'vitest';
import { Machine, toRing3, TSS, IOMAP, IOMAP_BYTES } from './protection-setup.js';
import { checkIoPermission } from '../../debug-adapter/src/cpu/protection/io-permission.js';
import { CpuFault } from '../../debug-adapter/src/cpu/fault.js';

function ring3(body: string, eflags = 0x202): Machine {
  return new Machine(`
main:
${toRing3('user', eflags)}
user:
${body}
  hlt                      ; #GP(0) at ring 3 ends the test
`);
}

function allowed(m: Machine, port: number, size: number): boolean {
  try {
    checkIoPermission(m.cpu, port, size);
    return true;
  } catch (e) {
    if (e instanceof CpuFault && e.vector === 13 && e.errorCode === 0) return false;
    throw e;
  }
}

describe('I/O bitmap', () => {
  test('a port whose bit is clear is allowed at ring 3; the HLT after it faults', () => {
    const m = ring3('  in al, 0x80\n  out 0x80, al\nafter:');
    m.allowPorts(0x80, 1);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('after') });
  });

  test('a port whose bit is set is #GP(0) at the IN', () => {
    const m = ring3('bad:\n  in al, 0x81');
    m.allowPorts(0x80, 1);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, error: 0, eip: m.sym('bad') });
  });

  test('every byte of a wider access needs its bit clear, across a bitmap byte boundary', () => {
    const m = ring3('');
    m.run();
    m.cpu.cpl = 3;
    m.allowPorts(0x3f8, 8);
    m.allowPorts(0x100, 3);
    expect(allowed(m, 0x3fc, 4)).toBe(true);
    expect(allowed(m, 0x3fd, 4)).toBe(false); // 0x400 lies in the terminating 0xFF byte
    expect(allowed(m, 0x100, 2)).toBe(true);
    expect(allowed(m, 0x101, 4)).toBe(false);
    m.allowPorts(0xff, 1);
    expect(allowed(m, 0xff, 2)).toBe(true); // bits 7 of one byte and 0 of the next
    expect(allowed(m, 0xfe, 2)).toBe(false);
  });

  test('a bitmap byte beyond the TSS limit denies access (the processor reads two bytes)', () => {
    const m = ring3('');
    m.run();
    m.cpu.cpl = 3;
    m.allowPorts(0, IOMAP_BYTES * 8);
    m.w8(TSS + IOMAP + IOMAP_BYTES, 0);
    expect(allowed(m, 0x3f8, 1)).toBe(true);
    // Shrink the TSS so the last bitmap byte is its last byte: port 0x3F8's second byte is outside.
    m.cpu.trLimit = IOMAP + IOMAP_BYTES - 1;
    expect(allowed(m, 0x3f8, 1)).toBe(false);
    expect(allowed(m, 0x3f0, 1)).toBe(true);
  });

  test('an I/O map base beyond the limit denies every port', () => {
    const m = ring3('');
    m.run();
    m.cpu.cpl = 3;
    m.allowPorts(0, 16);
    m.w16(TSS + 102, 0xffff);
    expect(allowed(m, 0, 1)).toBe(false);
  });

  test('a TSS shorter than 104 bytes or a 16-bit TSS denies every port', () => {
    const m = ring3('');
    m.run();
    m.cpu.cpl = 3;
    m.allowPorts(0x80, 1);
    expect(allowed(m, 0x80, 1)).toBe(true);
    m.cpu.trLimit = 102;
    expect(allowed(m, 0x80, 1)).toBe(false);
    m.cpu.trLimit = IOMAP + IOMAP_BYTES;
    m.cpu.trAttr = (m.cpu.trAttr & ~0xf) | 3; // busy 16-bit TSS
    expect(allowed(m, 0x80, 1)).toBe(false);
  });
});

describe('IOPL', () => {
  test('at CPL ≤ IOPL every port is allowed without consulting the bitmap', () => {
    const m = ring3('  in al, 0x81\n  out 0x81, al\n  mov dx, 0x3ff\n  in eax, dx\nafter:', 0x3202);
    m.run();
    expect(m.fault).toMatchObject({ vector: 13, eip: m.sym('after') });
  });

  test('ring 0 with IOPL 0 ignores the bitmap', () => {
    const m = new Machine('main:\n  in al, 0x81\n  cli\n  hlt');
    m.run();
    expect(m.fault).toBeNull();
  });

  test('real mode never checks', () => {
    const m = ring3('');
    m.run();
    m.cpu.cpl = 3;
    m.cpu.cr0 &= ~1;
    expect(allowed(m, 0x81, 1)).toBe(true);
  });

});
