import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GRID_MAX_SECONDS, GRID_MIN_SECONDS, GRID_STEPS_PER_DECADE, gridValue, stepTimeout } from '../../src/tui/grid.js';

describe('the left/right grid', () => {
  it('has 24 steps per decade rounded to two significant digits', () => {
    expect(GRID_STEPS_PER_DECADE).toBe(24);
    // 10^(k/24) for k = 72..96 (1000 s .. 10000 s), by hand: 1000, 1101, 1212, 1334, 1468 ...
    const decade = Array.from({ length: 25 }, (_, i) => gridValue(72 + i));
    expect(decade).toEqual([1000, 1100, 1200, 1300, 1500, 1600, 1800, 2000, 2200, 2400, 2600, 2900, 3200, 3500, 3800, 4200, 4600, 5100, 5600, 6200, 6800, 7500, 8300, 9100, 10000]);
  });

  it('moves to the grid neighbour of a value off the grid', () => {
    expect(stepTimeout(3600, 1)).toBe(3800);
    expect(stepTimeout(3600, -1)).toBe(3500);
    expect(stepTimeout(3800, 1)).toBe(4200);
    expect(stepTimeout(3800, -1)).toBe(3500);
    expect(stepTimeout(9000, 1)).toBe(9100);
    expect(stepTimeout(0.5, 1)).toBe(1);
  });

  it('skips values that are candidates already and runs distinct below 10 s', () => {
    expect(stepTimeout(3600, 1, new Set([3800, 4200]))).toBe(4600);
    // Below 10 s rounding is to whole seconds: 1 -> 2 (k = 8: 2.15), not 1 again.
    expect(stepTimeout(1, 1)).toBe(2);
    expect(stepTimeout(2, -1)).toBe(1);
  });

  it('takes the grid point whose rounding lands past a value between grid points', () => {
    // 10^(153/24) = 2,371,373.7 s is 2,400,000 on the grid (two significant digits): above it.
    expect(stepTimeout(10 ** (153 / 24), 1)).toBe(2_400_000);
    // 10^(77/24) = 1,615.4 s is 1,600 on the grid: below it.
    expect(stepTimeout(10 ** (77 / 24), -1)).toBe(1600);
    expect(stepTimeout(10 ** (77 / 24), 1)).toBe(1800);
    // Down from the last grid point below the maximum: the scan starts past the maximum and steps back in.
    expect(stepTimeout(10 ** (153 / 24), -1)).toBe(2_200_000);
  });

  it('stops at the bounds', () => {
    expect(stepTimeout(GRID_MIN_SECONDS, -1)).toBeNull();
    expect(stepTimeout(GRID_MAX_SECONDS, 1)).toBeNull();
    expect(stepTimeout(2, -1, new Set([1]))).toBeNull();
  });

  it('always moves in the asked direction, to a free value within bounds (property)', () => {
    fc.assert(fc.property(fc.double({ min: 1, max: GRID_MAX_SECONDS - 1, noNaN: true }), fc.boolean(), (seconds, up) => {
      const next = stepTimeout(seconds, up ? 1 : -1, new Set([seconds]));
      if (next === null) return !up ? seconds <= 2 : seconds >= gridValue(Math.floor(Math.log10(GRID_MAX_SECONDS) * 24));
      return (up ? next > seconds : next < seconds) && next >= GRID_MIN_SECONDS && next <= GRID_MAX_SECONDS;
    }));
  });
});
