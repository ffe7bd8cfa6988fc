import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { conditionalSurvival, kaplanMeier, survivalAt } from '../../src/model/survival.js';

describe('kaplanMeier', () => {
  it('matches the product-limit estimate by hand', () => {
    // events 1, 2, 3; one idle period censored at 2.5
    const km = kaplanMeier([1, 2, 3], [2.5]);
    expect(Array.from(km.times)).toEqual([1, 2, 3]);
    expect(km.survival[0]).toBeCloseTo(3 / 4, 12);
    expect(km.survival[1]).toBeCloseTo(1 / 2, 12);
    expect(km.survival[2]).toBe(0);
    expect(survivalAt(km, 0.5)).toBe(1);
    expect(survivalAt(km, 1.5)).toBeCloseTo(0.75, 12);
  });

  it('ties: two events at one time leave the risk set together', () => {
    const km = kaplanMeier([5, 5, 10], [20]);
    // S(5) = 1 - 2/4 = 0.5; S(10) = 0.5 * (1 - 1/2) = 0.25
    expect(survivalAt(km, 5)).toBeCloseTo(0.5, 12);
    expect(survivalAt(km, 10)).toBeCloseTo(0.25, 12);
  });

  it('the exponential tail: rate = events above u / total excess above u', () => {
    // ten events 1..10: u = the 90th percentile event = 10 (index 9), nothing above it -> rate from censored only
    const km = kaplanMeier([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [30]);
    expect(km.tailFrom).toBe(10);
    expect(km.tailRate).toBe(0); // no event beyond u: no decay can be fitted
    const km2 = kaplanMeier([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 40], []);
    // u = ev[floor(12 * 0.9)] = ev[10] = 20; above: 40 (excess 20) -> rate 1/20
    expect(km2.tailFrom).toBe(20);
    expect(km2.tailRate).toBeCloseTo(1 / 20, 12);
    expect(survivalAt(km2, 30)).toBeCloseTo(survivalAt(km2, 20) * Math.exp(-10 / 20), 12);
  });

  it('survival never increases, stays in [0, 1]; conditional survival is a probability', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: 0.001, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 }),
      fc.array(fc.double({ min: 0.001, max: 1e6, noNaN: true }), { maxLength: 30 }),
      fc.double({ min: 0, max: 2e6, noNaN: true }), fc.double({ min: 0, max: 2e6, noNaN: true }),
      (ev, ce, a, b) => {
        const km = kaplanMeier(ev, ce);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const slo = survivalAt(km, lo), shi = survivalAt(km, hi);
        expect(shi).toBeLessThanOrEqual(slo + 1e-12);
        expect(slo).toBeGreaterThanOrEqual(0);
        expect(slo).toBeLessThanOrEqual(1);
        const c = conditionalSurvival(km, hi, lo);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(1);
      }));
  });
});
