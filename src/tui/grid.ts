/**
 * The grid that left/right move a candidate along: 24 steps per decade, value k being
 * 10^(k/24) seconds rounded to two significant digits (niceSeconds, as `--timeouts LO..HI`
 * rounds). One step is a factor 10^(1/24) = 1.101, about 10 %: fine enough to find where
 * broken sessions drop to zero, coarse enough that a decade (5 min -> 50 min) takes 24 keys.
 * Below 10 s the rounding is to whole seconds, so several k give the same value; a step
 * skips to the next distinct one.
 */
import { niceSeconds } from '../util/duration.js';

export const GRID_STEPS_PER_DECADE = 24;
export const GRID_MIN_SECONDS = 1;
/** 30 days: beyond any platform's default (Linux: 5 days). */
export const GRID_MAX_SECONDS = 30 * 86400;

/**
 * Grid value k: niceSeconds(10^(k/24)).
 * @example gridValue(85) // => 3500 (10^(85/24) = 3481)
 */
export function gridValue(k: number): number {
  return niceSeconds(10 ** (k / GRID_STEPS_PER_DECADE));
}

/**
 * The next grid value above (dir +1) or below (dir -1) `seconds` that is not in `taken`,
 * within [GRID_MIN_SECONDS, GRID_MAX_SECONDS]; null when there is none. A value off the grid
 * (typed with `a`) moves to its grid neighbour.
 *
 * @example stepTimeout(3600, 1) // => 3800
 * @example stepTimeout(3600, -1) // => 3500
 */
export function stepTimeout(seconds: number, dir: 1 | -1, taken: ReadonlySet<number> = new Set()): number | null {
  if (dir < 0 && seconds <= GRID_MIN_SECONDS) return null;
  if (dir > 0 && seconds >= GRID_MAX_SECONDS) return null;
  const pos = Math.log10(Math.max(seconds, 1e-3)) * GRID_STEPS_PER_DECADE;
  // The scan starts at the grid point at or just below (above, for dir -1) the value itself:
  // rounding can put that point's value on the other side of it (10^(153/24) = 2,371,374 s is
  // 2,400,000 on the grid), and a point further back cannot (a step is 10 %, rounding at most 5 %).
  let k = (dir > 0 ? Math.floor(pos) : Math.ceil(pos)) - dir;
  const limit = GRID_STEPS_PER_DECADE * 10;
  for (let i = 0; i < limit; i++) {
    k += dir;
    const v = gridValue(k);
    if (dir > 0 ? v > GRID_MAX_SECONDS : v < GRID_MIN_SECONDS) return null;
    if ((dir > 0 ? v > seconds : v < seconds) && !taken.has(v)) return v;
  }
  return null;
}
