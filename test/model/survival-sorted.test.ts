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

  it('gives the product-limit estimate a plain count gives (it writes its times over the events it reads)', () => {
    const times = fc.array(fc.oneof(fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 1e6, noNaN: true })), { maxLength: 300, size: 'max' });
    fc.assert(fc.property(times, times, (ev, ce) => {
      // The reference: for each distinct event time t ascending, d events at t among those at risk (events and censorings at or after t).
      const distinct = [...new Set([...ev].sort((a, b) => a - b))];
      let s = 1;
      const want = distinct.map((t) => {
        const atRisk = ev.filter((x) => x >= t).length + ce.filter((x) => x >= t).length;
        s *= 1 - ev.filter((x) => x === t).length / atRisk;
        return [t, s];
      });
      const km = kaplanMeierSorted(Float64Array.from(ev).sort(), Float64Array.from(ce).sort());
      expect(Array.from(km.times, (t, k) => [t, km.survival[k]])).toEqual(want);
      expect([km.events, km.censored]).toEqual([ev.length, ce.length]);
    }), { numRuns: 300 });
  });
});
