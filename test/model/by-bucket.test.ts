import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bucketOf, byBucket } from '../../src/model/occupancy-grid.js';

// A window of 0..1000 us in 16 buckets of 62.5 us; times a little outside it too.
const B = 16, W = 62.5, WS = 0, WE = 1000;
const timesArb = fc.array(fc.double({ min: -50, max: 1100, noNaN: true }), { maxLength: 200, size: 'max' });

/** The times of bucket b, as byBucket groups them, with their slots. */
function bucketContent(g: ReturnType<typeof byBucket>, b: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let k = g.cum[b]!; k < g.cum[b + 1]!; k++) out.push([g.times[k]!, g.slots![k]!]);
  return out;
}

describe('byBucket', () => {
  it('groups each time in its bucket, in the order given, with its slot', () => {
    const times = Float64Array.of(10, 70, 5, 999, 1200, -3, 62.5);
    const slots = Int16Array.of(0, 1, 2, 3, 4, 5, 6);
    const g = byBucket(times, times.length, B, W, WS, WE, slots);
    expect(bucketContent(g, 0)).toEqual([[10, 0], [5, 2], [-3, 5]]);
    expect(bucketContent(g, 1)).toEqual([[70, 1], [62.5, 6]]);
    expect(bucketContent(g, 15)).toEqual([[999, 3]]);
    expect(bucketContent(g, 16)).toEqual([[1200, 4]]); // after the window
  });

  it('with marks, holds exactly the marked buckets\' times of the full grouping, and nothing else', () => {
    fc.assert(fc.property(timesArb, fc.array(fc.boolean(), { minLength: B + 1, maxLength: B + 1 }), (xs, mark) => {
      const times = Float64Array.from(xs);
      const slots = Int16Array.from(xs, (_, k) => k);
      const marks = Uint8Array.from(mark, (m) => (m ? 1 : 0));
      const buckets = Int32Array.from(xs, (t) => bucketOf(t, B, W, WS, WE));
      const full = byBucket(times, times.length, B, W, WS, WE, slots);
      const some = byBucket(times, times.length, B, W, WS, WE, slots, buckets, null, marks);
      let held = 0;
      for (let b = 0; b <= B; b++) {
        if (marks[b] === 1) expect(bucketContent(some, b)).toEqual(bucketContent(full, b));
        held += marks[b] === 1 ? full.cum[b + 1]! - full.cum[b]! : 0;
      }
      expect(some.times.length).toBe(held);
      expect(some.cum[B + 1]).toBe(held);
    }), { numRuns: 300 });
  });
});
