/**
 * Idle-gap survival: how likely an idle period lasts longer than t, from gaps that ended
 * (events) and idle periods still running at capture end (right-censored). Used where a
 * candidate is longer than the capture window can show (docs/MODEL.md, "Beyond the window").
 */
import { sortedCopy } from './radix-sort.js';

export interface Survival {
  /** Distinct event times, ascending (seconds). */
  times: Float64Array;
  /** S(t) just after each time in `times`. */
  survival: Float64Array;
  /** Exponential tail beyond `tailFrom`: S(t) = S(tailFrom) * exp(-rate * (t - tailFrom)). */
  tailFrom: number;
  tailRate: number;
  events: number;
  censored: number;
}

/**
 * Kaplan-Meier product-limit estimate: S(t) = prod over event times t_i <= t of (1 - d_i / n_i),
 * n_i = idle periods still running just before t_i (events or censorings at or after t_i),
 * d_i = events at t_i. Censored observations at t_i count as at risk at t_i (the usual convention).
 * Kaplan & Meier, "Nonparametric estimation from incomplete observations", JASA 53 (1958).
 *
 * The tail beyond the 90th percentile of the events is an exponential fitted by maximum
 * likelihood on the excesses over that threshold, censored ones included:
 * rate = (events above u) / (sum over all observations above u of (x - u)).
 *
 * @example kaplanMeier([1, 2, 3], [2.5]) // S(1) = 3/4, S(2) = 3/4 * 2/3 = 1/2, S(3) = 1/2 * 0 = 0
 */
export function kaplanMeier(eventTimes: ArrayLike<number>, censoredTimes: ArrayLike<number>): Survival {
  // Sorted by a radix sort (radix-sort.ts: the same values as Float64Array#sort, several times faster).
  const ev = sortedCopy(eventTimes instanceof Float64Array ? eventTimes : Float64Array.from(eventTimes));
  const ce = sortedCopy(censoredTimes instanceof Float64Array ? censoredTimes : Float64Array.from(censoredTimes));
  return kaplanMeierSorted(ev, ce);
}

/**
 * kaplanMeier over times already in ascending order (as Float64Array#sort leaves them). `ev` is
 * consumed: the curve's distinct times are written over its front (each at or before the event it
 * comes from), so that a day's millions of events need no second array of their size.
 */
export function kaplanMeierSorted(ev: Float64Array, ce: Float64Array): Survival {
  const n = ev.length;
  // Tail threshold: the 90th percentile of event times (or the largest, for few events); read
  // before the events are overwritten.
  let tailFrom = 0;
  let tailRate = 0;
  if (n > 0) {
    tailFrom = ev[Math.min(n - 1, Math.floor(n * 0.9))]!;
    let exceed = 0;
    let sumExcess = 0;
    for (const x of ev) if (x > tailFrom) { exceed++; sumExcess += x - tailFrom; }
    for (const x of ce) if (x > tailFrom) sumExcess += x - tailFrom;
    tailRate = sumExcess > 0 ? exceed / sumExcess : 0;
  }
  // One point per distinct event time, counted first: the survival values are made at their size.
  let points = 0;
  for (let k = 0; k < n; k++) if (k === 0 || ev[k] !== ev[k - 1]) points++;
  const surv = new Float64Array(points);
  let distinct = 0;
  let atRisk = n + ce.length;
  let s = 1;
  let i = 0;
  let j = 0;
  while (i < n) {
    const t = ev[i]!;
    // Censored strictly before t leave the risk set first.
    while (j < ce.length && ce[j]! < t) { atRisk--; j++; }
    let d = 0;
    while (i < n && ev[i] === t) { d++; i++; }
    s *= 1 - d / atRisk;
    ev[distinct] = t; // distinct <= the index t was read from
    surv[distinct++] = s;
    atRisk -= d;
  }
  // Few distinct times in a long array: their own array, so that the events' is let go.
  const times = points * 2 < n ? ev.slice(0, points) : ev.subarray(0, points);
  return { times, survival: surv, tailFrom, tailRate, events: n, censored: ce.length };
}

/** S(t): the KM step function up to `tailFrom`, the fitted exponential beyond. */
export function survivalAt(km: Survival, t: number): number {
  if (km.events === 0) return 1;
  const at = (x: number): number => {
    // last index with times[k] <= x
    let lo = 0, hi = km.times.length - 1, k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (km.times[mid]! <= x) { k = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return k < 0 ? 1 : km.survival[k]!;
  };
  if (t <= km.tailFrom) return at(t);
  const base = at(km.tailFrom);
  return km.tailRate > 0 ? base * Math.exp(-km.tailRate * (t - km.tailFrom)) : base;
}

/** P(G > t | G > c): the chance an idle period already c long lasts beyond t (t >= c). */
export function conditionalSurvival(km: Survival, t: number, c: number): number {
  const sc = survivalAt(km, c);
  if (sc <= 0) return 0;
  return Math.min(1, survivalAt(km, t) / sc);
}
