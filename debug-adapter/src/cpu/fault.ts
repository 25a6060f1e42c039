// An exception raised while executing an instruction. The CPU's run loop catches it, rewinds EIP
// to the instruction (faults) and delivers it through the IDT (or to the hypervisor's intercept).
import { exceptionName } from './constants.js';

export class CpuFault {
  constructor(
    readonly vector: number,
    /** Error code pushed with the exception, or -1 for vectors without one. */
    readonly errorCode: number = -1,
  ) {}

  toString(): string {
    return this.errorCode >= 0
      ? `${exceptionName(this.vector)}(0x${this.errorCode.toString(16)})`
      : exceptionName(this.vector);
  }
}

export function fault(vector: number, errorCode = -1): CpuFault {
  return new CpuFault(vector, errorCode);
}
