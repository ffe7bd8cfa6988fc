/**
 * The gap sketch's bin of a value: Math.min(2047, Math.floor(Math.log2(x) * 32)) for x >= 1, 0
 * below 1 (distribution.ts), without calling Math.log2 (a C call per gap: ieee754::log2 was
 * 1.4 % of a day capture's read).
 *
 * BIN_START[k] is the smallest double whose bin by Math.log2 is at least k, found when first needed
 * with Math.log2 itself (so it holds for this engine's log2, not for the mathematical one); a
 * value's bin is then the largest k with BIN_START[k] <= x. The exponent and the top 10 bits of
 * the mantissa give a first guess within one bin of it (an octave's 32 bins are at least
 * 2^(1/32) - 1 > 2^-6 apart relative, wider than a 2^-10 step), and a comparison or two settles it.
 *
 * Why this equals Math.log2's bin everywhere: the floor of 32 * log2(x) can differ between two
 * doubles only where the computed log2 crosses a multiple of 1/32. Math.log2 is accurate to
 * within an ulp (fdlibm's e_log2.c, which V8 ships as ieee754::log2) and the factor 32 is exact,
 * so away from the true boundaries 2^(k/32) by more than a few ulps the computed and the true
 * floor agree, and the true one is monotone. test/flows/sketch-bin.test.ts checks every double
 * within 2^12 ulps of each BIN_START[k] against Math.log2 (the band where they could disagree).
 */

const BINS_PER_OCTAVE = 32;
export const SKETCH_BIN_COUNT = 64 * BINS_PER_OCTAVE;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // the high word's index (little-endian: 1)

/** The bin by Math.log2, as distribution.ts computed it before. */
export function sketchBinByLog2(x: number): number {
  return x < 1 ? 0 : Math.min(SKETCH_BIN_COUNT - 1, Math.floor(Math.log2(x) * BINS_PER_OCTAVE));
}

/** The double next above (step 1) or below (step -1) a positive finite x. */
export function nextDouble(x: number, step: 1 | -1): number {
  f64[0] = x;
  const lo = u32[1 - HI]!, hi = u32[HI]!;
  if (step === 1) {
    if (lo === 0xffffffff) { u32[1 - HI] = 0; u32[HI] = hi + 1; } else u32[1 - HI] = lo + 1;
  } else if (lo === 0) { u32[1 - HI] = 0xffffffff; u32[HI] = hi - 1; } else u32[1 - HI] = lo - 1;
  return f64[0]!;
}

/** The unclamped bin of x >= 1 by Math.log2. */
function log2Bin(x: number): number {
  return Math.floor(Math.log2(x) * BINS_PER_OCTAVE);
}

/** The smallest double whose (unclamped) Math.log2 bin is at least k (k >= 1), searched from 2^(k/32) by ulps. */
function binStart(k: number): number {
  let x = Math.pow(2, k / BINS_PER_OCTAVE);
  if (log2Bin(x) >= k) {
    for (let below = nextDouble(x, -1); log2Bin(below) >= k; below = nextDouble(below, -1)) x = below;
  } else {
    do x = nextDouble(x, 1); while (log2Bin(x) < k);
  }
  return x;
}

/**
 * BIN_START[k] for k = 0 .. SKETCH_BIN_COUNT (index SKETCH_BIN_COUNT: where the last bin would
 * end), 0 until computed: an octave's are computed when a value first falls in it (all 2048 at
 * load took 16 ms, a read touches a few dozen octaves).
 */
const BIN_START = new Float64Array(SKETCH_BIN_COUNT + 1);
BIN_START[0] = 1;
const OCTAVE_READY = new Uint8Array(64);

/** Every BIN_START that sketchBin may read for a value in octave e (the octave's, and one either side). */
function prepareOctave(e: number): void {
  const last = Math.min(SKETCH_BIN_COUNT, e * BINS_PER_OCTAVE + BINS_PER_OCTAVE + 1);
  for (let k = Math.max(1, e * BINS_PER_OCTAVE - 1); k <= last; k++) if (BIN_START[k] === 0) BIN_START[k] = binStart(k);
  OCTAVE_READY[e] = 1;
}

/** BIN_START[k] (computed if need be), for tests. */
export function binStartOf(k: number): number {
  if (k > 0 && BIN_START[k] === 0) BIN_START[k] = binStart(k);
  return BIN_START[k]!;
}

/** First guess per top-10-bit mantissa step: the bin within the octave where the step starts. */
const GUESS = new Uint8Array(1024);
for (let m = 0; m < 1024; m++) GUESS[m] = Math.floor(Math.log2(1 + m / 1024) * BINS_PER_OCTAVE);

/** sketchBinByLog2(x) for any x >= 0, by the tables. */
export function sketchBin(x: number): number {
  if (x < 1) return 0;
  f64[0] = x;
  const hi = u32[HI]!;
  const e = (hi >>> 20) - 1023; // x >= 1: sign bit clear, exponent >= 1023
  if (e >= 64) return SKETCH_BIN_COUNT - 1;
  if (OCTAVE_READY[e] === 0) prepareOctave(e);
  let k = e * BINS_PER_OCTAVE + GUESS[(hi >>> 10) & 1023]!;
  while (x >= BIN_START[k + 1]!) k++;
  while (x < BIN_START[k]!) k--;
  return k < SKETCH_BIN_COUNT ? k : SKETCH_BIN_COUNT - 1;
}
