/**
 * Exact thresholds (docs/MODEL.md, "Exact thresholds"): the model's figures are step functions of
 * the timeout, and their steps are the flows' own numbers. A session breaks at timeout T when one
 * of its gaps in a state that follows the candidate is longer than T, or when its keep-alive comes
 * after more than T of silence; so sessionsWithDrops can only change at a gap length, a keep-alive
 * idle, or an idle time at the end of the window. Searching those points, instead of a grid, finds
 * the smallest timeout that keeps broken sessions within a limit to the microsecond.
 */
import { FlowEnd, type FlowSet } from '../flows/types.js';
import { PROTO_TCP, PROTO_UDP } from '../util/protocols.js';
import type { CandidateResult, Planner } from './types.js';

/** The points where sessionsWithDrops can change (seconds, ascending, distinct), below shownByWindowSeconds. */
export function breakpoints(fs: FlowSet, planner: Planner, protocol: 'tcp' | 'udp'): Float64Array {
  const proto = protocol === 'tcp' ? PROTO_TCP : PROTO_UDP;
  const pts: number[] = [];
  for (let i = 0; i < fs.count; i++) {
    if (fs.proto[i] !== proto) continue;
    for (let k = fs.gapOffset[i]!; k < fs.gapOffset[i + 1]!; k++) pts.push((fs.gapEndUs[k]! - fs.gapStartUs[k]!) / 1e6);
    if (fs.end[i] === FlowEnd.Open) pts.push((fs.windowEndUs - fs.lastUs[i]!) / 1e6);
  }
  const ka = planner.keepalive;
  for (const o of ka.observed) pts.push(o.idleSeconds);
  if (ka.schedule !== null) pts.push(ka.schedule.idleSeconds);
  const limit = shownByWindowSeconds(planner);
  const sorted = Float64Array.from(pts.filter((x) => Number.isFinite(x) && x > 0 && x < limit)).sort();
  let w = 0;
  for (let r = 0; r < sorted.length; r++) if (w === 0 || sorted[r] !== sorted[w - 1]) sorted[w++] = sorted[r]!;
  return sorted.slice(0, w);
}

/**
 * The longest timeout whose figures the window shows in full: beyond it (the window shorter than
 * the timeout plus the longest keep-alive idle) the model estimates what comes after the window
 * (docs/MODEL.md, "Beyond the window"), and a threshold there is only a lower bound.
 */
export function shownByWindowSeconds(planner: Planner): number {
  const ka = planner.keepalive;
  const kaIdle = Math.max(0, ka.schedule?.idleSeconds ?? 0, ...ka.observed.map((o) => o.idleSeconds));
  return planner.window.seconds - kaIdle;
}

/** One microsecond: evaluating just above a breakpoint keeps float rounding on the safe side. */
const ABOVE = 1e-6;

export interface SafeTimeout {
  /** The smallest timeout (seconds) with at most the allowed broken sessions: a breakpoint, or `fromSeconds`. */
  seconds: number;
  /** The candidate evaluated just above it. */
  at: CandidateResult;
  /** Sessions that break just below it (null when it is `fromSeconds`: nothing below was judged). */
  brokenBelow: number | null;
  /** True when no timeout the window shows in full is safe: `seconds` is then only a lower bound. */
  lowerBound: boolean;
}

/**
 * The smallest timeout of at least `fromSeconds` at which at most `maxBroken` sessions break.
 * When no timeout the window shows in full is safe, the answer is that limit marked as a lower
 * bound (an honest "at least"), or null when the window shows nothing above `fromSeconds`. Binary search over the breakpoints: longer
 * timeouts never break more sessions (test/model/properties.test.ts).
 */
export function smallestSafeTimeout(planner: Planner, points: Float64Array, maxBroken: number, fromSeconds: number): SafeTimeout | null {
  const ok = (c: CandidateResult): boolean => c.sessionsWithDrops <= maxBroken;
  const first = planner.evaluate(fromSeconds);
  if (ok(first)) return { seconds: fromSeconds, at: first, brokenBelow: null, lowerBound: first.lowerBound === true };
  let lo = 0;
  while (lo < points.length && points[lo]! <= fromSeconds) lo++;
  let hi = points.length - 1;
  const shown = shownByWindowSeconds(planner);
  const top = lo > hi ? null : planner.evaluate(points[hi]! + ABOVE);
  if (top === null || !ok(top)) {
    // Not within what the window shows: at least the window's limit (or null when nothing is shown).
    if (!(shown > fromSeconds)) return null;
    return { seconds: shown, at: planner.evaluate(shown), brokenBelow: (top ?? first).sessionsWithDrops, lowerBound: true };
  }
  let best = hi;
  let bestAt = top;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = planner.evaluate(points[mid]! + ABOVE);
    if (ok(c)) { hi = mid; best = mid; bestAt = c; } else lo = mid + 1;
  }
  if (best !== lo) { best = lo; bestAt = planner.evaluate(points[lo]! + ABOVE); }
  const below = best > 0 && points[best - 1]! > fromSeconds ? points[best - 1]! + ABOVE : fromSeconds;
  // Figures that are only lower bounds (firewall logs, log-bounds.ts) make the threshold one too.
  return { seconds: points[best]!, at: bestAt, brokenBelow: planner.evaluate(below).sessionsWithDrops, lowerBound: bestAt.lowerBound === true };
}

/**
 * The largest whole-second timeout in [lo, hi] whose peak table memory fits `maxBytes`, or null
 * when even `lo` needs more. Peak entries never decrease with the timeout (properties test), so
 * a bisection on whole seconds (the unit every platform sets) is exact.
 */
export function largestWithinMemory(planner: Planner, lo: number, hi: number, maxBytes: number): number | null {
  const fits = (t: number): boolean => planner.evaluate(t).memoryBytes.peak <= maxBytes;
  let a = Math.ceil(lo);
  let b = Math.floor(hi);
  if (a > b || !fits(a)) return null;
  if (fits(b)) return b;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (fits(mid)) a = mid; else b = mid;
  }
  return a;
}

/**
 * The steps of sessionsWithDrops: the breakpoints where its value changes, with the value just
 * above each, at most `limit` of them (the largest changes first when there are more). What
 * `plan --timeouts auto` shows as candidates.
 */
export function steps(planner: Planner, points: Float64Array, limit: number): Array<{ seconds: number; sessionsWithDrops: number }> {
  const found: Array<{ seconds: number; sessionsWithDrops: number; change: number }> = [];
  const value = (k: number): number => planner.evaluate(points[k]! + ABOVE).sessionsWithDrops;
  const below = (k: number): number => (k === 0 ? planner.evaluate(Math.max(ABOVE, points[0]! - ABOVE)).sessionsWithDrops : value(k - 1));
  // Recursive bisection: a range whose ends agree holds no step (the function is monotone).
  const walk = (a: number, va: number, b: number, vb: number): void => {
    if (va === vb) return;
    if (b - a === 1) { found.push({ seconds: points[b]!, sessionsWithDrops: vb, change: va - vb }); return; }
    const m = (a + b) >> 1;
    const vm = value(m);
    walk(a, va, m, vm);
    walk(m, vm, b, vb);
  };
  if (points.length === 0) return [];
  const v0 = value(0);
  const vBefore = below(0);
  if (vBefore !== v0) found.push({ seconds: points[0]!, sessionsWithDrops: v0, change: vBefore - v0 });
  walk(0, v0, points.length - 1, value(points.length - 1));
  found.sort((x, y) => y.change - x.change || y.seconds - x.seconds);
  return found.slice(0, limit).sort((x, y) => x.seconds - y.seconds).map(({ seconds, sessionsWithDrops }) => ({ seconds, sessionsWithDrops }));
}
