/**
 * The idle-gap distribution over every gap (short ones included), in bounded memory:
 * exact values while there are at most `exactLimit` of them, and always a log-binned
 * sketch (bins 2^(1/32) wide: any quantile read from it is within 1.1 % of the true value).
 */
import { quantileSorted } from 'simple-statistics';
import type { GapDistribution } from './types.js';
import type { GapSummary } from './types.js';
import { sketchBin } from './sketch-bin.js';

export const SKETCH_BINS_PER_OCTAVE = 32;
const SKETCH_BINS = 64 * SKETCH_BINS_PER_OCTAVE; // up to 2^64 us

/** Exact gaps are kept in blocks that are never copied: 4096 values first, doubling up to this. */
const EXACT_BLOCK_MAX = 1 << 16;
const NO_BLOCK = new Float64Array(0);

export class GapCollector {
  count = 0;
  // The exact values, in microseconds, while count <= exactLimit: filled blocks, then `block`
  // up to blockUsed. Blocks, not one growing array: growing copied every value again at each
  // doubling, for a list that is dropped anyway once a capture has more than exactLimit gaps.
  private readonly blocks: Float64Array[] = [];
  private block: Float64Array = NO_BLOCK;
  private blockUsed = 0;
  readonly sketch = new Float64Array(SKETCH_BINS);
  private readonly censored: number[] = [];

  constructor(private readonly exactLimit = 1 << 20) {}

  /** Add one gap, in microseconds (>= 0). */
  add(gapUs: number): void {
    const n = this.count++;
    if (n < this.exactLimit) {
      if (this.blockUsed === this.block.length) this.nextBlock();
      this.block[this.blockUsed++] = gapUs;
    } else if (n === this.exactLimit) {
      this.blocks.length = 0;
      this.block = NO_BLOCK;
      this.blockUsed = 0;
    }
    this.sketch[sketchBin(gapUs)]!++; // Math.min(SKETCH_BINS - 1, Math.floor(Math.log2(gapUs) * 32)), 0 below 1 (sketch-bin.ts)
  }

  private nextBlock(): void {
    if (this.block.length > 0) this.blocks.push(this.block);
    this.block = new Float64Array(Math.min(Math.max(this.block.length * 2, 4096), EXACT_BLOCK_MAX));
    this.blockUsed = 0;
  }

  addCensored(seconds: number): void {
    this.censored.push(seconds);
  }

  result(): GapDistribution {
    let exactSorted: Float64Array | null = null;
    if (this.count <= this.exactLimit) {
      exactSorted = new Float64Array(this.count);
      let at = 0;
      for (const b of this.blocks) {
        exactSorted.set(b, at);
        at += b.length;
      }
      exactSorted.set(this.block.subarray(0, this.blockUsed), at);
      for (let i = 0; i < exactSorted.length; i++) exactSorted[i]! /= 1e6;
      exactSorted.sort();
    }
    return {
      count: this.count,
      exactSorted,
      sketch: this.sketch,
      sketchBase: Math.pow(2, 1 / SKETCH_BINS_PER_OCTAVE),
      // Sorted, as in the canonical form: the tracker finishes its open flows in slot order, which says nothing.
      censoredSeconds: Float64Array.from(this.censored).sort(),
    };
  }
}

/** Lower edge of sketch bin k, seconds. */
function binLoSeconds(k: number): number {
  return k === 0 ? 0 : Math.pow(2, k / SKETCH_BINS_PER_OCTAVE) / 1e6;
}

/** Quantile from the sketch: the geometric middle of the bin that holds the p-th gap. */
function sketchQuantile(d: GapDistribution, p: number): number {
  const target = p * (d.count - 1);
  let seen = 0;
  for (let k = 0; k < d.sketch.length; k++) {
    seen += d.sketch[k]!;
    if (seen > target) return k === 0 ? 0 : Math.sqrt(binLoSeconds(k) * binLoSeconds(k + 1));
  }
  return binLoSeconds(d.sketch.length);
}

function quantile(d: GapDistribution, p: number): number | null {
  if (d.count === 0) return null;
  if (d.exactSorted !== null) return quantileSorted(d.exactSorted as unknown as number[], p);
  return sketchQuantile(d, p);
}

/**
 * Summary for output: quantiles, ECDF points and a histogram on decade-and-a-half bins
 * (1-2-5 steps from 1 ms), for the table, JSON and the TUI chart.
 */
export function summariseGaps(d: GapDistribution): GapSummary {
  const exact = d.exactSorted !== null;
  // simple-statistics reads only length and indices, so the typed array serves as is (no copy).
  const sortedArr: number[] | null = d.exactSorted !== null ? (d.exactSorted as unknown as number[]) : null;
  const q = (p: number): number | null => {
    if (d.count === 0) return null;
    if (sortedArr !== null) return quantileSorted(sortedArr, p);
    return sketchQuantile(d, p);
  };
  const max = d.count === 0 ? null : sortedArr !== null ? sortedArr[sortedArr.length - 1]! : maxFromSketch(d);
  // Histogram edges: 0, 1ms, 2ms, 5ms, 10ms ... up to beyond the max.
  const edges: number[] = [0];
  for (let e = -3; e <= 7; e++) for (const m of [1, 2, 5]) edges.push(m * Math.pow(10, e));
  const histogram: GapSummary['histogram'] = [];
  const counts = new Array<number>(edges.length).fill(0);
  if (sortedArr !== null) {
    let b = 0;
    for (const v of sortedArr) {
      while (b + 1 < edges.length && v >= edges[b + 1]!) b++;
      counts[b]!++;
    }
  } else {
    for (let k = 0; k < d.sketch.length; k++) {
      if (d.sketch[k] === 0) continue;
      const mid = k === 0 ? 0 : Math.sqrt(binLoSeconds(k) * binLoSeconds(k + 1));
      let b = 0;
      while (b + 1 < edges.length && mid >= edges[b + 1]!) b++;
      counts[b]! += d.sketch[k]!;
    }
  }
  for (let b = 0; b < edges.length; b++) {
    if (counts[b] === 0) continue;
    histogram.push({ loSeconds: edges[b]!, hiSeconds: b + 1 < edges.length ? edges[b + 1]! : Number.POSITIVE_INFINITY, count: counts[b]! });
  }
  // ECDF: up to 200 points at evenly spaced ranks (exact), or one per non-empty sketch bin.
  const ecdf: GapSummary['ecdf'] = [];
  if (sortedArr !== null && sortedArr.length > 0) {
    const n = sortedArr.length;
    const step = Math.max(1, Math.floor(n / 200));
    for (let i = step - 1; i < n; i += step) {
      // Advance over ties so each point is the true fraction <= value.
      let j = i;
      while (j + 1 < n && sortedArr[j + 1] === sortedArr[i]) j++;
      ecdf.push({ seconds: sortedArr[i]!, fraction: (j + 1) / n });
      i = j;
    }
    if (ecdf[ecdf.length - 1]!.fraction < 1) ecdf.push({ seconds: sortedArr[n - 1]!, fraction: 1 });
  } else if (d.count > 0) {
    let seen = 0;
    for (let k = 0; k < d.sketch.length; k++) {
      if (d.sketch[k] === 0) continue;
      seen += d.sketch[k]!;
      ecdf.push({ seconds: binLoSeconds(k + 1), fraction: seen / d.count });
    }
  }
  return {
    count: d.count,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max,
    censored: d.censoredSeconds.length,
    exact,
    ecdf,
    histogram,
  };
}

function maxFromSketch(d: GapDistribution): number {
  for (let k = d.sketch.length - 1; k >= 0; k--) if (d.sketch[k]! > 0) return binLoSeconds(k + 1);
  return 0;
}

export { quantile as gapQuantile };

/**
 * Fraction of gaps <= seconds read off ECDF points sorted by seconds (a step function: the
 * fraction of the last point at or below `seconds`, 0 before the first). Binary search.
 */
export function ecdfAt(ecdf: ReadonlyArray<{ seconds: number; fraction: number }>, seconds: number): number {
  let lo = 0;
  let hi = ecdf.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ecdf[mid]!.seconds <= seconds) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return best < 0 ? 0 : ecdf[best]!.fraction;
}
