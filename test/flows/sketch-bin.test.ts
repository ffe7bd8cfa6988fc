// sketchBin against Math.log2's bin (sketchBinByLog2): every double within 2^12 ulps of each
// bin boundary and of 1 (where a computed log2 could fall on either side of a multiple of 1/32),
// integers, and random doubles across the whole range.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SKETCH_BIN_COUNT, binStartOf, nextDouble, sketchBin, sketchBinByLog2 } from '../../src/flows/sketch-bin.js';

const BAND_ULPS = 1 << 12;

/** Values where the two disagree among the doubles within BAND_ULPS of `x` (as "x:table:log2"). */
function mismatchesAround(x: number): string[] {
  const bad: string[] = [];
  let lo = x;
  for (let i = 0; i < BAND_ULPS && lo > 1; i++) lo = nextDouble(lo, -1);
  let v = lo;
  for (let i = 0; i <= 2 * BAND_ULPS; i++, v = nextDouble(v, 1)) {
    const a = sketchBin(v), b = sketchBinByLog2(v);
    if (a !== b) bad.push(`${v}:${a}:${b}`);
  }
  return bad;
}

describe('sketchBin', () => {
  it('each boundary is where Math.log2\'s bin steps up', () => {
    for (let k = 1; k <= SKETCH_BIN_COUNT; k++) {
      const x = binStartOf(k);
      expect(Math.floor(Math.log2(x) * 32)).toBe(k);
      expect(Math.floor(Math.log2(nextDouble(x, -1)) * 32)).toBe(k - 1);
    }
  });

  it('equals Math.log2\'s bin for every double within 2^12 ulps of every boundary and of 1', () => {
    const bad = mismatchesAround(1);
    for (let k = 1; k <= SKETCH_BIN_COUNT; k++) bad.push(...mismatchesAround(binStartOf(k)));
    expect(bad).toEqual([]);
  });

  it('equals it on integers, values below 1, huge values, and random doubles', () => {
    for (let x = 0; x < 1 << 16; x++) expect(sketchBin(x)).toBe(sketchBinByLog2(x));
    for (const x of [0, 0.5, 0.999999, 2 ** 63, 2 ** 64, 2 ** 64 * 1.5, 1e300, Number.POSITIVE_INFINITY]) expect(sketchBin(x)).toBe(sketchBinByLog2(x));
    fc.assert(fc.property(fc.double({ min: 0, max: 2 ** 70, noNaN: true }), (x) => sketchBin(x) === sketchBinByLog2(x)), { numRuns: 100000 });
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 53 - 1 }), (x) => sketchBin(x) === sketchBinByLog2(x)), { numRuns: 100000 });
  });
});
