// Virtual time. One tick is one retired guest instruction and one virtual nanosecond: the guest
// runs on a 1 GHz CPU that retires one instruction per cycle. Nothing here reads the host clock, so
// the same guest with the same inputs always sees the same device timing.
//
// Tick counts stay below 2^53 for ~104 virtual days, but products such as ticks * 1193182 Hz do
// not, so the conversions split time into whole seconds and a remainder; every intermediate
// product then stays below 2^51 and the results are exact.

export const TICKS_PER_SECOND = 1_000_000_000;

/** Device clock cycles (at `hz`) completed in `ticks`: floor(ticks * hz / 1e9), exact. */
export function ticksToCycles(ticks: number, hz: number): number {
  const seconds = Math.floor(ticks / TICKS_PER_SECOND);
  const rest = ticks - seconds * TICKS_PER_SECOND;
  // rest * hz < 2^51, and a quotient of such integers is never within rounding distance of the
  // next integer (the gap is at least 1e-9), so floor() of the float division is exact.
  return seconds * hz + Math.floor((rest * hz) / TICKS_PER_SECOND);
}

/** The first tick count at which `cycles` device cycles have completed: ceil(cycles * 1e9 / hz). */
export function cyclesToTicks(cycles: number, hz: number): number {
  const seconds = Math.floor(cycles / hz);
  const rest = cycles - seconds * hz;
  return seconds * TICKS_PER_SECOND + Math.ceil((rest * TICKS_PER_SECOND) / hz);
}

/** The machine's notion of "now", shared by every device. */
export class VirtualClock {
  now = 0;
}

/** A device with timed events (a timer output edge, a UART receive timeout). */
export interface TimedDevice {
  /** Absolute tick of the device's next event, or Infinity. Always later than the clock's now. */
  nextEvent(): number;
  /** Handles the event due at `now` (the clock already reads `now`). */
  fireEvent(now: number): void;
}

/** Runs device events in time order as the CPU moves the clock forward. */
export class Scheduler {
  private readonly devices: TimedDevice[] = [];

  constructor(readonly clock: VirtualClock) {}

  add(device: TimedDevice): void {
    this.devices.push(device);
  }

  nextDeadline(): number {
    let next = Infinity;
    for (const device of this.devices) {
      const t = device.nextEvent();
      if (t < next) next = t;
    }
    return next;
  }

  /**
   * Moves time to `now`, firing every event due at or before it in order (events at the same
   * tick fire in the order the devices were added). Time never goes backwards.
   */
  advanceTo(now: number): void {
    if (!(now >= this.clock.now) || !Number.isSafeInteger(now)) {
      throw new RangeError(`virtual time must move forward in whole ticks (at ${this.clock.now}, asked for ${now})`);
    }
    for (;;) {
      let due: TimedDevice | undefined;
      let when = Infinity;
      for (const device of this.devices) {
        const t = device.nextEvent();
        if (t < when) {
          when = t;
          due = device;
        }
      }
      if (due === undefined || when > now) break;
      this.clock.now = Math.max(when, this.clock.now);
      due.fireEvent(this.clock.now);
    }
    this.clock.now = now;
  }
}
