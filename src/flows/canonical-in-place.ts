/**
 * A FlowSet rewritten into its canonical form (canonical.ts) in its own columns, for the one
 * owner of a set that nobody else reads (the tracker's finish()): canonicalFlowSet copies every
 * column into a new set, which for the day capture (104 k flows, 396 k gaps) is 15 MB more at
 * the peak of the read; here one scratch buffer of the longest column (3 MB) is reused for every
 * column in turn.
 */
import { canonicalOrder, isCanonicalFlowSet } from './canonical.js';
import type { FlowSet } from './types.js';

type Column = Float64Array | Uint32Array | Uint16Array | Uint8Array;

/** A view of `column`'s type over the first `n` elements of `scratch`. */
function scratchOf(column: Column, scratch: ArrayBuffer, n: number): Column {
  if (column instanceof Float64Array) return new Float64Array(scratch, 0, n);
  if (column instanceof Uint32Array) return new Uint32Array(scratch, 0, n);
  if (column instanceof Uint16Array) return new Uint16Array(scratch, 0, n);
  return new Uint8Array(scratch, 0, n);
}

/** column[f] = column[order[f]] for every f. */
function permute(column: Column, order: Uint32Array, scratch: ArrayBuffer): void {
  const n = order.length;
  const out = scratchOf(column, scratch, n);
  for (let f = 0; f < n; f++) out[f] = column[order[f]!]!;
  column.set(out);
}

/** An address column permuted and its ids renumbered: column[f] = remap[column[order[f]]]. */
function permuteAddresses(column: Uint32Array, order: Uint32Array, remap: Uint32Array, scratch: ArrayBuffer): void {
  const n = order.length;
  const out = new Uint32Array(scratch, 0, n);
  for (let f = 0; f < n; f++) out[f] = remap[column[order[f]!]!]!;
  column.set(out);
}

/** A gap column regrouped so each flow's gaps follow the flows' new order (gapOffset still the old one). */
function permuteGaps(column: Float64Array | Uint16Array, fs: FlowSet, order: Uint32Array, scratch: ArrayBuffer): void {
  const out = scratchOf(column, scratch, fs.gapOffset[fs.count]!);
  let g = 0;
  for (let f = 0; f < order.length; f++) {
    const i = order[f]!;
    const g1 = fs.gapOffset[i + 1]!;
    for (let k = fs.gapOffset[i]!; k < g1; k++) out[g++] = column[k]!;
  }
  column.set(out);
}

/**
 * The canonical form of `fs`, written over its own columns (the result shares them; `fs` must
 * not be read afterwards). The same flows, order and ids as canonicalFlowSet(fs).
 */
export function canonicalizeInPlace(fs: FlowSet): FlowSet {
  if (isCanonicalFlowSet(fs)) return fs;
  const { addresses, remap, order } = canonicalOrder(fs);
  const n = fs.count;
  const scratch = new ArrayBuffer(Math.max(n + 1, fs.gapStartUs.length) * 8);
  // Gaps first: they are found through the old offsets.
  permuteGaps(fs.gapStartUs, fs, order, scratch);
  permuteGaps(fs.gapEndUs, fs, order, scratch);
  permuteGaps(fs.gapInfo, fs, order, scratch);
  const offsets = new Uint32Array(scratch, 0, n + 1);
  let g = 0;
  for (let f = 0; f < n; f++) {
    const i = order[f]!;
    offsets[f] = g;
    g += fs.gapOffset[i + 1]! - fs.gapOffset[i]!;
  }
  offsets[n] = g;
  fs.gapOffset.set(offsets);
  permuteAddresses(fs.clientAddr, order, remap, scratch);
  permuteAddresses(fs.serverAddr, order, remap, scratch);
  for (const column of [fs.proto, fs.clientPort, fs.serverPort, fs.firstUs, fs.lastUs, fs.start, fs.end, fs.endState,
    fs.packetsC2S, fs.packetsS2C, fs.bytesC2S, fs.bytesS2C, fs.keepAlivesC2S, fs.keepAlivesS2C, fs.keepAliveAcks]) {
    permute(column, order, scratch);
  }
  return { ...fs, addresses };
}
