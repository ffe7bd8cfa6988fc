/**
 * Per-service figures of one candidate (docs/MODEL.md, "Per service"): the replay's breaks and the
 * occupancy sweep restricted to each tracked service's flows (service-index.ts). The replay and
 * the sweep fill a ServiceTally and a ServiceSweep as they go (one pass, no second replay); this
 * file turns them into each service's sessions, broken sessions, dropped keep-alives, table
 * entries (time-weighted mean, exact peak) and entry memory.
 */
import type { ScheduledCounts } from './break-schedule.js';
import { F64List } from './typed-list.js';
import type { FlowModel } from './flow-model.js';
import { boundaryCounts, bucketOf, byBucket, type ByBucket } from './occupancy-grid.js';
import type { ServiceIndex } from './service-index.js';
import type { ServiceResult } from './types.js';
import type { SweepBuffers } from './sweep-buffers.js';
import { grownSize } from '../util/typed-arrays.js';

/** Breaks per tracked service, filled by the replay (and the estimate beyond the window). */
export class ServiceTally {
  readonly broken: Int32Array;
  readonly droppedKeepAlives: Float64Array;
  /** Per slot, three counts: keep-alive, data, close (break-kind.ts order). */
  readonly kinds: Int32Array;
  /** Expected breaks after the window (fractional, rounded per service) and their keep-alives. */
  readonly expected: Float64Array;
  readonly expectedKeepAlives: Float64Array;

  constructor(slots: number) {
    this.broken = new Int32Array(slots);
    this.droppedKeepAlives = new Float64Array(slots);
    this.kinds = new Int32Array(slots * 3);
    this.expected = new Float64Array(slots);
    this.expectedKeepAlives = new Float64Array(slots);
  }

  addBreak(slot: number, kind: number, keepAlives: number): void {
    if (slot < 0) return;
    this.broken[slot]!++;
    this.kinds[slot * 3 + kind]!++;
    this.droppedKeepAlives[slot]! += keepAlives;
  }

  /** The breaks a break schedule (break-schedule.ts) counted for the candidate of rank r (of K). */
  addScheduled(counts: ScheduledCounts, K: number, r: number): void {
    for (let slot = 0; slot < this.broken.length; slot++) {
      this.broken[slot]! += counts.serviceBroken[slot * K + r]!;
      this.droppedKeepAlives[slot]! += counts.serviceKeepAlives[slot * K + r]!;
      for (let k = 0; k < 3; k++) this.kinds[slot * 3 + k]! += counts.serviceKinds[(slot * 3 + k) * K + r]!;
    }
  }
}

/** The occupancy sweep's per-service accumulators, filled by occupancy.ts's sweep. */
export class ServiceSweep {
  /** Per slot, buckets + 1: net entries per bucket (starts from the index minus ends). */
  readonly net: Int32Array;
  readonly startSumUs: Float64Array;
  readonly endSumUs: Float64Array;
  /** Per slot: this candidate's extra starts (re-pickups), for the bound on a bucket's peak. */
  readonly extraStartCount: Int32Array;
  /** This candidate's extra starts and ends with their slots (-1: untracked) and buckets (set by the sweep). */
  extras: { starts: F64List; startSlots: Int16Array | null; startBuckets: Int32Array; ends: F64List; endSlots: Int16Array | null; endBuckets: Int32Array } | null = null;

  /** `net`: the sweep buffers' per-service nets (sweep-buffers.ts), filled here; without them, new ones. */
  constructor(readonly index: ServiceIndex, net: Int32Array | null = null) {
    this.net = net ?? new Int32Array(index.baseNet.length);
    this.net.set(index.baseNet);
    this.startSumUs = index.startSumUs.slice();
    this.endSumUs = index.fixedEndSumUs.slice();
    this.extraStartCount = new Int32Array(index.services.length);
  }
}

/** The per-service figures of one candidate: mean and exact peak entries per service, and its breaks. */
export function serviceResults(p: FlowModel, T: number, replayed: Uint8Array, sw: ServiceSweep, tally: ServiceTally, buffers: SweepBuffers | null = null): ServiceResult[] {
  const idx = sw.index;
  const B = p.buckets;
  const durationUs = p.windowEndUs - p.windowStartUs;
  const bytesPerEntry = p.platform.bytesPerEntry;
  // First each service's boundary counts, and the buckets whose starts could lift it past its best
  // boundary count (with the count at their start): the extras of all of them are grouped once.
  const marks = buffers !== null ? buffers.marks : new Uint8Array(B + 1);
  let marked = false;
  const counts = idx.services.map((_, s) => {
    const counted = boundaryCounts(sw.net.subarray(s * (B + 1), (s + 1) * (B + 1)), B, buffers?.atBoundary ?? null);
    const atBoundary = counted.atBoundary;
    const nxs = sw.extraStartCount[s]!;
    const reach: number[] = [];
    for (let b = 0; b < B; b++) {
      if (atBoundary[b]! + idx.startsPerBucket[s * B + b]! + nxs <= counted.best) continue;
      reach.push(b, atBoundary[b]!);
      marks[b] = 1;
      marked = true;
    }
    return { best: counted.best, atEnd: counted.atEnd, reach };
  });
  const grouped = marked ? groupExtras(sw, p, marks, buffers) : null;
  if (marked) marks.fill(0);
  return idx.services.map((svc, s) => {
    const { atEnd, reach } = counts[s]!;
    let best = counts[s]!.best;
    // Exact peak: only a bucket whose starts could lift it past the best so far is replayed event by event.
    const nxs = sw.extraStartCount[s]!;
    for (let q = 0; q < reach.length; q += 2) {
      const b = reach[q]!, atStart = reach[q + 1]!;
      const startsHere = idx.startsPerBucket[s * B + b]!;
      if (atStart + startsHere + nxs <= best) continue;
      const xsHere = grouped!.starts.cum[b + 1]! - grouped!.starts.cum[b]!; // every slot's: a bound
      if (atStart + startsHere + xsHere <= best) continue;
      const local = bucketPeak(p, idx, s, b, T * 1e6, replayed, atStart, grouped!.starts, grouped!.ends);
      if (local > best) best = local;
    }
    const mean = durationUs > 0 ? (sw.endSumUs[s]! - sw.startSumUs[s]!) / durationUs : atEnd;
    const k = tally.kinds;
    return {
      service: { protocol: svc.protocol, serverAddr: svc.serverAddr, serverPort: svc.serverPort },
      sessions: svc.sessions,
      sessionsWithDrops: tally.broken[s]! + Math.round(tally.expected[s]!),
      droppedKeepAlives: tally.droppedKeepAlives[s]! + tally.expectedKeepAlives[s]!,
      brokenByKind: { keepAlive: k[s * 3]!, data: k[s * 3 + 1]!, close: k[s * 3 + 2]! },
      tableEntries: { mean, peak: best },
      memoryBytes: { mean: mean * bytesPerEntry, peak: best * bytesPerEntry },
    };
  });
}

/** The extras of the marked buckets grouped by bucket with their slots (none without a sweep's extras). */
function groupExtras(sw: ServiceSweep, p: FlowModel, marks: Uint8Array, buffers: SweepBuffers | null): { starts: ByBucket; ends: ByBucket } {
  const x = sw.extras;
  const B = p.buckets, W = p.bucketUs, ws = p.windowStartUs, we = p.windowEndUs;
  if (x === null) { const none: ByBucket = { cum: new Int32Array(B + 2), times: new Float64Array(0), slots: new Int16Array(0) }; return { starts: none, ends: none }; }
  const starts = byBucket(x.starts.data, x.starts.length, B, W, ws, we, x.startSlots ?? new Int16Array(x.starts.length).fill(-1), x.startBuckets, buffers?.startGroups ?? null, marks);
  const ends = byBucket(x.ends.data, x.ends.length, B, W, ws, we, x.endSlots ?? new Int16Array(x.ends.length).fill(-1), x.endBuckets, buffers?.endGroups ?? null, marks);
  return { starts, ends };
}

/** First index of an ascending array whose value (plus `shiftUs`) falls in bucket b or later. */
function firstInBucket(sorted: Float64Array, shiftUs: number, b: number, p: FlowModel): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bucketOf(sorted[mid]! + shiftUs, p.buckets, p.bucketUs, p.windowStartUs, p.windowEndUs) < b) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Scratch buffers for bucketPeak, reused across calls (the model runs on one thread). */
let startScratch: Float64Array = new Float64Array(256);
let endScratch: Float64Array = new Float64Array(256);

function grown(a: Float64Array, need: number): Float64Array {
  return need <= a.length ? a : new Float64Array(grownSize(a.length, need));
}

/**
 * The highest count inside bucket b for slot s: its starts and its ends, each sorted (native
 * typed-array sort, no comparator), merged with ends first at equal times.
 */
function bucketPeak(p: FlowModel, idx: ServiceIndex, s: number, b: number, Tus: number, replayed: Uint8Array, countAtStart: number, xs: ByBucket, xe: ByBucket): number {
  const B = p.buckets, W = p.bucketUs, ws = p.windowStartUs, we = p.windowEndUs;
  const starts = idx.starts[s]!;
  const s0 = firstInBucket(starts, 0, b, p);
  let s1 = s0;
  while (s1 < starts.length && bucketOf(starts[s1]!, B, W, ws, we) === b) s1++;
  const fixed = idx.fixedEnds[s]!, fixedFlows = idx.fixedFlows[s]!;
  const f0 = firstInBucket(fixed, 0, b, p);
  let f1 = f0;
  while (f1 < fixed.length && bucketOf(fixed[f1]!, B, W, ws, we) === b) f1++;
  const cand = idx.candLast[s]!, candFlows = idx.candFlows[s]!;
  const c0 = firstInBucket(cand, Tus, b, p);
  let c1 = c0;
  while (c1 < cand.length && bucketOf(cand[c1]! + Tus, B, W, ws, we) === b) c1++;
  startScratch = grown(startScratch, s1 - s0 + xs.cum[b + 1]! - xs.cum[b]!);
  endScratch = grown(endScratch, f1 - f0 + c1 - c0 + xe.cum[b + 1]! - xe.cum[b]!);
  const xsSlots = xs.slots!, xeSlots = xe.slots!;
  let ns = 0, ne = 0;
  for (let k = s0; k < s1; k++) startScratch[ns++] = starts[k]!;
  for (let k = xs.cum[b]!; k < xs.cum[b + 1]!; k++) if (xsSlots[k] === s) startScratch[ns++] = xs.times[k]!;
  for (let k = f0; k < f1; k++) if (replayed[fixedFlows[k]!] !== 1) endScratch[ne++] = fixed[k]!;
  for (let k = xe.cum[b]!; k < xe.cum[b + 1]!; k++) if (xeSlots[k] === s) endScratch[ne++] = xe.times[k]!;
  for (let k = c0; k < c1; k++) if (replayed[candFlows[k]!] !== 1) endScratch[ne++] = cand[k]! + Tus;
  const st = startScratch.subarray(0, ns).sort();
  const en = endScratch.subarray(0, ne).sort();
  let c = countAtStart;
  let peak = c;
  let e = 0;
  for (let k = 0; k < ns; k++) {
    const t = st[k]!;
    while (e < ne && en[e]! <= t) { e++; c--; }
    c++;
    if (c > peak) peak = c;
  }
  return peak;
}
