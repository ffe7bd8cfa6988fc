/** The occupancy grid: equal time buckets over the capture window, shared by preparation and the sweep. */

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
