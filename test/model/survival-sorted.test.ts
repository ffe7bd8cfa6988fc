import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { kaplanMeier, kaplanMeierSorted } from '../../src/model/survival.js';

describe('kaplanMeierSorted', () => {
  it('gives what kaplanMeier gives on the same times, sorted', () => {
    const times = fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.double({ min: 0, max: 1e6, noNaN: true })), { maxLength: 200 });
    fc.assert(fc.property(times, times, (ev, ce) => {
      const sorted = (xs: number[]): Float64Array => Float64Array.from(xs).sort();
      expect(kaplanMeierSorted(sorted(ev), sorted(ce))).toEqual(kaplanMeier(ev, ce));
    }), { numRuns: 200 });
  });
});
