/**
 * Flow records grouped by flow key (protocol and the unordered pair of endpoints), each group
 * sorted by start time: an open-addressing hash on the numeric key, never string keys.
 */
import type { RecordTable } from '../ingest/flowexport/records.js';

const NONE = -1;

/**
 * Group record indices by flow key (protocol and the unordered pair of endpoints), each group
 * sorted by start time. Returns the records in group order and the group boundaries.
 */
export function groupByKey(t: RecordTable): { order: Int32Array; groupStart: Int32Array; groups: number } {
  const n = t.count;
  let size = 1024;
  while (size < n * 2) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(NONE); // group id
  const gHead = new Int32Array(n), gTail = new Int32Array(n), gRep = new Int32Array(n);
  const next = new Int32Array(n).fill(NONE);
  let groups = 0;
  for (let r = 0!; r < n; r++) {
    let a = t.srcAddr[r]!, b = t.dstAddr[r]!, pa = t.srcPort[r]!, pb = t.dstPort[r]!;
    if (a > b || (a === b && pa > pb)) { const x = a; a = b; b = x; const y = pa; pa = pb; pb = y; }
    const ports = ((pa << 16) | pb) >>> 0;
    const proto = t.proto[r]!;
    let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 15) ^ b, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 13) ^ ports, 0x27d4eb2f);
    h = Math.imul(h ^ (h >>> 16) ^ proto, 0x165667b1);
    let i = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const g = slots[i]!;
      if (g === NONE) {
        slots[i] = groups;
        gHead[groups] = r; gTail[groups] = r; gRep[groups] = r;
        groups++;
        break;
      }
      const q = gRep[g]!;
      if (t.proto[q] === proto && sameKey(t, q, a, b, pa, pb)) {
        next[gTail[g]!] = r;
        gTail[g] = r;
        break;
      }
      i = (i + 1) & mask;
    }
  }
  const order = new Int32Array(n);
  const groupStart = new Int32Array(groups + 1);
  let k = 0;
  for (let g = 0; g < groups; g++) {
    groupStart[g] = k;
    const from = k;
    for (let r = gHead[g]!; r !== NONE; r = next[r]!) {
      // Insertion sort by start time: exports are written roughly in time order, so this is near linear.
      let j = k++;
      const s = t.startUs[r]!;
      while (j > from && t.startUs[order[j - 1]!]! > s) { order[j] = order[j - 1]!; j--; }
      order[j] = r;
    }
  }
  groupStart[groups] = k;
  return { order, groupStart, groups };
}

function sameKey(t: RecordTable, q: number, a: number, b: number, pa: number, pb: number): boolean {
  const qa = t.srcAddr[q], qb = t.dstAddr[q], qpa = t.srcPort[q], qpb = t.dstPort[q];
  return (qa === a && qb === b && qpa === pa && qpb === pb) || (qa === b && qb === a && qpa === pb && qpb === pa);
}
