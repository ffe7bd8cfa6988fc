/**
 * The permutation that sorts `keys` ascending, ties by position (a quicksort on parallel
 * typed arrays: no comparator closure per comparison, which dominates Array#sort on big inputs).
 */
export function argsort(keys: Float64Array): Uint32Array {
  const n = keys.length;
  const k = keys.slice();
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const less = (ka: number, ia: number, kb: number, ib: number): boolean => ka < kb || (ka === kb && ia < ib);
  const stack: number[] = [0, n - 1];
  while (stack.length > 0) {
    let hi = stack.pop()!;
    let lo = stack.pop()!;
    while (hi - lo > 16) {
      const mid = (lo + hi) >>> 1;
      // median of three as pivot
      if (less(k[mid]!, idx[mid]!, k[lo]!, idx[lo]!)) swap(k, idx, mid, lo);
      if (less(k[hi]!, idx[hi]!, k[lo]!, idx[lo]!)) swap(k, idx, hi, lo);
      if (less(k[hi]!, idx[hi]!, k[mid]!, idx[mid]!)) swap(k, idx, hi, mid);
      const pk = k[mid]!, pi = idx[mid]!;
      let i = lo, j = hi;
      while (i <= j) {
        while (less(k[i]!, idx[i]!, pk, pi)) i++;
        while (less(pk, pi, k[j]!, idx[j]!)) j--;
        if (i <= j) { swap(k, idx, i, j); i++; j--; }
      }
      // recurse into the smaller side first (bounded stack), loop on the larger
      if (j - lo < hi - i) { stack.push(i, hi); hi = j; } else { stack.push(lo, j); lo = i; }
    }
    for (let a = lo + 1; a <= hi; a++) {
      const ka = k[a]!, ia = idx[a]!;
      let b = a - 1;
      while (b >= lo && less(ka, ia, k[b]!, idx[b]!)) { k[b + 1] = k[b]!; idx[b + 1] = idx[b]!; b--; }
      k[b + 1] = ka; idx[b + 1] = ia;
    }
  }
  return idx;
}

function swap(k: Float64Array, idx: Uint32Array, a: number, b: number): void {
  const t = k[a]!; k[a] = k[b]!; k[b] = t;
  const u = idx[a]!; idx[a] = idx[b]!; idx[b] = u;
}
