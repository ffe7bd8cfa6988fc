/**
 * Table occupancy for one candidate (docs/MODEL.md, "Table occupancy"): entries over the window
 * from the prepared start and end orders plus the replay's exceptions.
 */
import type { F64List } from './typed-list.js';
import type { I16List } from './typed-list.js';
import type { FlowModel } from './flow-model.js';
import { boundaryCounts, bucketOf, byBucket, clipToWindow, type ByBucket } from './occupancy-grid.js';
import type { ServiceSweep } from './service-figures.js';
import type { SweepBuffers } from './sweep-buffers.js';

export interface Occupancy {
  mean: number;
  peak: number;
  p99: number;
  atEnd: number;
  series: number[];
}

/**
 * Entries over the window by a merge sweep of entry starts and ends (docs/MODEL.md, "Table
 * occupancy"). Starts are the flows' first packets (sorted once) plus re-pickups; ends come from
 * three sorted sources: fixed-state ends (sorted once), candidate-state ends (last packet + T, in
 * last-packet order), and this candidate's exceptions. An end at the same instant as a start is
 * taken first. Time-weighted mean and 99th percentile; peak; count at window end; a series.
 * Flows with `replayed[i] === 1` (`candReplayed[k]` in candEndOrder) take their ends from the
 * replay (extraEndList), not the precomputed orders. With a ServiceSweep (and the extras' service slots), every start and end of
 * a tracked service's flow is counted in its slot as well, in the same loops (service-figures.ts).
 * With `buffers` (sweep-buffers.ts) its scratch arrays are theirs, valid until their next sweep.
 */
export function sweep(p: FlowModel, T: number, replayed: Uint8Array, replayedList: Int32Array, candReplayed: Uint8Array, extraStartList: F64List, extraEndList: F64List,
  svc: ServiceSweep | null = null, extraStartSlots: I16List | null = null, extraEndSlots: I16List | null = null, buffers: SweepBuffers | null = null): Occupancy {
  const ws = p.windowStartUs;
  const we = p.windowEndUs;
  const points = p.seriesPoints;
  if (p.fs.count === 0 || !(we >= ws)) return { mean: 0, peak: 0, p99: 0, atEnd: 0, series: new Array(points).fill(0) };
  const B = p.buckets, W = p.bucketUs;
  const Tus = T * 1e6;
  const candOrder = p.candEndOrder, candLast = p.candLastUs;
  // 1. Net entries per bucket, and the exact area (sum of clipped lifetimes).
  const startCum = p.startCum;
  // Starts minus fixed-state ends were counted once (prepare); take back this candidate's exceptions.
  const net = buffers !== null ? buffers.net : new Int32Array(B + 1);
  net.set(p.baseNet);
  let endSumUs = p.fixedEndSumAll;
  const slotOf = svc !== null ? svc.index.slotOf : null;
  // The per-service accumulators through locals: the loops below touch them once per entry.
  const sNet = svc?.net ?? null;
  const sEndSum = svc?.endSumUs ?? null, sStartSum = svc?.startSumUs ?? null, sExtraStarts = svc?.extraStartCount ?? null;
  const B1 = B + 1;
  const fixedBucketOf = p.fixedBucketOf, fixedClippedUs = p.fixedClippedUs;
  for (let r = 0; r < replayedList.length; r++) {
    const i = replayedList[r]!;
    const fb = fixedBucketOf[i]!;
    if (fb < 0) continue;
    net[fb]!++;
    const clipped = fixedClippedUs[i]!;
    endSumUs -= clipped;
    if (slotOf !== null) { const s = slotOf[i]!; if (s >= 0) { sNet![s * B1 + fb]!++; sEndSum![s]! -= clipped; } }
  }
  const candSlot = svc !== null ? svc.index.candSlot : null;
  for (let k = 0; k < candOrder.length; k++) {
    if (candReplayed[k] === 1) continue;
    const e = candLast[k]! + Tus;
    const b = bucketOf(e, B, W, ws, we);
    net[b]!--;
    const clipped = clipToWindow(e, ws, we) - ws;
    endSumUs += clipped;
    if (candSlot !== null) { const s = candSlot[k]!; if (s >= 0) { sNet![s * B1 + b]!--; sEndSum![s]! += clipped; } }
  }
  const xs = extraStartList.data, nxs = extraStartList.length;
  const xe = extraEndList.data, nxe = extraEndList.length;
  let startSumUs = p.startSumUs;
  const xsSlot = svc !== null && extraStartSlots !== null ? extraStartSlots.data : null;
  const xeSlot = svc !== null && extraEndSlots !== null ? extraEndSlots.data : null;
  // Each extra's bucket, kept for the grouping below (no second bucketOf per extra).
  const xsBucket = buffers !== null ? buffers.buckets(nxs, false) : new Int32Array(nxs);
  const xeBucket = buffers !== null ? buffers.buckets(nxe, true) : new Int32Array(nxe);
  for (let k = 0; k < nxs; k++) {
    const b = bucketOf(xs[k]!, B, W, ws, we);
    xsBucket[k] = b;
    net[b]!++;
    const clipped = clipToWindow(xs[k]!, ws, we) - ws;
    startSumUs += clipped;
    if (xsSlot !== null) { const s = xsSlot[k]!; if (s >= 0) { sNet![s * B1 + b]!++; sStartSum![s]! += clipped; sExtraStarts![s]!++; } }
  }
  for (let k = 0; k < nxe; k++) {
    const e = xe[k]!;
    const b = bucketOf(e, B, W, ws, we);
    xeBucket[k] = b;
    net[b]!--;
    const clipped = clipToWindow(e, ws, we) - ws;
    endSumUs += clipped;
    if (xeSlot !== null) { const s = xeSlot[k]!; if (s >= 0) { sNet![s * B1 + b]!--; sEndSum![s]! += clipped; } }
  }
  // 2. Entries at each bucket boundary.
  const counted = boundaryCounts(net, B, buffers?.atBoundary ?? null);
  const { atBoundary, atEnd } = counted;
  let best = counted.best;
  // 3. Exact peak: a bucket can hold a higher count than its boundaries only if its starts could
  // lift it past the best count found so far; replay those buckets event by event.
  let extraStartsByBucket: ByBucket | null = null;
  let extraEndsByBucket: ByBucket | null = null;
  for (let b = 0; b < B; b++) {
    const startsHere = startCum[b + 1]! - startCum[b]!;
    if (atBoundary[b]! + startsHere + nxs <= best) continue;
    if (extraStartsByBucket === null) {
      // The extras of the buckets this loop can still reach (best only grows), grouped once.
      const marks = buffers !== null ? buffers.marks : new Uint8Array(B + 1);
      for (let m = b; m < B; m++) if (atBoundary[m]! + startCum[m + 1]! - startCum[m]! + nxs > best) marks[m] = 1;
      extraStartsByBucket = byBucket(xs, nxs, B, W, ws, we, null, xsBucket, buffers?.startGroups ?? null, marks);
      extraEndsByBucket = byBucket(xe, nxe, B, W, ws, we, null, xeBucket, buffers?.endGroups ?? null, marks);
      marks.fill(0, b, B);
    }
    const xsHere = extraStartsByBucket.cum[b + 1]! - extraStartsByBucket.cum[b]!;
    if (atBoundary[b]! + startsHere + xsHere <= best) continue;
    const local = replayBucket(p, b, Tus, replayed, atBoundary[b]!, extraStartsByBucket, extraEndsByBucket!);
    if (local > best) best = local;
  }
  // The per-service figures group the extras of their own buckets (with slots), from the buckets found here.
  if (svc !== null) svc.extras = { starts: extraStartList, startSlots: xsSlot, startBuckets: xsBucket, ends: extraEndList, endSlots: xeSlot, endBuckets: xeBucket };
  const durationUs = we - ws;
  const mean = durationUs > 0 ? (endSumUs - startSumUs) / durationUs : atEnd;
  // 4. The 99th percentile of the entry count over time, on the grid (each bucket at its closing count).
  let p99 = best;
  if (durationUs > 0) {
    const hist = buffers !== null ? buffers.histogram(best + 1) : new Float64Array(best + 1);
    for (let b = 0; b < B; b++) { const v = atBoundary[b + 1]!; if (v >= 0 && v <= best) hist[v]! += 1; }
    let acc = 0;
    for (let v = 0; v <= best; v++) { acc += hist[v]!; if (acc >= 0.99 * B) { p99 = v; break; } }
  }
  const series = new Array<number>(points);
  for (let k = 0; k < points; k++) series[k] = atBoundary[points === 1 ? B : Math.round((k * B) / (points - 1))]!;
  return { mean, peak: best, p99, atEnd, series };
}

/** Replays one bucket's starts and ends in time order (ends first at equal times); returns its highest count. */
function replayBucket(p: FlowModel, b: number, Tus: number, replayed: Uint8Array, countAtStart: number,
  xs: ByBucket, xe: ByBucket): number {
  const ws = p.windowStartUs, we = p.windowEndUs, B = p.buckets, W = p.bucketUs;
  const times: number[] = [];
  const deltas: number[] = [];
  for (let k = p.startCum[b]!; k < p.startCum[b + 1]!; k++) { times.push(p.startsUs[k]!); deltas.push(1); }
  for (let k = xs.cum[b]!; k < xs.cum[b + 1]!; k++) { times.push(xs.times[k]!); deltas.push(1); }
  for (let k = p.fixedCum[b]!; k < p.fixedCum[b + 1]!; k++) {
    if (replayed[p.fixedEndOrder[k]!] === 1) continue;
    times.push(p.fixedEndUs[k]!); deltas.push(-1);
  }
  for (let k = xe.cum[b]!; k < xe.cum[b + 1]!; k++) { times.push(xe.times[k]!); deltas.push(-1); }
  // Candidate-state ends in this bucket: last packet in [bucket start - T, bucket end - T).
  const candLast = p.candLastUs;
  // Starting one before the first candidate in range is harmless: ends before bucket b are skipped.
  let lo = lastIndexBelow(candLast, ws + b * W - Tus);
  for (; lo < candLast.length; lo++) {
    const e = candLast[lo]! + Tus;
    const eb = bucketOf(e, B, W, ws, we);
    if (eb < b) continue;
    if (eb > b) break;
    if (replayed[p.candEndOrder[lo]!] === 1) continue;
    times.push(e); deltas.push(-1);
  }
  const order = times.map((_, i) => i).sort((x, y) => times[x]! - times[y]! || deltas[x]! - deltas[y]!);
  let c = countAtStart;
  let peak = c;
  for (const i of order) {
    c += deltas[i]!;
    if (c > peak) peak = c;
  }
  return peak;
}

/** Index of the last value below x in an ascending array, or 0 when none is. */
function lastIndexBelow(sorted: Float64Array, x: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1; else hi = mid;
  }
  return lo > 0 ? lo - 1 : 0;
}
