/**
 * The occupancy sweep's scratch arrays (occupancy.ts, service-figures.ts), kept from one
 * candidate to the next like the replay's (replay-buffers.ts). Each candidate allocated and
 * zeroed about 1 to 12 MB of them (per-bucket nets and counts, each extra's bucket, the extras
 * grouped by bucket, the histogram of counts), and a fresh page costs a fault (about 12 us each
 * on the 2-core bench VM, docs/LIMITS.md). An array handed out here is valid until the next
 * candidate's sweep.
 */
import type { FlowModel } from './flow-model.js';
import type { GroupScratch } from './occupancy-grid.js';
import { grownSize } from '../util/typed-arrays.js';

export class SweepBuffers {
  /** Per bucket (buckets + 1): net entries, and the count at each boundary. */
  readonly net: Int32Array;
  readonly atBoundary: Int32Array;
  /** Per tracked service, buckets + 1 each: the service's net entries. */
  readonly serviceNet: Int32Array;
  /** Per bucket: 1 for a bucket whose extras are to be grouped (byBucket); all 0 between groupings. */
  readonly marks: Uint8Array;
  readonly startGroups: GroupScratch;
  readonly endGroups: GroupScratch;
  private hist = new Float64Array(1024);
  private startBuckets = new Int32Array(1024);
  private endBuckets = new Int32Array(1024);

  constructor(p: FlowModel) {
    const B1 = p.buckets + 1;
    this.net = new Int32Array(B1);
    this.atBoundary = new Int32Array(B1);
    this.serviceNet = new Int32Array(p.services !== null ? p.services.services.length * B1 : 0);
    this.marks = new Uint8Array(B1);
    this.startGroups = groupScratch(p.buckets);
    this.endGroups = groupScratch(p.buckets);
  }

  /** n zeroed counters for the histogram of counts. */
  histogram(n: number): Float64Array {
    if (n > this.hist.length) this.hist = new Float64Array(grownSize(this.hist.length, n));
    const h = this.hist.subarray(0, n);
    h.fill(0);
    return h;
  }

  /** Room for the bucket of each of n extra starts (ends with `ends`); not zeroed. */
  buckets(n: number, ends: boolean): Int32Array {
    if (ends) {
      if (n > this.endBuckets.length) this.endBuckets = new Int32Array(grownSize(this.endBuckets.length, n));
      return this.endBuckets.subarray(0, n);
    }
    if (n > this.startBuckets.length) this.startBuckets = new Int32Array(grownSize(this.startBuckets.length, n));
    return this.startBuckets.subarray(0, n);
  }
}

function groupScratch(buckets: number): GroupScratch {
  return { cum: new Int32Array(buckets + 2), fill: new Int32Array(buckets + 2), times: new Float64Array(1024), slots: new Int16Array(1024) };
}
