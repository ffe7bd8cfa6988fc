/**
 * The canonical form of a FlowSet and a GapDistribution: one order for everything, so that the
 * same flows give the same columns whichever way they were read (all inputs at once, or shard
 * profiles merged in any order). The planner's output then depends only on the flows, never on
 * the order a tracker happened to finish them in (docs/PROFILE.md, "Canonical form").
 *
 * - Flows are sorted by (firstUs, proto, client address text, client port, server address text,
 *   server port, lastUs), ties broken by every other column and then the gap list, so only
 *   identical flows can tie (and their order does not matter).
 * - Addresses are the texts the flows use, sorted (UTF-16 code unit order) and de-duplicated;
 *   ids are positions in that list.
 * - Each flow's gaps stay with it, in time order (CSR offsets rebuilt).
 * - The distribution's exact gap list is sorted and kept only while it holds at most
 *   EXACT_GAPS_LIMIT values (the GapCollector's rule); censored observations are sorted.
 *
 * Merging canonical sets is a k-way merge (time linear in the total size, times log k): the
 * address lists are merged as sorted lists, and the remapping of ids is monotone, so each set's
 * flow order is still sorted under the merged ids.
 */
import { inputError } from '../util/errors.js';
import { allocateFlowSet } from './allocate.js';
import type { FlowSet, GapDistribution } from './types.js';

/**
 * Exact gap values are kept while there are at most this many (GapCollector's default
 * `exactLimit`, src/flows/distribution.ts): beyond it, quantiles come from the sketch. The rule
 * depends only on the total count, so reading everything at once and merging parts agree.
 */
export const EXACT_GAPS_LIMIT = 1 << 20;

/** Total order on numbers with NaN last (NaN marks an unknown time). */
function cmpNum(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  return x !== x ? (y !== y ? 0 : 1) : -1;
}

function cmpText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compares flow i of set a with flow j of set b in canonical order. `rankA`/`rankB` give each
 * set's address ids a position in one common text order.
 */
function compareFlows(a: FlowSet, i: number, rankA: Uint32Array, b: FlowSet, j: number, rankB: Uint32Array): number {
  let c = cmpNum(a.firstUs[i]!, b.firstUs[j]!);
  if (c !== 0) return c;
  if ((c = a.proto[i]! - b.proto[j]!) !== 0) return c;
  if ((c = rankA[a.clientAddr[i]!]! - rankB[b.clientAddr[j]!]!) !== 0) return c;
  if ((c = a.clientPort[i]! - b.clientPort[j]!) !== 0) return c;
  if ((c = rankA[a.serverAddr[i]!]! - rankB[b.serverAddr[j]!]!) !== 0) return c;
  if ((c = a.serverPort[i]! - b.serverPort[j]!) !== 0) return c;
  if ((c = cmpNum(a.lastUs[i]!, b.lastUs[j]!)) !== 0) return c;
  // Only the same 5-tuple with the same first and last packet gets here (port reuse within
  // one timestamp, hand-made sets): order by everything else so the result is still unique.
  if ((c = a.start[i]! - b.start[j]!) !== 0) return c;
  if ((c = a.end[i]! - b.end[j]!) !== 0) return c;
  if ((c = a.endState[i]! - b.endState[j]!) !== 0) return c;
  if ((c = cmpNum(a.packetsC2S[i]!, b.packetsC2S[j]!)) !== 0) return c;
  if ((c = cmpNum(a.packetsS2C[i]!, b.packetsS2C[j]!)) !== 0) return c;
  if ((c = cmpNum(a.bytesC2S[i]!, b.bytesC2S[j]!)) !== 0) return c;
  if ((c = cmpNum(a.bytesS2C[i]!, b.bytesS2C[j]!)) !== 0) return c;
  if ((c = a.keepAlivesC2S[i]! - b.keepAlivesC2S[j]!) !== 0) return c;
  if ((c = a.keepAlivesS2C[i]! - b.keepAlivesS2C[j]!) !== 0) return c;
  if ((c = a.keepAliveAcks[i]! - b.keepAliveAcks[j]!) !== 0) return c;
  const ga = a.gapOffset[i]!, na = a.gapOffset[i + 1]! - ga;
  const gb = b.gapOffset[j]!, nb = b.gapOffset[j + 1]! - gb;
  const n = Math.min(na, nb);
  for (let k = 0; k < n; k++) {
    if ((c = cmpNum(a.gapStartUs[ga + k]!, b.gapStartUs[gb + k]!)) !== 0) return c;
    if ((c = cmpNum(a.gapEndUs[ga + k]!, b.gapEndUs[gb + k]!)) !== 0) return c;
    if ((c = a.gapInfo[ga + k]! - b.gapInfo[gb + k]!) !== 0) return c;
  }
  return na - nb;
}


/** Copies flow `i` of `s` into row `f` of `out` (every per-flow column; address ids through `remap`), gaps aside. */
function copyFlowColumns(out: FlowSet, f: number, s: FlowSet, i: number, remap: Uint32Array): void {
  out.proto[f] = s.proto[i]!;
  out.clientAddr[f] = remap[s.clientAddr[i]!]!;
  out.serverAddr[f] = remap[s.serverAddr[i]!]!;
  out.clientPort[f] = s.clientPort[i]!;
  out.serverPort[f] = s.serverPort[i]!;
  out.firstUs[f] = s.firstUs[i]!;
  out.lastUs[f] = s.lastUs[i]!;
  out.start[f] = s.start[i]!;
  out.end[f] = s.end[i]!;
  out.endState[f] = s.endState[i]!;
  out.packetsC2S[f] = s.packetsC2S[i]!;
  out.packetsS2C[f] = s.packetsS2C[i]!;
  out.bytesC2S[f] = s.bytesC2S[i]!;
  out.bytesS2C[f] = s.bytesS2C[i]!;
  out.keepAlivesC2S[f] = s.keepAlivesC2S[i]!;
  out.keepAlivesS2C[f] = s.keepAlivesS2C[i]!;
  out.keepAliveAcks[f] = s.keepAliveAcks[i]!;
}

/**
 * Copies flows into `out` in the order given by (set, index) pairs, remapping address ids and
 * dropping stored gaps shorter than `dropBelowUs`. Returns the number of gaps written.
 */
function gather(out: FlowSet, sets: FlowSet[], remaps: Uint32Array[], fromSet: Uint32Array, fromIdx: Uint32Array, dropBelowUs: number): number {
  let g = 0;
  for (let f = 0; f < out.count; f++) {
    const s = sets[fromSet[f]!]!;
    const r = remaps[fromSet[f]!]!;
    const i = fromIdx[f]!;
    copyFlowColumns(out, f, s, i, r);
    out.gapOffset[f] = g;
    const g1 = s.gapOffset[i + 1]!;
    for (let k = s.gapOffset[i]!; k < g1; k++) {
      if (s.gapEndUs[k]! - s.gapStartUs[k]! < dropBelowUs) continue;
      out.gapStartUs[g] = s.gapStartUs[k]!;
      out.gapEndUs[g] = s.gapEndUs[k]!;
      out.gapInfo[g] = s.gapInfo[k]!;
      g++;
    }
  }
  out.gapOffset[out.count] = g;
  return g;
}

/** Trims the gap columns to the `g` gaps written. */
function trimGaps(fs: FlowSet, g: number): FlowSet {
  if (g === fs.gapStartUs.length) return fs;
  return { ...fs, gapStartUs: fs.gapStartUs.slice(0, g), gapEndUs: fs.gapEndUs.slice(0, g), gapInfo: fs.gapInfo.slice(0, g) };
}

/** The flows' address texts, sorted and de-duplicated, and each old id's new id. */
function sortedAddresses(fs: FlowSet): { addresses: string[]; remap: Uint32Array } {
  const used = new Uint8Array(fs.addresses.length);
  for (let i = 0; i < fs.count; i++) { used[fs.clientAddr[i]!] = 1; used[fs.serverAddr[i]!] = 1; }
  const ids: number[] = [];
  for (let a = 0; a < used.length; a++) if (used[a] === 1) ids.push(a);
  ids.sort((x, y) => cmpText(fs.addresses[x]!, fs.addresses[y]!));
  const addresses: string[] = [];
  const remap = new Uint32Array(fs.addresses.length);
  for (const id of ids) {
    const text = fs.addresses[id]!;
    if (addresses.length === 0 || addresses[addresses.length - 1] !== text) addresses.push(text);
    remap[id] = addresses.length - 1;
  }
  return { addresses, remap };
}

/**
 * The canonical form of one FlowSet: a new set in canonical order (the input is not modified),
 * or the input itself when it is canonical already (checked in linear time). Time O(n log n).
 */
export function canonicalFlowSet(fs: FlowSet): FlowSet {
  if (isCanonicalFlowSet(fs)) return fs;
  const { addresses, remap, order } = canonicalOrder(fs);
  const out = allocateFlowSet(fs.count, fs.gapStartUs.length, addresses, fs.gapFloorUs, fs.windowStartUs, fs.windowEndUs);
  gatherOne(out, fs, remap, order);
  return out;
}

/**
 * Where each flow of `fs` goes in its canonical form: the sorted address texts, each old
 * address id's new id, and the flow indices in canonical order. Time O(n log n).
 */
export function canonicalOrder(fs: FlowSet): { addresses: string[]; remap: Uint32Array; order: Uint32Array } {
  const { addresses, remap } = sortedAddresses(fs);
  const order = orderByFirstPacket(fs);
  // Flows that start at the same instant: the full comparison, within each (short) run.
  const cmp = (x: number, y: number): number => compareFlows(fs, x, remap, fs, y, remap);
  for (let s = 0; s < order.length;) {
    let e = s + 1;
    while (e < order.length && cmpNum(fs.firstUs[order[e]!]!, fs.firstUs[order[s]!]!) === 0) e++;
    if (e - s > 1) order.subarray(s, e).sort(cmp);
    s = e;
  }
  return { addresses, remap, order };
}

/** gather() for one set and every gap: no per-flow set lookup, no gap filter, no staging arrays. */
function gatherOne(out: FlowSet, s: FlowSet, remap: Uint32Array, order: Uint32Array): void {
  const n = out.count;
  let g = 0;
  for (let f = 0; f < n; f++) {
    const i = order[f]!;
    copyFlowColumns(out, f, s, i, remap);
    out.gapOffset[f] = g;
    const g1 = s.gapOffset[i + 1]!;
    for (let k = s.gapOffset[i]!; k < g1; k++, g++) {
      out.gapStartUs[g] = s.gapStartUs[k]!;
      out.gapEndUs[g] = s.gapEndUs[k]!;
      out.gapInfo[g] = s.gapInfo[k]!;
    }
  }
  out.gapOffset[n] = g;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Flow indices sorted by first packet time: an LSD radix sort (four 16-bit passes) on the bits
 * of each time mapped to an unsigned key that orders like the numbers (sign bit flipped for
 * positives, all bits for negatives; -0 as 0, every NaN last). Stable, time linear in n: a
 * comparison sort of a million flows costs seconds in comparator calls, this a few passes.
 */
function orderByFirstPacket(fs: FlowSet): Uint32Array {
  const n = fs.count;
  const hi = new Uint32Array(n), lo = new Uint32Array(n);
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  const H = HOST_LITTLE_ENDIAN ? 1 : 0, L = 1 - H;
  for (let i = 0; i < n; i++) {
    const x = fs.firstUs[i]!;
    f64[0] = x !== x ? Number.NaN : x === 0 ? 0 : x;
    let h = u32[H]!, l = u32[L]!;
    if ((h & 0x80000000) !== 0) { h = ~h >>> 0; l = ~l >>> 0; } else h = (h | 0x80000000) >>> 0;
    hi[i] = h;
    lo[i] = l;
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  const counts = new Uint32Array(65537);
  for (let pass = 0; pass < 4; pass++) {
    const words = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    counts.fill(0);
    for (let k = 0; k < n; k++) counts[((words[order[k]!]! >>> shift) & 0xffff) + 1]!++;
    // Every key has the same digit (the high words of times within a few days mostly do): the
    // pass would keep the order as it is.
    if (n === 0 || counts[((words[0]! >>> shift) & 0xffff) + 1] === n) continue;
    for (let d = 0; d < 65536; d++) counts[d + 1]! += counts[d]!;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      next[counts[(words[i]! >>> shift) & 0xffff]!++] = i;
    }
    const t = order; order = next; next = t;
  }
  return order;
}

/** Whether a FlowSet is already canonical (time linear in its size). */
export function isCanonicalFlowSet(fs: FlowSet): boolean {
  const a = fs.addresses;
  for (let k = 1; k < a.length; k++) if (!(a[k - 1]! < a[k]!)) return false;
  const used = new Uint8Array(a.length);
  for (let i = 0; i < fs.count; i++) {
    if (fs.clientAddr[i]! >= a.length || fs.serverAddr[i]! >= a.length) return false;
    used[fs.clientAddr[i]!] = 1;
    used[fs.serverAddr[i]!] = 1;
  }
  for (let k = 0; k < used.length; k++) if (used[k] === 0) return false;
  const identity = new Uint32Array(a.length);
  for (let k = 0; k < identity.length; k++) identity[k] = k;
  for (let i = 1; i < fs.count; i++) if (compareFlows(fs, i - 1, identity, fs, i, identity) > 0) return false;
  return true;
}

/** Merges sorted, de-duplicated string lists; returns the union and each list's id remap. */
function mergeSortedTexts(lists: string[][]): { merged: string[]; remaps: Uint32Array[] } {
  const pos = new Array<number>(lists.length).fill(0);
  const remaps = lists.map((l) => new Uint32Array(l.length));
  const merged: string[] = [];
  for (;;) {
    let best = -1;
    for (let s = 0; s < lists.length; s++) {
      if (pos[s]! < lists[s]!.length && (best < 0 || lists[s]![pos[s]!]! < lists[best]![pos[best]!]!)) best = s;
    }
    if (best < 0) break;
    const text = lists[best]![pos[best]!]!;
    merged.push(text);
    // Every list holding this text maps it to the same new id.
    for (let s = 0; s < lists.length; s++) {
      if (pos[s]! < lists[s]!.length && lists[s]![pos[s]!] === text) remaps[s]![pos[s]!++] = merged.length - 1;
    }
  }
  return { merged, remaps };
}

/**
 * Merges FlowSets into one canonical set: canonical inputs (profiles always are) are merged in
 * time linear in their total size (times log of their number); any other input is made
 * canonical first. The window is the union; the gap floor is the largest, and stored gaps
 * shorter than it are dropped.
 */
export function mergeCanonicalFlowSets(input: FlowSet[]): FlowSet {
  const sets = input.map(canonicalFlowSet);
  let floorUs = 0;
  let windowStartUs = Number.NaN, windowEndUs = Number.NaN;
  let n = 0, g = 0;
  for (const s of sets) {
    floorUs = Math.max(floorUs, s.gapFloorUs);
    if (s.windowStartUs === s.windowStartUs && !(s.windowStartUs >= windowStartUs)) windowStartUs = s.windowStartUs;
    if (s.windowEndUs === s.windowEndUs && !(s.windowEndUs <= windowEndUs)) windowEndUs = s.windowEndUs;
    n += s.count;
    g += s.gapStartUs.length;
  }
  const { merged, remaps } = mergeSortedTexts(sets.map((s) => s.addresses));
  // k-way merge through a binary heap of set indices keyed by each set's next flow.
  const k = sets.length;
  const next = new Uint32Array(k);
  const heap: number[] = [];
  const less = (x: number, y: number): boolean => {
    const c = compareFlows(sets[x]!, next[x]!, remaps[x]!, sets[y]!, next[y]!, remaps[y]!);
    return c < 0 || (c === 0 && x < y);
  };
  const siftDown = (at: number): void => {
    for (;;) {
      const l = at * 2 + 1, r = l + 1;
      let m = at;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === at) return;
      [heap[at], heap[m]] = [heap[m]!, heap[at]!];
      at = m;
    }
  };
  for (let s = 0; s < k; s++) if (sets[s]!.count > 0) heap.push(s);
  for (let at = (heap.length >> 1) - 1; at >= 0; at--) siftDown(at);
  const fromSet = new Uint32Array(n);
  const fromIdx = new Uint32Array(n);
  for (let f = 0; f < n; f++) {
    const s = heap[0]!;
    fromSet[f] = s;
    fromIdx[f] = next[s]!++;
    if (next[s] === sets[s]!.count) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    if (heap.length > 0) siftDown(0);
  }
  const out = allocateFlowSet(n, g, merged, floorUs, windowStartUs, windowEndUs);
  // A set read with a lower floor stores gaps the merged floor does not promise: they are
  // dropped. With equal floors nothing is dropped.
  const floorsDiffer = sets.some((s) => s.gapFloorUs !== floorUs);
  return trimGaps(out, gather(out, sets, remaps, fromSet, fromIdx, floorsDiffer ? floorUs : Number.NEGATIVE_INFINITY));
}

// ---- distributions ----

function isSorted(a: Float64Array): boolean {
  for (let i = 1; i < a.length; i++) if (!(a[i - 1]! <= a[i]!)) return false;
  return true;
}

function sortedCopy(a: Float64Array): Float64Array {
  return isSorted(a) ? a : Float64Array.from(a).sort();
}

/** Merges two sorted arrays (linear). */
function mergeTwo(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0, j = 0, o = 0;
  while (i < a.length && j < b.length) out[o++] = b[j]! < a[i]! ? b[j++]! : a[i++]!;
  while (i < a.length) out[o++] = a[i++]!;
  while (j < b.length) out[o++] = b[j++]!;
  return out;
}

/** Merges sorted arrays pairwise in a balanced tree: time O(total * log parts). */
export function mergeSortedF64(parts: Float64Array[]): Float64Array {
  let level = parts.map(sortedCopy);
  if (level.length === 0) return new Float64Array(0);
  while (level.length > 1) {
    const up: Float64Array[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(i + 1 < level.length ? mergeTwo(level[i]!, level[i + 1]!) : level[i]!);
    level = up;
  }
  return level[0] === parts[0] ? Float64Array.from(level[0]!) : level[0]!;
}

/** The canonical form of a distribution: exact list sorted (dropped beyond the limit), censored sorted. */
export function canonicalGapDistribution(d: GapDistribution): GapDistribution {
  return {
    count: d.count,
    exactSorted: d.exactSorted !== null && d.count <= EXACT_GAPS_LIMIT && d.exactSorted.length === d.count ? sortedCopy(d.exactSorted) : null,
    sketch: d.sketch,
    sketchBase: d.sketchBase,
    censoredSeconds: sortedCopy(d.censoredSeconds),
  };
}

/**
 * Merges distributions of disjoint sets of gaps. Counts and sketch bins add up; the exact list
 * is the sorted merge of the parts while the total stays within EXACT_GAPS_LIMIT and every part
 * kept its values, else null (the rule a single GapCollector follows); censored observations
 * are merged sorted.
 */
export function mergeGapDistributions(parts: GapDistribution[]): GapDistribution {
  if (parts.length === 0) throw new Error('mergeGapDistributions needs at least one distribution');
  const base = parts[0]!.sketchBase;
  const bins = parts[0]!.sketch.length;
  let count = 0;
  let exact = true;
  const sketch = new Float64Array(bins);
  for (const p of parts) {
    if (p.sketchBase !== base || p.sketch.length !== bins) {
      throw inputError('GAPS_INCOMPATIBLE', `gap sketches differ (base ${p.sketchBase} with ${p.sketch.length} bins, expected ${base} with ${bins}): written by an incompatible fwtp`, {});
    }
    count += p.count;
    if (p.exactSorted === null || p.exactSorted.length !== p.count) exact = false;
    for (let k = 0; k < bins; k++) sketch[k]! += p.sketch[k]!;
  }
  if (count > EXACT_GAPS_LIMIT) exact = false;
  return {
    count,
    exactSorted: exact ? mergeSortedF64(parts.map((p) => p.exactSorted as Float64Array)) : null,
    sketch,
    sketchBase: base,
    censoredSeconds: mergeSortedF64(parts.map((p) => p.censoredSeconds)),
  };
}
