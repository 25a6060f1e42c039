// Names of the guest PC's I/O ports (ARCHITECTURE §3: QEMU's i386 PC devices) and interrupt
// vectors, for hovers.
import { EXCEPTION_MNEMONICS } from '../cpu/constants.js';
import { DEBUG_EXIT_PORT } from '../machine/debug-exit.js';
import { COM1_PORT } from '../machine/pc.js';
import { HYPERCALL_VECTOR } from '../hypervisor/paravirt/abi.js';

const UART_REGISTERS = [
  'data: THR when written, RBR when read (DLL, the divisor low byte, while LCR.DLAB = 1)',
  'IER, the interrupt enable register (DLM, the divisor high byte, while LCR.DLAB = 1)',
  'IIR when read (interrupt identification), FCR when written (FIFO control)',
  'LCR, the line control register (word length, parity, DLAB)',
  'MCR, the modem control register (OUT2 gates IRQ4)',
  'LSR, the line status register (bit 0 data ready, bit 5 transmitter empty)',
  'MSR, the modem status register',
  'SCR, the scratch register',
];

const PORTS: Readonly<Record<number, string>> = {
  0x20: 'master 8259A PIC: command (ICW1, OCW2 — write 0x20 for end of interrupt — and OCW3)',
  0x21: 'master 8259A PIC: data (ICW2–ICW4, the interrupt mask)',
  0xa0: 'slave 8259A PIC: command',
  0xa1: 'slave 8259A PIC: data (ICW2–ICW4, the interrupt mask)',
  0x40: '8254 PIT channel 0 counter (IRQ0, the system timer)',
  0x41: '8254 PIT channel 1 counter',
  0x42: '8254 PIT channel 2 counter (the speaker)',
  0x43: '8254 PIT mode/command register',
  0x61: 'system control port B (PIT channel 2 gate and speaker)',
  0x80: 'POST diagnostic port (writes are ignored: the classic I/O delay)',
  0x92: 'system control port A (bit 1 fast A20 gate, bit 0 resets the machine)',
  [DEBUG_EXIT_PORT]: 'isa-debug-exit (QEMU): writing v ends the run with exit status (v << 1) | 1',
};

/** What sits at an I/O port of the guest PC, or undefined. */
export function portName(port: number): string | undefined {
  if (PORTS[port] !== undefined) return PORTS[port];
  if (port >= COM1_PORT && port < COM1_PORT + 8) return `COM1 (16550A UART, IRQ4) +${port - COM1_PORT}: ${UART_REGISTERS[port - COM1_PORT]}`;
  if (port > DEBUG_EXIT_PORT && port < DEBUG_EXIT_PORT + 4) return 'isa-debug-exit (QEMU, iosize 4): writing v ends the run with exit status (v << 1) | 1';
  return undefined;
}

const EXCEPTION_TEXT: Readonly<Record<number, string>> = {
  0: 'divide error', 1: 'debug', 2: 'non-maskable interrupt', 3: 'breakpoint', 4: 'overflow', 5: 'BOUND range exceeded',
  6: 'invalid opcode', 7: 'device not available', 8: 'double fault', 10: 'invalid TSS', 11: 'segment not present',
  12: 'stack-segment fault', 13: 'general protection', 14: 'page fault', 16: 'x87 floating-point error',
  17: 'alignment check', 18: 'machine check', 19: 'SIMD floating-point',
};

/** What an interrupt vector means, or undefined. */
export function vectorName(vector: number): string | undefined {
  if (vector === HYPERCALL_VECTOR) return 'the Xen x86_32 PV hypercall vector (EAX = hypercall number; EBX, ECX, EDX, ESI, EDI = arguments)';
  if (vector === 0x80) return 'the Linux i386 system call vector';
  const mnemonic = EXCEPTION_MNEMONICS[vector];
  if (mnemonic !== undefined) return EXCEPTION_TEXT[vector] ? `${mnemonic} (${EXCEPTION_TEXT[vector]})` : mnemonic;
  if (vector < 32) return 'reserved by Intel for exceptions';
  return undefined;
}
