/**
 * Merging FlowSets: inputs of different kinds in one run (a capture and a flow export, two
 * exports), and later profiles. Flows are concatenated in input order, addresses re-interned by
 * their text, CSR gap offsets shifted, the window is the union of the windows.
 *
 * Merging is associative (merge([merge([a, b]), c]) equals merge([a, merge([b, c])]) column for
 * column): addresses get ids in order of first appearance across the inputs' address lists, and
 * columns are concatenated in order (test/flows/merge.test.ts checks it with fast-check).
 */
import type { FlowSet } from './types.js';

type Column = Uint8Array | Uint16Array | Uint32Array | Float64Array;

function concat<T extends Column>(make: (n: number) => T, parts: T[]): T {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = make(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * One FlowSet holding every flow and gap of `sets`. When the inputs were read with different gap
 * floors, the merged floor is the largest and shorter stored gaps are dropped, so that "every gap
 * of at least gapFloorUs is stored" stays true of the result.
 */
export function mergeFlowSets(sets: FlowSet[]): FlowSet {
  let floorUs = 0;
  for (const s of sets) floorUs = Math.max(floorUs, s.gapFloorUs);
  const addresses: string[] = [];
  const ids = new Map<string, number>();
  const clientAddr: Uint32Array[] = [], serverAddr: Uint32Array[] = [];
  let windowStartUs = Number.NaN, windowEndUs = Number.NaN;
  let count = 0, gapTotal = 0;
  for (const s of sets) {
    const remap = new Uint32Array(s.addresses.length);
    for (let i = 0; i < s.addresses.length; i++) {
      const text = s.addresses[i];
      let id = ids.get(text);
      if (id === undefined) {
        id = addresses.length;
        addresses.push(text);
        ids.set(text, id);
      }
      remap[i] = id;
    }
    const c = new Uint32Array(s.count), v = new Uint32Array(s.count);
    for (let f = 0; f < s.count; f++) { c[f] = remap[s.clientAddr[f]]; v[f] = remap[s.serverAddr[f]]; }
    clientAddr.push(c);
    serverAddr.push(v);
    if (s.windowStartUs === s.windowStartUs && !(s.windowStartUs >= windowStartUs)) windowStartUs = s.windowStartUs;
    if (s.windowEndUs === s.windowEndUs && !(s.windowEndUs <= windowEndUs)) windowEndUs = s.windowEndUs;
    count += s.count;
    gapTotal += s.gapOffset[s.count] ?? 0;
  }

  // Gaps: shift each set's offsets; drop gaps under the merged floor (none when floors agree).
  const gapOffset = new Uint32Array(count + 1);
  const gapStartUs = new Float64Array(gapTotal), gapEndUs = new Float64Array(gapTotal);
  const gapInfo = new Uint16Array(gapTotal);
  let f = 0, g = 0;
  for (const s of sets) {
    for (let i = 0; i < s.count; i++, f++) {
      gapOffset[f] = g;
      for (let j = s.gapOffset[i]; j < s.gapOffset[i + 1]; j++) {
        if (s.gapEndUs[j] - s.gapStartUs[j] < floorUs) continue;
        gapStartUs[g] = s.gapStartUs[j];
        gapEndUs[g] = s.gapEndUs[j];
        gapInfo[g] = s.gapInfo[j];
        g++;
      }
    }
  }
  gapOffset[count] = g;

  const pick = <K extends keyof FlowSet>(k: K): FlowSet[K][] => sets.map((s) => s[k]);
  return {
    count,
    proto: concat((n) => new Uint8Array(n), pick('proto')),
    clientAddr: concat((n) => new Uint32Array(n), clientAddr),
    serverAddr: concat((n) => new Uint32Array(n), serverAddr),
    clientPort: concat((n) => new Uint16Array(n), pick('clientPort')),
    serverPort: concat((n) => new Uint16Array(n), pick('serverPort')),
    firstUs: concat((n) => new Float64Array(n), pick('firstUs')),
    lastUs: concat((n) => new Float64Array(n), pick('lastUs')),
    start: concat((n) => new Uint8Array(n), pick('start')),
    end: concat((n) => new Uint8Array(n), pick('end')),
    endState: concat((n) => new Uint8Array(n), pick('endState')),
    packetsC2S: concat((n) => new Float64Array(n), pick('packetsC2S')),
    packetsS2C: concat((n) => new Float64Array(n), pick('packetsS2C')),
    bytesC2S: concat((n) => new Float64Array(n), pick('bytesC2S')),
    bytesS2C: concat((n) => new Float64Array(n), pick('bytesS2C')),
    keepAlivesC2S: concat((n) => new Uint32Array(n), pick('keepAlivesC2S')),
    keepAlivesS2C: concat((n) => new Uint32Array(n), pick('keepAlivesS2C')),
    keepAliveAcks: concat((n) => new Uint32Array(n), pick('keepAliveAcks')),
    gapOffset,
    gapStartUs: gapStartUs.slice(0, g),
    gapEndUs: gapEndUs.slice(0, g),
    gapInfo: gapInfo.slice(0, g),
    addresses,
    gapFloorUs: floorUs,
    windowStartUs,
    windowEndUs,
  };
}
