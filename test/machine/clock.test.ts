// Virtual time: exact tick <-> device-cycle conversions far beyond 2^53 intermediate products,
// and the scheduler that fires device events in time order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scheduler, TICKS_PER_SECOND, VirtualClock, cyclesToTicks, ticksToCycles } from '../../debug-adapter/src/machine/clock.js';
import { PIT_HZ } from '../../debug-adapter/src/machine/pit.js';
import { mulDivCeil, mulDivFloor } from './support.js';

// Up to ~100 virtual days: ticks * PIT_HZ reaches 2^63, far past 2^53.
const ticks = fc.integer({ min: 0, max: 100 * 86400 * TICKS_PER_SECOND });
const cycles = fc.integer({ min: 0, max: 100 * 86400 * PIT_HZ });

describe('tick conversions', () => {
  it('ticksToCycles is floor(ticks * hz / 1e9), exactly', () => {
    fc.assert(fc.property(ticks, (t) => ticksToCycles(t, PIT_HZ) === mulDivFloor(t, PIT_HZ, TICKS_PER_SECOND)), { numRuns: 2000 });
  });

  it('cyclesToTicks is the first tick with that many cycles done', () => {
    fc.assert(
      fc.property(cycles, (c) => {
        const t = cyclesToTicks(c, PIT_HZ);
        return t === mulDivCeil(c, TICKS_PER_SECOND, PIT_HZ) && ticksToCycles(t, PIT_HZ) >= c && (t === 0 || ticksToCycles(t - 1, PIT_HZ) < c);
      }),
      { numRuns: 2000 },
    );
  });

  it('is exact at the edges a float product would get wrong', () => {
    // 10^15 ticks (11.6 days) * 1193182 = 1.19e21: a double loses the low bits.
    const t = 1e15 + 123_456_789;
    expect(ticksToCycles(t, PIT_HZ)).toBe(mulDivFloor(t, PIT_HZ, TICKS_PER_SECOND));
    expect(ticksToCycles(TICKS_PER_SECOND, PIT_HZ)).toBe(PIT_HZ);
    expect(ticksToCycles(TICKS_PER_SECOND - 1, PIT_HZ)).toBe(PIT_HZ - 1);
    expect(cyclesToTicks(PIT_HZ, PIT_HZ)).toBe(TICKS_PER_SECOND);
    expect(cyclesToTicks(1, PIT_HZ)).toBe(839); // one PIT cycle is 838.095... ns
  });
});

describe('Scheduler', () => {
  function device(times: number[], log: string[], name: string, clock: VirtualClock) {
    const pending = [...times];
    return {
      nextEvent: () => pending[0] ?? Infinity,
      fireEvent: (now: number) => {
        expect(clock.now).toBe(now);
        log.push(`${name}@${now}`);
        pending.shift();
      },
    };
  }

  it('fires due events in time order and leaves the clock at the target', () => {
    const clock = new VirtualClock();
    const scheduler = new Scheduler(clock);
    const log: string[] = [];
    scheduler.add(device([10, 30, 50], log, 'a', clock));
    scheduler.add(device([20, 30], log, 'b', clock));
    expect(scheduler.nextDeadline()).toBe(10);
    scheduler.advanceTo(30);
    expect(log).toEqual(['a@10', 'b@20', 'a@30', 'b@30']);
    expect(clock.now).toBe(30);
    expect(scheduler.nextDeadline()).toBe(50);
    scheduler.advanceTo(49);
    expect(log).toHaveLength(4);
    scheduler.advanceTo(1000);
    expect(log.at(-1)).toBe('a@50');
    expect(scheduler.nextDeadline()).toBe(Infinity);
  });

  it('refuses to move time backwards', () => {
    const clock = new VirtualClock();
    const scheduler = new Scheduler(clock);
    scheduler.advanceTo(100);
    expect(() => scheduler.advanceTo(99)).toThrow(RangeError);
    expect(() => scheduler.advanceTo(100.5)).toThrow(RangeError);
    scheduler.advanceTo(100);
    expect(clock.now).toBe(100);
  });
});
