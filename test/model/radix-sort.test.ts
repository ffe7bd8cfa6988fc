import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RadixScratch, radixOrder, sortInPlace, sortedCopy, sortWithOrder } from '../../src/model/radix-sort.js';

const keysArb = fc.array(fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -3, max: 3 }).map((x) => x * 1e6), fc.constantFrom(0, -0, 1.7e15, 1.7e15 + 1)), { maxLength: 300 });

describe('radix sort', () => {
  it('sorts as Float64Array#sort does, -0 before 0', () => {
    const keys = Float64Array.from([3, -1, 0, -0, 3, Number.POSITIVE_INFINITY, -2.5, 1e15 + 0.5, Number.NEGATIVE_INFINITY, 0]);
    const got = sortedCopy(keys);
    expect(Array.from(got)).toEqual(Array.from(keys.slice().sort()));
    expect(Object.is(got[3], -0)).toBe(true);
    expect(Array.from(keys)).toEqual([3, -1, 0, -0, 3, Number.POSITIVE_INFINITY, -2.5, 1e15 + 0.5, Number.NEGATIVE_INFINITY, 0]); // input untouched
  });

  it('matches Float64Array#sort on random keys, and its order is stable', () => {
    fc.assert(fc.property(keysArb, (xs) => {
      const keys = Float64Array.from(xs);
      const ref = keys.slice().sort();
      const { sorted, order } = sortWithOrder(keys);
      expect(sorted).toEqual(ref);
      for (let k = 0; k < order.length; k++) {
        expect(Object.is(keys[order[k]!], sorted[k])).toBe(true);
        if (k > 0 && Object.is(keys[order[k]!], keys[order[k - 1]!])) expect(order[k]!).toBeGreaterThan(order[k - 1]!);
      }
      expect(Array.from(radixOrder(keys))).toEqual(Array.from(order));
    }), { numRuns: 300 });
  });

  it('keys already in order come back as they are, with the identity order; 0 then -0 and NaN still sort', () => {
    fc.assert(fc.property(keysArb, (xs) => {
      const keys = Float64Array.from(xs).sort();
      const { sorted, order } = sortWithOrder(keys);
      expect(sorted).toEqual(keys);
      expect(sorted).not.toBe(keys); // a copy: the caller's array stays the caller's
      expect(Array.from(order)).toEqual(Array.from(keys, (_, i) => i));
    }), { numRuns: 200 });
    // 0 before -0 is not Float64Array#sort's order: -0 moves first, unless -0 ties with 0.
    const zeros = Float64Array.of(-1, 0, -0, 2);
    expect(Array.from(sortWithOrder(zeros).order)).toEqual([0, 2, 1, 3]);
    expect(Object.is(sortedCopy(zeros)[1], -0)).toBe(true);
    expect(Array.from(radixOrder(zeros, true))).toEqual([0, 1, 2, 3]);
    expect(Array.from(radixOrder(Float64Array.of(0, 0, -0), true))).toEqual([0, 1, 2]);
    // NaN goes last, as Float64Array#sort has it.
    expect(Array.from(sortedCopy(Float64Array.of(1, Number.NaN, 2)))).toEqual([1, 2, Number.NaN]);
    expect(Array.from(sortedCopy(Float64Array.of(Number.NaN)))).toEqual([Number.NaN]);
  });

  it('sorts in place, and with lent working arrays, exactly as into new ones; one scratch serves sorts of any size in turn', () => {
    const scratch = new RadixScratch();
    fc.assert(fc.property(keysArb, fc.boolean(), (xs, zeroTies) => {
      const keys = Float64Array.from(xs);
      const ref = sortedCopy(keys);
      expect(Array.from(radixOrder(keys, zeroTies, scratch))).toEqual(Array.from(radixOrder(keys, zeroTies)));
      // A view into a larger buffer (the survival events are one): only its own values move.
      const buffer = new Float64Array(keys.length + 2).fill(7);
      buffer.set(keys, 1);
      const view = buffer.subarray(1, keys.length + 1);
      expect(sortInPlace(view, scratch)).toBe(view);
      expect(Array.from(view).map((x) => Object.is(x, -0) ? '-0' : x)).toEqual(Array.from(ref).map((x) => Object.is(x, -0) ? '-0' : x));
      expect([buffer[0], buffer[keys.length + 1]]).toEqual([7, 7]);
    }), { numRuns: 300 });
  });

  it('sorts in place whether the passes that run are odd or even in number (the keys end in their own array either way)', () => {
    // 2e6 and 1e6 differ in one 11-bit digit of the high word (bit 20): one pass runs. With 3, the low word differs too.
    for (const keys of [[2e6, 1e6, 2e6, 1e6], [3, 2e6, 1e6, 3], [2e6 + 2 ** -20, 1e6, 2e6, 1e6 + 2 ** -19, -0, 0]]) {
      const scratch = new RadixScratch(64);
      const a = Float64Array.from(keys);
      expect(Array.from(sortInPlace(a, scratch))).toEqual(Array.from(Float64Array.from(keys).sort()));
      expect(Array.from(sortInPlace(Float64Array.from(keys)))).toEqual(Array.from(Float64Array.from(keys).sort()));
      // The order's last pass writes the positions alone: the same permutation with lent or new arrays.
      const ref = keys.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0] || (Object.is(p[0], -0) && !Object.is(q[0], -0) ? -1 : 0) || (Object.is(q[0], -0) && !Object.is(p[0], -0) ? 1 : 0) || p[1] - q[1]).map((e) => e[1]);
      expect(Array.from(radixOrder(Float64Array.from(keys), false, scratch))).toEqual(ref);
      expect(Array.from(radixOrder(Float64Array.from(keys)))).toEqual(ref);
    }
  });

  it('shares keys already in order when asked, and copies keys out of order', () => {
    const inOrder = Float64Array.of(-1, 0, 2, 2, 9);
    const shared = sortWithOrder(inOrder, true);
    expect(shared.sorted).toBe(inOrder);
    expect(Array.from(shared.order)).toEqual([0, 1, 2, 3, 4]);
    const outOfOrder = Float64Array.of(3, 1, 2);
    const copied = sortWithOrder(outOfOrder, true);
    expect(copied.sorted).not.toBe(outOfOrder);
    expect(Array.from(copied.sorted)).toEqual([1, 2, 3]);
    expect(Array.from(copied.order)).toEqual([1, 2, 0]);
    expect(Array.from(outOfOrder)).toEqual([3, 1, 2]);
  });

  it('handles no keys and one key', () => {
    expect(sortedCopy(new Float64Array(0)).length).toBe(0);
    expect(Array.from(radixOrder(Float64Array.of(5)))).toEqual([0]);
  });
});
