/** The occupancy grid: equal time buckets over the capture window, shared by preparation and the sweep. */
import { grownSize } from '../util/typed-arrays.js';

/** Occupancy grid: about 4 buckets per flow, between 1,024 and 65,536 over the window. */
export function makeGrid(ws: number, we: number, flows: number): { buckets: number; bucketUs: number } {
  const buckets = Math.max(1024, Math.min(65536, flows * 4));
  const span = we - ws;
  return { buckets, bucketUs: span > 0 ? span / buckets : 1 };
}

/** Bucket of time t: 0..buckets-1 inside the window (t = window end in the last), `buckets` after it. */
export function bucketOf(t: number, buckets: number, bucketUs: number, ws: number, we: number): number {
  if (t > we) return buckets;
  const b = Math.floor((t - ws) / bucketUs);
  return b < 0 ? 0 : b >= buckets ? buckets - 1 : b;
}

/** For sorted times: index of the first time in each bucket (length buckets + 2; the last entry is the length). */
export function cumulativeByBucket(sorted: Float64Array, buckets: number, bucketUs: number, ws: number, we: number): Int32Array {
  const cum = new Int32Array(buckets + 2);
  let k = 0;
  for (let b = 0; b <= buckets; b++) {
    cum[b] = k;
    while (k < sorted.length && bucketOf(sorted[k]!, buckets, bucketUs, ws, we) <= b) k++;
  }
  cum[buckets + 1] = sorted.length;
  return cum;
}

export function clipToWindow(t: number, ws: number, we: number): number {
  return t < ws ? ws : t > we ? we : t;
}

/** Room for times grouped by bucket (byBucket), lent by the sweep's buffers (sweep-buffers.ts). */
export interface GroupScratch {
  cum: Int32Array;
  fill: Int32Array;
  times: Float64Array;
  slots: Int16Array;
}

/** Room for n grouped times (and their slots) in g: grown by doubling, never shrunk. */
function groupRoom(g: GroupScratch, n: number): void {
  if (n <= g.times.length) return;
  const size = grownSize(g.times.length, n);
  g.times = new Float64Array(size);
  g.slots = new Int16Array(size);
}

/** Times grouped by bucket: those of bucket b are times[cum[b] .. cum[b + 1]), with their service slots when given. */
export interface ByBucket {
  cum: Int32Array;
  times: Float64Array;
  slots: Int16Array | null;
}

/**
 * Times grouped by bucket (a counting sort), for replaying single buckets; `slots` travel with
 * them; `bucketsOf`: each time's bucket, when known. With `marks` (1 per bucket to group) only the
 * times of the marked buckets are grouped, and only those buckets may be read: a candidate replays
 * a few dozen of its 65,536 buckets, and scattering all its extras cost more than the rest of its
 * sweep. With `room` (sweep-buffers.ts) the result's arrays are its, valid until it is used again.
 */
export function byBucket(times: Float64Array, n: number, B: number, W: number, ws: number, we: number, slots: Int16Array | null = null, bucketsOf: Int32Array | null = null,
  room: GroupScratch | null = null, marks: Uint8Array | null = null): ByBucket {
  // The times' buckets, when the caller has them (the sweep does), or computed once here.
  let bk = bucketsOf;
  if (bk === null) { bk = new Int32Array(n); for (let k = 0; k < n; k++) bk[k] = bucketOf(times[k]!, B, W, ws, we); }
  const cum = room !== null ? room.cum.fill(0) : new Int32Array(B + 2);
  if (marks === null) for (let k = 0; k < n; k++) cum[bk[k]! + 1]!++;
  else for (let k = 0; k < n; k++) { const b = bk[k]!; if (marks[b] === 1) cum[b + 1]!++; }
  for (let b = 0; b <= B; b++) cum[b + 1]! += cum[b]!;
  const grouped = cum[B + 1]!;
  if (room !== null) groupRoom(room, grouped);
  const fill = room !== null ? room.fill : new Int32Array(B + 2);
  fill.set(cum);
  const out = room !== null ? room.times.subarray(0, grouped) : new Float64Array(grouped);
  const outSlots = slots === null ? null : room !== null ? room.slots.subarray(0, grouped) : new Int16Array(grouped);
  for (let k = 0; k < n; k++) {
    const b = bk[k]!;
    if (marks !== null && marks[b] !== 1) continue;
    const j = fill[b]!++;
    out[j] = times[k]!;
    if (outSlots !== null) outSlots[j] = slots![k]!;
  }
  return { cum, times: out, slots: outSlots };
}

/**
 * Entries at each bucket boundary from the net change per bucket (a prefix sum): the count at
 * every boundary, the highest of them, and the count at the end (`into`: B + 1 counters to fill).
 */
export function boundaryCounts(net: ArrayLike<number>, B: number, into: Int32Array | null = null): { atBoundary: Int32Array; best: number; atEnd: number } {
  const atBoundary = into ?? new Int32Array(B + 1);
  let c = 0;
  let best = 0;
  for (let b = 0; b < B; b++) {
    atBoundary[b] = c;
    c += net[b]!;
    if (c > best) best = c;
  }
  atBoundary[B] = c;
  return { atBoundary, best, atEnd: c };
}
