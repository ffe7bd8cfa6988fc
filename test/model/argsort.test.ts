import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { argsort } from '../../src/model/argsort.js';

/** The reference: positions ordered by key, ties by position (what the preparation's orders need). */
function reference(keys: Float64Array): number[] {
  return Array.from(keys, (_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
}

describe('argsort', () => {
  it('orders by key, ties by position, -0 tying with 0', () => {
    const keys = Float64Array.from([3, -1, 0, -0, 3, Number.POSITIVE_INFINITY, -2.5, 1e15 + 0.5, Number.NEGATIVE_INFINITY, 0]);
    expect(Array.from(argsort(keys))).toEqual(reference(keys));
    expect(Array.from(argsort(keys))).toEqual([8, 6, 1, 2, 3, 9, 0, 4, 7, 5]);
  });

  it('matches the comparison order on random keys with many ties', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -3, max: 3 }).map((x) => x * 1e6)), { maxLength: 300 }), (xs) => {
      const keys = Float64Array.from(xs);
      expect(Array.from(argsort(keys))).toEqual(reference(keys));
    }), { numRuns: 300 });
  });

  it('handles no keys', () => {
    expect(argsort(new Float64Array(0)).length).toBe(0);
  });
});
