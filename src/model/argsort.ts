import { radixOrder, type RadixScratch } from './radix-sort.js';

/**
 * The permutation that sorts `keys` ascending, ties by position, -0 tying with 0 (a stable radix
 * sort, radix-sort.ts: it replaced a quicksort on parallel arrays that took about 0.2 s per
 * million keys).
 */
export function argsort(keys: Float64Array, scratch: RadixScratch | null = null): Uint32Array {
  return radixOrder(keys, true, scratch);
}
